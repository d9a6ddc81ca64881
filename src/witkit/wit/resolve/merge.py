"""Resolution across packages: add an ``UnresolvedPackage`` to a ``Resolve``.

The second half of name resolution (wasm-tools ``Remap::append`` in
``resolve/mod.rs``), in the reference's order, because the order in which items
enter the arenas is the order they are printed in:

1. placeholders for other packages' interfaces, worlds and types are connected
   to the packages already in the ``Resolve`` (which must therefore come first);
2. feature gates are applied: an item whose ``@unstable`` feature is not enabled
   is left out, and anything referring to a left-out item is an error; a
   ``@since`` newer than the package's own version is an error;
3. types, interfaces and worlds are copied in, with every id mapped; a use of a
   resource as a type becomes an (interned) anonymous ``own<r>`` handle;
4. each world's ``include``s are merged in (``with`` renames plain names, shared
   interfaces are de-duplicated) and the world is *elaborated*: every interface
   its imports and exports depend on becomes an import, in topological order,
   and exports that would need an interface both imported and exported are
   rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar

from witkit._record import replace
from witkit.wit import model
from witkit.wit.ast import Loc, Version
from witkit.wit.clone import Cloner
from witkit.wit.resolve.elaborate import WorldElaborator
from witkit.wit.resolve.errors import ResolveError, did_you_mean
from witkit.wit.resolve.names import canonical_name
from witkit.wit.resolve.unresolved import UnresolvedPackage, WorldInclude

#: an interface or a world: the two kinds of item a package names
_Item = TypeVar("_Item", model.InterfaceId, model.WorldId)
#: what a package defines under a feature gate
_Gated = TypeVar("_Gated", model.TypeDef, model.Interface, model.World)


def _interfaces_of(package: model.Package) -> Mapping[str, model.InterfaceId]:
    return package.interfaces


def _worlds_of(package: model.Package) -> Mapping[str, model.WorldId]:
    return package.worlds


__all__ = ["Builder", "stability_text"]


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def stability_text(s: model.Stability) -> str:
    """A gate as it is written, for messages."""
    if s.kind == "stable":
        text = f"@since(version = {s.since})"
    elif s.kind == "unstable":
        text = f"@unstable(feature = {s.feature})"
    else:
        text = "no gate"
    if s.deprecated is not None:
        text += f" @deprecated(version = {s.deprecated})"
    return text


class Builder(WorldElaborator):
    """A ``Resolve`` under construction, with what adding packages to it needs.

    ``all_names`` is every package name of the resolution, added or not yet, for
    "did you mean" hints.
    """

    __slots__ = ("all_features", "all_names", "features", "package_names", "resolve")

    def __init__(
        self,
        *,
        features: frozenset[str] = frozenset(),
        all_features: bool = False,
        all_names: list[model.PackageName] | None = None,
    ) -> None:
        self.resolve = model.Resolve()
        self.features = features
        self.all_features = all_features
        self.package_names: dict[model.PackageName, model.PackageId] = {}
        self.all_names = [] if all_names is None else all_names

    def append(self, unresolved: UnresolvedPackage) -> model.PackageId:
        """Add one package whose dependencies are all already in; return its id."""
        return _Remap(self, unresolved).append()

    def include_stability(self, s: model.Stability, pkg: model.PackageId, loc: Loc | None) -> bool:
        """Whether an item with gate ``s`` in package ``pkg`` is part of the result."""
        if s.kind == "unknown":
            return True
        if s.kind == "unstable":
            return self.all_features or s.feature in self.features
        name = self.resolve.packages[pkg].name
        if name.version is None:
            raise ResolveError(
                f"package [{name}] contains a feature gate with a version specifier, "
                "so it must have a version",
                loc,
                f"give the package a version: `package {name}@{s.since};`",
            )
        assert s.since is not None
        since = Version.parse(s.since)
        if since > Version.parse(name.version):
            raise ResolveError(
                f"feature gate cannot reference unreleased version {since} of package "
                f"[{name}] (current version {name.version})",
                loc,
            )
        return True


def _rename(original: str, old: str, new: str) -> str | None:
    """``original`` with plain name ``old`` renamed ``new`` (also inside ``[method]old.x``)."""
    if original == old:
        return new
    kind, sep, rest = original.partition("]")
    if not sep:
        return None
    name, dot, tail = rest.partition(".")
    if dot and name == old:
        return f"{kind}]{new}.{tail}"
    if rest == old:
        return f"{kind}]{new}"
    return None


class _Remap:
    """Maps the ids of one unresolved package to ids in the builder's ``Resolve``."""

    def __init__(self, builder: Builder, unresolved: UnresolvedPackage) -> None:
        self.b = builder
        self.r = builder.resolve
        self.u = unresolved
        self.types: list[model.TypeId | None] = []
        self.interfaces: list[model.InterfaceId | None] = []
        self.worlds: list[model.WorldId | None] = []
        self.own_handles: dict[model.TypeId, model.TypeId] = {}
        self.has_borrow: dict[model.TypeId, bool] = {}
        self.borrow_checked = 0
        self.type_locs: dict[model.TypeId, Loc] = {}
        self.pkg = model.PackageId(-1)

    # ----------------------------------------------------------------- id maps

    def _map(self, table: Sequence[int | None], i: int, what: str, loc: Loc | None) -> int:
        mapped = table[i]
        if mapped is None:
            raise ResolveError(
                f"found a reference to {_article(what)} {what} which is excluded due to its feature not being "
                "activated",
                loc,
                "gate this item with the same @unstable feature, or enable the feature",
            )
        return mapped

    def map_type(self, tid: int, loc: Loc | None) -> model.TypeId:
        return model.TypeId(self._map(self.types, tid, "type", loc))

    def map_interface(self, iid: int, loc: Loc | None) -> model.InterfaceId:
        return model.InterfaceId(self._map(self.interfaces, iid, "interface", loc))

    def map_world(self, wid: int, loc: Loc | None) -> model.WorldId:
        return model.WorldId(self._map(self.worlds, wid, "world", loc))

    # ----------------------------------------------------------------- append

    def append(self) -> model.PackageId:
        b, r, u = self.b, self.r, self.u
        pkg = self.pkg = r.add_package(model.Package(u.name, u.docs))
        b.package_names[u.name] = pkg
        self.process_foreign_deps()

        first_type = len(self.types)
        first_iface = len(self.interfaces)
        first_world = len(self.worlds)

        for _, ty, loc in self._gated(u.types, u.type_locs, first_type, self.types):
            kind = self.update_kind(ty.kind, loc)
            new = r.add_type(
                model.TypeDef(kind, ty.name, ty.owner, ty.docs, ty.stability, ty.external_id)
            )
            self.type_locs[new] = loc
            if (
                ty.name is None
                and ty.owner.kind == "none"
                and isinstance(kind, model.Handle)
                and kind.kind == "own"
            ):
                new = self.own_handles.setdefault(kind.resource, new)
            self.types.append(new)

        for _, iface, loc in self._gated(
            u.interfaces, u.interface_locs, first_iface, self.interfaces
        ):
            iface.package = pkg
            self.update_interface(iface, loc)
            self.interfaces.append(r.add_interface(iface))

        self._map_owners(first_type, "interface")

        world_locs: dict[model.WorldId, Loc] = {}
        for uid, world, loc in self._gated(u.worlds, u.world_locs, first_world, self.worlds):
            self.update_world(uid, world)
            new_world = r.add_world(world)
            world_locs[new_world] = loc
            self.worlds.append(new_world)

        self._map_owners(first_type, "world")

        for uid in range(first_world, len(u.worlds)):
            new_id = self.worlds[uid]
            if new_id is None:
                continue
            self.process_world_includes(new_id, u.world_includes[uid], world_locs[new_id])
            b.elaborate_world(new_id, world_locs[new_id])

        package = r.packages[pkg]
        for maybe_iface in self.interfaces[first_iface:]:
            if maybe_iface is None:
                continue
            iface = r.interfaces[maybe_iface]
            iface.package = pkg
            if iface.name is not None:
                package.interfaces[iface.name] = maybe_iface
        for maybe_world in self.worlds[first_world:]:
            if maybe_world is None:
                continue
            world = r.worlds[maybe_world]
            world.package = pkg
            package.worlds[world.name] = maybe_world
        return pkg

    def _map_owner(self, uid: int, what: str, tid: model.TypeId) -> int:
        loc = self.type_locs.get(tid)
        table: Sequence[int | None] = self.interfaces if what == "interface" else self.worlds
        if table[uid] is None:
            raise ResolveError(
                f"found a reference to {_article(what)} {what} which is excluded due to its feature not being "
                f"activated; this type is not gated by a feature but its {what} is",
                loc,
                f"gate the type like its {what}",
            )
        mapped = table[uid]
        assert mapped is not None
        return mapped

    def _map_owners(self, first_type: int, kind: Literal["interface", "world"]) -> None:
        """The new types owned by an interface (or a world) now name the merged one."""
        for maybe in self.types[first_type:]:
            if maybe is None:
                continue
            ty = self.r.types[maybe]
            if ty.owner.kind == kind:
                assert ty.owner.id is not None
                ty.owner = model.TypeOwner(kind, self._map_owner(ty.owner.id, kind, maybe))

    def _gated(
        self, items: Sequence[_Gated], locs: Sequence[Loc], first: int, out: list[Any]
    ) -> Iterator[tuple[int, _Gated, Loc]]:
        """``(uid, item, loc)`` for the items from ``first`` on whose feature gate is open;
        one that is gated out is mapped to ``None`` in ``out`` here, the others by the
        caller, so ``out`` stays in step with ``items``."""
        for uid in range(first, len(items)):
            item, loc = items[uid], locs[uid]
            if not self.b.include_stability(item.stability, self.pkg, loc):
                out.append(None)
                continue
            yield uid, item, loc

    # ----------------------------------------------------------------- foreign items

    def process_foreign_deps(self) -> None:
        b, u = self.b, self.u
        iface_to_pkg: dict[int, tuple[model.PackageName, str, Loc, list[model.Stability]]] = {}
        world_to_pkg: dict[int, tuple[model.PackageName, str, Loc, list[model.Stability]]] = {}
        for i, (pkg_name, items) in enumerate(u.foreign_deps.items()):
            for name, item in items.items():
                entry = (pkg_name, name, u.foreign_dep_locs[i], item.stabilities)
                if item.kind == "interface":
                    iface_to_pkg[item.id] = entry
                else:
                    world_to_pkg[item.id] = entry

        self._foreign_items(
            "interface", _interfaces_of, iface_to_pkg, u.interface_locs, self.interfaces
        )
        self._foreign_items("world", _worlds_of, world_to_pkg, u.world_locs, self.worlds)

        for uid, ty in enumerate(u.types):
            if not isinstance(ty.kind, model.Unknown):
                break
            type_loc = u.unknown_type_locs.get(uid)
            if not b.include_stability(ty.stability, self.pkg, type_loc):
                self.types.append(None)
                continue
            assert ty.owner.id is not None and ty.name is not None
            iid = self.map_interface(ty.owner.id, type_loc)
            iface = self.r.interfaces[iid]
            found_type = iface.types.get(ty.name)
            if found_type is None:
                raise ResolveError(
                    f"type `{ty.name}` not defined in interface `{self.r.id_of(iid)}`",
                    type_loc,
                    did_you_mean(ty.name, iface.types) or self._listing("types", iface.types),
                )
            self.types.append(found_type)

        for tid, loc in u.required_resources:
            mapped = self.types[tid]
            if mapped is None:
                continue
            while True:
                kind = self.r.types[mapped].kind
                if isinstance(kind, model.Alias) and isinstance(kind.target, model.TypeRef):
                    mapped = kind.target.id
                elif isinstance(kind, model.Resource):
                    break
                else:
                    raise ResolveError("type used in a handle must be a resource", loc)

    def _foreign_items(
        self,
        what: str,
        items_of: Callable[[model.Package], Mapping[str, _Item]],
        to_pkg: dict[int, tuple[model.PackageName, str, Loc, list[model.Stability]]],
        locs: Sequence[Loc],
        out: list[_Item | None],
    ) -> None:
        """The leading foreign interfaces or worlds (``use a:b/c``) found in their packages:
        the same rule for both, ``None`` for one excluded by its feature gate."""
        for uid in range(len(locs)):
            if uid not in to_pkg:
                break
            pkg_name, name, pkg_loc, stabilities = to_pkg[uid]
            dep = self.find_package(pkg_name, pkg_loc)
            loc = locs[uid]
            if not any(self.b.include_stability(s, self.pkg, loc) for s in stabilities):
                out.append(None)
                continue
            package = self.r.packages[dep]
            items = items_of(package)
            found = items.get(name)
            if found is None:
                raise ResolveError(
                    f"{what} `{name}` not found in package `{package.name}`",
                    loc,
                    did_you_mean(name, items) or self._listing(f"{what}s", items),
                )
            out.append(found)

    @staticmethod
    def _listing(what: str, names: Mapping[str, int]) -> str:
        if not names:
            return f"it has no {what}"
        return f"it has {what} " + ", ".join(f"`{n}`" for n in names)

    def find_package(self, name: model.PackageName, loc: Loc) -> model.PackageId:
        found = self.b.package_names.get(name)
        if found is not None:
            return found
        known = [str(n) for n in dict.fromkeys([*self.b.package_names, *self.b.all_names])]
        hint = did_you_mean(str(name), known)
        if hint is None:
            hint = (
                "known packages: " + ", ".join(known)
                if known
                else "no other package is known; put its WIT in a `deps/` directory"
            )
        raise ResolveError(f"package `{name}` not found", loc, hint)

    # ----------------------------------------------------------------- types

    def update_ty(self, ty: model.Type, loc: Loc | None) -> model.Type:
        """Map a type use; a use of a resource becomes an ``own`` handle."""
        if not isinstance(ty, model.TypeRef):
            return ty
        tid = self.map_type(ty.id, loc)
        cur = tid
        types = self.r.types
        while True:
            kind = types[cur].kind
            if isinstance(kind, model.Alias) and isinstance(kind.target, model.TypeRef):
                cur = kind.target.id
                continue
            break
        if isinstance(types[cur].kind, model.Resource):
            own = self.own_handles.get(tid)
            if own is None:
                own = self.r.add_type(model.TypeDef(model.Handle("own", tid)))
                self.own_handles[tid] = own
            return model.TypeRef(own)
        return model.TypeRef(tid)

    def update_opt(self, ty: model.Type | None, loc: Loc | None) -> model.Type | None:
        return None if ty is None else self.update_ty(ty, loc)

    def update_kind(self, kind: model.TypeDefKind, loc: Loc | None) -> model.TypeDefKind:
        if isinstance(kind, model.Handle):
            return model.Handle(kind.kind, self.map_type(kind.resource, loc))
        if isinstance(kind, model.Record):
            return model.Record(tuple((n, self.update_ty(t, loc), d) for n, t, d in kind.fields))
        if isinstance(kind, model.Tuple):
            return model.Tuple(tuple(self.update_ty(t, loc) for t in kind.types))
        if isinstance(kind, model.Variant):
            return model.Variant(tuple((n, self.update_opt(t, loc), d) for n, t, d in kind.cases))
        if isinstance(kind, model.OptionOf):
            return model.OptionOf(self.update_ty(kind.value, loc))
        if isinstance(kind, model.ListOf):
            return model.ListOf(self.update_ty(kind.element, loc), kind.length)
        if isinstance(kind, model.MapOf):
            return model.MapOf(self.update_ty(kind.key, loc), self.update_ty(kind.value, loc))
        if isinstance(kind, model.ResultOf):
            return model.ResultOf(self.update_opt(kind.ok, loc), self.update_opt(kind.err, loc))
        if isinstance(kind, model.Future):
            return model.Future(self.update_opt(kind.value, loc))
        if isinstance(kind, model.Stream):
            return model.Stream(self.update_opt(kind.element, loc))
        if isinstance(kind, model.Alias) and isinstance(kind.target, model.TypeRef):
            # `type a = r` keeps naming the resource itself (usable as handle and resource).
            return model.Alias(model.TypeRef(self.map_type(kind.target.id, loc)))
        return kind

    def type_has_borrow(self, ty: model.Type | None) -> bool:
        """Whether ``ty`` contains a ``borrow`` (which a function may not return)."""
        if not isinstance(ty, model.TypeRef):
            return False
        cached = self.has_borrow.get(ty.id)
        if cached is not None:
            return cached
        # Types only refer to types defined before them, so answering for every
        # earlier type first keeps each step one level deep (a long chain of
        # named types cannot exhaust the stack).
        for earlier in range(self.borrow_checked, ty.id):
            self._has_borrow(model.TypeId(earlier))
        self.borrow_checked = max(self.borrow_checked, ty.id)
        return self._has_borrow(ty.id)

    def _has_borrow(self, tid: model.TypeId) -> bool:
        cached = self.has_borrow.get(tid)
        if cached is not None:
            return cached
        kind = self.r.types[tid].kind
        result: bool
        if isinstance(kind, model.Handle):
            result = kind.kind == "borrow"
        elif isinstance(kind, model.Alias):
            result = self.type_has_borrow(kind.target)
        elif isinstance(kind, model.Variant):
            result = any(self.type_has_borrow(t) for _, t, _ in kind.cases)
        elif isinstance(kind, model.Record):
            result = any(self.type_has_borrow(t) for _, t, _ in kind.fields)
        elif isinstance(kind, model.Tuple):
            result = any(self.type_has_borrow(t) for t in kind.types)
        elif isinstance(kind, model.ListOf):
            result = self.type_has_borrow(kind.element)
        elif isinstance(kind, model.OptionOf):
            result = self.type_has_borrow(kind.value)
        elif isinstance(kind, model.MapOf):
            result = self.type_has_borrow(kind.key) or self.type_has_borrow(kind.value)
        elif isinstance(kind, model.ResultOf):
            result = self.type_has_borrow(kind.ok) or self.type_has_borrow(kind.err)
        elif isinstance(kind, model.Future):
            result = self.type_has_borrow(kind.value)
        elif isinstance(kind, model.Stream):
            result = self.type_has_borrow(kind.element)
        else:
            result = False
        self.has_borrow[tid] = result
        return result

    def update_function(self, func: model.Function, loc: Loc | None) -> None:
        kind = func.kind
        if kind.resource is not None:
            func.kind = replace(kind, resource=self.map_type(kind.resource, loc))
        func.params = [(n, self.update_ty(t, loc)) for n, t in func.params]
        func.result = self.update_opt(func.result, loc)
        if self.type_has_borrow(func.result):
            raise ResolveError(
                f"function `{func.name}` returns a type which contains a `borrow<T>` which is "
                "not supported",
                loc,
                "return an owned handle instead",
            )

    def update_interface(self, iface: model.Interface, loc: Loc) -> None:
        types = self.types
        iface.types = {
            name: self.map_type(tid, loc)
            for name, tid in iface.types.items()
            if types[tid] is not None
        }
        b, u, pkg = self.b, self.u, self.pkg
        for func in iface.functions.values():
            floc = u.func_loc(func)
            if b.include_stability(func.stability, pkg, floc):
                self.update_function(func, floc)
        iface.functions = {
            name: func
            for name, func in iface.functions.items()
            if b.include_stability(func.stability, pkg, u.func_loc(func))
        }

    # ----------------------------------------------------------------- worlds

    def update_world(self, uid: int, world: model.World) -> None:
        b, u = self.b, self.u
        imports: dict[model.WorldKey, model.WorldItem] = {}
        exports: dict[model.WorldKey, model.WorldItem] = {}
        entries = [(k, v, True) for k, v in world.imports.items()] + [
            (k, v, False) for k, v in world.exports.items()
        ]
        for key, item, is_import in entries:
            loc = u.item_locs.get((uid, is_import, key))
            if item.kind == "type":
                assert item.type is not None
                item = replace(item, type=self.map_type(item.type, loc))
                assert item.type is not None
                stability = self.r.types[item.type].stability
            elif item.kind == "function":
                assert item.function is not None
                stability = item.function.stability
            else:
                stability = item.stability
            if not b.include_stability(stability, self.pkg, loc):
                continue
            if key.interface is not None:
                key = model.WorldKey(interface=self.map_interface(key.interface, loc))
            if item.kind == "interface":
                assert item.interface is not None
                item = replace(item, interface=self.map_interface(item.interface, loc))
            elif item.kind == "function":
                assert item.function is not None
                self.update_function(item.function, loc)
            (imports if is_import else exports)[key] = item
        world.imports = imports
        world.exports = exports

    def process_world_includes(
        self, wid: model.WorldId, includes: list[WorldInclude], loc: Loc
    ) -> None:
        for include in includes:
            if not self.b.include_stability(include.stability, self.pkg, include.loc):
                continue
            self.resolve_include(wid, include)
        world = self.r.worlds[wid]
        for what, items in (("import", world.imports), ("export", world.exports)):
            seen: dict[str, str] = {}
            for key in items:
                if key.name is None:
                    continue
                canon = canonical_name(key.name)
                existing = seen.get(canon)
                if existing is not None and existing != key.name:
                    raise ResolveError(
                        f"{what} `{key.name}` in world `{world.name}` conflicts with {what} "
                        f"`{existing}` (names must be strongly unique)",
                        loc,
                        "rename one of them with `include ... with { old as new }`",
                    )
                seen[canon] = key.name

    def resolve_include(self, wid: model.WorldId, include: WorldInclude) -> None:
        r = self.r
        included_id = self.map_world(include.world, include.loc)
        included = r.worlds[included_id]
        world = r.worlds[wid]
        external = world.package != included.package
        unused = list(include.names)
        for key in [*included.imports, *included.exports]:
            if key.name is not None:
                name = key.name
                unused = [(o, n) for o, n in unused if _rename(name, o, n) is None]
        if unused:
            names = [k.name for k in [*included.imports, *included.exports] if k.name is not None]
            raise ResolveError(
                f"no import or export kebab-name `{unused[0][0]}`. Note that an ID does not "
                "support renaming",
                include.loc,
                did_you_mean(unused[0][0], names),
            )
        cloner = Cloner(
            r, model.TypeOwner("world", included_id), model.TypeOwner("world", wid), self.pkg
        )
        for items, dst_is_import in (
            (dict(included.imports), True),
            (dict(included.exports), False),
        ):
            for key, item in items.items():
                dst = world.imports if dst_is_import else world.exports
                what = "import" if dst_is_import else "export"
                if key.name is not None:
                    name = key.name
                    for old, new in include.names:
                        renamed = _rename(key.name, old, new)
                        if renamed is not None:
                            name = renamed
                            break
                    new_item = cloner.world_item(item)
                    if new_item.kind == "function":
                        assert new_item.function is not None
                        new_item.function.name = name
                    elif new_item.kind == "type":
                        assert new_item.type is not None
                        r.types[new_item.type].name = name
                    new_key = model.WorldKey(name=name)
                    if new_key in dst:
                        raise ResolveError(
                            f"{what} of `{name}` shadows previously {what}ed items",
                            include.loc,
                            f"rename it with `include ... with {{ {key.name} as new-name }}`",
                        )
                    dst[new_key] = new_item
                else:
                    existing = dst.get(key)
                    if existing is None:
                        dst[key] = existing = item
                    merged = self._merge_stability(
                        item.stability, existing.stability, external, include.loc
                    )
                    if merged != existing.stability:
                        dst[key] = replace(existing, stability=merged)

    @staticmethod
    def _merge_stability(
        src: model.Stability, into: model.Stability, external: bool, loc: Loc
    ) -> model.Stability:
        if external and src.kind == "stable":
            return model.Stability()
        if src == into or src.kind == "unknown":
            return into
        if into.kind == "unknown":
            return src
        raise ResolveError(
            f"mismatch in stability from '{stability_text(src)}' to '{stability_text(into)}'",
            loc,
        )
