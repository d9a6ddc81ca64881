"""Shared by the ABI tests: random types and values (hypothesis), deep equality, short type names."""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st

from witkit.abi.values import Err, Ok, Record, Some, Variant, record_class
from witkit.types import (
    EnumType,
    FlagsType,
    ListType,
    MapType,
    OptionType,
    PrimType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

INT_RANGES = {
    "s8": (-(2**7), 2**7 - 1),
    "u8": (0, 2**8 - 1),
    "s16": (-(2**15), 2**15 - 1),
    "u16": (0, 2**16 - 1),
    "s32": (-(2**31), 2**31 - 1),
    "u32": (0, 2**32 - 1),
    "s64": (-(2**63), 2**63 - 1),
    "u64": (0, 2**64 - 1),
}
PRIMS = ("bool", *INT_RANGES, "f32", "f64", "char", "string")
KEY_PRIMS = ("bool", *INT_RANGES, "char", "string")


def same(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN and the value classes compare by content."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if type(a) is not type(b) and not (isinstance(a, Record) and isinstance(b, Record)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Record):
        return a._fields == b._fields and all(same(getattr(a, f), getattr(b, f)) for f in a._fields)
    if isinstance(a, Variant):
        return a.tag == b.tag and same(a.value, b.value)
    if isinstance(a, Ok | Err | Some):
        return same(a.value, b.value)
    return bool(a == b)


# --------------------------------------------------------------------------- random types

_label_text = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)


def _labels(min_size: int, max_size: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(_label_text, min_size=min_size, max_size=max_size, unique=True).map(tuple)


def _compound(inner: st.SearchStrategy[ValType]) -> st.SearchStrategy[ValType]:
    return st.one_of(
        inner.map(ListType),
        st.tuples(inner, st.integers(1, 4)).map(lambda x: ListType(x[0], x[1])),
        st.lists(inner, min_size=1, max_size=4).map(lambda ts: TupleType(tuple(ts))),
        st.tuples(_labels(1, 4), st.lists(inner, min_size=4, max_size=4)).map(
            lambda x: RecordType(tuple(zip(x[0], x[1], strict=False)))
        ),
        st.tuples(_labels(1, 4), st.lists(st.none() | inner, min_size=4, max_size=4)).map(
            lambda x: VariantType(tuple(zip(x[0], x[1], strict=False)))
        ),
        inner.map(OptionType),
        st.tuples(st.none() | inner, st.none() | inner).map(lambda x: ResultType(x[0], x[1])),
        st.tuples(st.sampled_from(KEY_PRIMS), inner).map(lambda x: MapType(x[0], x[1])),
    )


def value_types(max_leaves: int = 8, max_flags: int = 40) -> st.SearchStrategy[ValType]:
    """Random value types without handles, of bounded size (and so of bounded depth).

    ``max_flags`` above 32 includes flags past the spec's limit (our extension).
    """
    leaves = st.one_of(
        st.sampled_from(PRIMS),
        st.sampled_from(PRIMS).map(PrimType),
        _labels(1, 6).map(EnumType),
        _labels(1, max_flags).map(FlagsType),
    )
    return st.recursive(leaves, _compound, max_leaves=max_leaves)


# --------------------------------------------------------------------------- random values


def _peel(t: ValType) -> ValType:
    while isinstance(t, PrimType):
        t = t.prim
    return t


def values_of(t: ValType) -> st.SearchStrategy[Any]:
    """Random Python values of the WIT type ``t`` (as lifting would return them)."""
    t = _peel(t)
    match t:
        case "bool":
            return st.booleans()
        case "f32":
            return st.floats(width=32)
        case "f64":
            return st.floats()
        case "char":
            return st.characters(exclude_categories=("Cs",))
        case "string":
            return st.text(max_size=12)
        case str() if t in INT_RANGES:
            lo, hi = INT_RANGES[t]
            return st.integers(lo, hi)
        case ListType(element=e, length=None):
            if _peel(e) == "u8":
                return st.binary(max_size=8)
            return st.lists(values_of(e), max_size=4)
        case ListType(element=e, length=n):
            assert n is not None
            if _peel(e) == "u8":
                return st.binary(min_size=n, max_size=n)
            return st.lists(values_of(e), min_size=n, max_size=n)
        case TupleType(types=ts):
            return st.tuples(*(values_of(u) for u in ts))
        case RecordType(fields=fs):
            cls = record_class(t)
            return st.tuples(*(values_of(u) for _, u in fs)).map(lambda vs: cls(*vs))
        case VariantType(cases=cs):
            return st.one_of(
                *(
                    st.just(Variant(n))
                    if u is None
                    else values_of(u).map(lambda v, n=n: Variant(n, v))
                    for n, u in cs
                )
            )
        case EnumType(names=ns):
            return st.sampled_from(ns)
        case FlagsType(names=ns):
            return st.frozensets(st.sampled_from(ns))
        case OptionType(value=u):
            inner = values_of(u)
            if isinstance(_peel(u), OptionType):
                inner = inner.map(Some)
            return st.none() | inner
        case ResultType(ok=ok, err=err):
            oks = st.just(Ok(None)) if ok is None else values_of(ok).map(Ok)
            errs = st.just(Err(None)) if err is None else values_of(err).map(Err)
            return oks | errs
        case MapType(key=k, value=v):
            return st.dictionaries(values_of(k), values_of(v), max_size=3)
    raise AssertionError(f"no values for {t!r}")


def typed_values(
    max_leaves: int = 8, max_flags: int = 40
) -> st.SearchStrategy[tuple[ValType, Any]]:
    return value_types(max_leaves, max_flags).flatmap(lambda t: st.tuples(st.just(t), values_of(t)))
