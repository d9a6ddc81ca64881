"""Resolution inside one package: syntax trees of its files in, an ``UnresolvedPackage`` out.

This is the first half of name resolution (wasm-tools ``ast/resolve.rs``): every
name that refers to something *in this package* is looked up and replaced by an
id; names of other packages are collected as ``foreign_deps`` and become
placeholders (interfaces and worlds with no contents, types of kind ``Unknown``)
that ``merge`` connects to real packages later.

Order is meaning, and it is the reference's order:

* placeholder interfaces, worlds and types come first in their arenas;
* local interfaces and worlds are numbered in a stable topological order of the
  ``use``/``include`` graph (``toposort``), so a dependency is always numbered
  before its user;
* inside an interface or world, ``use``d names come first, then type definitions
  in topological order, then (for functions) the anonymous types they mention;
* anonymous types (``list<u8>``, ``borrow<r>``) are interned: one id per shape.
"""

from __future__ import annotations

from typing import Literal

from witkit.wit import ast, model
from witkit.wit.ast import Loc
from witkit.wit.resolve.attributes import docs_of, external_id_of, stability_of
from witkit.wit.resolve.errors import ResolveError, did_you_mean
from witkit.wit.resolve.names import canonical_name, check_unique
from witkit.wit.resolve.toposort import toposort
from witkit.wit.resolve.types import Scoped, TypeResolver, collect_deps
from witkit.wit.resolve.use_paths import PathVisit, paths_of

__all__ = [
    "ForeignItem",
    "PackageResolver",
    "UnresolvedPackage",
    "WorldInclude",
    "resolve_package",
]


class WorldInclude:
    """An ``include`` of a world, kept until the included world is resolved."""

    __slots__ = ("loc", "names", "stability", "world")

    def __init__(
        self,
        stability: model.Stability,
        world: model.WorldId,
        names: list[tuple[str, str]],
        loc: Loc,
    ) -> None:
        self.stability = stability
        self.world = world
        self.names = names
        self.loc = loc


class ForeignItem:
    """A placeholder for an interface or world of another package."""

    __slots__ = ("id", "kind", "stabilities")

    def __init__(self, kind: Literal["interface", "world"], id: int) -> None:
        self.kind = kind
        self.id = id
        self.stabilities: list[model.Stability] = []


class UnresolvedPackage:
    """One package, resolved within itself; ids index its own arenas.

    Beside the arenas: where things were written (for errors found while merging),
    world ``include``s still to apply, and the placeholders for other packages.
    ``item_locs`` is keyed by (world, is_import, key); ``func_locs`` by ``id()`` of
    each ``Function`` (which it keeps alive).
    """

    __slots__ = (
        "docs",
        "foreign_dep_locs",
        "foreign_deps",
        "func_locs",
        "interface_locs",
        "interfaces",
        "item_locs",
        "name",
        "name_loc",
        "required_resources",
        "type_locs",
        "types",
        "unknown_type_locs",
        "world_includes",
        "world_locs",
        "worlds",
    )

    def __init__(self, name: model.PackageName, name_loc: Loc, docs: model.Docs) -> None:
        self.name = name
        self.name_loc = name_loc
        self.docs = docs
        self.types: list[model.TypeDef] = []
        self.type_locs: list[Loc] = []
        self.interfaces: list[model.Interface] = []
        self.interface_locs: list[Loc] = []
        self.worlds: list[model.World] = []
        self.world_locs: list[Loc] = []
        self.world_includes: list[list[WorldInclude]] = []
        self.item_locs: dict[tuple[int, bool, model.WorldKey], Loc] = {}
        self.func_locs: dict[int, tuple[model.Function, Loc]] = {}
        self.foreign_deps: dict[model.PackageName, dict[str, ForeignItem]] = {}
        self.foreign_dep_locs: list[Loc] = []
        self.unknown_type_locs: dict[int, Loc] = {}
        self.required_resources: list[tuple[model.TypeId, Loc]] = []

    def func_loc(self, func: model.Function) -> Loc | None:
        entry = self.func_locs.get(id(func))
        return None if entry is None else entry[1]


