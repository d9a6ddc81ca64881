"""World elaboration: a world lists every interface its items need (``elaborate_world``).

After ``include``s are merged, every interface that a world's imports use
(through ``use``) is added as an import before its user, and exported
interfaces pull in what they use: an interface that is also exported is used
from the export, anything else becomes an import.  An export that would need
the same interface both ways is rejected.  Imports are then ordered by class
(interfaces, used types, other types, functions, resource functions), which is
the order the printer writes them in -- all as wasm-tools does.
"""

from __future__ import annotations

from collections.abc import Iterator

from witkit.wit import model
from witkit.wit.ast import Loc
from witkit.wit.resolve.errors import ResolveError

__all__ = ["WorldElaborator"]


class WorldElaborator:
    """Elaboration over ``resolve`` (mixed into the ``Builder``)."""

    resolve: model.Resolve

    # ----------------------------------------------------------------- queries

    def type_interface_dep(self, tid: model.TypeId) -> model.InterfaceId | None:
        """The interface a ``use``d type comes from, if ``tid`` is such a type."""
        types = self.resolve.types
        ty = types[tid]
        kind = ty.kind
        if not isinstance(kind, model.Alias) or not isinstance(kind.target, model.TypeRef):
            return None
        other = types[kind.target.id]
        if ty.owner == other.owner or other.owner.kind != "interface":
            return None
        assert other.owner.id is not None
        return model.InterfaceId(other.owner.id)

    def interface_direct_deps(self, iid: model.InterfaceId) -> list[model.InterfaceId]:
        deps = []
        for tid in self.resolve.interfaces[iid].types.values():
            dep = self.type_interface_dep(tid)
            if dep is not None:
                deps.append(dep)
        return deps

    # ----------------------------------------------------------------- elaboration

    def _sort_key(self, item: model.WorldItem) -> int:
        # The classes of world items in printing order: interfaces, `use`d types,
        # other types, functions, resource functions.
        if item.kind == "interface":
            return 0
        if item.kind == "type":
            assert item.type is not None
            ty = self.resolve.types[item.type]
            kind = ty.kind
            if (
                isinstance(kind, model.Alias)
                and isinstance(kind.target, model.TypeRef)
                and self.resolve.types[kind.target.id].owner != ty.owner
            ):
                return 1
            return 2
        assert item.function is not None
        return 3 if item.function.kind.resource is None else 4

    def elaborate_world(self, wid: model.WorldId, loc: Loc | None) -> None:
        world = self.resolve.worlds[wid]
        new_imports: dict[model.WorldKey, model.WorldItem] = {}
        for key, item in sorted(world.imports.items(), key=lambda kv: self._sort_key(kv[1])):
            if item.kind == "interface":
                assert item.interface is not None
                self._elaborate_import(
                    new_imports, key, item.interface, item.stability, item.docs, item.external_id
                )
            elif item.kind == "function":
                new_imports[key] = item
            else:
                assert item.type is not None
                dep = self.type_interface_dep(item.type)
                if dep is not None:
                    self._elaborate_import(
                        new_imports,
                        model.WorldKey(interface=dep),
                        dep,
                        self.resolve.types[item.type].stability,
                        model.Docs(),
                        None,
                    )
                new_imports[key] = item

        new_exports: dict[model.WorldKey, model.WorldItem] = {}
        export_interfaces: dict[model.WorldKey, model.WorldItem] = {}
        for key, item in world.exports.items():
            if item.kind == "interface":
                export_interfaces[key] = item
            else:
                new_exports[key] = item
        required: set[model.InterfaceId] = set()
        for key, item in export_interfaces.items():
            if not self._add_export(
                new_imports, new_exports, export_interfaces, required, key, item, True
            ):
                name = self.key_name(key)
                raise ResolveError(
                    f"interface `{name}` transitively depends on an interface in incompatible ways",
                    loc,
                    "an interface it uses is exported by this world but also needed as an "
                    "import by another export; export that interface too, or import it",
                )
        world.imports = dict(sorted(new_imports.items(), key=lambda kv: self._sort_key(kv[1])))
        world.exports = new_exports

    def _elaborate_import(
        self,
        imports: dict[model.WorldKey, model.WorldItem],
        key: model.WorldKey,
        iid: model.InterfaceId,
        stability: model.Stability,
        docs: model.Docs,
        external_id: str | None,
    ) -> None:
        """Add ``iid`` as an import after everything it uses (a depth-first walk).

        The walk keeps its own stack: a chain of thousands of interfaces, each
        using the one before, must not exhaust Python's.
        """
        if key in imports:
            return
        Frame = tuple[
            model.WorldKey, model.InterfaceId, model.Docs, str | None, Iterator[model.InterfaceId]
        ]
        stack: list[Frame] = [(key, iid, docs, external_id, iter(self.interface_direct_deps(iid)))]
        while stack:
            frame_key, frame_iid, frame_docs, frame_external, deps = stack[-1]
            for dep in deps:
                dep_key = model.WorldKey(interface=dep)
                if dep_key not in imports:
                    deps_of_dep = iter(self.interface_direct_deps(dep))
                    stack.append((dep_key, dep, model.Docs(), None, deps_of_dep))
                    break
            else:
                stack.pop()
                imports[frame_key] = model.WorldItem(
                    "interface",
                    interface=frame_iid,
                    stability=stability,
                    docs=frame_docs,
                    external_id=frame_external,
                )

    def _add_export(
        self,
        imports: dict[model.WorldKey, model.WorldItem],
        exports: dict[model.WorldKey, model.WorldItem],
        export_interfaces: dict[model.WorldKey, model.WorldItem],
        required: set[model.InterfaceId],
        key: model.WorldKey,
        item: model.WorldItem,
        add_export: bool,
    ) -> bool:
        """Add an exported interface and what it uses; False if that needs an import and an export.

        Each interface it uses is exported too if the world exports it, and
        otherwise becomes a required import; an interface required as an import
        cannot also be exported.  A depth-first walk with its own stack (see
        ``_elaborate_import``); a False anywhere makes the whole answer False.
        """

        def enter(
            key: model.WorldKey, item: model.WorldItem, add_export: bool
        ) -> bool | tuple[model.WorldKey, model.WorldItem, bool, Iterator[model.InterfaceId]]:
            if key in exports:
                return add_export
            assert item.interface is not None
            if not add_export and item.interface in required:
                return True
            return (key, item, add_export, iter(self.interface_direct_deps(item.interface)))

        first = enter(key, item, add_export)
        if isinstance(first, bool):
            return first
        stack = [first]
        while stack:
            frame_key, frame_item, frame_export, deps = stack[-1]
            pushed = False
            for dep in deps:
                dep_key = model.WorldKey(interface=dep)
                dep_item = model.WorldItem(
                    "interface",
                    interface=dep,
                    stability=frame_item.stability,
                    external_id=frame_item.external_id,
                )
                child = enter(dep_key, dep_item, frame_export and dep_key in export_interfaces)
                if child is False:
                    return False
                if child is not True:
                    assert not isinstance(child, bool)
                    stack.append(child)
                    pushed = True
                    break
            if pushed:
                continue
            stack.pop()
            iid = frame_item.interface
            assert iid is not None
            if frame_export:
                if iid in required:
                    return False
                exports[frame_key] = frame_item
            else:
                required.add(iid)
                if frame_key not in imports:
                    imports[frame_key] = frame_item
        return True

    def key_name(self, key: model.WorldKey) -> str:
        if key.name is not None:
            return key.name
        assert key.interface is not None
        return self.resolve.id_of(key.interface) or "<anonymous>"
