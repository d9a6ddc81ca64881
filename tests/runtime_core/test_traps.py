"""Guest traps become CoreTrap with wasmtime's words; host exceptions come back unchanged."""

from __future__ import annotations

import pytest

from tests.runtime_core.conftest import Instantiate, compile_wat
from witkit.errors import Trap
from witkit.runtime.core import CoreFunc, CoreFuncType, CoreTrap, Store

TRAPS = """(module $m
  (memory 1)
  (table 1 funcref)
  (type $v (func))
  (func $divide (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func $outer (export "outer") (result i32)
    i32.const 1 i32.const 0 call $divide)
  (func (export "unreachable") unreachable)
  (func (export "oob") (result i32) i32.const 100000 i32.load)
  (func (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
  (func $forever (export "recurse") call $forever)
  (func (export "null_call") i32.const 0 call_indirect (type $v))
  (func (export "trunc") (result i32) f32.const nan i32.trunc_f32_s)
)"""


@pytest.fixture
def traps(instantiate: Instantiate) -> dict[str, CoreFunc]:
    instance = instantiate(TRAPS)
    return {name: instance.func(name) for name in instance.exports()}


@pytest.mark.parametrize(
    ("name", "args", "message", "rule"),
    [
        ("div", (1, 0), "wasm trap: integer divide by zero", "integer-division-by-zero"),
        ("overflow", (), "wasm trap: integer overflow", "integer-overflow"),
        (
            "unreachable",
            (),
            "wasm trap: wasm `unreachable` instruction executed",
            "unreachable",
        ),
        ("oob", (), "wasm trap: out of bounds memory access", "memory-out-of-bounds"),
        ("recurse", (), "wasm trap: call stack exhausted", "stack-overflow"),
        (
            "null_call",
            (),
            "wasm trap: uninitialized element",
            "indirect-call-to-null",
        ),
        ("trunc", (), "wasm trap: invalid conversion to integer", "bad-conversion-to-integer"),
    ],
)
def test_trap_messages_and_rules(
    traps: dict[str, CoreFunc], name: str, args: tuple[int, ...], message: str, rule: str
) -> None:
    with pytest.raises(CoreTrap) as info:
        traps[name](*args)
    trap = info.value
    assert isinstance(trap, Trap)
    assert trap.message == message
    assert trap.rule == rule


def test_out_of_bounds_keeps_wasmtime_detail(traps: dict[str, CoreFunc]) -> None:
    with pytest.raises(CoreTrap) as info:
        traps["oob"]()
    assert info.value.context == (
        "memory fault at wasm address 0x186a0 in linear memory of size 0x10000",
    )
    assert "memory fault at wasm address 0x186a0" in str(info.value)


def test_backtrace_names_guest_frames(traps: dict[str, CoreFunc]) -> None:
    with pytest.raises(CoreTrap) as info:
        traps["outer"]()
    trap = info.value
    assert [(f.module_name, f.func_name) for f in trap.frames] == [
        ("m", "divide"),
        ("m", "outer"),
    ]
    assert "m!divide" in trap.backtrace and "m!outer" in trap.backtrace
    assert trap.render().startswith("wasm trap: integer divide by zero\nwasm backtrace:\n")
    assert "Caused by" in trap.wasmtime_message


def test_a_store_keeps_working_after_traps(traps: dict[str, CoreFunc]) -> None:
    for _ in range(3):
        with pytest.raises(CoreTrap):
            traps["div"](1, 0)
    assert traps["div"](7, 2) == 3


# --- host exceptions ------------------------------------------------------------------

NESTED = """(module
  (import "h" "outer" (func $outer_host (param i32) (result i32)))
  (import "h" "inner" (func $inner_host (param i32) (result i32)))
  (func (export "enter") (param i32) (result i32) local.get 0 call $outer_host)
  (func (export "reenter") (param i32) (result i32) local.get 0 call $inner_host)
)"""
I2I = CoreFuncType(("i32",), ("i32",))


