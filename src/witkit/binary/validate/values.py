"""🪙 Value definitions: decode ``val(t)`` (Binary.md "Value Definitions") to check it.

Only reachable with ``Features(cm_values=True)``.  The encoding must match the
value's type exactly and use all of its declared bytes.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING

from witkit.binary import ir
from witkit.binary.reader import Reader
from witkit.binary.validate.context import fail
from witkit.errors import BinaryError
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

if TYPE_CHECKING:
    from witkit.binary.validate.scope import Scope

__all__ = ["check_value"]

_INT_BITS = {"s8": 8, "u8": 8, "s16": 16, "u16": 16, "s32": 32, "u32": 32, "s64": 64, "u64": 64}


def _prim(r: Reader, prim: str) -> None:
    if prim == "bool":
        if r.u8("a bool") > 1:
            raise BinaryError("invalid bool value", r.pos - 1)
    elif prim in ("s8", "u8"):
        r.u8("a byte")
    elif prim in _INT_BITS:
        bits = _INT_BITS[prim]
        if prim.startswith("s"):
            r._signed(bits, "an integer")
        elif bits == 64:
            r.u64()
        else:
            value = r.u32()
            if value >= 1 << bits:
                raise BinaryError("integer out of range", r.pos - 1)
    elif prim == "f32":
        raw = r.bytes(4, "an f32")
        if math.isnan(struct.unpack("<f", raw)[0]) and raw != b"\x00\x00\xc0\x7f":
            raise BinaryError("non-canonical NaN", r.pos - 4)
    elif prim == "f64":
        raw = r.bytes(8, "an f64")
        if math.isnan(struct.unpack("<d", raw)[0]) and raw != b"\x00" * 6 + b"\xf8\x7f":
            raise BinaryError("non-canonical NaN", r.pos - 8)
    elif prim == "char":
        first = r.peek("a char")
        n = 1 if first < 0x80 else 2 if first < 0xE0 else 3 if first < 0xF0 else 4
        raw = r.bytes(n, "a char")
        try:
            if len(raw.decode("utf-8")) != 1:
                raise UnicodeDecodeError("utf-8", raw, 0, n, "not one char")
        except UnicodeDecodeError:
            raise BinaryError("invalid UTF-8 encoding of a char", r.pos - n) from None
    elif prim == "string":
        r.name("a string value", limit=r.remaining())
    else:
        raise BinaryError(f"values of type `{prim}` cannot be encoded", r.pos)


def _val(r: Reader, ty: ValType | None, depth: int) -> None:
    if ty is None:
        return
    if depth > 100:
        raise BinaryError("value nesting is too deep", r.pos)
    if isinstance(ty, PrimType):
        ty = ty.prim
    if isinstance(ty, str):
        _prim(r, ty)
    elif isinstance(ty, RecordType):
        for _, t in ty.fields:
            _val(r, t, depth + 1)
    elif isinstance(ty, TupleType):
        for t in ty.types:
            _val(r, t, depth + 1)
    elif isinstance(ty, VariantType):
        case = r.u32("a variant case")
        if case >= len(ty.cases):
            raise BinaryError("invalid variant case", r.pos - 1)
        _val(r, ty.cases[case][1], depth + 1)
    elif isinstance(ty, ListType):
        n = ty.length if ty.length is not None else r.count(r.remaining(), "list elements")
        for _ in range(n):
            _val(r, ty.element, depth + 1)
    elif isinstance(ty, FlagsType):
        r.skip((len(ty.names) + 7) // 8, "flags")
    elif isinstance(ty, EnumType):
        if r.u32("an enum case") >= len(ty.names):
            raise BinaryError("invalid enum case", r.pos - 1)
    elif isinstance(ty, OptionType):
        tag = r.u8("an option")
        if tag > 1:
            raise BinaryError("invalid option tag", r.pos - 1)
        if tag == 1:
            _val(r, ty.value, depth + 1)
    elif isinstance(ty, ResultType):
        tag = r.u8("a result")
        if tag > 1:
            raise BinaryError("invalid result tag", r.pos - 1)
        _val(r, ty.ok if tag == 0 else ty.err, depth + 1)
    else:
        raise BinaryError("values of this type cannot be encoded", r.pos)


def check_value(scope: Scope, ty: ValType, value: ir.Value) -> None:
    del scope
    r = Reader(value.source, value.data_offset, value.data_offset + value.size)
    try:
        _val(r, ty, 0)
        r.expect_end("value")
    except BinaryError as exc:
        raise fail(f"invalid value: {exc.message}", exc.offset or value.offset) from None
