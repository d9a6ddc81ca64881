"""Calls into a component: witkit against wasmtime.component, same component, same process.

Run ``python benchmarks/bench_calls.py`` (``--quick`` for fewer repetitions).
The component is ``bench_calls.wat`` beside this file.  Each row times one
call shape with both runtimes and prints the ratio (how many times faster
witkit is); the targets are the issue's.

* ``add(u32, u32) -> u32``               the fixed cost of a call
* ``echo(string) -> string``, 1 MB       bulk string copy in and out
* ``sum(list<u32>) -> u32``, 100 000     a big list of numbers lowered
* ``echo-points(list<point>)``, 10 000   records with strings, both ways (our Record
                                          objects, then plain dicts: same target)
* ``call-host(n)``: guest -> Python      per host call (witkit only has a target: <= 3 us)

Timing: the best of several rounds of ``n`` calls (the least disturbed), per call;
the two runtimes' rounds alternate, so both see the same load.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WAT = HERE / "bench_calls.wat"


def best(fn: Callable[[], Any], n: int, rounds: int) -> float:
    """Seconds per call: the best of ``rounds`` rounds of ``n`` calls."""
    fn()  # warm up (specialisation, caches)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n)
    return min(times)


def paired(
    ours: Callable[[], Any], n_ours: int, theirs: Callable[[], Any], n_theirs: int, rounds: int
) -> tuple[float, float]:
    """Seconds per call of each, best of ``rounds`` rounds taken in alternation.

    The machines we run on are shared: timing one runtime after the other lets
    a change of load between the two decide the ratio, alternating their
    rounds makes both see the same conditions.
    """
    ours()
    theirs()
    a, b = [], []
    for _ in range(rounds):
        for fn, n, out in ((ours, n_ours, a), (theirs, n_theirs, b)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - start) / n)
    return min(a), min(b)


class Point:
    """A record value for wasmtime.component (attributes named as the fields)."""

    def __init__(self, x: int, y: int, name: str) -> None:
        self.x = x
        self.y = y
        self.name = name


def setup_witkit() -> dict[str, Callable[..., Any]]:
    import witkit

    engine = witkit.Engine()
    component = witkit.Component.from_file(engine, WAT)
    linker = witkit.Linker(engine)
    linker.define_func("host-add", lambda a, b: a + b)
    exports = linker.instantiate(component).exports
    return {name: exports[name].call for name in exports.funcs()}


def setup_wasmtime() -> dict[str, Callable[..., Any]]:
    import wasmtime
    from wasmtime import component as wc

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    component = wc.Component(engine, wasmtime.wat2wasm(WAT.read_text()))
    linker = wc.Linker(engine)
    with linker.root() as root:
        root.add_func("host-add", lambda _store, a, b: a + b)
    instance = linker.instantiate(store, component)
    out: dict[str, Callable[..., Any]] = {}
    for name in ("add", "echo", "sum", "echo-points", "call-host"):
        func = instance.get_func(store, name)
        assert func is not None

        def call(*args: Any, _f: Any = func) -> Any:
            result = _f(store, *args)
            _f.post_return(store)
            return result

        out[name] = call
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    q = 10 if args.quick else 1

    ours = setup_witkit()
    theirs = setup_wasmtime()

    text = "x" * 1_000_000
    numbers = list(range(100_000))
    # each runtime gets the record objects it hands out itself: witkit's Record
    # instances (what a first call returns), wasmtime's attribute objects
    # plain dicts keyed by the WIT field names are accepted too (a row of their own)
    dicts = [{"x": i, "y": -i, "name": f"p{i}"} for i in range(10_000)]
    points_ours = ours["echo-points"](dicts)
    points_theirs = [Point(i, -i, f"p{i}") for i in range(10_000)]

    # correctness first: both runtimes agree on what they compute
    assert ours["add"](1, 2) == theirs["add"](1, 2) == 3
    assert ours["echo"](text) == theirs["echo"](text) == text
    assert ours["sum"](numbers) == theirs["sum"](numbers) == sum(numbers) % 2**32
    back = ours["echo-points"](points_ours)
    assert [(p.x, p.y, p.name) for p in back] == [(p.x, p.y, p.name) for p in points_theirs]
    assert ours["call-host"](5) == theirs["call-host"](5) == 5

    rows = [
        ("add(u32,u32)->u32", lambda f: f["add"](1, 2), 20_000 // q, 6.0),
        ("echo string 1 MB", lambda f: f["echo"](text), 200 // q, 5.0),
        ("sum list<u32> 100k", lambda f: f["sum"](numbers), 50 // q, 50.0),
    ]
    print(f"{'call':28} {'witkit':>12} {'wasmtime':>12} {'ratio':>8} {'target':>8}")
    failed = False
    for label, make, n, target in rows:
        a, b = paired(
            lambda make=make: make(ours), n, lambda make=make: make(theirs), max(1, n // 4), 5
        )
        ok = b / a >= target
        failed |= not ok
        print(
            f"{label:28} {_fmt(a):>12} {_fmt(b):>12} {b / a:7.1f}x {target:6.0f}x{'' if ok else ' !'}"
        )

    for label, points in [("echo 10k records", points_ours), ("echo 10k records as dicts", dicts)]:
        a, b = paired(
            lambda points=points: ours["echo-points"](points),
            20 // q,
            lambda: theirs["echo-points"](points_theirs),
            1,
            3,
        )
        ok = b / a >= 10
        failed |= not ok
        print(
            f"{label:28} {_fmt(a):>12} {_fmt(b):>12} {b / a:7.1f}x {10:6.0f}x{'' if ok else ' !'}"
        )

    calls = 100_000 // q
    a = best(lambda: ours["call-host"](calls), 1, 5) / calls
    b = best(lambda: theirs["call-host"](calls // 10), 1, 3) / (calls // 10)
    ok = a <= 3e-6
    failed |= not ok
    label = "host call guest->Python"
    print(f"{label:28} {_fmt(a):>12} {_fmt(b):>12} {b / a:7.1f}x {'<=3us':>8}{'' if ok else ' !'}")
    return 1 if failed else 0


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


if __name__ == "__main__":
    sys.exit(main())
