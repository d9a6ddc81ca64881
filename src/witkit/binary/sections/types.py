"""The type and core type sections: every ``deftype`` of Binary.md "Type Definitions".

The writer of the same productions is ``binary/encode/types.py``; both take their
opcodes from ``binary.codes``.

Component and instance types nest (a type declaration can declare types), so
the readers here recurse; ``depth`` bounds that recursion so a guest cannot
exhaust Python's stack (``MAX_NESTING_DEPTH``).
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import (
    ASYNC_FUNC_TYPE,
    BORROW,
    COMPONENT_TYPE,
    DECL_ALIAS,
    DECL_CORE_TYPE,
    DECL_EXPORT,
    DECL_IMPORT,
    DECL_TYPE,
    ENUM,
    FIXED_LIST,
    FLAGS,
    FUNC_TYPE,
    FUTURE,
    INSTANCE_TYPE,
    LIST,
    MAP,
    OPTION,
    OWN,
    PRIM_BYTES,
    RECORD,
    RESOURCE,
    RESULT,
    STREAM,
    TUPLE,
    VARIANT,
)
from witkit.binary.limits import (
    MAX_NESTING_DEPTH,
    MAX_WASM_COMPONENT_TYPE_DECLS,
    MAX_WASM_ENUM_CASES,
    MAX_WASM_FLAG_NAMES,
    MAX_WASM_FUNCTION_PARAMS,
    MAX_WASM_INSTANCE_TYPE_DECLS,
    MAX_WASM_MODULE_TYPE_DECLS,
    MAX_WASM_RECORD_FIELDS,
    MAX_WASM_TUPLE_TYPES,
    MAX_WASM_TYPES,
    MAX_WASM_VARIANT_CASES,
)
from witkit.binary.reader import Reader
from witkit.binary.sections.aliases import read_alias
from witkit.binary.sections.core import (
    read_core_extern_desc,
    read_core_import,
    read_core_valtype,
    read_rec_group,
)
from witkit.binary.sections.imports import read_extern_desc, read_extern_name
from witkit.binary.sections.sorts import read_optional_valtype, read_valtype
from witkit.errors import BinaryError

__all__ = [
    "read_core_type",
    "read_core_type_section",
    "read_resultlist",
    "read_type",
    "read_type_section",
]


# --------------------------------------------------------------------------- core types


def _read_module_decl(r: Reader) -> ir.ModuleDecl:
    offset = r.pos
    tag = r.u8("a module type declaration")
    if tag == 0x00:
        return read_core_import(r)
    if tag == 0x01:
        return read_rec_group(r)
    if tag == 0x02:
        kind = r.u8("an outer alias kind")
        if kind != 0x10:
            raise r.bad_byte(kind, "outer alias kind")
        target = r.u8("an outer alias target")
        if target != 0x01:
            raise r.bad_byte(target, "outer alias target")
        return ir.CoreAliasDecl(offset, r.u32("an outer alias count"), r.u32("a type index"))
    if tag == 0x03:
        name = r.name("an export name")
        return ir.CoreExportDecl(offset, name, read_core_extern_desc(r))
    raise r.bad_byte(tag, "type definition")


def read_core_type(r: Reader) -> ir.CoreTypeDef:
    """``core:type``; 0x50 is a module type here, a non-final sub type needs a 0x00 prefix."""
    offset = r.pos
    byte = r.peek("a core type")
    if byte == 0x00:
        r.u8()
        nxt = r.peek("a non-final sub type")
        if nxt != 0x50:
            r.u8()
            raise r.bad_byte(nxt, "non-final sub type")
        return read_rec_group(r)
    if byte == 0x50:
        r.u8()
        decls = r.vec(MAX_WASM_MODULE_TYPE_DECLS, "module type declaration", _read_module_decl)
        return ir.CoreModuleTypeDef(offset, decls)
    return read_rec_group(r)


def read_core_type_section(r: Reader, offset: int) -> ir.CoreTypeSection:
    return ir.CoreTypeSection(offset, r.vec(MAX_WASM_TYPES, "core types", read_core_type))


# --------------------------------------------------------------------------- component types


def _labelled(r: Reader) -> tuple[str, ir.ValTypeRef]:
    return r.name("a label"), read_valtype(r)


def _case(r: Reader) -> tuple[str, ir.ValTypeRef | None]:
    name = r.name("a case label")
    ty = read_optional_valtype(r)
    zero = r.u8("a case's trailing zero byte")
    if zero != 0x00:
        raise r.bad_byte(zero, "zero byte required")
    return name, ty


def _label(r: Reader) -> str:
    return r.name("a label")


def read_resultlist(r: Reader) -> ir.ValTypeRef | None:
    tag = r.u8("a function result")
    if tag == 0x00:
        return read_valtype(r)
    if tag == 0x01:
        zero = r.u8("the number of results")
        if zero != 0x00:
            raise r.bad_byte(zero, "number of results")
        return None
    raise r.bad_byte(tag, "component function results")


def _read_defvaltype(r: Reader, byte: int, offset: int) -> ir.DefValType:
    if byte == RECORD:
        return ir.RecordDef(offset, r.vec(MAX_WASM_RECORD_FIELDS, "record field", _labelled))
    if byte == VARIANT:
        return ir.VariantDef(offset, r.vec(MAX_WASM_VARIANT_CASES, "variant cases", _case))
    if byte == LIST:
        return ir.ListDef(offset, read_valtype(r))
    if byte == FIXED_LIST:
        element = read_valtype(r)
        return ir.ListDef(offset, element, r.u32("a fixed list length"))
    if byte == TUPLE:
        return ir.TupleDef(offset, r.vec(MAX_WASM_TUPLE_TYPES, "tuple types", read_valtype))
    if byte == FLAGS:
        return ir.FlagsDef(offset, r.vec(MAX_WASM_FLAG_NAMES, "flag names", _label))
    if byte == ENUM:
        return ir.EnumDef(offset, r.vec(MAX_WASM_ENUM_CASES, "enum cases", _label))
    if byte == OPTION:
        return ir.OptionDef(offset, read_valtype(r))
    if byte == RESULT:
        ok = read_optional_valtype(r)
        return ir.ResultDef(offset, ok, read_optional_valtype(r))
    if byte == OWN:
        return ir.OwnDef(offset, r.u32("a resource type index"))
    if byte == BORROW:
        return ir.BorrowDef(offset, r.u32("a resource type index"))
    if byte == STREAM:
        return ir.StreamDef(offset, read_optional_valtype(r))
    if byte == FUTURE:
        return ir.FutureDef(offset, read_optional_valtype(r))
    if byte == MAP:
        key = read_valtype(r)
        return ir.MapDef(offset, key, read_valtype(r))
    raise r.bad_byte(byte, "component defined type", offset)


def _read_instance_decl(r: Reader, depth: int) -> ir.InstanceDecl:
    offset = r.pos
    tag = r.u8("an instance type declaration")
    if tag == DECL_CORE_TYPE:
        return ir.CoreTypeDecl(offset, read_core_type(r))
    if tag == DECL_TYPE:
        return ir.TypeDecl(offset, read_type(r, depth))
    if tag == DECL_ALIAS:
        return read_alias(r)
    if tag == DECL_EXPORT:
        name = read_extern_name(r)
        return ir.ExportDecl(offset, name, read_extern_desc(r))
    raise r.bad_byte(tag, "component or instance type declaration")


def _read_component_decl(r: Reader, depth: int) -> ir.ComponentDecl:
    if r.peek("a component type declaration") == DECL_IMPORT:
        offset = r.pos
        r.u8()
        name = read_extern_name(r)
        return ir.ImportDecl(offset, name, read_extern_desc(r))
    return _read_instance_decl(r, depth)


def read_type(r: Reader, depth: int = 0) -> ir.TypeDef:
    """``type`` (a ``deftype``); ``depth`` counts enclosing component/instance types."""
    offset = r.pos
    byte = r.u8("a component type")
    if byte == RESOURCE:
        rep = read_core_valtype(r)
        flag = r.u8("a resource destructor")
        if flag == 0x00:
            return ir.ResourceDef(offset, rep, None)
        if flag == 0x01:
            return ir.ResourceDef(offset, rep, r.u32("a destructor function index"))
        raise r.bad_byte(flag, "resource destructor")
    if byte in (FUNC_TYPE, ASYNC_FUNC_TYPE):
        params = r.vec(MAX_WASM_FUNCTION_PARAMS, "component function parameters", _labelled)
        return ir.FuncDef(offset, params, read_resultlist(r), byte == ASYNC_FUNC_TYPE)
    if byte in (COMPONENT_TYPE, INSTANCE_TYPE):
        if depth >= MAX_NESTING_DEPTH:
            raise BinaryError("component type nesting is too deep", offset + 1)
        if byte == COMPONENT_TYPE:
            n = r.count(MAX_WASM_COMPONENT_TYPE_DECLS, "component type declaration")
            cdecls = tuple(_read_component_decl(r, depth + 1) for _ in range(n))
            return ir.ComponentTypeDef(offset, cdecls)
        n = r.count(MAX_WASM_INSTANCE_TYPE_DECLS, "instance type declaration")
        idecls = tuple(_read_instance_decl(r, depth + 1) for _ in range(n))
        return ir.InstanceTypeDef(offset, idecls)
    prim = PRIM_BYTES.get(byte)
    if prim is not None:
        return ir.PrimDef(offset, prim)
    return _read_defvaltype(r, byte, offset)


def read_type_section(r: Reader, offset: int) -> ir.TypeSection:
    return ir.TypeSection(offset, r.vec(MAX_WASM_TYPES, "types", read_type))
