"""Resources as type variables: free variables, substitution ("remapping") and named types.

A resource type is an abstract type; a component or instance *type* that
defines resources is a type with bound variables.  Three operations on types
follow from that (wasmparser's ``free_variables_*``, ``remap_*`` and
``type_named_*``):

* ``free_resources`` -- the resources a type mentions but does not define.
* ``Remap`` -- substitute resources in a type, building new type objects only
  where something changed.  It is how an instance type is *freshened* when it
  is imported (each import gets its own resources), how a component's exports
  are specialised to its instantiation arguments, and how subtyping lines up
  the resources of two component types.  A remapped alias copy stays an alias:
  ``remap(make_alias(t)) is make_alias(remap(t))``, so ``alias_of`` chains that
  the WIT decoder follows keep their shape after freshening.
* ``all_named`` -- every record/variant/enum/flags and every resource a type
  reaches must itself have been imported/exported by name.

Everything here recurses over type structure, bounded by the depth limits
validation enforces when types are created.
"""

from __future__ import annotations

from typing import Any

from witkit import types as wt
from witkit._record import replace
from witkit.binary.validate.context import Ctx, ResourceMeta, value_children

__all__ = ["Remap", "all_named", "free_resources", "fresh_instance", "named_value"]


# --------------------------------------------------------------------------- free variables


def _free_valtype(
    ty: object, out: dict[int, wt.ResourceType], seen: set[int] | None = None
) -> None:
    """Add the resources of value type ``ty`` to ``out``; ``seen``: composite types already walked.

    Value types are DAGs (``t(i) = tuple<t(i-1), t(i-1)>``): each node is walked once,
    not once per path, or a small type would cost 2**depth steps.
    """
    if isinstance(ty, str) or ty is None:
        return
    if isinstance(ty, (wt.OwnType, wt.BorrowType)):
        r = wt.root(ty.resource)
        out[id(r)] = r
        return
    if seen is None:
        seen = set()
    elif id(ty) in seen:
        return
    seen.add(id(ty))
    for child in value_children(ty):
        _free_valtype(child, out, seen)


def free_resources(ctx: Ctx, ty: object, out: dict[int, wt.ResourceType]) -> None:
    """Add to ``out`` (keyed by ``id(root)``) the resources ``ty`` refers to but does not define."""
    if isinstance(ty, wt.ExternItem):
        ty = ty.ty
    if isinstance(ty, wt.ResourceType):
        r = wt.root(ty)
        out[id(r)] = r
    elif isinstance(ty, wt.TypeExtern):
        free_resources(ctx, ty.created, out)
    elif isinstance(ty, wt.ValueExtern):
        _free_valtype(ty.ty, out)
    elif isinstance(ty, wt.FuncType):
        for _, t in ty.params:
            _free_valtype(t, out)
        _free_valtype(ty.result, out)
    elif isinstance(ty, wt.InstanceType):
        for item in ty.exports.values():
            free_resources(ctx, item, out)
        for r, _ in ctx.meta(ty).defined:
            out.pop(id(wt.root(r)), None)
    elif isinstance(ty, wt.ComponentType):
        for item in ty.imports.values():
            free_resources(ctx, item, out)
        for item in ty.exports.values():
            free_resources(ctx, item, out)
        meta = ctx.meta(ty)
        for r, _ in meta.imported:
            out.pop(id(wt.root(r)), None)
        for r, _ in meta.defined:
            out.pop(id(wt.root(r)), None)
    elif isinstance(ty, wt.ModuleType):
        return
    else:
        _free_valtype(ty, out)


# --------------------------------------------------------------------------- remapping


