"""`witkit run` against `wasmtime run`: whole-process wall time on the same commands.

Both CLIs run each command component in the same session, alternately, with the
same flags and a warm compile cache (one unmeasured run of each first); the table
shows medians and the ratio witkit / wasmtime against the goal of issue 4:

    C hello world           <= 1.5x     process start-up and instantiation
    componentize-py hello   <= 1.3x     loading 18 MB of cached machine code
    CPU-heavy C             <= 1.05x    time in guest code (same compiler)
    100 MB to stdout        <= 2x       wasi:io output streams, host-call overhead
    copy a 100 MB file      <= 2x       wasi:filesystem streams both ways

stdout goes to /dev/null for both.  Beside wall time the table gives each side's
CPU time (user + system of the child process): on a loaded machine wall time
includes waiting for a core, CPU time much less so.  The fixtures come from the test corpus
(`tests/fixtures`); the file copier is `tests/fixtures/c/copy.c`.

    python -m compileall -q src                 # first: see "bytecode" below
    python benchmarks/bench_run.py              # every case, 5 runs each
    python benchmarks/bench_run.py --runs 9 --only hello

Bytecode: the development environment sets ``PYTHONDONTWRITEBYTECODE=1``, so
without ``compileall`` every run would recompile witkit's modules from source
(tens of ms) where an installed package has its ``.pyc`` files.  Likewise the
generated Canonical ABI code is cached on disk beside the compiled modules; the
warm-up run fills that cache too.

Which Python: witkit runs from a plain virtual environment that the script
makes once (``.witkit-test-cache/bench-venv``: ``python -m venv`` plus the pinned
``wasmtime``), as a user's installation would be; witkit's sources come from this
checkout either way (``PYTHONPATH``).  ``--python PATH`` names another
interpreter, ``--this-python`` uses the one running the script, with whatever
``.pth`` hooks its installation has (the machine this was tuned on loads a
sandbox hook that imports ``certifi``, ~14 ms per process).

What bounds the small cases: ``wasmtime run`` is one native process, done in
~6 ms for hello world.  ``python -c pass`` alone takes ~10 ms in a venv, so the
1.5x goal (~9 ms) is out of reach for any CPython program started per command.
witkit's part beyond that is imports (~30 ms: argparse, ctypes, typing and
witkit's own ~55 modules; the binary reader, validator, ABI code generator and
wasmtime-py are not imported when a component is prepared and its functions
have ABI recipes) and ~8 ms of work (load the prepared component, map its
cached modules, link WASI, instantiate).  The 100 MB stdout case is that
start-up plus ~42 700 host calls of at most 4 KiB (the preview1 adapter's
chunk; the guest writes uneven chunks): ~1.3 us each, of which the ctypes
callback is ~0.45 us and the write system call through ``os.write`` ~0.4 us.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB100 = 100 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    fixture: str
    goal: float
    #: the guest's arguments, given the scratch directory
    args: Callable[[Path], list[str]]
    #: flags for both CLIs, given the scratch directory
    flags: Callable[[Path], list[str]] = lambda _: []


CASES = (
    Case("C hello world", "c_hello", 1.5, lambda _: []),
    Case("componentize-py hello", "py_hello", 1.3, lambda _: []),
    Case("CPU-heavy C (sieve 50M + hash)", "c_cpu_loop", 1.05, lambda _: ["50000000", "300000"]),
    Case("100 MB to stdout", "c_big_output", 2.0, lambda _: [str(MB100)]),
    Case(
        "copy a 100 MB file",
        "c_copy",
        2.0,
        lambda _: ["/d/in.bin", "/d/out.bin"],
        lambda d: ["--dir", f"{d}::/d"],
    ),
)


def component(name: str) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.wasi.guests import build_guest  # the corpus, plus the file copier

    return build_guest(name)


def wasmtime_binary() -> str:
    import wasmtime_cli  # type: ignore[import-untyped]

    return os.path.join(os.path.dirname(wasmtime_cli.__file__), "wasmtime")


#: the interpreter that runs witkit (``--python``)
PYTHON = [sys.executable]


def bench_venv() -> str:
    """A plain venv with witkit's one dependency, made on first use: what a user installs.

    The interpreter running the benchmark may carry ``.pth`` hooks of its own
    installation (the one this was tuned on imports ``certifi`` at every start,
    ~14 ms); a user's environment made with ``python -m venv`` has none.
    """
    from importlib.metadata import version

    venv = ROOT / ".witkit-test-cache" / "bench-venv"
    python = venv / "bin" / "python"
    pin = f"wasmtime=={version('wasmtime')}"
    stamp = venv / "witkit-bench-pin"
    if not python.exists() or not stamp.exists() or stamp.read_text() != pin:
        print(f"making {venv} (python -m venv; pip install {pin}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", pin],
            check=True,
        )
        stamp.write_text(pin)
    return str(python)


def command(tool: str, wasm: Path, flags: list[str], args: list[str]) -> list[str]:
    if tool == "wasmtime":
        return [wasmtime_binary(), "run", *flags, str(wasm), *args]
    return [*PYTHON, "-m", "witkit", "run", *flags, str(wasm), *args]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``cmd``."""
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    elapsed, used = time.perf_counter() - start, _cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed, used


