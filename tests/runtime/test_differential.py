"""witkit against ``wasmtime.component`` on the same binaries: same inputs, same guest, same answers.

The pass-through component sends generated values of many types both ways
through the ABI; the benchmark component and the resource component add guest
computation and handles.  ``wasmtime.component`` writes values in its own
convention (variants untagged when their cases can be told apart by Python
type, results as bare values...), so both sides' results are normalised
through the WIT type before comparison.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import wasmtime
import wasmtime.component as wc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import witkit
from tests.runtime.passthrough import build
from witkit import Err, Ok, Record, Variant
from witkit.types import (
    EnumType,
    FlagsType,
    ListType,
    OptionType,
    PrimType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

POINT = RecordType((("x", "s32"), ("y", "s32"), ("name", "string")))
TYPES: list[ValType] = [
    "bool",
    "u8",
    "s8",
    "u16",
    "s16",
    "u32",
    "s32",
    "u64",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
    ListType("u8"),
    ListType("u32"),
    ListType("string"),
    POINT,
    ListType(POINT),
    TupleType(("u8", "string", "s64")),
    FlagsType(("a", "b", "c", "d")),
    EnumType(("red", "green", "blue")),
    OptionType("string"),
    OptionType("u32"),
    ResultType("string", "u32"),
    ResultType("u32", "u32"),
    ResultType(None, "string"),
    VariantType(
        (("none", None), ("num", "u64"), ("text", "string"), ("pair", TupleType(("u8", "u8"))))
    ),
    VariantType((("a", "u32"), ("b", "u32"))),
    TupleType(tuple("u16" for _ in range(18))),
]

# --------------------------------------------------------------------------- values


def strategy(t: ValType) -> st.SearchStrategy[Any]:
    """Host values of ``t`` in witkit's convention."""
    ints = {
        "u8": (0, 2**8 - 1),
        "s8": (-(2**7), 2**7 - 1),
        "u16": (0, 2**16 - 1),
        "s16": (-(2**15), 2**15 - 1),
        "u32": (0, 2**32 - 1),
        "s32": (-(2**31), 2**31 - 1),
        "u64": (0, 2**64 - 1),
        "s64": (-(2**63), 2**63 - 1),
    }
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
    if isinstance(t, str):
        if t in ints:
            return st.integers(*ints[t])
        return {
            "bool": st.booleans(),
            "f32": st.floats(width=32, allow_nan=False),
            "f64": st.floats(allow_nan=False),
            "char": st.characters(exclude_categories=("Cs",)),
            "string": text,
        }[t]
    if isinstance(t, ListType):
        if t.element == "u8":
            return st.binary(max_size=20)
        return st.lists(strategy(t.element), max_size=5)
    if isinstance(t, RecordType):
        return st.fixed_dictionaries({n: strategy(x) for n, x in t.fields})
    if isinstance(t, TupleType):
        return st.tuples(*(strategy(x) for x in t.types))
    if isinstance(t, FlagsType):
        return st.frozensets(st.sampled_from(t.names))
    if isinstance(t, EnumType):
        return st.sampled_from(t.names)
    if isinstance(t, OptionType):
        return st.none() | strategy(t.value)
    if isinstance(t, ResultType):
        ok = st.just(None) if t.ok is None else strategy(t.ok)
        err = st.just(None) if t.err is None else strategy(t.err)
        return st.builds(Ok, ok) | st.builds(Err, err)
    if isinstance(t, VariantType):
        return st.one_of(
            *(
                st.just(Variant(n)) if x is None else st.builds(Variant, st.just(n), strategy(x))
                for n, x in t.cases
            )
        )
    raise TypeError(t)


def _peel(t: Any) -> Any:
    """``type x = u32`` (a ``PrimType``) is just ``u32`` to both runtimes."""
    while isinstance(t, PrimType):
        t = t.prim
    return t


