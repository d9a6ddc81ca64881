"""Differential tests: our generated code against the spec's ``definitions.py``, same inputs.

Storing a random value must write the same bytes and make the same ``realloc``
calls as the spec's ``store``; lowering to flat values must give the spec's flat
values; and the spec's ``load``/``lift_flat`` must read back our value.  This
catches what round trips cannot: a layout bug made the same way in both directions.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.abi.helpers import same, typed_values, value_types, values_of
from tests.abi.spec_oracle import from_spec, load_spec, spec_context, spec_type, to_spec
from witkit.abi import func_abi, type_abi
from witkit.abi.layout import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flatten_functype
from witkit.abi.testing import FakeMemory
from witkit.types import FuncType, ValType

spec = load_spec()
pytestmark = pytest.mark.skipif(spec is None, reason="the spec's definitions.py is not available")

ENCODINGS = st.sampled_from(["utf8", "utf16", "latin1+utf16"])
PTR = 64
SIZE = 1 << 20
BASE = 4096


def _memories() -> tuple[FakeMemory, FakeMemory]:
    return FakeMemory(SIZE, base=BASE), FakeMemory(SIZE, base=BASE)


def _same_flat(ours: list[Any], theirs: list[Any]) -> bool:
    return len(ours) == len(theirs) and all(
        same(float(a), float(b)) if isinstance(a, float) or isinstance(b, float) else a == b
        for a, b in zip(ours, theirs, strict=True)
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def test_store_writes_what_the_spec_writes(tv: tuple[ValType, Any], encoding: str) -> None:
    assert spec is not None
    t, v = tv
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    type_abi(t, cx.opts).store(cx, v, PTR)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    spec.store(scx, to_spec(t, v), spec_type(spec, t), PTR)
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def test_spec_loads_what_we_store(tv: tuple[ValType, Any], encoding: str) -> None:
    assert spec is not None
    t, v = tv
    ours, _ = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = type_abi(t, cx.opts)
    abi.store(cx, v, PTR)
    scx = spec_context(spec, ours.data, encoding, ours.realloc)
    assert same(from_spec(t, spec.load(scx, PTR, spec_type(spec, t))), v)
    assert same(abi.load(cx, PTR), v)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def test_lower_flat_gives_the_spec_flat_values(tv: tuple[ValType, Any], encoding: str) -> None:
    assert spec is not None
    t, v = tv
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = type_abi(t, cx.opts)
    flat = abi.lower_flat(cx, v)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    spec_flat = spec.lower_flat(scx, to_spec(t, v), spec_type(spec, t))
    assert _same_flat(flat, spec_flat)
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data
    lifted = spec.lift_flat(scx, spec.CoreValueIter(flat), spec_type(spec, t))
    assert same(from_spec(t, lifted), v)
    assert same(abi.lift_flat(cx, flat), v)


@st.composite
def _functions(draw: st.DrawFn) -> tuple[FuncType, list[Any], Any]:
    types = draw(st.lists(value_types(4, 32), min_size=0, max_size=20))
    result = draw(st.none() | value_types(4, 32))
    ft = FuncType(tuple((f"p{i}", t) for i, t in enumerate(types)), result)
    args = [draw(values_of(t)) for t in types]
    value = None if result is None else draw(values_of(result))
    return ft, args, value


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(_functions(), ENCODINGS)
def test_functions_spill_as_the_spec_does(
    f: tuple[FuncType, list[Any], Any], encoding: str
) -> None:
    assert spec is not None
    ft, args, value = f
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = func_abi(ft, cx.opts)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    param_types = [spec_type(spec, t) for _, t in ft.params]
    # canon lift: the host lowers the arguments...
    flat = abi.lower_params(cx, args)
    spec_args = [to_spec(t, a) for (_, t), a in zip(ft.params, args, strict=True)]
    assert _same_flat(flat, spec.lower_flat_values(scx, MAX_FLAT_PARAMS, spec_args, param_types))
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data
    # ...and canon lower lifts them back.
    spilled_result = len(flatten_functype(ft, "lower").params) > len(flat)
    assert same(abi.lift_params(cx, [*flat, 0] if spilled_result else flat), args)
    if ft.result is None:
        return
    # canon lower: the host's result goes into a caller-supplied area if it spills.
    result_types = [spec_type(spec, ft.result)]
    retptr = ours.realloc(0, 0, 8, 4096)
    theirs.realloc(0, 0, 8, 4096)
    out = abi.lower_results(cx, value, [*flat, retptr])
    spec_out = spec.lower_flat_values(
        scx,
        MAX_FLAT_RESULTS,
        [to_spec(ft.result, value)],
        result_types,
        spec.CoreValueIter([retptr]),
    )
    assert _same_flat(out, spec_out)
    assert ours.data == theirs.data
    # canon lift again: the result is lifted from registers or from the return area.
    results = out if out else [retptr]
    assert same(abi.lift_results(cx, results), value)
    lifted = spec.lift_flat_values(scx, MAX_FLAT_RESULTS, spec.CoreValueIter(results), result_types)
    assert same(from_spec(ft.result, lifted[0]), value)
