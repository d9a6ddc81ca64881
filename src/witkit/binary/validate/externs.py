"""Imports and exports (Binary.md "Import and Export Definitions", Explainer.md "Import and
Export Definitions"): ``externtype``s resolved, items entered in their index space, extern
names checked.

An import or export is an item of the type the current scope defines, so it is
where the resource bookkeeping happens: an imported instance type gets fresh
resources, an exported one makes this scope their definer, and every type an
import or export mentions must itself have been imported or exported by name
(wasmparser's ``validate_and_register_named_types``).  Names follow
``validate/names.py``'s grammar and are unique in their strong (case and
version-insensitive) form; ``[constructor]``/``[method]``/``[static]`` names
must fit the function's type and name a resource of the scope.
"""

from __future__ import annotations

from witkit import types as wt
from witkit.binary import ir
from witkit.binary.limits import (
    MAX_WASM_COMPONENTS,
    MAX_WASM_EXPORTS,
    MAX_WASM_FUNCTIONS,
    MAX_WASM_INSTANCES,
    MAX_WASM_MODULES,
    MAX_WASM_TYPES,
    MAX_WASM_VALUES,
)
from witkit.binary.validate.context import Ctx, fail
from witkit.binary.validate.names import NameError_, ParsedName, check_semver, parse_name
from witkit.binary.validate.resources import Remap, all_named, fresh_instance, named_value
from witkit.binary.validate.scope import ExternKind, ResourceNames, Scope, check_max
from witkit.binary.validate.subtype import context, extern_desc
from witkit.errors import ValidationError
from witkit.semver import canonical_version

__all__ = [
    "add_entity",
    "add_export",
    "add_extern",
    "add_import",
    "check_type_ref",
    "export_to_entity_type",
    "sort_item",
]


def check_type_ref(scope: Scope, desc: ir.ExternDesc, offset: int) -> wt.ExternType:
    """Resolve an ``externtype`` (a ``type`` without a bound is a fresh resource)."""
    sort = desc.sort
    index = desc.index
    if sort == "core module":
        assert index is not None
        core = scope.core_type_at(index, offset)
        if not isinstance(core, wt.ModuleType):
            raise fail(f"core type index {index} is not a module type", offset)
        return core
    if sort == "func":
        assert index is not None
        return scope.func_type_at(index, offset)
    if sort == "value":
        scope.check_value_support(offset)
        assert desc.valtype is not None
        return wt.ValueExtern(scope.valtype(desc.valtype, offset))
    if sort == "type":
        if index is None:
            res = wt.ResourceType()
            return wt.TypeExtern(res, res)
        referenced = scope.type_at(index, offset)
        return wt.TypeExtern(referenced, scope.ctx.alias(referenced))
    assert index is not None
    ty = scope.type_at(index, offset)
    if sort == "instance":
        if not isinstance(ty, wt.InstanceType):
            raise fail(f"type index {index} is not an instance type", offset)
        return ty
    if not isinstance(ty, wt.ComponentType):
        raise fail(f"type index {index} is not a component type", offset)
    return ty


def sort_item(scope: Scope, sort: str, index: int, offset: int) -> wt.ExternType:
    """The item at ``index`` of ``sort``'s index space, as an extern type (a value is used up).

    A type stands for itself (``TypeExtern(t, t)``); an export that names a type
    makes an alias of it instead (``export_to_entity_type``).
    """
    if sort == "core module":
        return scope.module_at(index, offset)
    if sort == "component":
        return scope.component_at(index, offset)
    if sort == "instance":
        return scope.instance_at(index, offset)
    if sort == "func":
        return scope.function_at(index, offset)
    if sort == "value":
        scope.check_value_support(offset)
        return wt.ValueExtern(scope.value_at(index, offset))
    ty = scope.type_at(index, offset)
    return wt.TypeExtern(ty, ty)


