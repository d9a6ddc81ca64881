"""The import section, and the productions imports share with exports and type declarations:
``nameattributes`` (an extern name with its attributes) and ``externtype``.

Their writers are in ``binary/encode/imports.py``; the codes in ``binary.codes``.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import (
    BOUND_EQ,
    BOUND_SUB_RESOURCE,
    NAME_ATTR_EXTERNAL_ID,
    NAME_ATTR_IMPLEMENTS,
    NAME_ATTR_VERSION_SUFFIX,
    NAME_WITH_ATTRS,
)
from witkit.binary.limits import MAX_WASM_IMPORTS
from witkit.binary.reader import Reader
from witkit.binary.sections.sorts import read_extern_kind, read_valtype
from witkit.errors import BinaryError

__all__ = ["read_extern_desc", "read_extern_name", "read_import", "read_import_section"]


def read_extern_name(r: Reader) -> ir.ExternName:
    """``nameattributes``: 0x00/0x01 (the same, historically) or 0x02 with attributes."""
    start = r.pos
    form = r.u8("an extern name")
    if form not in (0x00, 0x01, NAME_WITH_ATTRS):
        raise BinaryError(f"invalid leading byte (0x{form:02x}) for component name", start)
    name = r.name("an extern name")
    if form != NAME_WITH_ATTRS:
        return ir.ExternName(name, form=form)
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None
    n = r.count(1_000, "name attributes")
    for _ in range(n):
        pos = r.pos
        kind = r.u8("a name attribute")
        if kind == NAME_ATTR_IMPLEMENTS:
            if implements is not None:
                raise BinaryError("duplicate 'implements' option in name", pos)
            implements = r.name("an `implements` interface name")
        elif kind == NAME_ATTR_VERSION_SUFFIX:
            if version_suffix is not None:
                raise BinaryError("duplicate 'versionsuffix' option in name", pos)
            version_suffix = r.name("a version suffix")
        elif kind == NAME_ATTR_EXTERNAL_ID:
            if external_id is not None:
                raise BinaryError("duplicate 'external-id' option in name", pos)
            external_id = r.name("an external id")
        else:
            raise r.bad_byte(kind, "name option")
    return ir.ExternName(name, implements, version_suffix, external_id, form)


def read_extern_desc(r: Reader) -> ir.ExternDesc:
    """``externtype``."""
    start = r.pos
    sort = read_extern_kind(r)
    if sort == "core module":
        return ir.ExternDesc(sort, r.u32("a core type index"))
    if sort in ("func", "component", "instance"):
        return ir.ExternDesc(sort, r.u32("a type index"))
    if sort == "type":
        bound = r.u8("a type bound")
        if bound == BOUND_EQ:
            return ir.ExternDesc(sort, r.u32("a type index"))
        if bound == BOUND_SUB_RESOURCE:
            return ir.ExternDesc(sort, None)
        raise r.bad_byte(bound, "type bound")
    if sort == "value":
        # wasmparser (the reference) reads a bare ``valtype`` here, not Binary.md's
        # ``valuebound``; we follow it so both accept the same binaries
        return ir.ExternDesc(sort, None, read_valtype(r))
    raise BinaryError(f"invalid leading byte for component external kind ({sort})", start)


def read_import(r: Reader) -> ir.Import:
    offset = r.pos
    name = read_extern_name(r)
    return ir.Import(offset, name, read_extern_desc(r))


def read_import_section(r: Reader, offset: int) -> ir.ImportSection:
    return ir.ImportSection(offset, r.vec(MAX_WASM_IMPORTS, "imports", read_import))