def measure(case: Case, runs: int, scratch: Path) -> dict[str, tuple[float, float]]:
    """tool -> (median wall, median CPU) seconds."""
    wasm = component(case.fixture)
    if case.fixture == "c_copy":
        (scratch / "in.bin").write_bytes(os.urandom(1024 * 1024) * 100)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    flags, guest_args = case.flags(scratch), case.args(scratch)
    cmds = {tool: command(tool, wasm, flags, guest_args) for tool in ("wasmtime", "witkit")}
    times: dict[str, list[tuple[float, float]]] = {tool: [] for tool in cmds}
    for cmd in cmds.values():
        once(cmd, env)  # warm-up: fills the compile caches
    for _ in range(runs):
        for tool, cmd in cmds.items():
            times[tool].append(once(cmd, env))
    if case.fixture == "c_copy":
        same = (scratch / "in.bin").read_bytes() == (scratch / "out.bin").read_bytes()
        if not same:
            raise SystemExit("copy: the output file differs from the input")
    return {
        tool: (statistics.median(t[0] for t in got), statistics.median(t[1] for t in got))
        for tool, got in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run the cases whose name contains this text")
    chooser = parser.add_mutually_exclusive_group()
    chooser.add_argument(
        "--python",
        metavar="PATH",
        help="the interpreter that runs witkit, e.g. a venv's bin/python (default: a "
        "fresh venv made once in .witkit-test-cache/bench-venv); witkit's sources come "
        "from this checkout either way",
    )
    chooser.add_argument(
        "--this-python",
        action="store_true",
        help="run witkit on the interpreter running this script, with its site hooks",
    )
    args = parser.parse_args()
    if args.python:
        PYTHON[:] = [args.python]
    elif not args.this_python:
        PYTHON[:] = [bench_venv()]
    cases = [c for c in CASES if args.only is None or args.only.lower() in c.name.lower()]
    load = os.getloadavg()[0]
    print(f"witkit run vs wasmtime run: median of {args.runs} runs, warm caches")
    print(f"witkit runs on {PYTHON[0]}")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (other work skews both sides)\n")
    header = (
        f"{'case':32} {'wasmtime':>9} {'witkit':>9} {'ratio':>7} {'goal':>6}   "
        f"{'cpu: wasmtime':>13} {'witkit':>8} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench_run-") as tmp:
        for case in cases:
            got = measure(case, args.runs, Path(tmp))
            (base, base_cpu), (ours, ours_cpu) = got["wasmtime"], got["witkit"]
            ratio = ours / base
            verdict = "ok  " if ratio <= case.goal else "MISS"
            print(
                f"{case.name:32} {base * 1000:7.0f}ms {ours * 1000:7.0f}ms "
                f"{ratio:6.2f}x {case.goal:5.2f}x {verdict} {base_cpu * 1000:11.0f}ms "
                f"{ours_cpu * 1000:6.0f}ms {ours_cpu / max(base_cpu, 1e-3):6.2f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