def add_import(scope: Scope, imp: ir.Import | ir.ImportDecl) -> None:
    scope.origin = imp
    ty = check_type_ref(scope, imp.desc, imp.offset)
    ty = add_entity(scope, ty, imp.name.name, "import", imp.offset)
    add_extern(
        scope.ctx,
        imp.name,
        "import",
        ty,
        imp.offset,
        scope.import_resource_names,
        scope.import_keys,
        scope.imports,
    )


def add_export(scope: Scope, name: ir.ExternName, ty: wt.ExternType, offset: int) -> None:
    check_max(len(scope.exports), 1, MAX_WASM_EXPORTS, "exports", offset)
    ty = add_entity(scope, ty, name.name, "export", offset)
    add_extern(
        scope.ctx,
        name,
        "export",
        ty,
        offset,
        scope.export_resource_names,
        scope.export_keys,
        scope.exports,
    )


def export_to_entity_type(scope: Scope, exp: ir.Export) -> wt.ExternType:
    """The type an ``export`` gives its item: the item's own, or the ascribed one it subtypes."""
    offset = exp.offset
    actual: wt.ExternType
    if exp.sort == "type":
        referenced = scope.type_at(exp.index, offset)
        actual = wt.TypeExtern(referenced, scope.ctx.alias(referenced))
    else:
        actual = sort_item(scope, exp.sort, exp.index, offset)
    if exp.desc is None:
        return actual
    ascribed = check_type_ref(scope, exp.desc, offset)
    try:
        scope.subtyper.entity(actual, ascribed, offset)
    except ValidationError as exc:
        raise context(exc, "ascribed type of export is not compatible with item's type") from None
    return ascribed


def add_entity(
    scope: Scope, ty: wt.ExternType, name: str | None, kind: ExternKind | None, offset: int
) -> wt.ExternType:
    """Put an imported/exported/aliased item in its index space; return its (final) type."""
    if isinstance(ty, wt.ModuleType):
        scope.push("core_modules", ty)
        length, limit, what = len(scope.core_modules), MAX_WASM_MODULES, "modules"
    elif isinstance(ty, wt.ComponentType):
        scope.push("components", ty)
        length, limit, what = len(scope.components), MAX_WASM_COMPONENTS, "components"
    elif isinstance(ty, wt.InstanceType):
        if kind == "import":
            ty = _prepare_instance_import(scope, ty)
        elif kind == "export":
            ty = _prepare_instance_export(scope, ty)
        scope.push("instances", ty)
        length, limit, what = scope.instance_count(), MAX_WASM_INSTANCES, "instances"
    elif isinstance(ty, wt.FuncType):
        scope.push("funcs", ty)
        length, limit, what = scope.function_count(), MAX_WASM_FUNCTIONS, "functions"
    elif isinstance(ty, wt.ValueExtern):
        scope.check_value_support(offset)
        scope.push("values", ty.ty)
        scope.values_used.append(kind == "export")
        length, limit, what = len(scope.values), MAX_WASM_VALUES, "values"
    else:
        created = ty.created
        scope.push("types", created)
        if isinstance(created, wt.ResourceType):
            if name is not None and created.name is None:
                created.name = name
            r = wt.root(created)
            if name is not None and r.name is None:
                r.name = name
            if kind == "import":
                if created is ty.referenced:
                    scope.imported_resources.append((created, (len(scope.imports),)))
            elif kind == "export":
                if created is ty.referenced:
                    scope.defined_resources[id(r)] = (r, None)
                scope.explicit_resources[id(r)] = (created, (len(scope.exports),))
        length, limit, what = len(scope.types), MAX_WASM_TYPES, "types"
    if length > limit:
        raise fail(f"{what} count exceeds limit of {limit}", offset)
    if kind is not None:
        # the type of this component (or instance/component type) grows by this item:
        # check its size now, as wasmparser does, not only at the end, so that a
        # component cannot make every later item pay for a type already too big
        scope.type_info = scope.type_info.combine(scope.ctx.info(ty, offset), offset)
    if kind is not None and not _register_named_types(scope, name, kind, ty):
        raise fail(f"{extern_desc(ty)} not valid to be used as {kind}", offset)
    return ty


