"""WAVE trees against types -> Python values, the last phase of reading a value.

The values are exactly those the Canonical ABI lifts (``witkit.abi.values``): what
``parse`` returns can be passed to a component function, and compares equal to
what the function would return.

Rules of this module:

* **The type decides what a node means**: a ``label`` is an enum case for an enum,
  a case without payload for a variant; a ``number`` is checked against the
  integer range or rounded to ``f32``/``f64``.  A node of the wrong kind is an
  ``invalid-type`` error at the node.
* **Flat options and results** (``7`` for ``some(7)`` or ``ok(7)``) are read only
  when the payload is neither an option nor a result, so ``none`` and ``ok`` keep
  one meaning.
* **Omitted fields and arguments**: a record field, or trailing function
  arguments, of option type may be left out and read as ``none``.
* **Floats round once.**  ``f32`` text is rounded straight to ``f32`` (not through
  ``f64`` first), as wasm-wave's reader does: ``float()`` is exact to ``f64``, and
  the rare text that lands on an ``f32`` tie is settled with exact arithmetic.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Sequence
from typing import Any

from witkit import types as wt
from witkit.abi.values import Err, Ok, Some, Variant, record_class
from witkit.wave._lexer import WaveError
from witkit.wave._syntax import Node

__all__ = ["PRIMITIVE_RANGES", "decode_string", "peel", "to_params", "to_value"]

#: the integer types and their inclusive ranges
PRIMITIVE_RANGES = {
    "u8": (0, 0xFF),
    "u16": (0, 0xFFFF),
    "u32": (0, 0xFFFF_FFFF),
    "u64": (0, 0xFFFF_FFFF_FFFF_FFFF),
    "s8": (-0x80, 0x7F),
    "s16": (-0x8000, 0x7FFF),
    "s32": (-0x8000_0000, 0x7FFF_FFFF),
    "s64": (-0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF),
}

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F32_MAX = _F32.unpack(b"\xff\xff\x7f\x7f")[0]
#: values from here on round to infinity (max + half an ulp; the tie goes to even, inf)
_F32_OVERFLOW = 2**128 - 2**103
_HEX = frozenset("0123456789abcdefABCDEF")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "t": "\t", "n": "\n", "r": "\r"}


def peel(t: wt.ValType) -> wt.ValType:
    """A defined alias of a primitive (``type id = u64``) is that primitive here."""
    while isinstance(t, wt.PrimType):
        t = t.prim
    return t


def is_option_or_result(t: wt.ValType) -> bool:
    """Whether ``t`` is an option or a result: its values have no flat spelling."""
    return isinstance(peel(t), wt.OptionType | wt.ResultType)


class _Reader:
    """Converts nodes of one text; holds the text for slices and error messages."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, node: Node, kind: str, message: str) -> WaveError:
        return WaveError(kind, message, node.start, node.end, self.text)

    def wrong(self, node: Node, expected: str) -> WaveError:
        found = node.slice(self.text)
        if len(found) > 40:
            found = found[:37] + "..."
        return self.error(node, "invalid-type", f"expected {expected}, found {found!r}")

    def value(self, node: Node, t: wt.ValType) -> Any:
        t = peel(t)
        match t:
            case "bool":
                if node.kind in ("true", "false"):
                    return node.kind == "true"
                raise self.wrong(node, "a bool")
            case "f32" | "f64":
                return self.float(node, t)
            case "char":
                return self.char(node)
            case "string":
                if node.kind not in ("string", "multiline"):
                    raise self.wrong(node, "a string")
                return decode_string(self.text, node)
            case str() if t in PRIMITIVE_RANGES:
                return self.integer(node, t)
            case wt.ListType(element=e, length=n):
                return self.list(node, e, n)
            case wt.RecordType():
                return self.record(node, t)
            case wt.TupleType(types=ts):
                if node.kind != "tuple":
                    raise self.wrong(node, f"a tuple of {len(ts)}")
                if len(node.children) != len(ts):
                    raise self.error(
                        node,
                        "tuple-length",
                        f"expected a tuple of {len(ts)}, found {len(node.children)} values",
                    )
                return tuple(self.value(c, u) for c, u in zip(node.children, ts, strict=True))
            case wt.VariantType(cases=cases):
                return self.variant(node, cases)
            case wt.EnumType(names=names):
                if node.kind != "label":
                    raise self.wrong(node, "an enum case")
                name = node.label(self.text)
                if name not in names:
                    raise self.unknown_case(node, name, names)
                return name
            case wt.OptionType(value=v):
                return self.option(node, v)
            case wt.ResultType(ok=ok, err=err):
                return self.result(node, ok, err)
            case wt.FlagsType(names=names):
                if node.kind != "flags":
                    raise self.wrong(node, "flags")
                chosen = set()
                for label in node.children:
                    name = label.label(self.text)
                    if name not in names:
                        raise self.unknown_case(node, name, names, "flag")
                    chosen.add(name)
                return frozenset(chosen)
            case wt.MapType(key=k, value=v):
                if node.kind != "list":
                    raise self.wrong(node, "a map, written as a list of (key, value) tuples")
                pair = wt.TupleType((k, v))
                return dict(self.value(c, pair) for c in node.children)
            case _:
                name = type(t).__name__ if not isinstance(t, str) else t
                raise self.error(node, "unsupported-type", f"WAVE has no spelling for {name}")

    def integer(self, node: Node, t: str) -> int:
        if node.kind != "number":
            raise self.wrong(node, f"a {t}")
        digits = node.slice(self.text)
        low, high = PRIMITIVE_RANGES[t]
        if not digits.lstrip("-").isdigit() or (low == 0 and digits.startswith("-")):
            raise self.error(node, "invalid-value", f"{digits!r} is not a {t}")
        if len(digits) > 21:  # longer than any 64-bit integer (and than int() reads fast)
            raise self.error(node, "invalid-value", f"the number is out of range for {t}")
        number = int(digits)
        if not low <= number <= high:
            raise self.error(node, "invalid-value", f"{digits} is out of range for {t}")
        return number

    def float(self, node: Node, t: str) -> float:
        if node.kind != "number":
            raise self.wrong(node, f"a {t}")
        digits = node.slice(self.text)
        value = float(digits)
        if value != value:
            return math.nan  # the one NaN of the ABI's values
        return value if t == "f64" else round_f32(digits, value)

    def char(self, node: Node) -> str:
        if node.kind != "char":
            raise self.wrong(node, "a char")
        inner = self.text[node.start + 1 : node.end - 1]
        if inner.startswith("\\"):
            decoded = unescape(inner, 0, len(inner))
            if decoded is None:
                raise self.error(node, "invalid-escape", f"invalid escape {inner!r}")
            return decoded[0]
        if _SURROGATE.match(inner):
            raise self.error(node, "invalid-token", "a char cannot be a lone surrogate")
        return inner

    def list(self, node: Node, element: wt.ValType, length: int | None) -> Any:
        if node.kind != "list":
            raise self.wrong(node, "a list")
        if length is not None and len(node.children) != length:
            raise self.error(
                node,
                "list-length",
                f"expected a list of {length}, found {len(node.children)} values",
            )
        items = [self.value(c, element) for c in node.children]
        return bytes(items) if peel(element) == "u8" else items

    def record(self, node: Node, t: wt.RecordType) -> Any:
        if node.kind != "record":
            raise self.wrong(node, "a record")
        given: dict[str, Node] = {}
        children = node.children
        types = dict(t.fields)
        for label, value in zip(children[::2], children[1::2], strict=True):
            name = label.label(self.text)
            if name not in types:
                known = ", ".join(types)
                raise self.error(
                    label, "unknown-field", f"unknown field {name!r} (fields: {known})"
                )
            given[name] = value
        values = []
        for name, ft in t.fields:
            if name in given:
                values.append(self.value(given[name], ft))
            elif isinstance(peel(ft), wt.OptionType):
                values.append(None)
            else:
                raise self.error(node, "missing-field", f"missing field {name!r}")
        return record_class(t)(*values)

    def variant(self, node: Node, cases: tuple[tuple[str, wt.ValType | None], ...]) -> Variant:
        if node.kind == "label":
            name, payload = node.label(self.text), None
        elif node.kind == "case":
            name, payload = node.children[0].label(self.text), node.children[1]
        else:
            raise self.wrong(node, "a variant case")
        for case, ct in cases:
            if case == name:
                return Variant(name, self.payload(node, name, ct, payload))
        raise self.unknown_case(node, name, tuple(c for c, _ in cases))

    def option(self, node: Node, v: wt.ValType) -> Any:
        if node.kind == "none":
            return None
        if node.kind == "some":
            value = self.value(node.children[0], v)
        elif not is_option_or_result(v):
            return self.value(node, v)
        else:
            raise self.wrong(node, "'some(...)' or 'none'")
        return Some(value) if isinstance(peel(v), wt.OptionType) else value

    def result(
        self, node: Node, ok: wt.ValType | None, err: wt.ValType | None
    ) -> Ok[Any] | Err[Any]:
        if node.kind in ("ok", "err"):
            payload = node.children[0] if node.children else None
            if node.kind == "ok":
                return Ok(self.payload(node, "ok", ok, payload))
            return Err(self.payload(node, "err", err, payload))
        if ok is not None and not is_option_or_result(ok):
            return Ok(self.value(node, ok))
        raise self.wrong(node, "'ok' or 'err'")

    def payload(self, node: Node, case: str, t: wt.ValType | None, payload: Node | None) -> Any:
        if t is None and payload is None:
            return None
        if t is None:
            raise self.error(node, "unexpected-payload", f"case {case!r} has no payload")
        if payload is None:
            raise self.error(node, "missing-payload", f"case {case!r} needs a payload")
        return self.value(payload, t)

    def unknown_case(
        self, node: Node, name: str, names: Sequence[str], what: str = "case"
    ) -> WaveError:
        known = ", ".join(names)
        return self.error(node, "unknown-case", f"unknown {what} {name!r} (known: {known})")


