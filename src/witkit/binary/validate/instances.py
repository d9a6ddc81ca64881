"""Instances and aliases (Binary.md "Instance Definitions" and "Alias Definitions").

A core instance instantiates a core module with core instances as its named
arguments (each import must be satisfied by a subtype), or bundles core items
as exports.  A component instance instantiates a component type: the arguments
must satisfy its imports (``Subtyper.open_instance_type``), which fixes the
resources it imports, and the resources it defines become fresh ones of this
scope.  An alias brings an export of an instance, or an item of an enclosing
scope, into the current index space; in a component or instance type only
types and instances may be aliased, and an outer alias may not reach resources
its component does not define.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from witkit import types as wt
from witkit.binary import ir
from witkit.binary.limits import (
    MAX_CORE_INDEX_SPACE_ITEMS,
    MAX_WASM_COMPONENTS,
    MAX_WASM_FUNCTIONS,
    MAX_WASM_MODULES,
    MAX_WASM_TYPES,
)
from witkit.binary.validate.context import Path, fail
from witkit.binary.validate.core import entity_subtype
from witkit.binary.validate.externs import add_entity, add_extern, sort_item
from witkit.binary.validate.resources import free_resources, fresh_instance
from witkit.binary.validate.scope import ResourceNames, Scope, check_max
from witkit.binary.validate.subtype import context, extern_desc
from witkit.errors import ValidationError

__all__ = ["add_alias", "add_core_instance", "add_instance"]

_A = TypeVar("_A", ir.CoreInstantiateArg, ir.InstantiateArg)
_T = TypeVar("_T")

#: core export alias sort -> (index space, type class, description, limit, plural)
_CORE_ALIAS_SPACES: dict[str, tuple[str, type, str, int, str]] = {
    "core func": ("core_funcs", wt.CoreFuncType, "function", MAX_WASM_FUNCTIONS, "functions"),
    "core table": ("core_tables", wt.TableType, "table", MAX_CORE_INDEX_SPACE_ITEMS, "tables"),
    "core memory": (
        "core_memories",
        wt.MemoryType,
        "memory",
        MAX_CORE_INDEX_SPACE_ITEMS,
        "memories",
    ),
    "core global": ("core_globals", wt.GlobalType, "global", MAX_CORE_INDEX_SPACE_ITEMS, "globals"),
    "core tag": ("core_tags", wt.TagType, "tag", MAX_CORE_INDEX_SPACE_ITEMS, "tags"),
}

#: alias sort -> what ``extern_desc`` calls an item of that sort
_SORT_DESC = {
    "core module": "module",
    "func": "func",
    "value": "value",
    "type": "type",
    "component": "component",
    "instance": "instance",
}

#: outer alias sort -> (index space, limit, plural); types count with core types
_OUTER_SPACES: dict[str, tuple[str, int, str]] = {
    "core module": ("core_modules", MAX_WASM_MODULES, "modules"),
    "component": ("components", MAX_WASM_COMPONENTS, "components"),
    "core type": ("core_types", MAX_WASM_TYPES, "types"),
    "type": ("types", MAX_WASM_TYPES, "types"),
}


# ====================================================================== core instances


def _named_args(
    args: tuple[_A, ...], resolve: Callable[[_A], _T], duplicate: str, offset: int
) -> dict[str, _T]:
    """Instantiation arguments by name, each resolved; a name twice is ``duplicate``'s error."""
    out: dict[str, _T] = {}
    for arg in args:
        ty = resolve(arg)
        name = arg.name
        if name in out:
            raise fail(duplicate.format(name), offset)
        out[name] = ty
    return out


def add_core_instance(scope: Scope, inst: ir.CoreInstance) -> None:
    scope.origin = inst
    if isinstance(inst, ir.CoreInstantiate):
        ty = _instantiate_core_module(scope, inst)
    else:
        ty = _instantiate_core_exports(scope, inst)
    scope.push("core_instances", ty)


def _instantiate_core_module(scope: Scope, inst: ir.CoreInstantiate) -> wt.CoreInstanceType:
    offset = inst.offset
    module = scope.module_at(inst.module, offset)
    args = _named_args(
        inst.args,
        lambda arg: scope.core_instance_at(arg.index, offset),
        "duplicate module instantiation argument named `{0}`",
        offset,
    )
    for mod_name, name, expected in module.imports:
        supplied = args.get(mod_name)
        if supplied is None:
            raise fail(f"missing module instantiation argument named `{mod_name}`", offset)
        actual = supplied.exports.get(name)
        if actual is None:
            raise fail(
                f"module instantiation argument `{mod_name}` does not export an item "
                f"named `{name}`",
                offset,
            )
        try:
            entity_subtype(actual, expected, offset)
        except ValidationError as exc:
            raise context(
                exc,
                f"type mismatch for export `{name}` of module instantiation argument `{mod_name}`",
            ) from None
    return wt.CoreInstanceType(dict(module.exports))


def _instantiate_core_exports(scope: Scope, inst: ir.CoreInlineExports) -> wt.CoreInstanceType:
    offset = inst.offset
    exports: dict[str, wt.CoreExtern] = {}
    for exp in inst.exports:
        ty: wt.CoreExtern
        if exp.sort == "core func":
            ty = scope.core_function_at(exp.index, offset)
        elif exp.sort == "core table":
            ty = scope.table_at(exp.index, offset)
        elif exp.sort == "core memory":
            ty = scope.memory_at(exp.index, offset)
        elif exp.sort == "core global":
            ty = scope.global_at(exp.index, offset)
        else:
            scope.require(scope.features.exceptions, "exceptions proposal not enabled", offset)
            ty = scope.tag_at(exp.index, offset)
        if exp.name in exports:
            raise fail(f"duplicate instantiation export name `{exp.name}` already defined", offset)
        exports[exp.name] = ty
    return wt.CoreInstanceType(exports)


