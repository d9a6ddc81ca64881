"""Python values -> canonical WAVE text, as wasm-wave writes it (and ``wasmtime --invoke`` prints).

Rules of this module:

* **One spelling per value**, the one wasm-wave's writer chooses: options and
  results always in their variant form (``some(1)``, ``ok``), never flat; record
  fields in type order with ``none`` fields left out (``{:}`` when all are);
  flags in type order; ``%`` only before enum and variant cases that are keywords.
* **Numbers as Rust's ``Display`` writes them**: integers in decimal; floats as the
  shortest digits that read back to the same ``f32``/``f64``, never in exponent
  form (``1e20`` is ``100000000000000000000``, ``-0.0`` is ``-0``), and ``nan``,
  ``inf``, ``-inf``.
* **Chars escape as Rust's ``escape_debug``**: ``\\\\ \\" \\' \\t \\n \\r`` by
  name, and control, unprintable (Unicode categories C*, Z* but space) and
  combining characters as ``\\u{hex}``.  Python's Unicode tables stand in for
  Rust's; the two agree except across Unicode versions.
* **The value must fit the type**: it takes what lifting returns and what lowering
  accepts (``witkit.abi.values``), and raises ``TypeError``/``ValueError`` otherwise.
"""

from __future__ import annotations

import math
import operator
import re
import struct
import unicodedata
from collections.abc import Mapping
from typing import Any

from witkit import types as wt
from witkit.abi.values import Err, Ok, Record, Some, Variant, python_name
from witkit.wave._lexer import KEYWORDS
from witkit.wave._typed import PRIMITIVE_RANGES, peel

__all__ = ["escape_text", "format_float", "to_wave"]