def to_value(text: str, node: Node, t: wt.ValType) -> Any:
    """The Python value of ``node`` (read from ``text``) as a value of type ``t``."""
    return _Reader(text).value(node, t)


def to_params(
    text: str, args: Node | None, name_span: tuple[int, int], params: Sequence[wt.ValType]
) -> list[Any]:
    """The arguments of a call, typed by ``params``; trailing options may be omitted."""
    reader = _Reader(text)
    given = args.children if args is not None else ()
    if len(given) > len(params):
        extra = given[len(params)]
        raise reader.error(
            extra,
            "invalid-params",
            f"too many arguments: the function takes {len(params)}",
        )
    values = [reader.value(node, t) for node, t in zip(given, params, strict=False)]
    for t in params[len(given) :]:
        if not isinstance(peel(t), wt.OptionType):
            missing = len(params) - len(given)
            message = f"missing argument(s): {missing} more required"
            if args is None:
                raise WaveError("invalid-params", message, name_span[0], name_span[1], text)
            raise WaveError("invalid-params", message, args.end - 1, args.end, text)
        values.append(None)
    return values


# ---------------------------------------------------------------------- text


def unescape(text: str, i: int, end: int) -> tuple[str, int] | None:
    """The character of the escape at ``text[i]`` (before ``end``) and where it ends.

    None if it is malformed or names no Unicode scalar value (a surrogate, or past
    U+10FFFF).
    """
    c = text[i + 1 : min(i + 2, end)]
    if c in _SIMPLE:
        return _SIMPLE[c], i + 2
    close = text.find("}", i + 3, end)
    digits = text[i + 3 : close]
    if c != "u" or text[i + 2 : i + 3] != "{" or close < 0 or not 1 <= len(digits) <= 6:
        return None
    if not all(d in _HEX for d in digits):
        return None
    code = int(digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), close + 1


