"""The alias section: export, core export and outer aliases."""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import (
    ALIAS_CORE_EXPORT,
    ALIAS_EXPORT,
    ALIAS_OUTER,
    CORE_SORT_CODES,
    CORE_SORTS,
    SORT_CORE,
    SORTS,
)
from witkit.binary.limits import MAX_WASM_TYPES
from witkit.binary.reader import Reader

__all__ = ["read_alias", "read_alias_section"]

#: sorts an outer alias may name
_OUTER_SORTS = {"core module", "core type", "type", "component"}


def read_alias(r: Reader) -> ir.Alias:
    offset = r.pos
    byte1 = r.u8("an alias sort")
    byte2 = r.u8("a core alias sort") if byte1 == SORT_CORE else None
    target = r.u8("an alias target")
    if target == ALIAS_EXPORT:
        if byte1 == SORT_CORE:
            sort = "core module" if byte2 == CORE_SORT_CODES["core module"] else None
            if sort is None:
                raise r.bad_byte(byte2 or 0, "component external kind", offset + 1)
        else:
            sort = SORTS.get(byte1)
            if sort is None:
                raise r.bad_byte(byte1, "component external kind", offset)
        instance = r.u32("an instance index")
        return ir.Alias(offset, sort, "export", instance=instance, name=r.name("an export name"))
    if target == ALIAS_CORE_EXPORT:
        if byte2 is None:
            raise r.bad_byte(byte1, "core instance export kind", offset)
        sort = CORE_SORTS.get(byte2) if byte2 < 0x10 else None
        if sort is None:
            raise r.bad_byte(byte2, "external kind", offset + 1)
        instance = r.u32("a core instance index")
        name = r.name("an export name")
        return ir.Alias(offset, sort, "core export", instance=instance, name=name)
    if target == ALIAS_OUTER:
        if byte2 is not None:
            sort = CORE_SORTS.get(byte2, "")
            if sort not in _OUTER_SORTS:
                raise r.bad_byte(byte2, "component outer alias kind", offset + 1)
        else:
            sort = SORTS.get(byte1, "")
            if sort not in _OUTER_SORTS:
                raise r.bad_byte(byte1, "component outer alias kind", offset)
        count = r.u32("an outer alias count")
        index = r.u32("an outer alias index")
        return ir.Alias(offset, sort, "outer", count=count, index=index)
    raise r.bad_byte(target, "alias")


def read_alias_section(r: Reader, offset: int) -> ir.AliasSection:
    return ir.AliasSection(offset, r.vec(MAX_WASM_TYPES, "aliases", read_alias))
