"""Type definitions (Binary.md "Type Definitions"): ``core:type``, ``defvaltype``, ``functype``,
``resourcetype``, and the ``componenttype``/``instancetype`` whose declarations open a scope.

Each definition resolves the indices it names in the current scope and becomes a
``witkit.types`` object pushed on the scope's type index space (core types on
the core one).  The rules are wasmparser's (``create_defined_type``,
``create_function_type``, ``create_resource_type``...), with its messages: labels
are kebab-case and unique (case-insensitive where ``hyphen_insensitive_names``
says so), the optional value types need their feature, a type may not nest
deeper or grow larger than ``witkit.binary.limits`` allows.  A component or
instance type is validated as a nested ``Scope`` of its declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from witkit import types as wt
from witkit.abi.layout import size_and_alignment
from witkit.abi.limits import MAX_ELEM_SIZE, MAX_FLAGS
from witkit.binary import ir
from witkit.binary.limits import (
    MAX_WASM_COMPONENT_TYPE_DEPTH,
    MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS,
    MAX_WASM_TYPES,
)
from witkit.binary.validate.context import fail
from witkit.binary.validate.core import module_type_from_decls, sub_type
from witkit.binary.validate.externs import add_export, add_import, check_type_ref
from witkit.binary.validate.instances import add_alias
from witkit.binary.validate.names import canonical_label, is_kebab
from witkit.binary.validate.scope import Kind, Scope, check_max

__all__ = ["add_core_type", "add_type", "create_defined_type", "create_function_type"]

_R = TypeVar("_R")
_V = TypeVar("_V")

#: Explainer.md ``keytype``: written inline (wasm-tools rejects a type index, even of a primitive)
_MAP_KEYS = frozenset(
    ("bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "char", "string")
)


def _kebab(name: str, what: str, offset: int) -> None:
    if is_kebab(name):
        return
    if not name:
        raise fail(f"{what} name cannot be empty", offset)
    raise fail(f"{what} name `{name}` is not in kebab case", offset)


class _Labels:
    """The labels of one record, variant, flags, enum or parameter list: kebab-case and unique.

    ``what`` and ``short`` name the label in wasmparser's messages ("record field
    name `a` conflicts with previous field name `A`").  ``kebab`` and ``unique``
    are separate steps because wasmparser resolves a field's type between them
    (a record field) or after both (a parameter), and the first error wins.
    """

    __slots__ = ("hyphen", "offset", "seen", "short", "what")

    def __init__(self, scope: Scope, what: str, short: str, offset: int) -> None:
        self.what = what
        self.short = short
        self.offset = offset
        self.hyphen = scope.features.hyphen_insensitive_names
        self.seen: dict[str, str] = {}

    def kebab(self, name: str) -> None:
        _kebab(name, self.what, self.offset)

    def unique(self, name: str) -> None:
        key = canonical_label(name, self.hyphen)
        prev = self.seen.get(key)
        if prev is not None:
            raise fail(
                f"{self.what} name `{name}` conflicts with previous {self.short} name `{prev}`",
                self.offset,
            )
        self.seen[key] = name

    def typed(
        self, items: tuple[tuple[str, _R], ...], resolve: Callable[[_R, int], _V]
    ) -> tuple[tuple[str, _V], ...]:
        """Record fields or variant cases: each label checked, its type resolved in between."""
        out = []
        for name, ref in items:
            self.kebab(name)
            ty = resolve(ref, self.offset)
            self.unique(name)
            out.append((name, ty))
        return tuple(out)


def create_defined_type(scope: Scope, d: ir.DefValType) -> wt.DefinedType:
    """A ``defvaltype``, its indices resolved in ``scope``."""
    offset = d.offset
    f = scope.features
    if isinstance(d, ir.PrimDef):
        scope.valtype(d.prim, offset)
        return wt.PrimType(d.prim)
    if isinstance(d, ir.RecordDef):
        if not d.fields:
            raise fail("record type must have at least one field", offset)
        labels = _Labels(scope, "record field", "field", offset)
        return wt.RecordType(labels.typed(d.fields, scope.valtype))
    if isinstance(d, ir.VariantDef):
        if not d.cases:
            raise fail("variant type must have at least one case", offset)
        labels = _Labels(scope, "variant case", "case", offset)
        return wt.VariantType(labels.typed(d.cases, scope.opt_valtype))
    if isinstance(d, ir.ListDef):
        if d.length is None:
            return wt.ListType(scope.valtype(d.element, offset))
        scope.require(
            f.cm_fixed_length_lists,
            "Fixed-length lists require the component model fixed-length lists feature",
            offset,
        )
        if d.length < 1:
            raise fail("Fixed-length lists must have more than zero elements", offset)
        if d.length > MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS:
            raise fail(
                "fixed-length list element count exceeds limit of "
                f"{MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS}",
                offset,
            )
        return wt.ListType(scope.valtype(d.element, offset), d.length)
    if isinstance(d, ir.TupleDef):
        if not d.types:
            raise fail("tuple type must have at least one type", offset)
        return wt.TupleType(tuple(scope.valtype(t, offset) for t in d.types))
    if isinstance(d, ir.FlagsDef):
        if not d.names:
            raise fail("flags must have at least one entry", offset)
        if len(d.names) > MAX_FLAGS:
            raise fail(f"cannot have more than {MAX_FLAGS} flags", offset)
        _names(_Labels(scope, "flag", "flag", offset), d.names)
        return wt.FlagsType(d.names)
    if isinstance(d, ir.EnumDef):
        if not d.names:
            raise fail("enum type must have at least one variant", offset)
        _names(_Labels(scope, "enum tag", "tag", offset), d.names)
        return wt.EnumType(d.names)
    if isinstance(d, ir.OptionDef):
        return wt.OptionType(scope.valtype(d.value, offset))
    if isinstance(d, ir.ResultDef):
        ok = scope.opt_valtype(d.ok, offset)
        return wt.ResultType(ok, scope.opt_valtype(d.err, offset))
    if isinstance(d, ir.OwnDef):
        return wt.OwnType(scope.resource_at(d.index, offset))
    if isinstance(d, ir.BorrowDef):
        return wt.BorrowType(scope.resource_at(d.index, offset))
    if isinstance(d, ir.FutureDef):
        scope.require(f.cm_async, "`future` requires the component model async feature", offset)
        value = _payload(scope, d.value, "future", offset)
        return wt.FutureType(value)
    if isinstance(d, ir.StreamDef):
        scope.require(f.cm_async, "`stream` requires the component model async feature", offset)
        el = _payload(scope, d.element, "stream", offset)
        prim = el.prim if isinstance(el, wt.PrimType) else el
        if prim == "char":
            raise fail(
                "`stream<char>` is not valid at this time, use `stream<u8>` with a defined "
                "by encoding instead for now",
                offset,
            )
        return wt.StreamType(el)
    scope.require(f.cm_map, "Maps require the component model map feature", offset)
    key = scope.valtype(d.key, offset)
    if key not in _MAP_KEYS:
        raise fail("invalid map key type", offset)
    return wt.MapType(key, scope.valtype(d.value, offset))


def _names(labels: _Labels, names: tuple[str, ...]) -> None:
    for name in names:
        labels.kebab(name)
        labels.unique(name)


def _payload(scope: Scope, ref: ir.ValTypeRef | None, what: str, offset: int) -> wt.ValType | None:
    """The payload of a ``future`` or ``stream``: no ``borrow`` may cross an async boundary."""
    value = scope.opt_valtype(ref, offset)
    if value is not None and scope.ctx.info(value, offset).borrow:
        raise fail(f"`{what}` payload cannot contain a `borrow` type", offset)
    return value


def create_function_type(scope: Scope, d: ir.FuncDef) -> wt.FuncType:
    """A ``functype``: unique kebab-case parameter names, no ``borrow`` in the result."""
    offset = d.offset
    if d.is_async:
        scope.require(
            scope.features.cm_async,
            "async component functions require the component model async feature",
            offset,
        )
    labels = _Labels(scope, "function parameter", "parameter", offset)
    params = []
    for name, ref in d.params:
        labels.kebab(name)
        labels.unique(name)
        params.append((name, scope.valtype(ref, offset)))
    result = scope.opt_valtype(d.result, offset)
    if result is not None and scope.ctx.info(result, offset).borrow:
        raise fail("function result cannot contain a `borrow` type", offset)
    ft = wt.FuncType(tuple(params), result, d.is_async)
    scope.ctx.info(ft, offset)
    return ft


def _resource_type(scope: Scope, d: ir.ResourceDef) -> wt.ResourceType:
    """A ``resourcetype``: only a concrete component defines one; its rep and destructor."""
    offset = d.offset
    if scope.kind != "component":
        raise fail("resources can only be defined within a concrete component", offset)
    if d.rep == "i64":
        scope.require(
            scope.features.cm64,
            "resources with `i64` require the `cm64` feature to be enabled",
            offset,
        )
    elif d.rep != "i32":
        raise fail("resources can only be represented by `i32` or `i64`", offset)
    if d.dtor is not None:
        dtor = scope.core_function_at(d.dtor, offset)
        if dtor.params != (d.rep,) or dtor.results:
            raise fail(f"core function {d.dtor} has wrong signature for a destructor", offset)
    res = wt.ResourceType(None, True, d.rep, d.dtor)
    scope.defined_resources[id(res)] = (res, d.rep)
    return res


def add_type(stack: list[Scope], d: ir.TypeDef) -> None:
    """A ``type`` definition of the innermost scope of ``stack``."""
    scope = stack[-1]
    offset = d.offset
    scope.origin = d
    ty: wt.AnyType
    if isinstance(d, ir.FuncDef):
        ty = create_function_type(scope, d)
    elif isinstance(d, ir.ComponentTypeDef):
        ty = _create_component_type(stack, d)
    elif isinstance(d, ir.InstanceTypeDef):
        ty = _create_instance_type(stack, d)
    elif isinstance(d, ir.ResourceDef):
        ty = _resource_type(scope, d)
    else:
        ty = create_defined_type(scope, d)
        if scope.ctx.info(ty, offset).depth > MAX_WASM_COMPONENT_TYPE_DEPTH:
            raise fail("type nesting is too deep", offset)
        if size_and_alignment(ty, "i64", scope.ctx.sizes)[0] >= MAX_ELEM_SIZE:
            raise fail("value type's maximum in-memory size exceeds maximum byte size", offset)
    scope.origin = d
    check_max(scope.type_count(), 1, MAX_WASM_TYPES, "types", offset)
    scope.push("types", ty)


def add_core_type(stack: list[Scope], ty: ir.CoreTypeDef) -> None:
    """A ``core:type`` definition: a rec group, or a module type of its own declarations."""
    scope = stack[-1]
    check_max(scope.type_count(), 1, MAX_WASM_TYPES, "types", ty.offset)
    scope.origin = ty
    if isinstance(ty, ir.CoreRecGroup):
        base = len(scope.core_types)
        for sub in ty.types:
            for sup in sub.supertypes:
                if sup >= base + len(ty.types):
                    raise fail(f"unknown type {sup}: type index out of bounds", sub.offset)
            scope.push("core_types", sub_type(sub))
        return
    outer = [s.core_types for s in stack]
    scope.push("core_types", module_type_from_decls(ty, outer, scope.ctx))


# ====================================================================== component and instance types


def _type_decls(stack: list[Scope], decls: tuple[Any, ...]) -> None:
    scope = stack[-1]
    for decl in decls:
        if isinstance(decl, ir.CoreTypeDecl):
            add_core_type(stack, decl.ty)
        elif isinstance(decl, ir.TypeDecl):
            add_type(stack, decl.ty)
        elif isinstance(decl, ir.ExportDecl):
            ty = check_type_ref(scope, decl.desc, decl.offset)
            add_export(scope, decl.name, ty, decl.offset)
        elif isinstance(decl, ir.ImportDecl):
            add_import(scope, decl)
        else:
            add_alias(stack, decl)


def _nested(stack: list[Scope], kind: Kind, decls: tuple[Any, ...]) -> Scope:
    """A scope for the declarations of a component or instance type, validated."""
    scope = Scope(kind, stack[-1].ctx)
    stack.append(scope)
    try:
        _type_decls(stack, decls)
    finally:
        stack.pop()
    return scope


def _create_instance_type(stack: list[Scope], d: ir.InstanceTypeDef) -> wt.InstanceType:
    scope = _nested(stack, "instance-type", d.decls)
    ty = wt.InstanceType(dict(scope.exports))
    meta = scope.ctx.meta(ty)
    meta.defined = [
        (r, scope.explicit_resources[k][1]) for k, (r, _) in scope.defined_resources.items()
    ]
    meta.explicit = dict(scope.explicit_resources)
    scope.ctx.info(ty, d.offset)
    return ty


def _create_component_type(stack: list[Scope], d: ir.ComponentTypeDef) -> wt.ComponentType:
    return _nested(stack, "component-type", d.decls).finish(d.offset)