def _decode_line(text: str, start: int, end: int, parts: list[str]) -> None:
    """Append the decoded characters of ``text[start:end]`` (no quotes) to ``parts``."""
    i = start
    while True:
        slash = text.find("\\", i, end)
        if slash < 0:
            parts.append(text[i:end])
            return
        parts.append(text[i:slash])
        decoded = unescape(text, slash, end)
        if decoded is None:
            raise WaveError(
                "invalid-escape",
                "invalid escape: not a Unicode scalar value",
                slash,
                slash + 1,
                text,
            )
        parts.append(decoded[0])
        i = decoded[1]


def decode_string(text: str, node: Node) -> str:
    """The characters a ``string`` or ``multiline`` node stands for."""
    parts: list[str] = []
    if node.kind == "string":
        _decode_line(text, node.start + 1, node.end - 1, parts)
        return _scalar_values("".join(parts), node, text)
    start, end = node.start + 3, node.end - 3
    last_break = text.rfind("\n", start, end)
    indent = text[last_break + 1 : end] if last_break >= 0 else text[start:end]
    if indent.strip(" "):
        raise WaveError(
            "invalid-multiline-string",
            'the closing """ must be on a line of its own, after spaces only',
            end - 3,
            end,
            text,
        )
    first = start + 1 if text.startswith("\r", start) else start
    if last_break < 0 or not text.startswith("\n", first):
        raise WaveError(
            "invalid-multiline-string",
            'the opening """ must be followed by a line break',
            start,
            start + 1,
            text,
        )
    line = first + 1
    lines = 0
    while line <= last_break:
        stop = text.find("\n", line, last_break + 1)
        if not text.startswith(indent, line) or line + len(indent) > stop:
            raise WaveError(
                "invalid-multiline-string",
                'each line must be indented at least as much as the closing """',
                line,
                line + 1,
                text,
            )
        content_end = stop - 1 if stop > line and text[stop - 1] == "\r" else stop
        if lines:
            parts.append("\n")
        _decode_line(text, line + len(indent), max(content_end, line + len(indent)), parts)
        lines += 1
        line = stop + 1
    return _scalar_values("".join(parts), node, text)


