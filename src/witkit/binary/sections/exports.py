"""The export section: ``nameattributes``, a sort index and an optional ascribed ``externtype``."""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.limits import MAX_WASM_EXPORTS
from witkit.binary.reader import Reader
from witkit.binary.sections.imports import read_extern_desc, read_extern_name
from witkit.binary.sections.sorts import read_extern_kind

__all__ = ["read_export", "read_export_section"]


def read_export(r: Reader) -> ir.Export:
    offset = r.pos
    name = read_extern_name(r)
    sort = read_extern_kind(r)
    index = r.u32("an export index")
    flag = r.u8("an optional export type")
    desc: ir.ExternDesc | None
    if flag == 0x00:
        desc = None
    elif flag == 0x01:
        desc = read_extern_desc(r)
    else:
        raise r.bad_byte(flag, "optional component export type")
    return ir.Export(offset, name, sort, index, desc)


def read_export_section(r: Reader, offset: int) -> ir.ExportSection:
    return ir.ExportSection(offset, r.vec(MAX_WASM_EXPORTS, "exports", read_export))