def _classes(t: ValType | None) -> set[type]:
    """wasmtime.component's ``add_classes``: which Python classes a value of ``t`` has."""
    t = _peel(t)
    if t is None:
        return {object}
    if isinstance(t, str):
        return {
            "bool": {bool},
            "f32": {float},
            "f64": {float},
            "char": {str},
            "string": {str},
        }.get(t, {int})
    if isinstance(t, ListType):
        return {bytes} if t.element == "u8" else {list}
    if isinstance(t, RecordType):
        return {wc.Record}
    if isinstance(t, TupleType):
        return {tuple}
    if isinstance(t, FlagsType):
        return {set}
    if isinstance(t, EnumType):
        return {str}
    cases = _cases(t)
    if _tagged(cases):
        return {wc.Variant}
    out: set[type] = set()
    for _, x in cases:
        out |= _classes(x)
    return out


def _cases(t: ValType) -> list[tuple[str, ValType | None]]:
    if isinstance(t, OptionType):
        return [("none", None), ("some", t.value)]
    if isinstance(t, ResultType):
        return [("ok", t.ok), ("err", t.err)]
    assert isinstance(t, VariantType)
    return list(t.cases)


def _tagged(cases: list[tuple[str, ValType | None]]) -> bool:
    seen: set[type] = set()
    for _, x in cases:
        case = _classes(x)
        if case & seen:
            return True
        seen |= case
    return False


def to_wasmtime(v: Any, t: ValType) -> Any:
    """A witkit-convention value in wasmtime.component's convention."""
    t = _peel(t)
    if isinstance(t, str):
        return v
    if isinstance(t, ListType):
        return bytes(v) if t.element == "u8" else [to_wasmtime(x, t.element) for x in v]
    if isinstance(t, RecordType):
        r = wc.Record()
        for n, x in t.fields:
            setattr(r, n, to_wasmtime(v[n], x))
        return r
    if isinstance(t, TupleType):
        return tuple(to_wasmtime(x, y) for x, y in zip(v, t.types, strict=True))
    if isinstance(t, FlagsType):
        return set(v)
    if isinstance(t, EnumType):
        return v
    cases = _cases(t)
    if isinstance(t, OptionType):
        tag, payload = ("none", None) if v is None else ("some", v)
    elif isinstance(t, ResultType):
        tag, payload = ("ok" if isinstance(v, Ok) else "err"), v.value
    else:
        tag, payload = v.tag, v.value
    ty = dict(cases)[tag]
    inner = None if ty is None else to_wasmtime(payload, ty)
    return wc.Variant(tag, inner) if _tagged(cases) else inner


def norm_witkit(v: Any, t: ValType) -> Any:
    """A lifted witkit value in a plain comparable form."""
    t = _peel(t)
    if isinstance(t, str):
        return _float(v) if t in ("f32", "f64") else v
    if isinstance(t, ListType):
        return bytes(v) if t.element == "u8" else [norm_witkit(x, t.element) for x in v]
    if isinstance(t, RecordType):
        assert isinstance(v, Record)
        return {n: norm_witkit(v[n], x) for n, x in t.fields}
    if isinstance(t, TupleType):
        return tuple(norm_witkit(x, y) for x, y in zip(v, t.types, strict=True))
    if isinstance(t, FlagsType):
        return frozenset(v)
    if isinstance(t, EnumType):
        return v
    if isinstance(t, OptionType):
        return ("none", None) if v is None else ("some", norm_witkit(v, t.value))
    if isinstance(t, ResultType):
        ty = t.ok if isinstance(v, Ok) else t.err
        tag = "ok" if isinstance(v, Ok) else "err"
        return (tag, None if ty is None else norm_witkit(v.value, ty))
    assert isinstance(t, VariantType) and isinstance(v, Variant)
    ty = dict(t.cases)[v.tag]
    return (v.tag, None if ty is None else norm_witkit(v.value, ty))


def norm_wasmtime(v: Any, t: ValType) -> Any:
    """A value lifted by wasmtime.component in the same plain form."""
    t = _peel(t)
    if isinstance(t, str):
        return _float(v) if t in ("f32", "f64") else v
    if isinstance(t, ListType):
        return bytes(v) if t.element == "u8" else [norm_wasmtime(x, t.element) for x in v]
    if isinstance(t, RecordType):
        return {n: norm_wasmtime(getattr(v, n), x) for n, x in t.fields}
    if isinstance(t, TupleType):
        return tuple(norm_wasmtime(x, y) for x, y in zip(v, t.types, strict=True))
    if isinstance(t, FlagsType):
        return frozenset(v)
    if isinstance(t, EnumType):
        return v
    cases = _cases(t)
    if _tagged(cases):
        tag, payload = v.tag, v.payload
    else:
        tag, payload = _untagged_case(cases, v)
    ty = dict(cases)[tag]
    return (tag, None if ty is None else norm_wasmtime(payload, ty))