class GuestExit(BaseException):
    """A ``wasi exit``-style control-flow exception, deliberately not an ``Exception``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _nested(store: Store, inner: object) -> tuple[CoreFunc, list[str]]:
    """enter -> host outer -> guest reenter -> host inner (which does ``inner``)."""
    log: list[str] = []
    funcs: dict[str, CoreFunc] = {}

    def outer(x: int) -> int:
        log.append("outer")
        result = funcs["reenter"](x + 1)
        log.append("outer-after")
        assert isinstance(result, int)
        return result

    def inner_host(x: int) -> int:
        log.append("inner")
        if isinstance(inner, BaseException):
            raise inner
        return x * 10

    module = compile_wat(store.engine, NESTED)
    instance = store.instantiate(
        module, [store.host_func(I2I, outer), store.host_func(I2I, inner_host)]
    )
    funcs["reenter"] = instance.func("reenter")
    return instance.func("enter"), log


def test_nested_calls_work(store: Store) -> None:
    enter, log = _nested(store, None)
    assert enter(4) == 50
    assert log == ["outer", "inner", "outer-after"]


@pytest.mark.parametrize(
    "exc", [GuestExit(3), ValueError("boom"), KeyboardInterrupt(), Trap("canon rule", "rule")]
)
def test_host_exception_propagates_through_nested_calls_as_same_object(
    store: Store, exc: BaseException
) -> None:
    enter, log = _nested(store, exc)
    with pytest.raises(type(exc)) as info:
        enter(1)
    assert info.value is exc
    assert log == ["outer", "inner"]  # outer's code after the nested call never ran
    assert store._state.pending is None


def test_store_is_clean_after_a_host_exception(store: Store) -> None:
    enter, _ = _nested(store, GuestExit(1))
    with pytest.raises(GuestExit):
        enter(1)
    divide = store.instantiate(compile_wat(store.engine, TRAPS)).func("div")
    with pytest.raises(CoreTrap, match="divide by zero"):
        divide(1, 0)  # a later trap is a trap, not the old exception


def test_host_can_catch_a_nested_trap_and_continue(store: Store, engine: object) -> None:
    module = compile_wat(
        store.engine,
        """(module
          (import "h" "f" (func $f (result i32)))
          (func (export "enter") (result i32) call $f i32.const 1 i32.add)
          (func (export "boom") (result i32) unreachable))""",
    )
    funcs: dict[str, CoreFunc] = {}

    def host() -> int:
        try:
            funcs["boom"]()
        except CoreTrap as trap:
            assert trap.rule == "unreachable"
            return 41
        return 0

    instance = store.instantiate(module, [store.host_func(CoreFuncType((), ("i32",)), host)])
    funcs["boom"] = instance.func("boom")
    assert instance.func("enter")() == 42


def test_start_function_host_exception_propagates(store: Store) -> None:
    module = compile_wat(
        store.engine, """(module (import "h" "f" (func $f)) (func $s call $f) (start $s))"""
    )
    exc = GuestExit(7)

    def host() -> None:
        raise exc

    with pytest.raises(GuestExit) as info:
        store.instantiate(module, [store.host_func(CoreFuncType((), ()), host)])
    assert info.value is exc


def test_start_function_trap(store: Store) -> None:
    module = compile_wat(store.engine, """(module (func $s unreachable) (start $s))""")
    with pytest.raises(CoreTrap, match="unreachable"):
        store.instantiate(module)


def test_host_function_called_from_python_raises_its_exception(store: Store) -> None:
    exc = ValueError("direct")

    def host() -> None:
        raise exc

    func = store.host_func(CoreFuncType((), ()), host)
    with pytest.raises(ValueError) as info:
        func()
    assert info.value is exc


def test_runaway_guest_host_recursion_is_a_stack_overflow_trap(store: Store) -> None:
    """wasmtime's stack limit counts the Python frames between, so this cannot crash."""
    module = compile_wat(
        store.engine,
        """(module
          (import "h" "down" (func $down (param i32) (result i32)))
          (func (export "rec") (param i32) (result i32)
            local.get 0 i32.eqz
            if (result i32) i32.const 0 else local.get 0 call $down end))""",
    )
    funcs: dict[str, CoreFunc] = {}

    def down(n: int) -> int:
        result = funcs["rec"](n - 1)
        assert isinstance(result, int)
        return result

    instance = store.instantiate(module, [store.host_func(I2I, down)])
    funcs["rec"] = instance.func("rec")
    assert funcs["rec"](50) == 0
    with pytest.raises((CoreTrap, RecursionError)) as info:
        funcs["rec"](100_000)
    if isinstance(info.value, CoreTrap):
        assert info.value.rule == "stack-overflow"
    assert funcs["rec"](10) == 0