# ====================================================================== component instances


def add_instance(scope: Scope, inst: ir.Instance) -> None:
    scope.origin = inst
    if isinstance(inst, ir.Instantiate):
        ty = _instantiate_component(scope, inst)
    else:
        ty = _instantiate_component_exports(scope, inst)
    scope.push("instances", ty)


def _instantiate_component(scope: Scope, inst: ir.Instantiate) -> wt.InstanceType:
    offset = inst.offset
    ctype = scope.component_at(inst.component, offset)
    args = _named_args(
        inst.args,
        lambda arg: sort_item(scope, arg.sort, arg.index, offset),
        "instantiation argument `{0}` conflicts with previous argument `{0}`",
        offset,
    )
    mapping = scope.subtyper.open_instance_type(args, ctype, "import", offset)
    meta = scope.ctx.meta(ctype)
    new_ty, fresh = fresh_instance(scope.ctx, mapping, meta, ctype.exports)
    for r in fresh:
        scope.defined_resources[id(r)] = (r, None)
    scope.ctx.info(new_ty, offset)
    return new_ty


def _instantiate_component_exports(scope: Scope, inst: ir.InlineExports) -> wt.InstanceType:
    offset = inst.offset
    items: dict[str, wt.ExternItem] = {}
    keys: dict[tuple[str, ...], str] = {}
    explicit: dict[int, tuple[wt.ResourceType, Path]] = {}
    names = ResourceNames()
    for exp in inst.exports:
        ty = sort_item(scope, exp.sort, exp.index, offset)
        if isinstance(ty, wt.InstanceType):
            for r, path in scope.ctx.meta(ty).explicit.values():
                explicit[id(wt.root(r))] = (r, (len(items), *path))
        elif isinstance(ty, wt.TypeExtern) and isinstance(ty.created, wt.ResourceType):
            explicit[id(wt.root(ty.created))] = (ty.created, (len(items),))
        add_extern(scope.ctx, exp.name, "export", ty, offset, names, keys, items)
    new_ty = wt.InstanceType(items)
    scope.ctx.meta(new_ty).explicit.update(explicit)
    return new_ty


# ====================================================================== aliases


def add_alias(stack: list[Scope], alias: ir.Alias) -> None:
    """An ``alias`` definition of the innermost scope of ``stack``."""
    scope = stack[-1]
    offset = alias.offset
    scope.origin = alias
    if scope.kind != "component":
        ok = (alias.target == "export" and alias.sort in ("type", "instance")) or (
            alias.target == "outer" and alias.sort in ("type", "core type")
        )
        if not ok:
            raise fail(
                "aliases in a component or instance type may only refer to types or instances",
                offset,
            )
    if alias.target == "export":
        _alias_instance_export(scope, alias)
    elif alias.target == "core export":
        _alias_core_instance_export(scope, alias)
    else:
        _alias_outer(stack, alias)


def _alias_core_instance_export(scope: Scope, alias: ir.Alias) -> None:
    offset = alias.offset
    instance = scope.core_instance_at(alias.instance, offset)
    sort = alias.sort
    space, cls, desc, limit, what = _CORE_ALIAS_SPACES[sort]
    if sort == "core tag":
        scope.require(scope.features.exceptions, "exceptions proposal not enabled", offset)
    current = scope.function_count() if sort == "core func" else len(getattr(scope, space))
    check_max(current, 1, limit, what, offset)
    export = instance.exports.get(alias.name)
    if export is None:
        raise fail(f"core instance {alias.instance} has no export named `{alias.name}`", offset)
    if not isinstance(export, cls):
        raise fail(
            f"export `{alias.name}` for core instance {alias.instance} is not a {desc}", offset
        )
    scope.push(space, export)


def _alias_instance_export(scope: Scope, alias: ir.Alias) -> None:
    offset = alias.offset
    if alias.sort == "value":
        scope.check_value_support(offset)
    instance = scope.instance_at(alias.instance, offset)
    item = instance.exports.get(alias.name)
    if item is None:
        raise fail(f"instance {alias.instance} has no export named `{alias.name}`", offset)
    ty = item.ty
    if extern_desc(ty) != _SORT_DESC.get(alias.sort):
        raise fail(
            f"export `{alias.name}` for instance {alias.instance} is not a "
            f"{_SORT_DESC.get(alias.sort, alias.sort)}",
            offset,
        )
    add_entity(scope, ty, None, None, offset)


def _alias_outer(stack: list[Scope], alias: ir.Alias) -> None:
    offset = alias.offset
    if alias.count >= len(stack):
        raise fail(f"invalid outer alias count of {alias.count}", offset)
    target = stack[len(stack) - alias.count - 1]
    current = stack[-1]
    idx = alias.index
    space, limit, what = _OUTER_SPACES.get(alias.sort, _OUTER_SPACES["type"])
    ty: object
    if alias.sort == "core module":
        ty = target.module_at(idx, offset)
    elif alias.sort == "component":
        ty = target.component_at(idx, offset)
    elif alias.sort == "core type":
        ty = target.core_type_at(idx, offset)
    else:
        ty = target.type_at(idx, offset)
        pos = len(stack) - alias.count
        if alias.count > 0 and pos < len(stack) and stack[pos].kind == "component":
            free: dict[int, wt.ResourceType] = {}
            free_resources(current.ctx, ty, free)
            if free:
                raise fail(
                    "cannot alias outer type which transitively refers to resources not "
                    "defined in the current component",
                    offset,
                )
    length = current.type_count() if what == "types" else len(getattr(current, space))
    check_max(length, 1, limit, what, offset)
    current.push(space, ty)
