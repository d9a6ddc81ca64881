"""Property tests: random types (bounded size) and random values round-trip through generated code.

Includes what the spec differential cannot: flags past 32 labels, 64-bit
memories, and a memory that moves on every growth.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.abi.helpers import same, typed_values, value_types, values_of
from witkit.abi import CanonicalOptions, Context, elem_size, func_abi, type_abi
from witkit.abi.layout import flatten_functype
from witkit.abi.testing import FakeMemory
from witkit.types import FuncType, ValType

OPTIONS = st.tuples(
    st.sampled_from(["utf8", "utf16", "latin1+utf16"]), st.sampled_from(["i32", "i64"])
)


def _context(options: tuple[str, str]) -> tuple[FakeMemory, Context]:
    mem = FakeMemory(128, grow_by=32)
    opts = CanonicalOptions(
        string_encoding=options[0],  # type: ignore[arg-type]
        memory=mem.memory,
        realloc=mem.realloc,
        addrtype=options[1],  # type: ignore[arg-type]
    )
    return mem, Context(opts)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(), OPTIONS)
def test_values_round_trip(tv: tuple[ValType, Any], options: tuple[str, str]) -> None:
    t, v = tv
    mem, cx = _context(options)
    abi = type_abi(t, cx.opts)
    assert same(abi.lift_flat(cx, abi.lower_flat(cx, v)), v)
    ptr = mem.realloc(0, 0, 8, elem_size(t, cx.opts.addrtype))
    abi.store(cx, v, ptr)
    assert same(abi.load(cx, ptr), v)


@st.composite
def _calls(draw: st.DrawFn) -> tuple[FuncType, list[Any], Any]:
    types = draw(st.lists(value_types(3), max_size=12))
    result = draw(st.none() | value_types(4))
    ft = FuncType(tuple((f"p{i}", t) for i, t in enumerate(types)), result)
    args = [draw(values_of(t)) for t in types]
    return ft, args, None if result is None else draw(values_of(result))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_calls(), OPTIONS)
def test_calls_round_trip(call: tuple[FuncType, list[Any], Any], options: tuple[str, str]) -> None:
    ft, args, result = call
    mem, cx = _context(options)
    abi = func_abi(ft, cx.opts)
    flat = abi.lower_params(cx, args)
    retptr = mem.realloc(0, 0, 8, 1 << 12)
    extra = len(flatten_functype(ft, "lower", ptr_type=cx.opts.addrtype).params) > len(flat)
    flat_args = [*flat, retptr] if extra else flat
    assert same(abi.lift_params(cx, flat_args), args)
    out = abi.lower_results(cx, result, flat_args)
    assert same(abi.lift_results(cx, out or [retptr]), result)
