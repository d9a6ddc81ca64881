"""Sorts, sort indices and component value types: productions shared by several sections.

The byte tables live in ``binary.codes`` (shared with the writer, ``binary/encode/sorts.py``).
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import CORE_SORT_CODES, CORE_SORTS, PRIM_BYTES, SORT_CORE, SORTS
from witkit.binary.reader import Reader
from witkit.errors import BinaryError

__all__ = [
    "read_extern_kind",
    "read_optional_valtype",
    "read_sort",
    "read_valtype",
]


def read_sort(r: Reader, what: str = "sort") -> str:
    start = r.pos
    byte = r.u8(f"a {what}")
    if byte == SORT_CORE:
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
    if byte == SORT_CORE:
        core = r.u8(f"a {what}")
        if core != CORE_SORT_CODES["core module"]:
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
