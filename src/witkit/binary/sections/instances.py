"""The core instance and instance sections: instantiations and bags of inline exports."""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import CORE_SORTS
from witkit.binary.limits import (
    MAX_WASM_INSTANCES,
    MAX_WASM_INSTANTIATION_ARGS,
    MAX_WASM_INSTANTIATION_EXPORTS,
)
from witkit.binary.reader import Reader
from witkit.binary.sections.imports import read_extern_name
from witkit.binary.sections.sorts import read_extern_kind

__all__ = ["read_core_instance_section", "read_instance_section"]


def _read_core_arg(r: Reader) -> ir.CoreInstantiateArg:
    name = r.name("an instantiation argument name")
    kind = r.u8("an instantiation arg kind")
    if kind != 0x12:
        raise r.bad_byte(kind, "instantiation arg kind")
    return ir.CoreInstantiateArg(name, r.u32("a core instance index"))


def _read_core_inline_export(r: Reader) -> ir.CoreInlineExport:
    name = r.name("an export name")
    byte = r.u8("an external kind")
    sort = CORE_SORTS.get(byte)
    if sort is None or byte >= 0x10:
        raise r.bad_byte(byte, "external kind")
    return ir.CoreInlineExport(name, sort, r.u32("an export index"))


def _read_core_instance(r: Reader) -> ir.CoreInstance:
    offset = r.pos
    tag = r.u8("a core instance")
    if tag == 0x00:
        module = r.u32("a module index")
        args = r.vec(MAX_WASM_INSTANTIATION_ARGS, "core instantiation arguments", _read_core_arg)
        return ir.CoreInstantiate(offset, module, args)
    if tag == 0x01:
        exports = r.vec(
            MAX_WASM_INSTANTIATION_ARGS, "core instantiation arguments", _read_core_inline_export
        )
        return ir.CoreInlineExports(offset, exports)
    raise r.bad_byte(tag, "core instance")


def read_core_instance_section(r: Reader, offset: int) -> ir.CoreInstanceSection:
    return ir.CoreInstanceSection(
        offset, r.vec(MAX_WASM_INSTANCES, "core instances", _read_core_instance)
    )


def _read_arg(r: Reader) -> ir.InstantiateArg:
    name = r.name("an instantiation argument name")
    sort = read_extern_kind(r)
    return ir.InstantiateArg(name, sort, r.u32("an instantiation argument index"))


def _read_inline_export(r: Reader) -> ir.InlineExport:
    name = read_extern_name(r)
    sort = read_extern_kind(r)
    return ir.InlineExport(name, sort, r.u32("an export index"))


def _read_instance(r: Reader) -> ir.Instance:
    offset = r.pos
    tag = r.u8("an instance")
    if tag == 0x00:
        component = r.u32("a component index")
        args = r.vec(MAX_WASM_INSTANTIATION_ARGS, "instantiation arguments", _read_arg)
        return ir.Instantiate(offset, component, args)
    if tag == 0x01:
        exports = r.vec(
            MAX_WASM_INSTANTIATION_EXPORTS, "instantiation exports", _read_inline_export
        )
        return ir.InlineExports(offset, exports)
    raise r.bad_byte(tag, "instance")


def read_instance_section(r: Reader, offset: int) -> ir.InstanceSection:
    return ir.InstanceSection(offset, r.vec(MAX_WASM_INSTANCES, "instances", _read_instance))