def _register_named_types(
    scope: Scope, name: str | None, kind: ExternKind, ty: wt.ExternType
) -> bool:
    """wasmparser's ``validate_and_register_named_types``."""
    created = ty.created if isinstance(ty, wt.TypeExtern) else None
    if name is not None and isinstance(created, wt.ResourceType):
        names = scope.import_resource_names if kind == "import" else scope.export_resource_names
        names.register(name, created)
    if scope.kind == "instance-type":
        return True
    named = scope.imported_types if kind == "import" else scope.exported_types
    if isinstance(ty, wt.TypeExtern):
        if not all_named(ty.referenced, named):
            return False
        scope._keep.append(ty.created)
        if kind == "import":
            scope.imported_types.add(id(ty.created))
        scope.exported_types.add(id(ty.created))
        return True
    if isinstance(ty, wt.InstanceType):
        return all(_register_named_types(scope, None, kind, i.ty) for i in ty.exports.values())
    if isinstance(ty, wt.FuncType):
        return all_named(ty, named)
    if isinstance(ty, wt.ValueExtern):
        return named_value(ty.ty, named)
    return True


def _prepare_instance_import(scope: Scope, ty: wt.InstanceType) -> wt.InstanceType:
    """Importing an instance type gives its declared resources fresh identities."""
    meta = scope.ctx.meta(ty)
    if not meta.defined:
        return ty
    new_ty, fresh = fresh_instance(scope.ctx, Remap(scope.ctx), meta, ty.exports)
    for new, (old, _) in zip(fresh, meta.defined, strict=True):
        path = meta.explicit[id(wt.root(old))][1]
        scope.imported_resources.append((new, (len(scope.imports), *path)))
    scope.ctx.set_info(new_ty, scope.ctx.info(ty))
    return new_ty


def _prepare_instance_export(scope: Scope, ty: wt.InstanceType) -> wt.InstanceType:
    """Exporting an instance (type) makes this scope define its resources."""
    meta = scope.ctx.meta(ty)
    if meta.defined:
        new_ty, fresh = fresh_instance(scope.ctx, Remap(scope.ctx), meta, ty.exports)
        for new in fresh:
            scope.defined_resources[id(new)] = (new, None)
        scope.ctx.set_info(new_ty, scope.ctx.info(ty))
        ty, meta = new_ty, scope.ctx.meta(new_ty)
    for r, path in meta.explicit.values():
        scope.explicit_resources[id(wt.root(r))] = (r, (len(scope.exports), *path))
    return ty


# ====================================================================== extern names


