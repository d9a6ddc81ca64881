"""Sorts, sort indices and component value types: productions shared by several sections."""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.reader import Reader
from witkit.errors import BinaryError
from witkit.types import PrimName

__all__ = [
    "CORE_SORTS",
    "PRIM_BYTES",
    "SORTS",
    "read_extern_kind",
    "read_optional_valtype",
    "read_sort",
    "read_valtype",
]

#: ``core:sort`` byte -> sort name
CORE_SORTS: dict[int, str] = {
    0x00: "core func",
    0x01: "core table",
    0x02: "core memory",
    0x03: "core global",
    0x04: "core tag",
    0x10: "core type",
    0x11: "core module",
    0x12: "core instance",
}

#: component ``sort`` byte (other than 0x00, the core prefix) -> sort name
SORTS: dict[int, str] = {
    0x01: "func",
    0x02: "value",
    0x03: "type",
    0x04: "component",
    0x05: "instance",
}

#: ``primvaltype`` byte -> primitive name
PRIM_BYTES: dict[int, PrimName] = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
    0x64: "error-context",
}


def read_sort(r: Reader, what: str = "sort") -> str:
    start = r.pos
    byte = r.u8(f"a {what}")
    if byte == 0x00:
        core = r.u8(f"a core {what}")
        sort = CORE_SORTS.get(core)
        if sort is None:
            raise r.bad_byte(core, f"core {what}")
        return sort
    sort = SORTS.get(byte)
    if sort is None:
        raise BinaryError(f"invalid leading byte (0x{byte:02x}) for {what}", start)
    return sort


def read_extern_kind(r: Reader) -> str:
    """A ``sort`` that can be imported/exported: a component sort or ``core module``."""
    what = "component external kind"
    start = r.pos
    byte = r.u8(f"a {what}")
    if byte == 0x00:
        core = r.u8(f"a {what}")
        if core != 0x11:
            raise r.bad_byte(core, what)
        return "core module"
    sort = SORTS.get(byte)
    if sort is None:
        raise BinaryError(f"invalid leading byte (0x{byte:02x}) for {what}", start)
    return sort


def read_valtype(r: Reader) -> ir.ValTypeRef:
    """``valtype``: a primitive, or a type index (a non-negative s33)."""
    byte = r.peek("a value type")
    prim = PRIM_BYTES.get(byte)
    if prim is not None:
        r.pos += 1
        return prim
    if byte < 0x40:
        r.pos += 1
        return byte
    start = r.pos
    index = r.s33("a value type")
    if index < 0:
        raise BinaryError(f"invalid leading byte (0x{byte:02x}) for component value type", start)
    if index > 0xFFFF_FFFF:
        raise BinaryError("type index out of bounds", start)
    return index


def read_optional_valtype(r: Reader) -> ir.ValTypeRef | None:
    byte = r.u8("an optional value type")
    if byte == 0x00:
        return None
    if byte == 0x01:
        return read_valtype(r)
    raise r.bad_byte(byte, "optional component value type")
