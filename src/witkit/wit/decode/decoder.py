"""The decoder proper: validated component types -> a resolved WIT model.

This follows wit-parser's ``decoding.rs`` rule for rule (its ``WitPackageDecoder``),
because the point is to print what ``wasm-tools component wit`` prints, type ids
of ``--json`` included.  Its rules:

* ``type_map`` maps each component type *object* (identity, per ``witkit.types``)
  to the WIT type it became.  A type export whose ``referenced`` type -- or any
  type on its ``alias_of`` chain -- is already mapped becomes ``type x = that``:
  that is a ``use`` when the two live in different interfaces.  Otherwise it
  is a new named type.  The export's ``created`` type is mapped to the result,
  since later definitions refer to ``created``.
* Anonymous types (``list<u8>``, handles ...) become unnamed ``TypeDef``s, one per
  component type definition, shared by everything that refers to that definition.
* An interface named by id is *foreign* unless the package being decoded
  defines it: foreign interfaces are created lazily, holding only what this
  binary mentions, and a second mention is unified with the first
  (``register_defined``) rather than decoded again.
* Arena ids are handed out in the order wit-parser allocates them, so that
  ``--json`` output agrees: types as met, interfaces and worlds in order of
  definition, foreign packages topologically sorted, then the main package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from witkit import types as wt
from witkit.errors import WitError
from witkit.wit import model as wm
from witkit.wit.decode.names import interface_name, is_label, package_name, resource_function

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from witkit.types import AnyType, DefinedType

__all__ = [
    "Decoder",
    "decode_component_type",
    "decode_wit_package",
    "decode_world",
    "is_wit_package",
]


_ANONYMOUS_OK = (
    wm.Alias,
    wm.ListOf,
    wm.MapOf,
    wm.Tuple,
    wm.OptionOf,
    wm.ResultOf,
    wm.Handle,
    wm.Future,
    wm.Stream,
)


class Decoder:
    """State of one decoding: the resolve being built and the maps from component types to it."""

    def __init__(self) -> None:
        self.resolve = wm.Resolve()
        #: foreign packages by their full name, in first-seen order (sorted topologically at the end)
        self.foreign: dict[str, wm.Package] = {}
        self.foreign_index: dict[str, int] = {}
        self.iface_to_foreign: dict[wm.InterfaceId, int] = {}
        #: full names (``ns:pkg/iface@v``) of interfaces defined by the package being decoded
        self.named_interfaces: dict[str, wm.InterfaceId] = {}
        #: resources by owner then name, for ``[method]r.m`` and friends
        self.resources: dict[wm.TypeOwner, dict[str, wm.TypeId]] = {}
        #: component type object (compared by identity) -> the WIT type it became
        self.type_map: dict[object, wm.TypeId] = {}

    # ---------------------------------------------------------------- packages

    def decode_v1_package(self, name: str, ct: wt.ComponentType) -> wm.Package:
        for iname, item in ct.imports.items():
            self.register_import(iname, item)
        parts = interface_name(name)
        if parts is None or parts.interface != "wit":
            raise WitError(f"package name is not a valid id: {name}")
        package = wm.Package(wm.PackageName(parts.namespace, parts.package, parts.version))
        for ename, item in ct.exports.items():
            if isinstance(item.ty, wt.InstanceType):
                self.register_interface(ename, item, package)
            elif isinstance(item.ty, wt.ComponentType):
                self.register_world(ename, item.ty, package)
            else:
                raise WitError(f"component export `{ename}` is not an instance or component")
        return package

    def decode_interface(
        self, name: str, imports: dict[str, wt.ExternItem], item: wt.ExternItem, package: wm.Package
    ) -> wm.PackageName:
        if interface_name(name) is None:
            raise WitError(f"expected interface name to be fully qualified: {name}")
        pkg_name = package_name(name, item)
        for iname, imported in imports.items():
            self.register_import(iname, imported)
        self.register_interface(name, item, package)
        return pkg_name

    def decode_world_export(
        self, name: str, item: wt.ExternItem, package: wm.Package
    ) -> wm.PackageName:
        if interface_name(name) is None or not isinstance(item.ty, wt.ComponentType):
            raise WitError(f"expected world name to be fully qualified: {name}")
        pkg_name = package_name(name, item)
        self.register_world(name, item.ty, package)
        return pkg_name

    # ---------------------------------------------------------------- component imports/exports

    def component_import(
        self, name: str, item: wt.ExternItem, world: wm.WorldId, package: wm.Package
    ) -> None:
        owner = wm.TypeOwner("world", world)
        ty = item.ty
        if isinstance(ty, wt.InstanceType):
            key, witem = self.world_instance(name, item, package)
        elif isinstance(ty, wt.FuncType):
            func = self.convert_function(name, item, owner)
            key, witem = wm.WorldKey(name=name), wm.WorldItem("function", function=func)
        elif isinstance(ty, wt.TypeExtern):
            tid = self.register_type_export(name, item, owner)
            key, witem = wm.WorldKey(name=name), wm.WorldItem("type", type=tid)
        else:
            return  # modules, components and values are not part of a world
        self.resolve.worlds[world].imports[key] = witem

    def component_export(
        self, name: str, item: wt.ExternItem, world: wm.WorldId, package: wm.Package
    ) -> None:
        ty = item.ty
        if isinstance(ty, wt.FuncType):
            func = self.convert_function(name, item, wm.TypeOwner("world", world))
            key, witem = wm.WorldKey(name=name), wm.WorldItem("function", function=func)
        elif isinstance(ty, wt.InstanceType):
            key, witem = self.world_instance(name, item, package)
        else:
            raise WitError(f"component export `{name}` was not a function or instance")
        self.resolve.worlds[world].exports[key] = witem

    def world_instance(
        self, name: str, item: wt.ExternItem, package: wm.Package
    ) -> tuple[wm.WorldKey, wm.WorldItem]:
        """An instance import/export of a world: a foreign or local interface by id, or inline."""
        if item.implements is not None:
            iface = self.register_import(item.implements, item)
            key = wm.WorldKey(name=name)
        elif interface_name(name) is not None:
            iface = self.register_import(name, item)
            key = wm.WorldKey(interface=iface)
        else:
            key, iface = self.register_interface(name, item, package)
        return key, wm.WorldItem("interface", interface=iface, external_id=item.external_id)

    # ---------------------------------------------------------------- interfaces

    def register_import(self, name: str, item: wt.ExternItem) -> wm.InterfaceId:
        """An instance naming an interface: fill in a foreign one lazily, or match a local one."""
        inst = item.ty
        if not isinstance(inst, wt.InstanceType):
            raise WitError(f"import `{name}` is not an instance")
        local = self.named_interfaces.get(name)
        iface_id = local if local is not None else self.dep_interface(name, item)
        iface = self.resolve.interfaces[iface_id]
        owner = wm.TypeOwner("interface", iface_id)
        for ename, eitem in inst.exports.items():
            ety = eitem.ty
            if isinstance(ety, wt.TypeExtern):
                existing = iface.types.get(ename)
                if existing is not None:
                    # already known (a local interface, or a foreign one seen before):
                    # connect this instance's types, anonymous ones included, to it
                    ref = ety.referenced
                    if not isinstance(ref, wt.ResourceType):
                        self.register_defined(existing, _as_defined(ref, ename))
                    self.type_map[ety.created] = existing
                else:
                    if local is not None:
                        raise WitError(f"instance type export `{ename}` not defined in interface")
                    iface.types[ename] = self.register_type_export(ename, eitem, owner)
            elif isinstance(ety, wt.FuncType):
                if ename in iface.functions:
                    continue
                if local is not None:
                    raise WitError(f"instance function export `{ename}` not defined in interface")
                iface.functions[ename] = self.convert_function(ename, eitem, owner)
            else:
                raise WitError(f"instance type export `{ename}` is not a type")
        return iface_id

    def dep_interface(self, name: str, item: wt.ExternItem) -> wm.InterfaceId:
        """The interface ``name`` of a foreign package, created on first mention."""
        parts = interface_name(name)
        if parts is None:
            raise WitError(f"package name is not a valid id: {name}")
        pkg_name = package_name(name, item)
        key = str(pkg_name)
        pkg = self.foreign.get(key)
        if pkg is None:
            pkg = self.foreign[key] = wm.Package(pkg_name)
            self.foreign_index[key] = len(self.foreign_index)
        iname = parts.interface
        iface_id = pkg.interfaces.get(iname)
        if iface_id is None:
            iface_id = pkg.interfaces[iname] = self.resolve.add_interface(wm.Interface(iname))
        self.iface_to_foreign[iface_id] = self.foreign_index[key]
        return iface_id

    def register_interface(
        self, name: str, item: wt.ExternItem, package: wm.Package
    ) -> tuple[wm.WorldKey, wm.InterfaceId]:
        """An interface defined here: named (``ns:pkg/iface``, part of ``package``) or inline."""
        inst = item.ty
        if not isinstance(inst, wt.InstanceType):
            raise WitError(f"`{name}` is not an instance")
        if name in self.named_interfaces:
            # both imported and exported: the export refers to the same interface
            iface_id = self.register_import(name, item)
            return wm.WorldKey(interface=iface_id), iface_id
        parts = interface_name(name)
        if parts is None and not is_label(name):
            raise WitError(f"cannot extract item name from: {name}")
        iname = None if parts is None else parts.interface
        iface = wm.Interface(iname)
        iface_id = self.resolve.add_interface(iface)
        owner = wm.TypeOwner("interface", iface_id)
        for ename, eitem in inst.exports.items():
            if isinstance(eitem.ty, wt.TypeExtern):
                iface.types[ename] = self.register_type_export(ename, eitem, owner)
            elif isinstance(eitem.ty, wt.FuncType):
                iface.functions[ename] = self.convert_function(ename, eitem, owner)
            else:
                raise WitError(f"instance type export `{ename}` is not a type or function")
        if iname is None:
            return wm.WorldKey(name=name), iface_id
        if iname in package.interfaces:
            raise WitError(f"duplicate interface `{name}`")
        package.interfaces[iname] = iface_id
        self.named_interfaces[name] = iface_id
        return wm.WorldKey(interface=iface_id), iface_id

    def register_world(self, name: str, ct: wt.ComponentType, package: wm.Package) -> wm.WorldId:
        parts = interface_name(name)
        if parts is None:
            raise WitError(f"expected world name to have an ID form: {name}")
        wname = parts.interface
        world = wm.World(wname)
        world_id = self.resolve.add_world(world)
        owner = wm.TypeOwner("world", world_id)
        for iname, item in ct.imports.items():
            key, witem = self.world_item(iname, item, package, owner, imported=True)
            world.imports[key] = witem
        for ename, item in ct.exports.items():
            key, witem = self.world_item(ename, item, package, owner, imported=False)
            world.exports[key] = witem
        if wname in package.worlds:
            raise WitError(f"duplicate world `{wname}`")
        package.worlds[wname] = world_id
        return world_id

    def world_item(
        self,
        name: str,
        item: wt.ExternItem,
        package: wm.Package,
        owner: wm.TypeOwner,
        *,
        imported: bool,
    ) -> tuple[wm.WorldKey, wm.WorldItem]:
        """One import or export of a world's component type: an instance, a function, or
        (imports only) a type."""
        ty = item.ty
        if isinstance(ty, wt.InstanceType):
            return self.world_instance(name, item, package)
        if imported and isinstance(ty, wt.TypeExtern):
            tid = self.register_type_export(name, item, owner)
            return wm.WorldKey(name=name), wm.WorldItem("type", type=tid)
        if isinstance(ty, wt.FuncType):
            func = self.convert_function(name, item, owner)
            return wm.WorldKey(name=name), wm.WorldItem("function", function=func)
        if imported:
            raise WitError(f"component import `{name}` is not an instance, func, or type")
        raise WitError(f"component export `{name}` is not an instance or function")

    # ---------------------------------------------------------------- types

    def find_alias(self, ty: AnyType) -> wm.TypeId | None:
        """The WIT type ``ty`` or anything it aliases already became, if any: how ``use`` is found."""
        cur: AnyType | None = ty
        while cur is not None:
            hit = self.type_map.get(cur)
            if hit is not None:
                return hit
            cur = cur.alias_of
        return None

    def register_type_export(
        self, name: str, item: wt.ExternItem, owner: wm.TypeOwner
    ) -> wm.TypeId:
        ety = item.ty
        if not isinstance(ety, wt.TypeExtern):
            raise WitError(f"`{name}` is not a type")
        referenced = ety.referenced
        prev = self.find_alias(referenced)
        kind: wm.TypeDefKind
        if prev is not None:
            kind = wm.Alias(wm.TypeRef(prev))
        elif isinstance(referenced, wt.ResourceType):
            kind = wm.Resource()
        else:
            kind = self.convert_defined(_as_defined(referenced, name))
        tid = self.resolve.add_type(wm.TypeDef(kind, name, owner, external_id=item.external_id))
        if isinstance(kind, wm.Resource):
            by_name = self.resources.setdefault(owner, {})
            if name in by_name:
                raise WitError(f"resource `{name}` defined twice")
            by_name[name] = tid
        if ety.created in self.type_map:
            raise WitError(
                f"cannot represent this component in WIT: the type `{name}` appears more "
                "than once (for example, when an imported instance is re-exported under a new name)"
            )
        self.type_map[ety.created] = tid
        return tid

    def convert_function(self, name: str, item: wt.ExternItem, owner: wm.TypeOwner) -> wm.Function:
        ft = item.ty
        if not isinstance(ft, wt.FuncType):
            raise WitError(f"`{name}` is not a function")
        params = [(pname, self.convert_valtype(pty)) for pname, pty in ft.params]
        result = None if ft.result is None else self.convert_valtype(ft.result)
        special = resource_function(name)
        if special is None:
            if not is_label(name):
                raise WitError(f"unsupported function name `{name}`")
            kind = wm.FunctionKind("freestanding", is_async=ft.is_async)
        else:
            fkind, rname = special
            resource = self.resources.get(owner, {}).get(rname)
            if resource is None:
                raise WitError(f"function `{name}` refers to unknown resource `{rname}`")
            kind = wm.FunctionKind(fkind, resource, ft.is_async and fkind != "constructor")
        return wm.Function(name, kind, params, result, external_id=item.external_id)

    def convert_valtype(self, ty: wt.ValType) -> wm.Type:
        if isinstance(ty, str):
            return ty
        hit = self.type_map.get(ty)
        if hit is not None:
            return wm.TypeRef(hit)
        kind = self.convert_defined(ty)
        if not isinstance(kind, _ANONYMOUS_OK):
            # a nominal type reached through an alias copy the map does not know by itself
            prev = self.find_alias(ty)
            if prev is not None:
                return wm.TypeRef(prev)
            raise WitError(f"unexpected unnamed type of kind '{wm.kind_word(kind)}'")
        tid = self.resolve.add_type(wm.TypeDef(kind))
        self.type_map[ty] = tid
        return wm.TypeRef(tid)

    def convert_defined(self, ty: DefinedType) -> wm.TypeDefKind:
        """The WIT kind of a component defined type; inner types are converted (and shared)."""
        cv = self.convert_valtype
        if isinstance(ty, wt.PrimType):
            return wm.Alias(ty.prim)
        if isinstance(ty, wt.ListType):
            return wm.ListOf(cv(ty.element), ty.length)
        if isinstance(ty, wt.RecordType):
            return wm.Record(tuple((n, cv(t), wm.Docs()) for n, t in ty.fields))
        if isinstance(ty, wt.VariantType):
            return wm.Variant(
                tuple((n, None if t is None else cv(t), wm.Docs()) for n, t in ty.cases)
            )
        if isinstance(ty, wt.TupleType):
            return wm.Tuple(tuple(cv(t) for t in ty.types))
        if isinstance(ty, wt.FlagsType):
            return wm.Flags(tuple((n, wm.Docs()) for n in ty.names))
        if isinstance(ty, wt.EnumType):
            return wm.Enum(tuple((n, wm.Docs()) for n in ty.names))
        if isinstance(ty, wt.OptionType):
            return wm.OptionOf(cv(ty.value))
        if isinstance(ty, wt.ResultType):
            return wm.ResultOf(
                None if ty.ok is None else cv(ty.ok), None if ty.err is None else cv(ty.err)
            )
        if isinstance(ty, wt.OwnType | wt.BorrowType):
            resource = self.find_alias(ty.resource)
            if resource is None:
                raise WitError("handle to a resource that was never named")
            return wm.Handle("own" if isinstance(ty, wt.OwnType) else "borrow", resource)
        if isinstance(ty, wt.MapType):
            return wm.MapOf(cv(ty.key), cv(ty.value))
        if isinstance(ty, wt.FutureType):
            return wm.Future(None if ty.value is None else cv(ty.value))
        if isinstance(ty, wt.StreamType):
            return wm.Stream(None if ty.element is None else cv(ty.element))
        raise WitError(f"unsupported type {type(ty).__name__}")

    # ---------------------------------------------------------------- unifying repeated definitions

    def register_defined(self, tid: wm.TypeId, ty: DefinedType) -> None:
        """Map the anonymous types inside ``ty`` onto those of the WIT type ``tid`` it matches.

        A foreign interface seen a second time (or a local one seen in an
        export) repeats its types; without this, ``list<u8>`` and friends would
        be decoded again as new anonymous types.
        """
        kind = self.resolve.types[tid].kind
        if isinstance(ty, wt.PrimType | wt.FlagsType | wt.EnumType | wt.OwnType | wt.BorrowType):
            return
        if isinstance(kind, wm.Alias) and isinstance(kind.target, wm.TypeRef):
            return  # a name (or use) of something registered already
        rv = self.register_valtype
        if isinstance(ty, wt.ListType):
            if not isinstance(kind, wm.ListOf) or kind.length != ty.length:
                raise WitError("expected a list")
            rv(ty.element, kind.element)
        elif isinstance(ty, wt.MapType):
            if not isinstance(kind, wm.MapOf):
                raise WitError("expected a map")
            rv(ty.key, kind.key)
            rv(ty.value, kind.value)
        elif isinstance(ty, wt.TupleType):
            if not isinstance(kind, wm.Tuple):
                raise WitError("expected a tuple")
            if len(kind.types) != len(ty.types):
                raise WitError("mismatched number of tuple fields")
            for a, b in zip(ty.types, kind.types, strict=True):
                rv(a, b)
        elif isinstance(ty, wt.OptionType):
            if not isinstance(kind, wm.OptionOf):
                raise WitError("expected an option")
            rv(ty.value, kind.value)
        elif isinstance(ty, wt.ResultType):
            if not isinstance(kind, wm.ResultOf):
                raise WitError("expected a result")
            self._register_optional(ty.ok, kind.ok, "result")
            self._register_optional(ty.err, kind.err, "result")
        elif isinstance(ty, wt.RecordType):
            if not isinstance(kind, wm.Record):
                raise WitError("expected a record")
            if len(kind.fields) != len(ty.fields):
                raise WitError("mismatched number of record fields")
            for (name, a), (wname, b, _) in zip(ty.fields, kind.fields, strict=True):
                if name != wname:
                    raise WitError("mismatched field order")
                rv(a, b)
        elif isinstance(ty, wt.VariantType):
            if not isinstance(kind, wm.Variant):
                raise WitError("expected a variant")
            if len(kind.cases) != len(ty.cases):
                raise WitError("mismatched number of variant cases")
            for (name, wcase), (wname, tcase, _) in zip(ty.cases, kind.cases, strict=True):
                if name != wname:
                    raise WitError("mismatched case order")
                self._register_optional(wcase, tcase, "case")
        elif isinstance(ty, wt.FutureType):
            if not isinstance(kind, wm.Future):
                raise WitError("expected a future")
            self._register_optional(ty.value, kind.value, "future")
        elif isinstance(ty, wt.StreamType):
            if not isinstance(kind, wm.Stream):
                raise WitError("expected a stream")
            self._register_optional(ty.element, kind.element, "stream")

    def _register_optional(self, a: wt.ValType | None, b: wm.Type | None, what: str) -> None:
        if a is not None and b is not None:
            self.register_valtype(a, b)
        elif (a is None) != (b is None):
            raise WitError(f"disagreement on {what} structure")

    def register_valtype(self, wasm: wt.ValType, wit: wm.Type) -> None:
        if isinstance(wasm, str):
            return
        if not isinstance(wit, wm.TypeRef):
            raise WitError("expected id-based type")
        prev = self.type_map.get(wasm)
        self.type_map[wasm] = wit.id
        if prev is None:
            self.register_defined(wit.id, wasm)

    # ---------------------------------------------------------------- finishing

    def finish(self, package: wm.Package) -> wm.PackageId:
        """Insert the foreign packages in dependency order, then ``package``; return its id."""
        packages = list(self.foreign.values())

        def deps(idx: int) -> Iterator[int]:
            for iface in packages[idx].interfaces.values():
                for dep in self._interface_direct_deps(iface):
                    dep_idx = self.iface_to_foreign.get(dep)
                    if dep_idx is not None and dep_idx != idx:
                        yield dep_idx

        # depth-first, dependencies before dependents, with an explicit stack:
        # a chain of packages each using the last can be longer than Python's stack
        order: list[int] = []
        seen: set[int] = set()
        for start in range(len(packages)):
            if start in seen:
                continue
            seen.add(start)
            stack = [(start, deps(start))]
            while stack:
                idx, pending = stack[-1]
                for dep in pending:
                    if dep not in seen:
                        seen.add(dep)
                        stack.append((dep, deps(dep)))
                        break
                else:
                    stack.pop()
                    order.append(idx)
        for idx in order:
            self._insert_package(packages[idx])
        return self._insert_package(package)

    def _interface_direct_deps(self, iface: wm.InterfaceId) -> list[wm.InterfaceId]:
        types = self.resolve.types
        deps = []
        for tid in self.resolve.interfaces[iface].types.values():
            ty = types[tid]
            if isinstance(ty.kind, wm.Alias) and isinstance(ty.kind.target, wm.TypeRef):
                other = types[ty.kind.target.id]
                if (
                    other.owner != ty.owner
                    and other.owner.kind == "interface"
                    and other.owner.id is not None
                ):
                    deps.append(wm.InterfaceId(other.owner.id))
        return deps

    def _insert_package(self, package: wm.Package) -> wm.PackageId:
        resolve = self.resolve
        pkg_id = next(
            (wm.PackageId(i) for i, p in enumerate(resolve.packages) if p.name == package.name),
            None,
        )
        if pkg_id is None:
            pkg_id = resolve.add_package(wm.Package(package.name, package.docs))
        target = resolve.packages[pkg_id]
        for name, iface_id in package.interfaces.items():
            target.interfaces[name] = iface_id
            resolve.interfaces[iface_id].package = pkg_id
        for name, world_id in package.worlds.items():
            target.worlds[name] = world_id
            world = resolve.worlds[world_id]
            world.package = pkg_id
            for items in (world.imports, world.exports):
                for key, item in items.items():
                    if (
                        key.name is not None
                        and item.kind == "interface"
                        and item.interface is not None
                    ):
                        iface = resolve.interfaces[item.interface]
                        if iface.name is None:
                            iface.package = pkg_id
        return pkg_id


def _as_defined(ty: AnyType, name: str) -> DefinedType:
    if isinstance(ty, wt.ResourceType | wt.FuncType | wt.InstanceType | wt.ComponentType):
        raise WitError(f"type `{name}` is not a value type")
    return ty


# --------------------------------------------------------------------------- entry points


def is_wit_package(ct: wt.ComponentType) -> Literal[1, 2] | None:
    """The WIT-package encoding version (1 or 2) of a component's type, or None for a component.

    A WIT package exports only component types and imports nothing.  v1 has a
    single export named ``ns:pkg/wit``; v2 names each export by the plain name
    of the interface or world it holds.
    """
    if ct.imports or not ct.exports:
        return None
    for item in ct.exports.values():
        if not (
            isinstance(item.ty, wt.TypeExtern) and isinstance(item.ty.created, wt.ComponentType)
        ):
            return None
    first = next(iter(ct.exports))
    parts = interface_name(first)
    if parts is not None:
        return 1 if parts.interface == "wit" else None
    return 2 if is_label(first) else None


def decode_component_type(
    ct: wt.ComponentType,
    package_docs: bytes | None = None,
    order: Sequence[tuple[Literal["import", "export"], str]] | None = None,
) -> tuple[wm.Resolve, wm.WorldId]:
    """The WIT of a concrete component: world ``root`` of package ``root:component``.

    ``package_docs`` is the payload of the component's ``package-docs`` custom
    section, if it has one.  ``order`` is the order of the import and export
    sections' entries in the binary; wasm-tools decodes in that order, which
    decides the ids in ``--json`` when an export precedes an import (by
    default all imports are taken first).
    """
    if order is None:
        imports: list[tuple[Literal["import", "export"], str]] = [("import", n) for n in ct.imports]
        order = imports + [("export", n) for n in ct.exports]
    decoder = Decoder()
    world_id = decoder.resolve.add_world(wm.World("root"))
    package = wm.Package(wm.PackageName("root", "component"), worlds={"root": world_id})
    for direction, name in order:
        try:
            if direction == "import":
                decoder.component_import(name, ct.imports[name], world_id, package)
            else:
                decoder.component_export(name, ct.exports[name], world_id, package)
        except WitError as exc:
            raise WitError(f"failed to decode WIT from {direction} `{name}`: {exc}") from exc
    pkg_id = decoder.finish(package)
    if package_docs is not None:
        from witkit.wit.metadata import inject_package_docs

        inject_package_docs(decoder.resolve, pkg_id, package_docs)
    return decoder.resolve, world_id


def decode_wit_package(
    ct: wt.ComponentType, package_docs: bytes | None = None
) -> tuple[wm.Resolve, wm.PackageId]:
    """The WIT package a component of component types encodes (``wasm-tools component wit --wasm``)."""
    version = is_wit_package(ct)
    if version is None:
        raise WitError("not a WIT package: every export must be a component type")
    decoder = Decoder()
    if version == 1:
        if len(ct.exports) != 1:
            raise WitError("more than one top-level exported component type found")
        name, item = next(iter(ct.exports.items()))
        assert isinstance(item.ty, wt.TypeExtern) and isinstance(item.ty.created, wt.ComponentType)
        try:
            package = decoder.decode_v1_package(name, item.ty.created)
        except WitError as exc:
            raise WitError(f"failed to decode document `{name}`: {exc}") from exc
    else:
        package = wm.Package(wm.PackageName("", ""))
        pkg_name: wm.PackageName | None = None
        for item in ct.exports.values():
            assert isinstance(item.ty, wt.TypeExtern) and isinstance(
                item.ty.created, wt.ComponentType
            )
            inner = item.ty.created
            if len(inner.exports) != 1:
                raise WitError(f"Expected a single export, but found {len(inner.exports)} instead")
            iname, iitem = next(iter(inner.exports.items()))
            if isinstance(iitem.ty, wt.ComponentType):
                item_pkg = decoder.decode_world_export(iname, iitem, package)
            elif isinstance(iitem.ty, wt.InstanceType):
                item_pkg = decoder.decode_interface(iname, inner.imports, iitem, package)
            else:
                raise WitError(f"export `{iname}` is neither a world nor an interface")
            if pkg_name is None:
                pkg_name = item_pkg
            elif pkg_name != item_pkg:
                raise WitError("item defined with mismatched package name")
        assert pkg_name is not None
        package.name = pkg_name
    pkg_id = decoder.finish(package)
    if package_docs is not None:
        from witkit.wit.metadata import inject_package_docs

        inject_package_docs(decoder.resolve, pkg_id, package_docs)
    return decoder.resolve, pkg_id


def decode_world(ct: wt.ComponentType) -> tuple[wm.Resolve, wm.WorldId]:
    """A single world encoded as a component whose one export is the world's component type.

    This is the form of the ``component-type`` custom section that bindings
    generators embed in core modules.  (No ``package-docs`` are applied, as in
    wasm-tools.)
    """
    if len(ct.exports) != 1:
        raise WitError("expected one export in component")
    (item,) = ct.exports.values()
    if not (isinstance(item.ty, wt.TypeExtern) and isinstance(item.ty.created, wt.ComponentType)):
        raise WitError("expected an exported component type")
    outer = item.ty.created
    if outer.imports or len(outer.exports) != 1:
        raise WitError("expected a component type with a single export and no imports")
    (name, inner), *_ = outer.exports.items()
    decoder = Decoder()
    package = wm.Package(wm.PackageName("", ""))
    package.name = decoder.decode_world_export(name, inner, package)
    pkg_id = decoder.finish(package)
    world_id = next(iter(decoder.resolve.packages[pkg_id].worlds.values()))
    return decoder.resolve, world_id
