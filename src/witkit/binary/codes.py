"""The byte codes of Binary.md, in one table that the reader and the writer share.

Job: name every fixed byte of the component binary format -- the preamble,
section ids, sorts, the opcodes of type definitions and declarations, alias
targets, type bounds, extern-name forms -- once.  ``binary/sections/*`` (the
reader) decodes with these names and ``binary/encode/*`` (the writer) emits
them, so the two cannot drift apart.  Rules: constants only (no reading, no
writing, no imports beyond ``witkit.types``); names are Binary.md's productions;
a table that maps bytes to names has its inverse beside it.
"""

from __future__ import annotations

from typing import Final

from witkit.types import PrimName

__all__ = [
    "ALIAS_CORE_EXPORT",
    "ALIAS_EXPORT",
    "ALIAS_OUTER",
    "ASYNC_FUNC_TYPE",
    "BORROW",
    "BOUND_EQ",
    "BOUND_SUB_RESOURCE",
    "COMPONENT_PREAMBLE",
    "COMPONENT_TYPE",
    "COMPONENT_VERSION",
    "CORE_SORTS",
    "CORE_SORT_CODES",
    "DECL_ALIAS",
    "DECL_CORE_TYPE",
    "DECL_EXPORT",
    "DECL_IMPORT",
    "DECL_TYPE",
    "ENUM",
    "FIXED_LIST",
    "FLAGS",
    "FUNC_TYPE",
    "FUTURE",
    "INSTANCE_TYPE",
    "LAYER_COMPONENT",
    "LAYER_MODULE",
    "LIST",
    "MAGIC",
    "MAP",
    "NAME_ATTR_EXTERNAL_ID",
    "NAME_ATTR_IMPLEMENTS",
    "NAME_ATTR_VERSION_SUFFIX",
    "NAME_PLAIN",
    "NAME_WITH_ATTRS",
    "OPTION",
    "OWN",
    "PRIM_BYTES",
    "PRIM_CODES",
    "RECORD",
    "RESOURCE",
    "RESULT",
    "SECTION_ALIAS",
    "SECTION_CANON",
    "SECTION_COMPONENT",
    "SECTION_CORE_INSTANCE",
    "SECTION_CORE_MODULE",
    "SECTION_CORE_TYPE",
    "SECTION_CUSTOM",
    "SECTION_EXPORT",
    "SECTION_IMPORT",
    "SECTION_INSTANCE",
    "SECTION_START",
    "SECTION_TYPE",
    "SECTION_VALUE",
    "SORTS",
    "SORT_CODES",
    "SORT_CORE",
    "STREAM",
    "TUPLE",
    "VARIANT",
]

# --------------------------------------------------------------------------- preamble

#: the four bytes every wasm binary starts with
MAGIC: Final = b"\x00asm"
#: the pre-standard component version this reader understands and this writer emits
COMPONENT_VERSION: Final = 0x0D
#: the ``layer`` field of the preamble: a core module or a component
LAYER_MODULE: Final = 0
LAYER_COMPONENT: Final = 1
#: magic, version (u16 LE), layer (u16 LE) of a component
COMPONENT_PREAMBLE: Final = MAGIC + bytes((COMPONENT_VERSION, 0, LAYER_COMPONENT, 0))

# --------------------------------------------------------------------------- sections

SECTION_CUSTOM: Final = 0
SECTION_CORE_MODULE: Final = 1
SECTION_CORE_INSTANCE: Final = 2
SECTION_CORE_TYPE: Final = 3
SECTION_COMPONENT: Final = 4
SECTION_INSTANCE: Final = 5
SECTION_ALIAS: Final = 6
SECTION_TYPE: Final = 7
SECTION_CANON: Final = 8
SECTION_START: Final = 9
SECTION_IMPORT: Final = 10
SECTION_EXPORT: Final = 11
SECTION_VALUE: Final = 12

# --------------------------------------------------------------------------- sorts

#: the byte before a ``core:sort`` in a ``sort``
SORT_CORE: Final = 0x00

#: ``core:sort`` byte -> sort name
CORE_SORTS: Final[dict[int, str]] = {
    0x00: "core func",
    0x01: "core table",
    0x02: "core memory",
    0x03: "core global",
    0x04: "core tag",
    0x10: "core type",
    0x11: "core module",
    0x12: "core instance",
}
CORE_SORT_CODES: Final[dict[str, int]] = {name: code for code, name in CORE_SORTS.items()}

#: component ``sort`` byte (other than ``SORT_CORE``) -> sort name
SORTS: Final[dict[int, str]] = {
    0x01: "func",
    0x02: "value",
    0x03: "type",
    0x04: "component",
    0x05: "instance",
}
SORT_CODES: Final[dict[str, int]] = {name: code for code, name in SORTS.items()}

# --------------------------------------------------------------------------- alias targets

ALIAS_EXPORT: Final = 0x00
ALIAS_CORE_EXPORT: Final = 0x01
ALIAS_OUTER: Final = 0x02

# --------------------------------------------------------------------------- value types

#: ``primvaltype`` byte -> primitive name
PRIM_BYTES: Final[dict[int, PrimName]] = {
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
PRIM_CODES: Final[dict[str, int]] = {name: code for code, name in PRIM_BYTES.items()}

#: ``defvaltype`` opcodes
RECORD: Final = 0x72
VARIANT: Final = 0x71
LIST: Final = 0x70
TUPLE: Final = 0x6F
FLAGS: Final = 0x6E
ENUM: Final = 0x6D
OPTION: Final = 0x6B
RESULT: Final = 0x6A
OWN: Final = 0x69
BORROW: Final = 0x68
FIXED_LIST: Final = 0x67
STREAM: Final = 0x66
FUTURE: Final = 0x65
MAP: Final = 0x63

#: the other ``deftype`` opcodes
RESOURCE: Final = 0x3F
FUNC_TYPE: Final = 0x40
COMPONENT_TYPE: Final = 0x41
INSTANCE_TYPE: Final = 0x42
ASYNC_FUNC_TYPE: Final = 0x43

# --------------------------------------------------------------------------- declarations

#: the tag of a ``componentdecl`` / ``instancedecl``
DECL_CORE_TYPE: Final = 0x00
DECL_TYPE: Final = 0x01
DECL_ALIAS: Final = 0x02
DECL_IMPORT: Final = 0x03
DECL_EXPORT: Final = 0x04

#: ``typebound`` of an ``externtype`` of sort type
BOUND_EQ: Final = 0x00
BOUND_SUB_RESOURCE: Final = 0x01

# --------------------------------------------------------------------------- extern names

#: ``nameattributes`` forms: a plain name (0x01 reads the same, historically) or a name
#: followed by a vector of attributes
NAME_PLAIN: Final = 0x00
NAME_WITH_ATTRS: Final = 0x02
#: the attributes' tags
NAME_ATTR_IMPLEMENTS: Final = 0x00
NAME_ATTR_VERSION_SUFFIX: Final = 0x01
NAME_ATTR_EXTERNAL_ID: Final = 0x02
