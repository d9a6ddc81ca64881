"""Guest -> Python calls: values in both directions, results, reentrancy."""

from __future__ import annotations

import math
import struct

import pytest

from tests.runtime_core.conftest import Instantiate
from witkit.runtime.core import CoreFuncType, Store

FORWARD = """(module
  (import "h" "f" (func $f (param i32 i64 f32 f64) (result i32 i64 f32 f64)))
  (func (export "go") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    local.get 0 local.get 1 local.get 2 local.get 3 call $f)
)"""
ALL = CoreFuncType(("i32", "i64", "f32", "f64"), ("i32", "i64", "f32", "f64"))


def test_host_function_sees_unsigned_ints_and_returns_any_range(
    store: Store, instantiate: Instantiate
) -> None:
    seen: list[tuple[object, ...]] = []

    def host(a: int, b: int, c: float, d: float) -> tuple[int, int, float, float]:
        seen.append((a, b, c, d))
        return a - 2**31, b - 2**63, -c, -d  # results in either range are accepted

    go = instantiate(FORWARD, store.host_func(ALL, host)).func("go")
    assert go(-1, -2, 1.5, 2.5) == (2**31 - 1, 2**63 - 2, -1.5, -2.5)
    assert seen == [(0xFFFF_FFFF, 2**64 - 2, 1.5, 2.5)]
    assert go(7, 8, 0.0, 0.0)[:2] == ((7 - 2**31) & 0xFFFF_FFFF, (8 - 2**63) & (2**64 - 1))


def test_signed_host_function(store: Store, instantiate: Instantiate) -> None:
    seen: list[tuple[object, ...]] = []

    def host(a: int, b: int, c: float, d: float) -> tuple[int, int, float, float]:
        seen.append((a, b))
        return a, b, c, d

    go = instantiate(FORWARD, store.host_func(ALL, host, signed=True)).func("go")
    assert go.bind(signed=True)(-1, -2, 0.0, 0.0)[:2] == (-1, -2)
    assert seen == [(-1, -2)]


@pytest.mark.parametrize("bits", [0x7FA0_0000, 0xFFC0_0001, 0x7F80_0001])
def test_f32_nan_patterns_cross_host_functions(
    store: Store, instantiate: Instantiate, bits: int
) -> None:
    wat = """(module
      (import "h" "f" (func $f (param f32) (result f32)))
      (func (export "go") (param i32) (result i32)
        local.get 0 f32.reinterpret_i32 call $f i32.reinterpret_f32))"""
    received: list[float] = []

    def host(x: float) -> float:
        received.append(x)
        return x

    ty = CoreFuncType(("f32",), ("f32",))
    go = instantiate(wat, store.host_func(ty, host)).func("go")
    assert go(bits) == bits
    assert math.isnan(received[0])


def test_f64_nan_payload_crosses_host_functions(store: Store, instantiate: Instantiate) -> None:
    wat = """(module
      (import "h" "f" (func $f (param f64) (result f64)))
      (func (export "go") (param i64) (result i64)
        local.get 0 f64.reinterpret_i64 call $f i64.reinterpret_f64))"""
    signalling = 0x7FF0_0000_0000_0001
    ty = CoreFuncType(("f64",), ("f64",))

    def host(x: float) -> float:
        assert struct.pack("<d", x) == struct.pack("<Q", signalling)
        return x

    assert instantiate(wat, store.host_func(ty, host)).func("go")(signalling) == signalling


def test_void_host_function_ignores_its_return(store: Store, instantiate: Instantiate) -> None:
    calls: list[int] = []
    wat = """(module (import "h" "f" (func $f)) (func (export "go") call $f call $f))"""

    def host() -> int:
        calls.append(1)
        return 123

    assert instantiate(wat, store.host_func(CoreFuncType((), ()), host)).func("go")() is None
    assert calls == [1, 1]


def test_bad_host_results_propagate_as_type_errors(store: Store, instantiate: Instantiate) -> None:
    results: list[object] = [(1, 2), "nope", (1, 2, 3.0, 4.0, 5)]

    def host(a: int, b: int, c: float, d: float) -> object:
        return results.pop(0)

    go = instantiate(FORWARD, store.host_func(ALL, host, name="bad")).func("go")
    for _ in range(3):
        with pytest.raises(TypeError, match="host function bad must return 4 values"):
            go(1, 2, 3.0, 4.0)


def test_single_result_out_of_range(store: Store, instantiate: Instantiate) -> None:
    wat = """(module (import "h" "f" (func $f (result i32))) (func (export "go") (result i32) call $f))"""
    value: list[object] = [2**32]
    go = instantiate(wat, store.host_func(CoreFuncType((), ("i32",)), lambda: value[0])).func("go")
    with pytest.raises(ValueError, match="out of range for i32"):
        go()
    value[0] = "x"
    with pytest.raises(TypeError, match="expected an int"):
        go()
    value[0] = -(2**31)
    assert go() == 2**31


def test_host_functions_can_be_called_from_python(store: Store) -> None:
    func = store.host_func(CoreFuncType(("i32", "i32"), ("i32",)), lambda a, b: a * b)
    assert func(6, 7) == 42
    assert func.type == CoreFuncType(("i32", "i32"), ("i32",))


RECURSE = """(module
  (import "h" "down" (func $down (param i32 i64) (result i64)))
  (func (export "rec") (param i32 i64) (result i64)
    local.get 0 i32.eqz
    if (result i64)
      local.get 1
    else
      local.get 0 local.get 1 call $down
    end)
)"""


def test_reentrant_guest_host_guest_calls(store: Store, engine: object) -> None:
    """rec(n, acc) -> host -> rec(n-1, acc+n) ... : each depth keeps its own arguments."""
    from tests.runtime_core.conftest import compile_wat

    seen: list[tuple[int, int]] = []
    rec_holder: list[object] = []

    def down(n: int, acc: int) -> int:
        seen.append((n, acc))
        rec = rec_holder[0]
        result = rec(n - 1, acc + n)  # type: ignore[operator]
        assert isinstance(result, int)
        # after the nested call returns, our own arguments must be untouched
        assert seen[-1][0] <= n
        return result + 0

    ty = CoreFuncType(("i32", "i64"), ("i64",))
    module = compile_wat(store.engine, RECURSE)
    instance = store.instantiate(module, [store.host_func(ty, down)])
    rec = instance.func("rec").call
    rec_holder.append(rec)
    assert rec(50, 0) == sum(range(51))
    assert [n for n, _ in seen] == list(range(50, 0, -1))
    assert rec(3, 100) == 106  # the store and buffers are fine afterwards
