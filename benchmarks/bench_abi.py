"""Benchmark of the Canonical ABI's share of a component call, against a bytearray memory.

The issue's targets are for a whole component call (lift/lower on both sides
plus the core call into wasm); this measures only what ``witkit.abi`` does on
the host side -- lowering the arguments and lifting the results -- with the
guest simulated in Python (a bump ``realloc``, the echo done by writing the
return area).  Run:

    python benchmarks/bench_abi.py          # all scenarios
    python benchmarks/bench_abi.py add      # one (add, string, list, records)

Each line prints the best time per call over several rounds, the issue's
target for the whole call, and the share of that target our part uses.
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable

from witkit.abi import Context, func_abi
from witkit.abi.testing import FakeMemory
from witkit.abi.values import record_class
from witkit.types import FuncType, ListType, RecordType

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


def report(name: str, seconds: float, target: float) -> None:
    share = seconds / target * 100
    print(f"{name:44s} {_fmt(seconds):>10s}   target {_fmt(target):>8s}   ({share:5.1f}% of it)")


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.3f} ms"


def bench_add() -> None:
    ft = FuncType((("a", "u32"), ("b", "u32")), "u32")
    mem = FakeMemory(log=False)
    cx = Context(mem.options())
    abi = func_abi(ft, mem.options())
    lower, lift = abi.lower_params, abi.lift_results

    def call() -> object:
        a, b = lower(cx, (1, 2))
        return lift(cx, ((a + b) & 0xFFFF_FFFF,))

    report("add(u32, u32) -> u32: lower + lift", best_of(call, 200_000), 3e-6)


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
    report("echo(string) of 1 MB: lower + lift", best_of(call, 200), 0.66e-3)


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

    report("sum(list<u32>) of 100 000: lower + lift", best_of(call, 50), 1.5e-3)


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

    report("echo(list<record>) of 10 000: lower + lift", best_of(call, 10), 40e-3)
    report("  of which lower (10 000 reallocs)", best_of(lower, 10), 40e-3)
    report("  of which lift", best_of(lift, 10), 40e-3)


SCENARIOS = {"add": bench_add, "string": bench_string, "list": bench_list, "records": bench_records}


def main(argv: list[str]) -> None:
    names = argv or list(SCENARIOS)
    print(f"witkit.abi host-side lift/lower (Python {sys.version.split()[0]}, bytearray memory)")
    for name in names:
        SCENARIOS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
