"""Fuel is counted exactly as wasmtime counts it: the smallest budget that runs a command.

The wasmtime CLI (49) and the wasmtime library (50) disagree with each other by
about 20 units for adapter-built C commands, so the ``-W fuel`` differential
tests keep a margin; the oracle here is the library (``wasmtime.component`` with
its own WASI), whose smallest budget is found by bisection.  witkit must finish
with exactly that budget and run out with one unit less: any extra guest call
(a realloc, a post-return, a different host answer) would move the boundary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wasi.guests import build_guest
from witkit.errors import Trap
from witkit.wasi import WasiConfig
from witkit.wasi.command import Limits, run_component

RUN = "wasi:cli/run@0.2.12"


def oracle_min_fuel(path: Path, argv: list[str]) -> int:
    import wasmtime
    from wasmtime import component as wc

    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    component = wc.Component.from_file(engine, str(path))
    linker = wc.Linker(engine)
    linker.add_wasip2()

    def finishes(fuel: int) -> bool:
        store = wasmtime.Store(engine)
        store.set_fuel(fuel)
        wasi = wasmtime.WasiConfig()
        wasi.argv = argv
        store.set_wasi(wasi)  # stdout and stderr discarded, as WasiConfig() does
        try:
            instance = linker.instantiate(store, component)
            iface = instance.get_export_index(store, RUN)
            assert iface is not None
            index = instance.get_export_index(store, "run", iface)
            assert index is not None
            run = instance.get_func(store, index)
            assert run is not None
            run(store)
        except wasmtime.WasmtimeError:
            return False
        return True

    low, high = 0, 1 << 27
    assert finishes(high)
    while high - low > 1:
        middle = (low + high) // 2
        if finishes(middle):
            high = middle
        else:
            low = middle
    return high


@pytest.mark.parametrize(
    ("fixture", "argv"),
    [("c_hello", ["hello"]), ("c_args_env", ["prog", "one", "two words"])],
)
def test_smallest_budget_is_wasmtimes(fixture: str, argv: list[str]) -> None:
    path = build_guest(fixture)
    needed = oracle_min_fuel(path, argv)
    wasm = path.read_bytes()
    assert run_component(wasm, WasiConfig().args(*argv), Limits(fuel=needed)) == 0
    with pytest.raises(Trap) as info:
        run_component(wasm, WasiConfig().args(*argv), Limits(fuel=needed - 1))
    assert info.value.rule == "out-of-fuel"