def _untagged_case(cases: list[tuple[str, ValType | None]], v: Any) -> tuple[str, Any]:
    for name, ty in cases:
        ty = _peel(ty)
        if ty is None:
            if v is None:
                return name, None
        elif isinstance(v, tuple(_classes(ty))):
            return name, v
    raise AssertionError(f"no case of {cases} fits {v!r}")


def _float(f: float) -> Any:
    return "nan" if math.isnan(f) else f


# --------------------------------------------------------------------------- instances


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any, list[Any], list[Any]]:
    """(witkit exports, wasmtime call, values seen by witkit's g-N, by wasmtime's g-N)."""
    text = build(TYPES, "utf8")
    seen_ours: list[Any] = []
    seen_theirs: list[Any] = []

    engine = witkit.Engine()
    linker = witkit.Linker(engine)
    for n in range(len(TYPES)):
        linker.define_func(f"g-{n}", lambda x: (seen_ours.append(x), x)[1])
    ours = linker.instantiate(witkit.Component.from_wat(engine, text)).exports

    w_engine = wasmtime.Engine()
    store = wasmtime.Store(w_engine)
    w_linker = wc.Linker(w_engine)
    with w_linker.root() as root:
        for n in range(len(TYPES)):
            root.add_func(f"g-{n}", lambda _s, x: (seen_theirs.append(x), x)[1])
    instance = w_linker.instantiate(store, wc.Component(w_engine, wasmtime.wat2wasm(text)))

    def theirs(n: int, value: Any) -> Any:
        func = instance.get_func(store, f"f-{n}")
        result = func(store, value)
        func.post_return(store)
        return result

    return ours, theirs, seen_ours, seen_theirs


@pytest.mark.parametrize("index", range(len(TYPES)), ids=lambda i: str(TYPES[i])[:30])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_same_values(both: Any, index: int, data: st.DataObject) -> None:
    ours, theirs, seen_ours, seen_theirs = both
    t = TYPES[index]
    value = data.draw(strategy(t))
    seen_ours.clear()
    seen_theirs.clear()
    got_ours = norm_witkit(ours[f"f-{index}"](value), t)
    got_theirs = norm_wasmtime(theirs(index, to_wasmtime(value, t)), t)
    assert got_ours == got_theirs
    # what the host import received, too
    assert [norm_witkit(x, t) for x in seen_ours] == [norm_wasmtime(x, t) for x in seen_theirs]


def test_bench_component_agrees() -> None:
    wat = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_calls.wat"
    engine = witkit.Engine()
    linker = witkit.Linker(engine)
    linker.define_func("host-add", lambda a, b: (a + b) % 2**32)
    ours = linker.instantiate(witkit.Component.from_file(engine, wat)).exports

    w_engine = wasmtime.Engine()
    store = wasmtime.Store(w_engine)
    w_linker = wc.Linker(w_engine)
    with w_linker.root() as root:
        root.add_func("host-add", lambda _s, a, b: (a + b) % 2**32)
    inst = w_linker.instantiate(store, wc.Component(w_engine, wasmtime.wat2wasm(wat.read_text())))

    def theirs(name: str, *args: Any) -> Any:
        func = inst.get_func(store, name)
        result = func(store, *args)
        func.post_return(store)
        return result

    numbers = list(range(0, 3_000_000, 7))
    assert ours["sum"](numbers) == theirs("sum", numbers)
    assert ours["call-host"](1000) == theirs("call-host", 1000)
    assert ours["echo"]("☃" * 1000) == theirs("echo", "☃" * 1000)
    assert ours["add"](2**32 - 1, 1) == theirs("add", 2**32 - 1, 1) == 0
