"""Deep copies of what a world owns, for a new owner (wasm-tools ``resolve/clone.rs``).

Two operations copy a world's items into another world, and both copy them this way:
``include`` (:mod:`witkit.wit.resolve.merge`) and the merge of a core module's embedded
world into ``root`` (:mod:`witkit.wit.decode.embedded`).  Items keyed by interface are
shared; plain-named items are copied: a type the world defines becomes a type of the new
owner, a function is copied with the anonymous types it uses, and an interface defined
inline is duplicated (with ``clone_of`` naming the original).  A named type owned by
anyone but the old owner is an error, as the reference asserts.  New types and
interfaces go to the end of their arenas, as in the reference.
"""

from __future__ import annotations

from witkit._record import replace
from witkit.errors import WitError
from witkit.wit import model as wm

__all__ = ["Cloner"]


class Cloner:
    """Deep copies of what one owner (a world, an inline interface) owns, for a new owner.

    Named types of the old owner and anonymous types are copied (once each,
    dependencies first); types of other interfaces -- ``use``s -- are shared.
    """

    def __init__(
        self,
        resolve: wm.Resolve,
        prev: wm.TypeOwner,
        new: wm.TypeOwner,
        package: wm.PackageId,
        types: dict[wm.TypeId, wm.TypeId] | None = None,
    ) -> None:
        self.resolve = resolve
        self.prev = prev
        self.new = new
        self.package = package
        self.types: dict[wm.TypeId, wm.TypeId] = {} if types is None else types

    def world_item(self, item: wm.WorldItem) -> wm.WorldItem:
        if item.kind == "type" and item.type is not None:
            return replace(item, type=self.type_id(item.type))
        if item.kind == "function" and item.function is not None:
            return replace(item, function=self.function(item.function))
        if item.kind == "interface" and item.interface is not None:
            if self.resolve.interfaces[item.interface].name is not None:
                return item
            return replace(item, interface=self.interface(item.interface))
        return item

    def type_id(self, tid: wm.TypeId) -> wm.TypeId:
        """The copy of type ``tid`` (made once); a named type must be the old owner's."""
        done = self.types.get(tid)
        if done is not None:
            return done
        old = self.resolve.types[tid]
        owner = old.owner
        if owner.kind != "none":
            if owner != self.prev:
                raise WitError(f"cannot clone type `{old.name}` owned elsewhere")
            owner = self.new
        new_id = self.resolve.add_type(replace(old, kind=self.kind(old.kind), owner=owner))
        self.types[tid] = new_id
        return new_id

    def ty(self, ty: wm.Type) -> wm.Type:
        return wm.TypeRef(self.type_id(ty.id)) if isinstance(ty, wm.TypeRef) else ty

    def opt(self, ty: wm.Type | None) -> wm.Type | None:
        return None if ty is None else self.ty(ty)

    def kind(self, kind: wm.TypeDefKind) -> wm.TypeDefKind:
        ty, opt = self.ty, self.opt
        if isinstance(kind, wm.Alias):
            target = kind.target
            if isinstance(target, wm.TypeRef):
                other = self.resolve.types[target.id]
                if other.owner == self.prev:
                    return wm.Alias(wm.TypeRef(self.type_id(target.id)))
                mapped = self.types.get(target.id)
                return kind if mapped is None else wm.Alias(wm.TypeRef(mapped))
            return kind
        if isinstance(kind, wm.Handle):
            return wm.Handle(kind.kind, self.type_id(kind.resource))
        if isinstance(kind, wm.OptionOf):
            return wm.OptionOf(ty(kind.value))
        if isinstance(kind, wm.ListOf):
            return wm.ListOf(ty(kind.element), kind.length)
        if isinstance(kind, wm.MapOf):
            return wm.MapOf(ty(kind.key), ty(kind.value))
        if isinstance(kind, wm.Tuple):
            return wm.Tuple(tuple(ty(t) for t in kind.types))
        if isinstance(kind, wm.Record):
            return wm.Record(tuple((n, ty(t), d) for n, t, d in kind.fields))
        if isinstance(kind, wm.Variant):
            return wm.Variant(tuple((n, opt(t), d) for n, t, d in kind.cases))
        if isinstance(kind, wm.ResultOf):
            return wm.ResultOf(opt(kind.ok), opt(kind.err))
        if isinstance(kind, wm.Future):
            return wm.Future(opt(kind.value))
        if isinstance(kind, wm.Stream):
            return wm.Stream(opt(kind.element))
        return kind  # resources, flags, enums: nothing inside to clone

    def function(self, func: wm.Function) -> wm.Function:
        kind = func.kind
        if kind.resource is not None:
            kind = wm.FunctionKind(kind.kind, self.type_id(kind.resource), kind.is_async)
        params = [(n, self.ty(t)) for n, t in func.params]
        return replace(func, kind=kind, params=params, result=self.opt(func.result))

    def interface(self, iface_id: wm.InterfaceId) -> wm.InterfaceId:
        old = self.resolve.interfaces[iface_id]
        next_id = wm.InterfaceId(len(self.resolve.interfaces))
        inner = Cloner(
            self.resolve,
            wm.TypeOwner("interface", iface_id),
            wm.TypeOwner("interface", next_id),
            self.package,
            self.types,
        )
        types = {n: inner.type_id(t) for n, t in old.types.items()}
        functions = {n: inner.function(f) for n, f in old.functions.items()}
        new_id = self.resolve.add_interface(
            replace(old, types=types, functions=functions, package=self.package, clone_of=iface_id)
        )
        assert new_id == next_id
        return new_id
