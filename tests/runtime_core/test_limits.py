"""Fuel, epoch timeouts and memory limits, each ending in a CoreTrap that says which."""

from __future__ import annotations

import time

import pytest

from tests.runtime_core.conftest import compile_wat
from witkit.runtime.core import CoreFuncType, CoreInstance, CoreTrap, Engine, Store

LOOPS = """(module
  (import "h" "tick" (func $tick))
  (memory (export "mem") 1)
  (func (export "spin") (loop br 0))
  (func (export "spin_calling_host") (loop call $tick br 0))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "grow_until_failure") (result i32)
    (loop
      (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable)
  (func (export "grow_politely") (result i32) (memory.grow (i32.const 100)))
)"""


def _instance(store: Store) -> CoreInstance:
    module = compile_wat(store.engine, LOOPS)
    return store.instantiate(module, [store.host_func(CoreFuncType((), ()), lambda: None)])


@pytest.fixture(scope="module")
def fuel_engine() -> Engine:
    return Engine(cache=False, consume_fuel=True)


@pytest.fixture(scope="module")
def epoch_engine() -> Engine:
    return Engine(cache=False, epoch_interruption=True, epoch_tick=0.01)


def test_fuel_is_consumed_and_exhaustion_traps(fuel_engine: Engine) -> None:
    store = Store(fuel_engine, fuel=10_000)
    instance = _instance(store)
    assert instance.func("add")(1, 2) == 3
    assert 0 < store.fuel < 10_000
    with pytest.raises(CoreTrap) as info:
        instance.func("spin")()
    trap = info.value
    assert trap.message == "fuel exhausted (wasm trap: all fuel consumed by WebAssembly)"
    assert trap.rule == "out-of-fuel"
    assert store.fuel == 0
    store.set_fuel(100)
    assert instance.func("add")(2, 2) == 4


def test_fuel_defaults_to_unlimited_and_needs_the_engine_setting(
    fuel_engine: Engine, engine: Engine
) -> None:
    assert Store(fuel_engine).fuel > 2**62
    with pytest.raises(ValueError, match="consume_fuel"):
        Store(engine, fuel=10)
    with pytest.raises(ValueError, match="consume_fuel"):
        _ = Store(engine).fuel


@pytest.mark.parametrize("export", ["spin", "spin_calling_host"])
def test_timeout_interrupts_a_guest_loop(epoch_engine: Engine, export: str) -> None:
    store = Store(epoch_engine, timeout=0.2)
    instance = _instance(store)
    started = time.monotonic()
    with pytest.raises(CoreTrap) as info:
        instance.func(export)()
    elapsed = time.monotonic() - started
    assert info.value.message == "timeout after 0.2s (wasm trap: interrupt)"
    assert info.value.rule == "timeout"
    assert 0.19 <= elapsed < 3.0


def test_timeout_can_be_reset_and_removed(epoch_engine: Engine, engine: Engine) -> None:
    store = Store(epoch_engine)  # no deadline unless asked for
    instance = _instance(store)
    time.sleep(0.05)
    assert instance.func("add")(1, 1) == 2
    store.set_timeout(5.0)
    assert store.timeout == 5.0
    assert instance.func("add")(1, 2) == 3
    store.set_timeout(None)
    assert store.timeout is None
    with pytest.raises(ValueError, match="epoch_interruption"):
        Store(engine, timeout=1.0)
    with pytest.raises(ValueError, match="positive"):
        store.set_timeout(0)


PAGE = 65536


def test_guest_growth_past_the_limit_is_reported_as_the_limit(engine: Engine) -> None:
    store = Store(engine, max_memory=4 * PAGE)
    instance = _instance(store)
    with pytest.raises(CoreTrap) as info:
        instance.func("grow_until_failure")()
    assert info.value.message == (
        f"memory limit of {4 * PAGE} bytes exceeded "
        "(wasm trap: wasm `unreachable` instruction executed)"
    )
    assert info.value.rule == "memory-limit"
    assert instance.memory("mem").pages == 4


def test_a_guest_may_handle_a_failed_grow_itself(engine: Engine) -> None:
    store = Store(engine, max_memory=4 * PAGE)
    instance = _instance(store)
    assert instance.func("grow_politely")() == 0xFFFF_FFFF  # memory.grow's -1


def test_host_growth_past_the_limit(engine: Engine) -> None:
    store = Store(engine, max_memory=2 * PAGE)
    memory = _instance(store).memory("mem")
    assert memory.grow(1) == 1
    with pytest.raises(CoreTrap, match=f"memory limit of {2 * PAGE} bytes exceeded"):
        memory.grow(1)


def test_instantiation_past_the_limit(engine: Engine) -> None:
    store = Store(engine, max_memory=PAGE)
    module = compile_wat(engine, "(module (memory 2))")
    with pytest.raises(CoreTrap) as info:
        store.instantiate(module)
    assert info.value.rule == "memory-limit"
    assert info.value.message.startswith(f"memory limit of {PAGE} bytes exceeded (")


def test_a_declared_maximum_is_not_the_store_limit(engine: Engine) -> None:
    store = Store(engine, max_memory=100 * PAGE)
    module = compile_wat(engine, '(module (memory (export "mem") 1 2))')
    memory = store.instantiate(module).memory("mem")
    with pytest.raises(ValueError, match="cannot grow by 5"):
        memory.grow(5)