class Remap:
    """A substitution of resources (by root), applied to types with memoisation.

    ``resources`` maps ``id(old_root) -> new_root``; ``types`` maps
    ``id(old) -> new`` for types already remapped (and doubles as a record of
    which types a successful subtype check equated: wasmparser's "type renamings").
    """

    __slots__ = ("_keep", "ctx", "resources", "types")

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.resources: dict[int, wt.ResourceType] = {}
        self.types: dict[int, Any] = {}
        self._keep: list[object] = []

    def add(self, old: wt.ResourceType, new: wt.ResourceType) -> None:
        old = wt.root(old)
        self.resources[id(old)] = new
        self._keep.append(old)

    def __bool__(self) -> bool:
        return bool(self.resources) or bool(self.types)

    def _memo(self, old: object, new: object) -> Any:
        self.types[id(old)] = new
        self._keep.append(old)
        if new is not old:
            info = self.ctx.info(old)
            self.ctx.set_info(new, info)
        return new

    # ------------------------------------------------------------------ entry points

    def resource(self, r: wt.ResourceType) -> wt.ResourceType:
        hit = self.types.get(id(r))
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        if r.alias_of is None:
            new = self.resources.get(id(r), r)
        else:
            base = self.resource(r.alias_of)
            new = r if base is r.alias_of else self.ctx.alias(base)
        return self._memo(r, new)  # type: ignore[no-any-return]

    def valtype(self, ty: wt.ValType) -> wt.ValType:
        if isinstance(ty, str):
            return ty
        return self.any(ty)  # type: ignore[no-any-return]

    def _opt(self, ty: wt.ValType | None) -> wt.ValType | None:
        return None if ty is None else self.valtype(ty)

    def any(self, ty: Any) -> Any:
        """Remap a defined, resource, func, instance or component type."""
        hit = self.types.get(id(ty))
        if hit is not None:
            return hit
        if isinstance(ty, wt.ResourceType):
            return self.resource(ty)
        if ty.alias_of is not None:
            base = self.any(ty.alias_of)
            new = ty if base is ty.alias_of else self.ctx.alias(base)
            return self._memo(ty, new)
        new = self._rebuild(ty)
        return self._memo(ty, new)

    def _rebuild(self, ty: Any) -> Any:
        v = self.valtype
        if isinstance(ty, (wt.PrimType, wt.FlagsType, wt.EnumType)):
            return ty
        if isinstance(ty, (wt.OwnType, wt.BorrowType)):
            r = self.resource(ty.resource)
            return ty if r is ty.resource else type(ty)(r)
        if isinstance(ty, wt.RecordType):
            fields = tuple((n, v(t)) for n, t in ty.fields)
            return ty if _same(fields, ty.fields) else wt.RecordType(fields)
        if isinstance(ty, wt.VariantType):
            cases = tuple((n, self._opt(t)) for n, t in ty.cases)
            return ty if _same(cases, ty.cases) else wt.VariantType(cases)
        if isinstance(ty, wt.TupleType):
            types = tuple(v(t) for t in ty.types)
            return ty if _same_list(types, ty.types) else wt.TupleType(types)
        if isinstance(ty, wt.ListType):
            el = v(ty.element)
            return ty if el is ty.element else wt.ListType(el, ty.length)
        if isinstance(ty, wt.OptionType):
            val = v(ty.value)
            return ty if val is ty.value else wt.OptionType(val)
        if isinstance(ty, wt.ResultType):
            ok, err = self._opt(ty.ok), self._opt(ty.err)
            return ty if ok is ty.ok and err is ty.err else wt.ResultType(ok, err)
        if isinstance(ty, wt.StreamType):
            el2 = self._opt(ty.element)
            return ty if el2 is ty.element else wt.StreamType(el2)
        if isinstance(ty, wt.FutureType):
            val2 = self._opt(ty.value)
            return ty if val2 is ty.value else wt.FutureType(val2)
        if isinstance(ty, wt.MapType):
            key, val3 = v(ty.key), v(ty.value)
            return ty if key is ty.key and val3 is ty.value else wt.MapType(key, val3)
        if isinstance(ty, wt.FuncType):
            params = tuple((n, v(t)) for n, t in ty.params)
            result = self._opt(ty.result)
            if _same(params, ty.params) and result is ty.result:
                return ty
            return wt.FuncType(params, result, ty.is_async)
        if isinstance(ty, wt.InstanceType):
            exports = self._items(ty.exports)
            meta = self.ctx.meta(ty)
            new_meta = self._meta(meta)
            if exports is ty.exports and new_meta is meta:
                return ty
            new_inst = wt.InstanceType(exports if exports is not None else dict(ty.exports))
            self.ctx.set_meta(new_inst, new_meta)
            return new_inst
        if isinstance(ty, wt.ComponentType):
            imports = self._items(ty.imports)
            exports = self._items(ty.exports)
            meta = self.ctx.meta(ty)
            new_meta = self._meta(meta)
            if imports is ty.imports and exports is ty.exports and new_meta is meta:
                return ty
            new_comp = wt.ComponentType(imports, exports)
            self.ctx.set_meta(new_comp, new_meta)
            return new_comp
        return ty

    def _meta(self, meta: ResourceMeta) -> ResourceMeta:
        def res(r: wt.ResourceType) -> wt.ResourceType:
            return self.resources.get(id(wt.root(r)), r)

        changed = False
        defined = []
        for r, path in meta.defined:
            new = res(r)
            changed |= new is not r
            defined.append((new, path))
        imported = []
        for r, path in meta.imported:
            new = res(r)
            changed |= new is not r
            imported.append((new, path))
        explicit = {}
        for r, path in meta.explicit.values():
            new = res(r)
            changed |= new is not r
            explicit[id(wt.root(new))] = (new, path)
        if not changed:
            return meta
        return ResourceMeta(defined, imported, explicit)

    def _items(self, items: dict[str, wt.ExternItem]) -> dict[str, wt.ExternItem]:
        out: dict[str, wt.ExternItem] = {}
        changed = False
        for name, item in items.items():
            ty = self.extern(item.ty)
            if ty is item.ty:
                out[name] = item
            else:
                changed = True
                out[name] = replace(item, ty=ty)
        return out if changed else items

    def extern(self, ty: wt.ExternType) -> wt.ExternType:
        """Remap the type of an import/export."""
        if isinstance(ty, wt.ModuleType):
            return ty
        if isinstance(ty, wt.TypeExtern):
            referenced = self.any(ty.referenced)
            created = referenced if ty.created is ty.referenced else self.any(ty.created)
            if referenced is ty.referenced and created is ty.created:
                return ty
            return wt.TypeExtern(referenced, created)
        if isinstance(ty, wt.ValueExtern):
            val = self.valtype(ty.ty)
            return ty if val is ty.ty else wt.ValueExtern(val)
        return self.any(ty)  # type: ignore[no-any-return]


