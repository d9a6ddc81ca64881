"""Deep copies of world items, for ``include`` (wasm-tools ``resolve/clone.rs``).

Including a world copies its imports and exports into the including world.
Items keyed by interface are shared, but plain-named items are copied: a type
the included world defines becomes a type of the including world, a function
is copied with its types, and an interface defined inline is duplicated (with
``clone_of`` naming the original).  Types owned by someone else stay shared.
New types and interfaces go to the end of their arenas, as in the reference.
"""

from __future__ import annotations

from witkit._record import replace
from witkit.wit import model

__all__ = ["Cloner"]


class Cloner:
    """Deep copies of world-owned types and inline interfaces, for ``include``."""

    def __init__(
        self,
        resolve: model.Resolve,
        prev_owner: model.TypeOwner,
        new_owner: model.TypeOwner,
        package: model.PackageId,
        types: dict[model.TypeId, model.TypeId] | None = None,
    ) -> None:
        self.r = resolve
        self.prev = prev_owner
        self.new = new_owner
        self.package = package
        self.types: dict[model.TypeId, model.TypeId] = {} if types is None else types

    def world_item(self, item: model.WorldItem) -> model.WorldItem:
        if item.kind == "type":
            assert item.type is not None
            return replace(item, type=self.type_id(item.type))
        if item.kind == "function":
            assert item.function is not None
            return replace(item, function=self.function(item.function))
        assert item.interface is not None
        if self.r.interfaces[item.interface].name is not None:
            return item
        return replace(item, interface=self.interface(item.interface))

    def type_id(self, tid: model.TypeId) -> model.TypeId:
        found = self.types.get(tid)
        if found is None:
            old = self.r.types[tid]
            new = model.TypeDef(
                self.kind(old.kind),
                old.name,
                self.new if old.owner.kind != "none" else old.owner,
                old.docs,
                old.stability,
                old.external_id,
            )
            found = self.r.add_type(new)
            self.types[tid] = found
        return found

    def ty(self, ty: model.Type | None) -> model.Type | None:
        if isinstance(ty, model.TypeRef):
            return model.TypeRef(self.type_id(ty.id))
        return ty

    def ty_(self, ty: model.Type) -> model.Type:
        out = self.ty(ty)
        assert out is not None
        return out

    def kind(self, kind: model.TypeDefKind) -> model.TypeDefKind:
        if isinstance(kind, model.Alias):
            if isinstance(kind.target, model.TypeRef):
                target = kind.target.id
                if self.r.types[target].owner == self.prev:
                    return model.Alias(model.TypeRef(self.type_id(target)))
                mapped = self.types.get(target)
                if mapped is not None:
                    return model.Alias(model.TypeRef(mapped))
            return kind
        if isinstance(kind, model.Handle):
            return model.Handle(kind.kind, self.type_id(kind.resource))
        if isinstance(kind, model.OptionOf):
            return model.OptionOf(self.ty_(kind.value))
        if isinstance(kind, model.ListOf):
            return model.ListOf(self.ty_(kind.element), kind.length)
        if isinstance(kind, model.MapOf):
            return model.MapOf(self.ty_(kind.key), self.ty_(kind.value))
        if isinstance(kind, model.Tuple):
            return model.Tuple(tuple(self.ty_(t) for t in kind.types))
        if isinstance(kind, model.Record):
            return model.Record(tuple((n, self.ty_(t), d) for n, t, d in kind.fields))
        if isinstance(kind, model.Variant):
            return model.Variant(tuple((n, self.ty(t), d) for n, t, d in kind.cases))
        if isinstance(kind, model.ResultOf):
            return model.ResultOf(self.ty(kind.ok), self.ty(kind.err))
        if isinstance(kind, model.Future):
            return model.Future(self.ty(kind.value))
        if isinstance(kind, model.Stream):
            return model.Stream(self.ty(kind.element))
        return kind

    def function(self, func: model.Function) -> model.Function:
        kind = func.kind
        if kind.resource is not None:
            kind = replace(kind, resource=self.type_id(kind.resource))
        return model.Function(
            func.name,
            kind,
            [(n, self.ty_(t)) for n, t in func.params],
            self.ty(func.result),
            func.docs,
            func.stability,
            func.external_id,
        )

    def interface(self, iid: model.InterfaceId) -> model.InterfaceId:
        old = self.r.interfaces[iid]
        next_id = len(self.r.interfaces)
        inner = Cloner(
            self.r,
            model.TypeOwner("interface", iid),
            model.TypeOwner("interface", next_id),
            self.package,
            self.types,
        )
        new = model.Interface(
            old.name,
            {name: inner.type_id(t) for name, t in old.types.items()},
            {name: inner.function(f) for name, f in old.functions.items()},
            old.docs,
            old.stability,
            self.package,
            clone_of=iid,
        )
        new_id = self.r.add_interface(new)
        assert new_id == next_id
        return new_id
