"""Benchmark of the Canonical ABI's share of a component call, against a bytearray memory.

The issue's targets are for a whole component call (lift/lower on both sides
plus the core call into wasm); this measures only what ``witkit.abi`` does on
the host side -- lowering the arguments and lifting the results -- with the
guest simulated in Python (a bump ``realloc``, the echo done by writing the
return area).  When the spec's reference ``definitions.py`` is available (see
``tools/abi_spec_oracle.py``), the same work done by it is the peer, measured
in the same run.  Run:

    python benchmarks/bench_abi.py          # all scenarios
    python benchmarks/bench_abi.py add      # one of: add, string, list, records

Each line prints the best CPU time per call, the issue's target for the whole
call and the share of it our part uses, then the spec's time and the ratio.
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from witkit.abi import Context, func_abi
from witkit.abi.limits import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS
from witkit.abi.testing import FakeMemory
from witkit.abi.values import record_class
from witkit.types import FuncType, ListType, RecordType, ValType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
try:
    from abi_spec_oracle import load_spec, spec_context, spec_type, to_spec
except ImportError:  # pragma: no cover - run outside the repository
    load_spec = None  # type: ignore[assignment]

_RET = struct.Struct("<II")


def best_of(fn: Callable[[], object], number: int, rounds: int = 7) -> float:
    """Best mean CPU seconds per call over ``rounds`` rounds of ``number`` calls.

    CPU time of this process, not wall time: the machines we run on are shared,
    and wall time there mostly measures the neighbours.
    """
    fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.3f} ms"


def report(name: str, seconds: float, target: float | None, spec: float | None = None) -> None:
    line = f"{name:44s} {_fmt(seconds):>10s}"
    if target is not None:
        line += f"   target {_fmt(target):>9s} ({seconds / target * 100:5.1f}%)"
    if spec is not None:
        line += f"   spec {_fmt(spec):>10s} ({spec / seconds:6.0f}x)"
    print(line)


def spec_time(
    ft: FuncType, args: list[Any], result: Any, number: int, size: int = 1 << 22
) -> float | None:
    """The spec's lower_flat_values + lift_flat_values for the same call, if available."""
    spec = load_spec() if load_spec is not None else None
    if spec is None:
        return None
    mem = FakeMemory(size, log=False)
    cx = spec_context(spec, mem.data, "utf8", mem.realloc)
    params: list[ValType] = [t for _, t in ft.params]
    assert ft.result is not None
    ptypes = [spec_type(spec, t) for t in params]
    rtypes = [spec_type(spec, ft.result)]
    sargs = [to_spec(t, a) for t, a in zip(params, args, strict=True)]
    sresult = to_spec(ft.result, result)

    def call() -> object:
        mem.reset()
        flat = spec.lower_flat_values(cx, MAX_FLAT_PARAMS, sargs, ptypes)
        out = spec.lower_flat_values(cx, MAX_FLAT_RESULTS, [sresult], rtypes)
        return spec.lift_flat_values(cx, MAX_FLAT_RESULTS, spec.CoreValueIter(out), rtypes), flat

    return best_of(call, number, rounds=2)


def bench_add() -> None:
    ft = FuncType((("a", "u32"), ("b", "u32")), "u32")
    mem = FakeMemory(log=False)
    cx = Context(mem.options())
    abi = func_abi(ft, mem.options())
    lower, lift = abi.lower_params, abi.lift_results

    def call() -> object:
        a, b = lower(cx, (1, 2))
        return lift(cx, ((a + b) & 0xFFFF_FFFF,))

    ours = best_of(call, 200_000)
    report("add(u32, u32) -> u32: lower + lift", ours, 3e-6, spec_time(ft, [1, 2], 3, 2000))


def bench_string() -> None:
    ft = FuncType((("s", "string"),), "string")
    mem = FakeMemory(4 << 20, log=False)
    cx = Context(mem.options())
    abi = func_abi(ft, mem.options())
    text = "x" * 1_000_000

    def call() -> object:
        mem.reset()
        p, n = abi.lower_params(cx, (text,))
        ret = mem.realloc(0, 0, 4, 8)  # the guest echoes: its return area points at the copy
        _RET.pack_into(mem.view, ret, p, n)
        return abi.lift_results(cx, (ret,))

    assert call() == text
    ours = best_of(call, 200)
    report("echo(string) of 1 MB: lower + lift", ours, 0.66e-3, spec_time(ft, [text], text, 5))


def bench_list() -> None:
    ft = FuncType((("xs", ListType("u32")),), "u32")
    mem = FakeMemory(1 << 20, log=False)
    cx = Context(mem.options())
    abi = func_abi(ft, mem.options())
    values = list(range(100_000))

    def call() -> object:
        mem.reset()
        _, n = abi.lower_params(cx, (values,))
        return abi.lift_results(cx, (n,))

    ours = best_of(call, 50)
    report("sum(list<u32>) of 100 000: lower + lift", ours, 1.5e-3, spec_time(ft, [values], 5, 1))


def bench_records() -> None:
    point = RecordType((("x", "s32"), ("y", "s32"), ("name", "string")))
    ft = FuncType((("ps", ListType(point)),), ListType(point))
    mem = FakeMemory(1 << 20, log=False)
    cx = Context(mem.options())
    abi = func_abi(ft, mem.options())
    cls = record_class(point)
    values = [cls(i, -i, f"point-{i}") for i in range(10_000)]

    def call() -> object:
        mem.reset()
        p, n = abi.lower_params(cx, (values,))
        ret = mem.realloc(0, 0, 4, 8)
        _RET.pack_into(mem.view, ret, p, n)
        return abi.lift_results(cx, (ret,))

    assert call() == values

    def lower() -> object:
        mem.reset()
        return abi.lower_params(cx, (values,))

    p, n = lower()
    ret = mem.realloc(0, 0, 4, 8)
    _RET.pack_into(mem.view, ret, p, n)

    def lift() -> object:
        return abi.lift_results(cx, (ret,))

    def reallocs() -> object:
        mem.reset()
        for _ in range(len(values) + 1):
            mem.realloc(0, 0, 1, 10)
        return None

    ours = best_of(call, 10)
    report(
        "echo(list<record>) of 10 000: lower + lift",
        ours,
        40e-3,
        spec_time(ft, [values], values, 1),
    )
    report("  lower (incl. 10 001 reallocs)", best_of(lower, 10), None)
    report("    of which the simulated guest realloc", best_of(reallocs, 10), None)
    report("  lift", best_of(lift, 10), None)


SCENARIOS = {"add": bench_add, "string": bench_string, "list": bench_list, "records": bench_records}


def main(argv: list[str]) -> None:
    names = argv or list(SCENARIOS)
    print(f"witkit.abi host-side lift/lower (Python {sys.version.split()[0]}, bytearray memory)")
    for name in names:
        SCENARIOS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