def add_extern(
    ctx: Ctx,
    name: ir.ExternName,
    kind: ExternKind,
    ty: wt.ExternType,
    offset: int,
    resource_names: ResourceNames,
    keys: dict[tuple[str, ...], str],
    items: dict[str, wt.ExternItem],
) -> None:
    """wasmparser's ``validate_extern``: the name's syntax, its rules, its uniqueness."""
    features = ctx.features
    raw = name.name
    implements_version: str | None = None
    if name.form == 0x02 and not (features.cm_implements or features.cm_canon_names):
        raise fail("the `cm-implements` feature is not active", offset)
    try:
        parsed = parse_name(raw, features)
    except NameError_ as exc:
        raise fail(f"{kind} name `{raw}` is not a valid extern name\n{exc}", offset) from None
    if name.implements is not None:
        if not features.cm_implements:
            raise fail("the `cm-implements` feature is not active", offset)
        if parsed.kind != "label":
            raise fail(f"name `{raw}` is not valid with `implements`", offset)
        if not isinstance(ty, wt.InstanceType):
            raise fail("only instances can have an `implements`", offset)
        try:
            implements = parse_name(name.implements, features)
        except NameError_ as exc:
            raise fail(f"`{name.implements}` is not a valid name\n{exc}", offset) from None
        if implements.kind != "interface":
            raise fail(f"name `{name.implements}` must be an interface", offset)
        implements_version = implements.second
    if name.version_suffix is not None:
        if not features.cm_canon_names:
            raise fail("the `cm-canon-names` feature is not active", offset)
        if not isinstance(ty, wt.InstanceType):
            raise fail("only instances can have a `version-suffix`", offset)
        if not name.version_suffix:
            raise fail("version suffix cannot be empty", offset)
        if parsed.kind != "interface":
            if name.implements is None:
                raise fail("`version-suffix` requires an interface name or `implements`", offset)
            _check_version(implements_version, name.version_suffix, offset)
    if name.external_id is not None and not features.cm_implements:
        raise fail("the `cm-implements` feature is not active", offset)
    try:
        _check_name_rules(parsed, name.version_suffix, ty, resource_names, offset)
    except ValidationError as exc:
        raise context(exc, f"{kind} name `{raw}` is not valid") from None
    key = parsed.unique_key(features.hyphen_insensitive_names)
    prev = keys.get(key)
    if prev is not None:
        raise fail(f"{kind} name `{raw}` conflicts with previous name `{prev}`", offset)
    keys[key] = raw
    if raw in items:
        raise fail(f"{kind} name `{raw}` conflicts with previous name `{raw}`", offset)
    items[raw] = wt.ExternItem(ty, name.implements, name.version_suffix, name.external_id)
    ctx.info(ty, offset)


def _check_version(version: str | None, suffix: str, offset: int) -> None:
    """🔗 ``canonversion`` + ``versionsuffix`` must be a semver whose canonical form is the former."""
    if version is None:
        raise fail(
            "invalid interface version: a version suffix requires the name to have a version",
            offset,
        )
    full = version + suffix
    try:
        check_semver(full)
    except NameError_ as exc:
        raise fail(f"invalid interface version: {exc}", offset) from None
    canonical = canonical_version(full)
    if version != canonical:
        raise fail(
            f"invalid interface version: `{version}` is not the canonical version of `{full}`",
            offset,
        )


def _check_name_rules(
    parsed: ParsedName,
    version_suffix: str | None,
    ty: wt.ExternType,
    names: ResourceNames,
    offset: int,
) -> None:
    kind = parsed.kind
    if kind == "interface":
        if version_suffix is not None:
            _check_version(parsed.second, version_suffix, offset)
        elif parsed.second is not None:
            try:
                check_semver(parsed.second)
            except NameError_ as exc:
                raise fail(f"invalid interface version: {exc}", offset) from None
        return
    if kind not in ("constructor", "method", "static"):
        return
    if not isinstance(ty, wt.FuncType):
        raise fail("item is not a func", offset)
    if kind == "constructor":
        if ty.is_async:
            raise fail("constructor function cannot be async", offset)
        if ty.result is None:
            raise fail("function should return one value", offset)
        result = ty.result
        resource: wt.ResourceType | None = None
        if isinstance(result, wt.OwnType):
            resource = result.resource
        elif isinstance(result, wt.ResultType) and isinstance(result.ok, wt.OwnType):
            resource = result.ok.resource
        if resource is None:
            raise fail("function should return `(own $T)` or `(result (own $T))`", offset)
        names.check(resource, parsed.first, offset)
    elif kind == "method":
        if not ty.params:
            raise fail("function should have at least one argument", offset)
        pname, pty = ty.params[0]
        if pname != "self":
            raise fail("function should have a first argument called `self`", offset)
        if not isinstance(pty, wt.BorrowType):
            raise fail("function should take a first argument of `(borrow $T)`", offset)
        names.check(pty.resource, parsed.first, offset)
    elif parsed.first not in names.names:
        raise fail("static resource name is not known in this context", offset)