def package_name(name: ast.PackageName) -> model.PackageName:
    version = None if name.version is None else str(name.version)
    return model.PackageName(name.namespace.name, name.name.name, version)


# --------------------------------------------------------------------------- the resolver

# What a name in a file or package scope stands for.
AstItem = tuple[Literal["interface", "world"], int]


class _File:
    __slots__ = ("items", "paths")

    def __init__(self, items: tuple[ast.PackageItem, ...], paths: list[PathVisit]) -> None:
        self.items = items
        self.paths = paths


def resolve_package(files: list[ast.PackageFile]) -> UnresolvedPackage:
    """Resolve the files of one package (``files`` share one package name)."""
    resolver = PackageResolver()
    for file in files:
        resolver.push(file)
    return resolver.resolve()


class PackageResolver(TypeResolver):
    """Collects the files of one package (``push``), then resolves them together."""

    def __init__(self) -> None:
        self.name: ast.PackageName | None = None
        self.package_docs: ast.Docs | None = None
        self.files: list[_File] = []
        self.pkg: UnresolvedPackage | None = None
        self.anon: dict[tuple[object, ...], model.TypeId] = {}
        self.cur_file = 0
        self.file_items: list[dict[str, AstItem]] = []
        self.package_items: dict[str, AstItem] = {}
        self.interface_types: list[dict[str, tuple[Scoped, Loc]]] = []
        self.foreign_interfaces: set[int] = set()
        self.type_lookup: dict[str, tuple[Scoped, Loc]] = {}
        #: canonical names (see ``canonical_name``) of ``type_lookup``
        self.canon: dict[str, str] = {}

    # ----------------------------------------------------------------- files

    def push(self, file: ast.PackageFile) -> None:
        cur = file.package
        if cur is not None:
            if self.name is not None and self.name.key() != cur.key():
                raise ResolveError(
                    f"package identifier `{package_name(cur)}` does not match previous "
                    f"package name of `{package_name(self.name)}`",
                    cur.loc,
                )
            self.name = cur
            if cur.docs.comments and docs_of(cur.docs).contents is not None:
                if self.package_docs is not None:
                    raise ResolveError(
                        "found doc comments on multiple 'package' items", cur.docs.loc
                    )
                self.package_docs = cur.docs
        for item in file.items:
            if isinstance(item, ast.PackageFile):
                assert item.package is not None
                raise ResolveError(
                    "nested packages must be placed at the top-level", item.package.loc
                )
        self.files.append(_File(file.items, paths_of(file.items)))

    def resolve(self) -> UnresolvedPackage:
        if self.name is None:
            raise ResolveError(
                "no `package` header was found in any WIT file for this package", None
            )
        docs = model.Docs() if self.package_docs is None else docs_of(self.package_docs)
        self.pkg = UnresolvedPackage(package_name(self.name), self.name.loc, docs)
        self.populate_foreign_deps()
        iface_order, world_order = self.populate_ast_items()
        self.populate_foreign_types()

        iface_ast: dict[int, tuple[ast.Interface, int]] = {}
        world_ast: dict[int, tuple[ast.World, int]] = {}
        for i, file in enumerate(self.files):
            for item in file.items:
                if isinstance(item, ast.Interface):
                    iface_ast[self.file_items[i][item.name.name][1]] = (item, i)
                elif isinstance(item, ast.World):
                    world_ast[self.file_items[i][item.name.name][1]] = (item, i)
        for iid in iface_order:
            iface, i = iface_ast[iid]
            self.cur_file = i
            self.resolve_interface(iid, iface.items, iface.docs, iface.attributes)
        for wid in world_order:
            world, i = world_ast[wid]
            self.cur_file = i
            self.resolve_world(wid, world)
        return self.p

    # ----------------------------------------------------------------- arenas

    def alloc_interface(self, loc: Loc) -> int:
        self.interface_types.append({})
        self.p.interfaces.append(model.Interface(None))
        self.p.interface_locs.append(loc)
        return len(self.p.interfaces) - 1

    def alloc_world(self, loc: Loc) -> int:
        self.p.worlds.append(model.World(""))
        self.p.world_locs.append(loc)
        self.p.world_includes.append([])
        return len(self.p.worlds) - 1

    # ----------------------------------------------------------------- package structure

    def populate_foreign_deps(self) -> None:
        p = self.p
        for file in self.files:
            for _, attrs, path, _, what in file.paths:
                if not isinstance(path, ast.ForeignPath):
                    continue
                stability = stability_of(attrs)
                pkg = package_name(path.package)
                deps = p.foreign_deps.get(pkg)
                if deps is None:
                    deps = p.foreign_deps[pkg] = {}
                    p.foreign_dep_locs.append(path.package.loc)
                entry = deps.get(path.name.name)
                if entry is None:
                    if what == "world":
                        entry = ForeignItem("world", self.alloc_world(path.name.loc))
                    else:
                        iid = self.alloc_interface(path.name.loc)
                        self.foreign_interfaces.add(iid)
                        entry = ForeignItem("interface", iid)
                    deps[path.name.name] = entry
                entry.stabilities.append(stability)

    def populate_ast_items(self) -> tuple[list[int], list[int]]:
        package_items: dict[str, Loc] = {}
        order: dict[str, list[ast.Id]] = {}
        kinds: dict[str, Literal["interface", "world"]] = {}
        for file in self.files:
            for item in file.items:
                if isinstance(item, ast.Interface | ast.World):
                    name = item.name
                    if name.name in package_items:
                        raise ResolveError(
                            f"duplicate item named `{name.name}`",
                            name.loc,
                            "interfaces and worlds of one package share a namespace",
                            also=package_items[name.name],
                        )
                    package_items[name.name] = name.loc
                    order[name.name] = []
                    kinds[name.name] = "interface" if isinstance(item, ast.Interface) else "world"

        for file in self.files:
            # Each file has its own scope: its top-level `use`s and its items.
            scope: dict[str, ast.Id | None] = {}
            for item in file.items:
                if isinstance(item, ast.ToplevelUse):
                    local = item.local_name()
                    source = item.path.name if isinstance(item.path, ast.LocalPath) else None
                elif isinstance(item, ast.Interface | ast.World):
                    local = source = item.name
                else:  # pragma: no cover - nested packages were split off
                    continue
                if local.name in scope:
                    raise ResolveError(f"duplicate name `{local.name}` in this file", local.loc)
                scope[local.name] = source
            for owner, _, path, _, _ in file.paths:
                if owner is None or not isinstance(path, ast.LocalPath):
                    continue
                used = path.name
                if used.name in scope:
                    source = scope[used.name]
                    if source is not None:
                        order[owner.name].append(source)
                elif used.name in package_items:
                    order[owner.name].append(used)
                else:
                    raise ResolveError(
                        f"unknown interface or world `{used.name}`",
                        used.loc,
                        did_you_mean(used.name, [*scope, *package_items]),
                    )

        sorted_names = toposort("interface or world", order)
        ids: dict[str, AstItem] = {}
        iface_order: list[int] = []
        world_order: list[int] = []
        for item_name in sorted_names:
            if kinds[item_name] == "interface":
                iid = self.alloc_interface(package_items[item_name])
                self.p.interfaces[iid].name = item_name
                ids[item_name] = ("interface", iid)
                iface_order.append(iid)
            else:
                wid = self.alloc_world(package_items[item_name])
                self.p.worlds[wid].name = item_name
                ids[item_name] = ("world", wid)
                world_order.append(wid)

        for file in self.files:
            items: dict[str, AstItem] = {}
            for item in file.items:
                if isinstance(item, ast.ToplevelUse):
                    if item.attributes:
                        raise ResolveError("attributes not allowed on top-level use", item.loc)
                    local = item.local_name()
                    path = item.path
                    if isinstance(path, ast.LocalPath):
                        found = ids.get(path.name.name)
                        if found is None:
                            raise ResolveError(
                                f"unknown interface or world `{path.name.name}`",
                                path.name.loc,
                                did_you_mean(path.name.name, list(ids)),
                            )
                    else:
                        foreign = self.p.foreign_deps[package_name(path.package)][path.name.name]
                        found = (foreign.kind, foreign.id)
                    items[local.name] = found
                elif isinstance(item, ast.Interface | ast.World):
                    items[item.name.name] = ids[item.name.name]
                    self.package_items[item.name.name] = ids[item.name.name]
            self.file_items.append(items)
        return iface_order, world_order

    def populate_foreign_types(self) -> None:
        p = self.p
        for i, file in enumerate(self.files):
            self.cur_file = i
            for _, attrs, path, names, _ in file.paths:
                if names is None:
                    continue
                stability = stability_of(attrs)
                external_id = external_id_of(attrs)
                item, name, loc = self.resolve_path(path)
                iid = self.interface_of(item, name, loc)
                if iid not in self.foreign_interfaces:
                    continue
                lookup = self.interface_types[iid]
                for use_name in names:
                    n = use_name.name
                    if n.name in lookup:
                        continue
                    tid = self.alloc_type(
                        model.TypeDef(
                            model.Unknown(),
                            n.name,
                            model.TypeOwner("interface", iid),
                            stability=stability,
                            external_id=external_id,
                        ),
                        n.loc,
                    )
                    p.unknown_type_locs[tid] = n.loc
                    lookup[n.name] = (("type", tid), n.loc)
                    p.interfaces[iid].types[n.name] = tid

    def resolve_path(self, path: ast.UsePath) -> tuple[AstItem, str, Loc]:
        if isinstance(path, ast.LocalPath):
            name = path.name
            item = self.file_items[self.cur_file].get(name.name)
            if item is None:
                item = self.package_items.get(name.name)
            if item is None:
                raise ResolveError(
                    f"unknown interface or world `{name.name}`",
                    name.loc,
                    did_you_mean(name.name, [*self.file_items[self.cur_file], *self.package_items]),
                )
            return item, name.name, name.loc
        foreign = self.p.foreign_deps[package_name(path.package)][path.name.name]
        return (foreign.kind, foreign.id), path.name.name, path.name.loc

    @staticmethod
    def interface_of(item: AstItem, name: str, loc: Loc) -> int:
        if item[0] != "interface":
            raise ResolveError(f"name `{name}` is defined as a world, not an interface", loc)
        return item[1]

    @staticmethod
    def world_of(item: AstItem, name: str, loc: Loc) -> int:
        if item[0] != "world":
            raise ResolveError(f"name `{name}` is defined as an interface, not a world", loc)
        return item[1]

    # ----------------------------------------------------------------- worlds

    def resolve_world(self, wid: int, world: ast.World) -> None:
        p = self.p
        w = p.worlds[wid]
        w.docs = docs_of(world.docs)
        w.stability = stability_of(world.attributes)
        owner = model.TypeOwner("world", wid)
        self.resolve_types(owner, [i for i in world.items if isinstance(i, ast.Use | ast.TypeDef)])
        for item in world.items:
            if isinstance(item, ast.Include):
                self.resolve_include(wid, item)

        for name, ((_, tid), loc) in self.type_lookup.items():
            key = model.WorldKey(name=name)
            if key in w.imports:  # pragma: no cover - names in a scope are unique
                raise ResolveError(f"import `{name}` conflicts with prior import of same name", loc)
            w.imports[key] = model.WorldItem("type", type=model.TypeId(tid))
            p.item_locs[(wid, True, key)] = loc

        imported: set[int] = set()
        exported: set[int] = set()
        import_names = {canonical_name(n): n for n in self.type_lookup}
        export_names: dict[str, str] = {}
        for item in world.items:
            if isinstance(item, ast.TypeDef):
                if isinstance(item.body, ast.Resource):
                    for func in item.body.funcs:
                        f = self.resolve_resource_func(func, item.name)
                        key = model.WorldKey(name=f.name)
                        import_names[canonical_name(f.name)] = f.name
                        w.imports[key] = model.WorldItem("function", function=f)
                        p.item_locs[(wid, True, key)] = func.func.name.loc
                continue
            if not isinstance(item, ast.WorldExtern):
                continue
            is_import = item.direction == "import"
            world_item, loc = self.resolve_world_item(item)
            kind = item.kind
            if isinstance(kind, ast.ExternPath):
                path_item, name, path_loc = self.resolve_path(kind.path)
                iid = self.interface_of(path_item, name, path_loc)
                key = model.WorldKey(interface=model.InterfaceId(iid))
                seen = imported if is_import else exported
                if iid in seen:
                    raise ResolveError(
                        f"interface cannot be {item.direction}ed more than once",
                        ast.extern_loc(kind),
                    )
                seen.add(iid)
            elif isinstance(kind, ast.ExternFunc):
                assert world_item.function is not None
                key = model.WorldKey(name=world_item.function.name)
            else:
                key = model.WorldKey(name=kind.name.name)
            dst = w.imports if is_import else w.exports
            prev = dst.get(key)
            if prev is not None:
                prev_kind = "func" if prev.kind == "function" else prev.kind
                raise ResolveError(
                    f"{item.direction} `{key.name}` conflicts with prior {prev_kind} of same name",
                    ast.extern_loc(kind),
                )
            if key.name is not None:
                names = import_names if is_import else export_names
                check_unique(key.name, ast.extern_loc(kind), names, "name")
            dst[key] = world_item
            p.item_locs[(wid, is_import, key)] = loc
        self.type_lookup = {}
        self.canon = {}

    def resolve_world_item(self, item: ast.WorldExtern) -> tuple[model.WorldItem, Loc]:
        kind = item.kind
        if isinstance(kind, ast.ExternInterface):
            saved = self.type_lookup, self.canon
            self.type_lookup, self.canon = {}, {}
            iid = self.alloc_interface(kind.name.loc)
            self.resolve_interface(iid, kind.items, item.docs, item.attributes)
            self.type_lookup, self.canon = saved
            stability = self.p.interfaces[iid].stability
            return (
                model.WorldItem(
                    "interface",
                    interface=model.InterfaceId(iid),
                    stability=stability,
                    external_id=external_id_of(item.attributes),
                ),
                kind.name.loc,
            )
        if isinstance(kind, ast.ExternPath | ast.ExternNamedPath):
            stability = stability_of(item.attributes)
            external_id = external_id_of(item.attributes)
            docs = docs_of(item.docs)
            path_item, name, path_loc = self.resolve_path(kind.path)
            iid = self.interface_of(path_item, name, path_loc)
            loc = path_loc if isinstance(kind, ast.ExternPath) else kind.name.loc
            return (
                model.WorldItem(
                    "interface",
                    interface=model.InterfaceId(iid),
                    stability=stability,
                    docs=docs,
                    external_id=external_id,
                ),
                loc,
            )
        func = self.resolve_function(
            item.docs,
            item.attributes,
            kind.name.name,
            kind.name.loc,
            kind.func,
            model.FunctionKind("freestanding", is_async=kind.func.is_async),
        )
        return model.WorldItem("function", function=func), kind.name.loc

    def resolve_include(self, wid: int, include: ast.Include) -> None:
        stability = stability_of(include.attributes)
        item, name, loc = self.resolve_path(include.path)
        included = self.world_of(item, name, loc)
        self.p.world_includes[wid].append(
            WorldInclude(
                stability,
                model.WorldId(included),
                [(n.name.name, n.as_.name) for n in include.names],
                loc,
            )
        )

    # ----------------------------------------------------------------- interfaces

    def resolve_interface(
        self,
        iid: int,
        items: tuple[ast.InterfaceItem, ...],
        docs: ast.Docs,
        attributes: tuple[ast.Attribute, ...],
    ) -> None:
        iface = self.p.interfaces[iid]
        iface.docs = docs_of(docs)
        iface.stability = stability_of(attributes)
        owner = model.TypeOwner("interface", iid)
        self.resolve_types(owner, [i for i in items if isinstance(i, ast.Use | ast.TypeDef)])
        for name, ((_, tid), _) in self.type_lookup.items():
            iface.types[name] = model.TypeId(tid)

        funcs: list[model.Function] = []
        for item in items:
            if isinstance(item, ast.NamedFunc):
                self.define_function(item.name.name, item.name.loc)
                funcs.append(
                    self.resolve_function(
                        item.docs,
                        item.attributes,
                        item.name.name,
                        item.name.loc,
                        item.func,
                        model.FunctionKind("freestanding", is_async=item.func.is_async),
                    )
                )
            elif isinstance(item, ast.TypeDef) and isinstance(item.body, ast.Resource):
                for func in item.body.funcs:
                    funcs.append(self.resolve_resource_func(func, item.name))
        for f in funcs:
            iface.functions[f.name] = f
        self.interface_types[iid] = self.type_lookup
        self.type_lookup = {}
        self.canon = {}

    def define(self, name: ast.Id, item: Scoped) -> None:
        """Add a type (or ``use``d name) to the scope being resolved."""
        check_unique(
            name.name, name.loc, self.canon, "name", f"name `{name.name}` is defined more than once"
        )
        self.type_lookup[name.name] = (item, name.loc)

    def define_function(self, name: str, loc: Loc) -> None:
        """Add a function (full name, e.g. ``[method]r.m``) to the scope being resolved."""
        check_unique(name, loc, self.canon, "name")
        self.type_lookup[name] = (("function", 0), loc)

    def resolve_types(self, owner: model.TypeOwner, items: list[ast.Use | ast.TypeDef]) -> None:
        assert not self.type_lookup
        for item in items:
            if isinstance(item, ast.Use):
                self.resolve_use(owner, item)

        deps: dict[str, list[ast.Id]] = {}
        defs: dict[str, ast.TypeDef | None] = {}
        for item in items:
            if isinstance(item, ast.TypeDef):
                if item.name.name in defs:
                    raise ResolveError(
                        f"name `{item.name.name}` is defined more than once", item.name.loc
                    )
                defs[item.name.name] = item
                found: list[ast.Id] = []
                collect_deps(item.body, found)
                deps[item.name.name] = found
            else:
                for use_name in item.names:
                    local = use_name.as_ if use_name.as_ is not None else use_name.name
                    deps[local.name] = []
                    defs[local.name] = None
        try:
            order = toposort("type", deps)
        except ResolveError as e:
            if e.unknown is not None:
                e.message = f"unknown type `{e.unknown}`"
                e.hint = self.type_hint(e.unknown, deps)
            raise
        for name in order:
            typedef = defs.get(name)
            if typedef is None:
                continue
            stability = stability_of(typedef.attributes)
            external_id = external_id_of(typedef.attributes)
            kind = self.resolve_type_def(typedef.body, stability)
            tid = self.alloc_type(
                model.TypeDef(
                    kind,
                    typedef.name.name,
                    owner,
                    docs_of(typedef.docs),
                    stability,
                    external_id,
                ),
                typedef.name.loc,
            )
            self.define(typedef.name, ("type", tid))

    def resolve_use(self, owner: model.TypeOwner, use: ast.Use) -> None:
        item, name, loc = self.resolve_path(use.path)
        src = self.interface_of(item, name, loc)
        stability = stability_of(use.attributes)
        external_id = external_id_of(use.attributes)
        for use_name in use.names:
            lookup = self.interface_types[src]
            found = lookup.get(use_name.name.name)
            if found is None:
                raise ResolveError(
                    f"unknown name `{use_name.name.name}` in interface `{name}`",
                    use_name.name.loc,
                    did_you_mean(
                        use_name.name.name, [n for n, (s, _) in lookup.items() if s[0] == "type"]
                    ),
                )
            if found[0][0] != "type":
                raise ResolveError(
                    f"cannot import function `{use_name.name.name}`", use_name.name.loc
                )
            local = use_name.as_ if use_name.as_ is not None else use_name.name
            tid = self.alloc_type(
                model.TypeDef(
                    model.Alias(model.TypeRef(model.TypeId(found[0][1]))),
                    local.name,
                    owner,
                    stability=stability,
                    external_id=external_id,
                ),
                use_name.name.loc,
            )
            self.define(local, ("type", tid))

    # ----------------------------------------------------------------- functions

    def resolve_resource_func(self, func: ast.ResourceFunc, resource: ast.Id) -> model.Function:
        rid = model.TypeId(self.type_lookup[resource.name][0][1])
        named = func.func
        is_async = named.func.is_async
        if func.kind == "method":
            name = f"[method]{resource.name}.{named.name.name}"
        elif func.kind == "static":
            name = f"[static]{resource.name}.{named.name.name}"
        else:
            name = f"[constructor]{resource.name}"
        kind = model.FunctionKind(func.kind, rid, is_async)
        self.define_function(name, named.name.loc)
        return self.resolve_function(
            named.docs, named.attributes, name, named.name.loc, named.func, kind
        )

    def resolve_function(
        self,
        docs: ast.Docs,
        attributes: tuple[ast.Attribute, ...],
        name: str,
        loc: Loc,
        func: ast.Func,
        kind: model.FunctionKind,
    ) -> model.Function:
        d = docs_of(docs)
        stability = stability_of(attributes)
        external_id = external_id_of(attributes)
        params = self.resolve_params(func, kind)
        result = self.resolve_result(func, kind)
        f = model.Function(name, kind, params, result, d, stability, external_id)
        self.p.func_locs[id(f)] = (f, loc)
        return f

    def resolve_params(
        self, func: ast.Func, kind: model.FunctionKind
    ) -> list[tuple[str, model.Type]]:
        out: list[tuple[str, model.Type]] = []
        if kind.kind == "method":
            assert kind.resource is not None
            handle = model.Handle("borrow", kind.resource)
            stability = self.find_stability(handle, model.Stability())
            out.append(("self", self.anon_type(handle, stability, func.loc)))
        for name, ty in func.params:
            if any(n.lower() == name.name.lower() for n, _ in out):
                raise ResolveError(f"param `{name.name}` is defined more than once", name.loc)
            out.append((name.name, self.resolve_type(ty, model.Stability())))
        return out

    def resolve_result(self, func: ast.Func, kind: model.FunctionKind) -> model.Type | None:
        if kind.kind != "constructor":
            if func.result is None:
                return None
            return self.resolve_type(func.result, model.Stability())
        assert kind.resource is not None
        if func.result is None:
            return model.TypeRef(kind.resource)
        result = self.resolve_type(func.result, model.Stability())
        ok: model.Type | bool | None = False
        if isinstance(result, model.TypeRef):
            k = self.p.types[result.id].kind
            if isinstance(k, model.ResultOf):
                ok = k.ok
        if ok is False:
            raise ResolveError(
                "if a constructor return type is declared it must be a `result`",
                ast.type_loc(func.result),
            )
        if ok != model.TypeRef(kind.resource):
            ast_result = func.result
            loc = (
                ast.type_loc(ast_result.ok)
                if isinstance(ast_result, ast.ResultOf) and ast_result.ok is not None
                else ast.type_loc(ast_result)
            )
            raise ResolveError("the `ok` type must be the resource being constructed", loc)
        return result

    # ----------------------------------------------------------------- types
