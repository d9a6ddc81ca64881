"""Round trips over random types and values: ``parse(to_wave(v, t), t) == v``, and the
canonical text is a fixed point (``to_wave(parse(s, t), t) == s``).

The values are drawn in the ABI's own representation (``witkit.abi.values``), so the
property also says that WAVE reads back exactly what lifting would return.
"""

from __future__ import annotations

import contextlib
import math
import struct
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from witkit import types as wt
from witkit import wave
from witkit.abi.values import Err, Ok, Record, Some, Variant, record_class
from witkit.wave._lexer import KEYWORDS
from witkit.wave._typed import PRIMITIVE_RANGES as _INTS

_PRIMS = ("bool", "f32", "f64", "char", "string", *_INTS)

_words = st.from_regex(r"[a-z][a-z0-9]{0,4}|[A-Z][A-Z0-9]{0,3}", fullmatch=True)
_labels = st.one_of(
    st.sampled_from(sorted(KEYWORDS)),
    st.lists(_words, min_size=1, max_size=3).map("-".join),
)


def _unique_labels(min_size: int = 1) -> st.SearchStrategy[list[str]]:
    return st.lists(_labels, min_size=min_size, max_size=5, unique=True)


def _compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        inner.map(wt.ListType),
        st.tuples(inner, st.integers(1, 3)).map(lambda p: wt.ListType(p[0], p[1])),
        st.lists(inner, min_size=1, max_size=4).map(lambda ts: wt.TupleType(tuple(ts))),
        _unique_labels().flatmap(
            lambda names: st.lists(inner, min_size=len(names), max_size=len(names)).map(
                lambda ts: wt.RecordType(tuple(zip(names, ts, strict=True)))
            )
        ),
        _unique_labels().flatmap(
            lambda names: st.lists(st.none() | inner, min_size=len(names), max_size=len(names)).map(
                lambda ts: wt.VariantType(tuple(zip(names, ts, strict=True)))
            )
        ),
        inner.map(wt.OptionType),
        st.tuples(st.none() | inner, st.none() | inner).map(lambda p: wt.ResultType(*p)),
        inner.map(lambda v: wt.MapType("string", v)),
    )


_types: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.sampled_from(_PRIMS),
        st.sampled_from(_PRIMS).map(wt.PrimType),
        _unique_labels().map(lambda names: wt.EnumType(tuple(names))),
        _unique_labels().map(lambda names: wt.FlagsType(tuple(names))),
    ),
    _compound,
    max_leaves=8,
)


def _f32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def _values(t: wt.ValType) -> st.SearchStrategy[Any]:
    while isinstance(t, wt.PrimType):
        t = t.prim
    match t:
        case "bool":
            return st.booleans()
        case "f32":
            return st.floats(width=32).map(_f32)
        case "f64":
            return st.floats()
        case "char":
            return st.characters(exclude_categories=("Cs",))
        case "string":
            return st.text()
        case str():
            low, high = _INTS[t]
            return st.integers(low, high)
        case wt.ListType(element=e, length=n):
            size = {"min_size": n, "max_size": n} if n is not None else {"max_size": 4}
            items = st.lists(_values(e), **size)
            u8 = e == "u8" or (isinstance(e, wt.PrimType) and e.prim == "u8")
            return items.map(bytes) if u8 else items
        case wt.TupleType(types=ts):
            return st.tuples(*(_values(u) for u in ts))
        case wt.RecordType(fields=fs):
            cls = record_class(t)
            return st.tuples(*(_values(ft) for _, ft in fs)).map(lambda vs: cls(*vs))
        case wt.VariantType(cases=cases):
            return st.one_of(
                *(
                    st.just(Variant(name))
                    if ct is None
                    else _values(ct).map(lambda v, name=name: Variant(name, v))
                    for name, ct in cases
                )
            )
        case wt.EnumType(names=names):
            return st.sampled_from(names)
        case wt.FlagsType(names=names):
            return st.frozensets(st.sampled_from(names))
        case wt.OptionType(value=v):
            nested = isinstance(v, wt.OptionType)
            return st.none() | _values(v).map(Some if nested else lambda x: x)
        case wt.ResultType(ok=ok, err=err):
            oks = st.just(Ok()) if ok is None else _values(ok).map(Ok)
            errs = st.just(Err()) if err is None else _values(err).map(Err)
            return oks | errs
        case wt.MapType(key=k, value=v):
            return st.dictionaries(_values(k), _values(v), max_size=3)
    raise AssertionError(t)


def _same(a: Any, b: Any) -> bool:
    """Equality with NaN equal to itself, through every kind of value."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))
    if type(a) is not type(b) and not (isinstance(a, Record) and isinstance(b, Record)):
        return False
    if isinstance(a, Record):
        return a._fields == b._fields and all(
            _same(getattr(a, f), getattr(b, f)) for f in a._fields
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, Variant):
        return a.tag == b.tag and _same(a.value, b.value)
    if isinstance(a, Ok | Err | Some):
        return _same(a.value, b.value)
    return bool(a == b)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_print_then_parse_gives_the_value_back(data: st.DataObject) -> None:
    ty = data.draw(_types, "type")
    value = data.draw(_values(ty), "value")
    text = wave.to_wave(value, ty)
    back = wave.parse(text, ty)
    assert _same(back, value), (text, back, value)
    assert wave.to_wave(back, ty) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_strings_and_chars_round_trip(s: str) -> None:
    s = "".join(c for c in s if not 0xD800 <= ord(c) <= 0xDFFF)
    assert wave.parse(wave.to_wave(s, "string"), "string") == s
    for c in s[:5]:
        assert wave.parse(wave.to_wave(c, "char"), "char") == c


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.text(alphabet="{}()[]:,%\"'\\u{}-0123456789.eE anoefsrtu\n\r/", max_size=40)
)
def test_any_text_fails_only_with_wave_error(text: str) -> None:
    """Garbage in, a WaveError out: never another exception, whatever the type."""
    for ty in ("string", "f32", wt.ListType(wt.OptionType("u8")), wt.EnumType(("a", "none"))):
        with contextlib.suppress(wave.WaveError):
            wave.parse(text, ty)
    with contextlib.suppress(wave.WaveError):
        wave.parse_call(text)