_F32 = struct.Struct("<f")
_NAMED = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: characters that may need an escape: the named ones, C0/C1 controls, and non-ASCII
_MAYBE_ESCAPED = re.compile("[\\\\\"'\x00-\x1f\x7f-\U0010ffff]")
_COMBINING = frozenset({"Mn", "Me"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_one(c: str) -> str:
    named = _NAMED.get(c)
    if named is not None:
        return named
    if c.isprintable() and unicodedata.category(c) not in _COMBINING and c != "\u200c":
        return c
    return f"\\u{{{ord(c):x}}}"


def _escape_match(m: re.Match[str]) -> str:
    return _escape_one(m.group())


def escape_text(text: str) -> str:
    """``text`` with every character escaped that wasm-wave's writer escapes."""
    if text.isascii() and text.isprintable() and not ("\\" in text or '"' in text or "'" in text):
        return text
    return _MAYBE_ESCAPED.sub(_escape_match, text)


def format_float(value: float, single: bool) -> str:
    """A float as Rust prints it: shortest round-trip digits, positional, ``nan``/``inf``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if single:
        try:
            value = _F32.unpack(_F32.pack(value))[0]
        except OverflowError:  # past the largest f32: it rounds to infinity
            return "inf" if value > 0 else "-inf"
        digits = ""
        for precision in range(1, 10):
            digits = f"{value:.{precision - 1}e}"
            try:
                if _F32.unpack(_F32.pack(float(digits)))[0] == value:
                    break
            except OverflowError:  # rounded up past the largest f32
                continue
    else:
        digits = repr(value)
    return _positional(digits)


def _positional(digits: str) -> str:
    """``-1.25e-3``-style (or plain) decimal text without an exponent or trailing zeros."""
    sign = "-" if digits.startswith("-") else ""
    mantissa, _, exponent = digits.lstrip("-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    figures = (whole + fraction).lstrip("0")
    if not figures:
        return sign + "0"
    # the decimal point sits after ``point`` of the significant figures
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(figures))
    figures = figures.rstrip("0")
    if point >= len(figures):
        return sign + figures + "0" * (point - len(figures))
    if point <= 0:
        return sign + "0." + "0" * -point + figures
    return sign + figures[:point] + "." + figures[point:]


class _Writer:
    """Appends the text of values to ``out``; one method per kind of type."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def value(self, v: Any, t: wt.ValType) -> None:
        t = peel(t)
        out = self.out
        match t:
            case "bool":
                if not isinstance(v, bool | int) or v not in (0, 1):
                    raise TypeError(f"expected a bool, got {v!r}")
                out.append("true" if v else "false")
            case "f32" | "f64":
                if not isinstance(v, float | int) or isinstance(v, bool):
                    raise TypeError(f"expected a float, got {v!r}")
                out.append(format_float(float(v), t == "f32"))
            case "char":
                if not isinstance(v, str) or len(v) != 1 or 0xD800 <= ord(v) <= 0xDFFF:
                    raise TypeError(f"expected a char (a str of one scalar value), got {v!r}")
                out.append(f"'{escape_text(v)}'")
            case "string":
                if not isinstance(v, str):
                    raise TypeError(f"expected a str, got {type(v).__name__}")
                surrogate = _SURROGATE.search(v)
                if surrogate is not None:
                    at = surrogate.start()
                    raise ValueError(f"a string cannot hold a lone surrogate (at index {at})")
                out.append(f'"{escape_text(v)}"')
            case str() if t in PRIMITIVE_RANGES:
                number = operator.index(v)
                low, high = PRIMITIVE_RANGES[t]
                if not low <= number <= high:
                    raise ValueError(f"{number} is out of range for {t}")
                out.append(str(number))
            case wt.ListType(element=e, length=n):
                items = list(v)
                if n is not None and len(items) != n:
                    raise ValueError(f"expected a list of {n}, got {len(items)} values")
                self.sequence("[", items, [e] * len(items), "]")
            case wt.TupleType(types=ts):
                items = list(v)
                if len(items) != len(ts):
                    raise ValueError(f"expected a tuple of {len(ts)}, got {len(items)} values")
                self.sequence("(", items, list(ts), ")")
            case wt.RecordType(fields=fields):
                self.record(v, fields)
            case wt.VariantType(cases=cases):
                tag, payload = (v.tag, v.value) if isinstance(v, Variant) else (v, None)
                self.case(tag, payload, dict(cases), "variant")
            case wt.EnumType(names=names):
                self.case(v, None, dict.fromkeys(names), "enum")
            case wt.OptionType(value=inner):
                if v is None:
                    out.append("none")
                else:
                    out.append("some(")
                    self.value(v.value if isinstance(v, Some) else v, inner)
                    out.append(")")
            case wt.ResultType(ok=ok, err=err):
                if isinstance(v, Ok):
                    self.result_case("ok", v.value, ok)
                elif isinstance(v, Err):
                    self.result_case("err", v.value, err)
                else:
                    raise TypeError(f"expected Ok(...) or Err(...), got {v!r}")
            case wt.FlagsType(names=names):
                chosen = {n.replace("_", "-") for n in v}
                unknown = chosen - set(names)
                if unknown:
                    raise ValueError(f"unknown flags {sorted(unknown)} (flags: {list(names)})")
                out.append("{" + ", ".join(n for n in names if n in chosen) + "}")
            case wt.MapType(key=k, value=mv):
                pairs = list(v.items() if isinstance(v, Mapping) else v)
                self.sequence("[", pairs, [wt.TupleType((k, mv))] * len(pairs), "]")
            case _:
                name = t if isinstance(t, str) else type(t).__name__
                raise TypeError(f"WAVE has no spelling for values of {name}")

    def sequence(
        self, opening: str, items: list[Any], types: list[wt.ValType], closing: str
    ) -> None:
        self.out.append(opening)
        for i, (item, t) in enumerate(zip(items, types, strict=True)):
            if i:
                self.out.append(", ")
            self.value(item, t)
        self.out.append(closing)

    def record(self, v: Any, fields: tuple[tuple[str, wt.ValType], ...]) -> None:
        self.out.append("{")
        written = 0
        for name, ft in fields:
            field = _field(v, name, isinstance(peel(ft), wt.OptionType))
            if field is None and isinstance(peel(ft), wt.OptionType):
                continue
            self.out.append(", " if written else "")
            self.out.append(f"{name}: ")
            self.value(field, ft)
            written += 1
        self.out.append("}" if written else ":}")

    def case(
        self, tag: Any, payload: Any, cases: Mapping[str, wt.ValType | None], what: str
    ) -> None:
        if not isinstance(tag, str):
            raise TypeError(f"expected a {what} case name, got {tag!r}")
        if tag not in cases and tag.replace("_", "-") in cases:
            tag = tag.replace("_", "-")
        if tag not in cases:
            raise ValueError(f"unknown {what} case {tag!r} (cases: {', '.join(cases)})")
        self.out.append(f"%{tag}" if tag in KEYWORDS else tag)
        payload_type = cases[tag]
        if payload_type is not None:
            self.out.append("(")
            self.value(payload, payload_type)
            self.out.append(")")

    def result_case(self, case: str, payload: Any, t: wt.ValType | None) -> None:
        self.out.append(case)
        if t is not None:
            self.out.append("(")
            self.value(payload, t)
            self.out.append(")")


def _field(v: Any, name: str, optional: bool) -> Any:
    """A record field by WIT name: from a ``Record``, a mapping, or an attribute.

    A mapping may leave out an ``option`` field (it is ``none``), as WAVE text may.
    """
    if isinstance(v, Record | Mapping):
        if name in v:
            return v[name]
        if python_name(name) in v:
            return v[python_name(name)]
        if optional and not isinstance(v, Record):
            return None
        raise ValueError(f"the record has no field {name!r}")
    return getattr(v, python_name(name))


def to_wave(value: Any, t: wt.ValType) -> str:
    """The canonical WAVE text of ``value``, a value of type ``t``."""
    writer = _Writer()
    writer.value(value, t)
    return "".join(writer.out)