def fresh_instance(
    ctx: Ctx, mapping: Remap, meta: ResourceMeta, exports: dict[str, wt.ExternItem]
) -> tuple[wt.InstanceType, list[wt.ResourceType]]:
    """Give the resources ``meta`` defines fresh identities: the instance type of ``exports``.

    Each defined resource is mapped (in ``mapping``) to a new one of the same
    name, ``exports`` are remapped, and the new type keeps the export paths of
    its explicit resources.  How an imported instance type, an exported one and
    an instantiated component each get resources of their own; returns the new
    type and the fresh resources in ``meta.defined`` order.
    """
    fresh: list[wt.ResourceType] = []
    for old, _ in meta.defined:
        new = wt.ResourceType(wt.root(old).name)
        mapping.add(old, new)
        fresh.append(new)
    new_ty = wt.InstanceType(dict(mapping._items(exports)))
    new_meta = ctx.meta(new_ty)
    for r, path in meta.explicit.values():
        nr = mapping.resources.get(id(wt.root(r)), r)
        new_meta.explicit[id(wt.root(nr))] = (nr, path)
    return new_ty, fresh


def _same(a: tuple[tuple[str, Any], ...], b: tuple[tuple[str, Any], ...]) -> bool:
    return all(x[1] is y[1] for x, y in zip(a, b, strict=True))


def _same_list(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(x is y for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- named types


def _named_valtype(ty: wt.ValType | None, named: set[int], ok: set[int] | None = None) -> bool:
    """wasmparser's ``type_named_valtype``: may this value type appear in an import/export?

    ``ok`` holds the structural types already found fine in this walk, so a DAG of
    tuples is walked once per node, not once per path (2**depth).
    """
    if ty is None or isinstance(ty, (str, wt.PrimType)):
        return True
    if isinstance(ty, (wt.RecordType, wt.VariantType, wt.FlagsType, wt.EnumType)):
        return id(ty) in named
    if isinstance(ty, (wt.OwnType, wt.BorrowType)):
        return id(ty.resource) in named
    if ok is None:
        ok = set()
    elif id(ty) in ok:
        return True
    for child in value_children(ty):
        if not _named_valtype(child, named, ok):
            return False
    ok.add(id(ty))
    return True


def _named_defined(ty: object, named: set[int]) -> bool:
    """wasmparser's ``all_valtypes_named_in_defined``: the first layer of a named type."""
    if isinstance(ty, (wt.OwnType, wt.BorrowType)):
        return id(ty.resource) in named
    ok: set[int] = set()
    return all(_named_valtype(t, named, ok) for t in value_children(ty))


def _named_func(ty: wt.FuncType, named: set[int]) -> bool:
    ok: set[int] = set()
    params = all(_named_valtype(t, named, ok) for _, t in ty.params)
    return params and _named_valtype(ty.result, named, ok)


def _named_instance(ty: wt.InstanceType, named: set[int]) -> bool:
    for item in ty.exports.values():
        t = item.ty
        if isinstance(t, wt.FuncType):
            if not _named_func(t, named):
                return False
        elif isinstance(t, wt.TypeExtern):
            if not all_named(t.created, named):
                return False
        elif isinstance(t, wt.ValueExtern):
            if not isinstance(t.ty, str) and not _named_defined(t.ty, named):
                return False
        elif isinstance(t, wt.InstanceType) and not _named_instance(t, named):
            return False
    return True


def all_named(ty: object, named: set[int]) -> bool:
    """wasmparser's ``all_valtypes_named``: may the type ``ty`` be imported/exported by name?"""
    if isinstance(ty, (wt.ResourceType, wt.ComponentType)):
        return True
    if isinstance(ty, wt.FuncType):
        return _named_func(ty, named)
    if isinstance(ty, wt.InstanceType):
        return _named_instance(ty, named)
    return _named_defined(ty, named)


def named_value(ty: wt.ValType, named: set[int]) -> bool:
    return _named_valtype(ty, named)