def _scalar_values(decoded: str, node: Node, text: str) -> str:
    """``decoded`` if it has no lone surrogate (a Python str can; a WIT string cannot)."""
    found = _SURROGATE.search(decoded)
    if found is not None:
        message = f"a string cannot hold the lone surrogate U+{ord(found.group()):04X}"
        raise WaveError("invalid-token", message, node.start, node.end, text)
    return decoded


def round_f32(digits: str, value: float) -> float:
    """``digits`` (whose nearest f64 is ``value``) rounded to the nearest f32, as a float."""
    if math.isnan(value) or math.isinf(value):
        return value  # beyond f64's range is beyond f32's: no exact arithmetic needed
    from fractions import Fraction  # only for the rare text near f32's limits or ties

    if abs(value) > _F32_MAX:
        beyond = abs(Fraction(digits)) >= _F32_OVERFLOW
        return math.copysign(math.inf if beyond else _F32_MAX, value)
    single: float = _F32.unpack(_F32.pack(value))[0]
    if single == value:
        return single
    # the f64 may sit exactly halfway between two f32s only because it was rounded;
    # the decimal text then decides which way the tie goes
    bits = _U32.unpack(_F32.pack(abs(single)))[0]
    bits += 1 if abs(value) > abs(single) else -1
    neighbour = math.copysign(_F32.unpack(_U32.pack(bits))[0], value)
    midpoint = (Fraction(single) + Fraction(neighbour)) / 2
    if Fraction(value) != midpoint:
        return single
    exact = Fraction(digits)
    if exact == midpoint:
        return single  # a true tie: pack() already rounded it to even
    return neighbour if (exact > midpoint) == (neighbour > single) else single
