"""Time ``read`` + ``validate`` of a large component (by default the corpus' largest).

Usage::

    python benchmarks/bench_decode.py [FILE] [--runs N]

Without ``FILE`` the largest component of the fixture corpus is used (a
componentize-py component, ~18 MB, mostly core module bytes that witkit never
copies or scans beyond section headers and import/export sections).  Prints the
median wall-clock and CPU time of ``read``, ``validate`` and both over ``--runs``
runs; CPU time is the steadier number on a busy machine.  As a peer, the same
run times ``wasm-tools validate`` on the file (which also validates every core
function body, so it does more work; the ratio is only an orientation).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from witkit.binary import ir, read, validate  # noqa: E402


def largest_corpus_component() -> Path:
    """The biggest component the fixture corpus builds (builds it if needed)."""
    from tests.fixtures.build import corpus

    paths = corpus()
    return max(paths.values(), key=lambda p: p.stat().st_size)


def measure(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median (wall, cpu) seconds of ``fn`` over ``runs`` runs."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help="a component (default: corpus' largest)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    path: Path = args.file or largest_corpus_component()
    data = path.read_bytes()
    decoded = read(data)
    if not isinstance(decoded, ir.Component):
        print(f"{path}: a core module, not a component", file=sys.stderr)
        return 1
    print(f"{path.name}: {len(data) / 1e6:.1f} MB, {len(decoded.sections)} top-level sections")

    rows = [
        ("read", lambda: read(data)),
        ("validate", lambda: validate(decoded)),
        ("read + validate", lambda: validate(read(data))),  # type: ignore[arg-type]
    ]
    for label, fn in rows:
        wall, cpu = measure(fn, args.runs)
        print(f"  {label:16} median {wall * 1e3:7.1f} ms wall  {cpu * 1e3:7.1f} ms cpu")

    tool = shutil.which("wasm-tools")
    if tool is not None:
        wall, _ = measure(
            lambda: subprocess.run([tool, "validate", str(path)], check=True),
            max(3, args.runs // 3),
        )
        ours, _ = measure(lambda: validate(read(data)), args.runs)  # type: ignore[arg-type]
        print(
            f"  peer: wasm-tools validate {wall * 1e3:.1f} ms wall (includes core code "
            f"validation); witkit/peer = {ours / wall:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
