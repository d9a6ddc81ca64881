"""WIT to binary: a resolved package as a WIT package component, a world as a component type.

This is what ``wasm-tools component wit --wasm`` writes (the "WIT encoding"
of ``WIT.md`` "Package Format", as wit-component's ``encoding/wit.rs`` and
``encoding/types.rs`` produce it), and what ``wasm-tools component embed
--only-custom`` writes as the payload of a ``component-type`` custom section.
The goal is byte-for-byte equality with wasm-tools, so the order in which types
are defined, de-duplicated and aliased follows the reference exactly:

* each interface becomes a component type that imports every interface it
  depends on (transitively, dependencies first) as an instance of the full
  types of that interface, then exports its own instance type; each world
  becomes a component type wrapping the world's component type;
* inside a scope, a type is defined once: named types by id, anonymous types
  by shape, function types by signature; a type of another interface is reached
  through an ``alias export`` of the imported instance (then an ``alias outer``
  from inside an instance type);
* doc comments and feature gates, which the binary format cannot hold, go to
  the ``package-docs`` custom section (``witkit.wit.metadata`` writes it).

This module decides *what* to write and in which order; the bytes of each
production come from the binary writer, ``witkit.binary.encode``.

Public API: ``encode_package(resolve, package)``, ``encode_world(resolve,
world)``, ``component_type_section(resolve, world)``.  ``producers`` selects
the ``processed-by`` entry of the ``producers`` section; pass
``WASM_TOOLS_PRODUCER`` to reproduce wasm-tools' bytes exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

from witkit._record import field, record
from witkit.binary import ir
from witkit.binary.encode import (
    ComponentTypeWriter,
    ComponentWriter,
    InstanceTypeWriter,
    write_borrow,
    write_custom_section,
    write_enum,
    write_export,
    write_extern_desc,
    write_extern_name,
    write_flags,
    write_func_type,
    write_future,
    write_list,
    write_map,
    write_option,
    write_own,
    write_producers,
    write_record,
    write_result,
    write_stream,
    write_tuple,
    write_valtype,
    write_variant,
)
from witkit.wit import model
from witkit.wit.metadata import SECTION_NAME as PACKAGE_DOCS
from witkit.wit.metadata import extract_package_docs

__all__ = [
    "WASM_TOOLS_PRODUCER",
    "WITKIT_PRODUCER",
    "component_type_section",
    "encode_package",
    "encode_world",
    "encode_world_type",
]

#: what wasm-tools 1.262 records as the tool that made a WIT package binary
WASM_TOOLS_PRODUCER = ("wit-component", "0.262.0")
#: what witkit records by default
WITKIT_PRODUCER = ("witkit", "0.1.0")

#: version byte of the ``wit-component-encoding`` section of a ``component-type`` payload
_COMPONENT_TYPE_VERSION = 4
_UTF8 = 0

#: a type bound of ``(sub resource)``: how a resource is imported or exported
_SUB_RESOURCE = write_extern_desc("type")


@record(frozen=False)
class _Maps:
    """What is already defined in a scope: by type id, by anonymous shape, by signature."""

    by_id: dict[model.TypeId, int] = field(default_factory=dict)
    by_kind: dict[model.TypeDefKind, int] = field(default_factory=dict)
    funcs: dict[tuple[object, ...], int] = field(default_factory=dict)


class _InterfaceEncoder:
    """wit-component's ``InterfaceEncoder``: an outer component type and the instance in progress."""

    def __init__(self, resolve: model.Resolve) -> None:
        self.r = resolve
        self.outer = ComponentTypeWriter()
        self.ty: InstanceTypeWriter | None = None
        self.maps = _Maps()
        self.saved: _Maps | None = None
        self.import_map: dict[model.InterfaceId, int] = {}
        self.outer_types: dict[model.TypeId, int] = {}
        self.instances = 0
        self.import_types = False
        self.interface: model.InterfaceId | None = None

    # ----------------------------------------------------------------- scopes

    def scope(self) -> InstanceTypeWriter:
        return self.ty if self.ty is not None else self.outer

    def push_instance(self) -> None:
        assert self.ty is None and self.saved is None
        self.saved = self.maps
        self.maps = _Maps()
        self.ty = InstanceTypeWriter()

    def pop_instance(self) -> InstanceTypeWriter:
        assert self.ty is not None and self.saved is not None
        instance = self.ty
        self.maps = self.saved
        self.saved = None
        self.ty = None
        return instance

    def encode_instance(self, iid: model.InterfaceId) -> int:
        self.push_instance()
        iface = self.r.interfaces[iid]
        order: dict[model.TypeId, int] = {}
        for tid in iface.types.values():
            self.encode_valtype(model.TypeRef(tid))
            order.setdefault(tid, len(order))
        funcs = sorted(
            iface.functions.items(),
            key=lambda kv: (
                order[kv[1].kind.resource] if kv[1].kind.resource is not None else len(order)
            ),
        )
        for fname, func in funcs:
            index = self.encode_func_type(func)
            assert self.ty is not None
            self.ty.export(
                write_extern_name(fname, external_id=func.external_id),
                write_extern_desc("func", index),
            )
        instance = self.pop_instance()
        index = self.outer.ty(instance.encode())
        self.import_map[iid] = self.instances
        self.instances += 1
        return index

    # ----------------------------------------------------------------- the ValtypeEncoder role

    def export_type(self, index: int, extern: bytes) -> int:
        if self.ty is None and self.import_types:
            return self.outer.import_(extern, write_extern_desc("type", index))
        assert not (self.ty is not None and self.import_types)
        return self.scope().export(extern, write_extern_desc("type", index))

    def export_resource(self, extern: bytes) -> int:
        if self.ty is None and self.import_types:
            return self.outer.import_(extern, _SUB_RESOURCE)
        return self.scope().export(extern, _SUB_RESOURCE)

    def import_type(self, owner: model.InterfaceId, tid: model.TypeId) -> int:
        ty = self.r.types[tid]
        outer_index = self.outer_types.get(tid)
        if outer_index is None:
            assert ty.name is not None
            outer_index = self.outer.alias_export("type", self.import_map[owner], ty.name)
            self.outer_types[tid] = outer_index
        if self.ty is not None:
            return self.ty.alias_outer("type", 1, outer_index)
        return outer_index

    def lookup(self, tid: model.TypeId) -> int | None:
        found = self.maps.by_id.get(tid)
        if found is not None:
            return found
        ty = self.r.types[tid]
        if ty.name is None:
            return self.maps.by_kind.get(ty.kind)
        return None

    def remember(self, tid: model.TypeId, index: int) -> None:
        self.maps.by_id[tid] = index
        ty = self.r.types[tid]
        if ty.name is None:
            self.maps.by_kind[ty.kind] = index

    def encode_func_type(self, func: model.Function) -> int:
        key = (func.kind.is_async, tuple(func.params), func.result)
        found = self.maps.funcs.get(key)
        if found is not None:
            return found
        params = [(pname, self.encode_valtype(pty)) for pname, pty in func.params]
        result = None if func.result is None else self.encode_valtype(func.result)
        index = self.scope().ty(write_func_type(params, result, is_async=func.kind.is_async))
        self.maps.funcs[key] = index
        return index

    def encode_valtype(self, ty: model.Type) -> ir.ValTypeRef:
        """The value type of ``ty`` in the current scope: a primitive's name or a type index."""
        if isinstance(ty, str):
            return ty
        tid = ty.id
        found = self.lookup(tid)
        if found is not None:
            return found
        typedef = self.r.types[tid]
        owner = typedef.owner
        if owner.kind == "interface" and owner.id != self.interface:
            assert owner.id is not None
            index = self.import_type(model.InterfaceId(owner.id), tid)
            self.remember(tid, index)
            return index

        kind = typedef.kind
        encoded: ir.ValTypeRef
        if isinstance(kind, model.Resource):
            assert typedef.name is not None
            extern = write_extern_name(typedef.name, external_id=typedef.external_id)
            index = self.export_resource(extern)
            self.maps.by_id[tid] = index
            return index
        if isinstance(kind, model.Alias):
            encoded = self.encode_valtype(kind.target)
        else:
            encoded = self.define(kind)

        if typedef.name is not None:
            # A named primitive needs a type of its own to be exported.
            index = self.scope().ty(write_valtype(encoded)) if isinstance(encoded, str) else encoded
            encoded = self.export_type(
                index, write_extern_name(typedef.name, external_id=typedef.external_id)
            )
        if not isinstance(encoded, str):
            self.remember(tid, encoded)
        return encoded

    def _opt(self, ty: model.Type | None) -> ir.ValTypeRef | None:
        return None if ty is None else self.encode_valtype(ty)

    def define(self, kind: model.TypeDefKind) -> int:
        """Define a (non-alias, non-resource) type in the current scope; returns its index."""
        body: bytes
        if isinstance(kind, model.Record):
            body = write_record([(n, self.encode_valtype(t)) for n, t, _ in kind.fields])
        elif isinstance(kind, model.Tuple):
            body = write_tuple([self.encode_valtype(t) for t in kind.types])
        elif isinstance(kind, model.Flags):
            body = write_flags([n for n, _ in kind.names])
        elif isinstance(kind, model.Variant):
            body = write_variant([(n, self._opt(t)) for n, t, _ in kind.cases])
        elif isinstance(kind, model.OptionOf):
            body = write_option(self.encode_valtype(kind.value))
        elif isinstance(kind, model.ResultOf):
            ok = self._opt(kind.ok)
            body = write_result(ok, self._opt(kind.err))
        elif isinstance(kind, model.Enum):
            body = write_enum([n for n, _ in kind.cases])
        elif isinstance(kind, model.ListOf):
            body = write_list(self.encode_valtype(kind.element), kind.length)
        elif isinstance(kind, model.MapOf):
            key = self.encode_valtype(kind.key)
            body = write_map(key, self.encode_valtype(kind.value))
        elif isinstance(kind, model.Future):
            body = write_future(self._opt(kind.value))
        elif isinstance(kind, model.Stream):
            body = write_stream(self._opt(kind.element))
        elif isinstance(kind, model.Handle):
            resource = self.encode_valtype(model.TypeRef(kind.resource))
            assert not isinstance(resource, str), "a handle must point at an indexed type"
            body = write_own(resource) if kind.kind == "own" else write_borrow(resource)
        else:  # pragma: no cover - Unknown only exists while decoding
            raise ValueError(f"cannot encode a type of kind {type(kind).__name__}")
        return self.scope().ty(body)


# --------------------------------------------------------------------------- worlds and packages


def _item_extern(resolve: model.Resolve, key: model.WorldKey, item: model.WorldItem) -> bytes:
    implements = None
    external_id: str | None
    if item.kind == "interface":
        assert item.interface is not None
        if key.name is not None and resolve.interfaces[item.interface].name is not None:
            implements = resolve.id_of(item.interface)
        external_id = item.external_id
    elif item.kind == "function":
        assert item.function is not None
        external_id = item.function.external_id
    else:
        assert item.type is not None
        external_id = resolve.types[item.type].external_id
    return write_extern_name(resolve.name_world_key(key), implements, external_id)


def _world_type(resolve: model.Resolve, wid: model.WorldId) -> ComponentTypeWriter:
    """The component type of a world (wit-component ``encode_world``)."""
    enc = _InterfaceEncoder(resolve)
    world = resolve.worlds[wid]
    for items, is_import in ((world.imports, True), (world.exports, False)):
        for key, item in items.items():
            desc: bytes
            if item.kind == "interface":
                assert item.interface is not None
                enc.interface = item.interface
                desc = write_extern_desc("instance", enc.encode_instance(item.interface))
            elif item.kind == "function":
                assert item.function is not None
                enc.interface = None
                desc = write_extern_desc("func", enc.encode_func_type(item.function))
            else:
                assert is_import and item.type is not None
                enc.interface = None
                enc.import_types = True
                enc.encode_valtype(model.TypeRef(item.type))
                enc.import_types = False
                continue
            extern = _item_extern(resolve, key, item)
            if is_import:
                enc.outer.import_(extern, desc)
            else:
                enc.outer.export(extern, desc)
    return enc.outer


def encode_world_type(resolve: model.Resolve, wid: model.WorldId) -> bytes:
    """The component type of a world, as one ``deftype`` (what a component of the world has)."""
    return _world_type(resolve, wid).encode()


def _world_wrapper(resolve: model.Resolve, wid: model.WorldId) -> bytes:
    world = resolve.worlds[wid]
    assert world.package is not None
    wrapper = ComponentTypeWriter()
    index = wrapper.ty(_world_type(resolve, wid).encode())
    wrapper.export(
        write_extern_name(resolve.id_of_name(world.package, world.name)),
        write_extern_desc("component", index),
    )
    return wrapper.encode()


def _live_interfaces(
    resolve: model.Resolve, iid: model.InterfaceId, out: dict[model.InterfaceId, None]
) -> None:
    """Add ``iid`` to ``out`` after the interfaces it uses (depth first, own stack)."""

    def deps(i: model.InterfaceId) -> Iterator[model.InterfaceId]:
        for tid in resolve.interfaces[i].types.values():
            dep = _type_interface_dep(resolve, tid)
            if dep is not None:
                yield dep

    if iid in out:
        return
    stack = [(iid, deps(iid))]
    while stack:
        current, pending = stack[-1]
        for dep in pending:
            if dep not in out:
                stack.append((dep, deps(dep)))
                break
        else:
            stack.pop()
            out[current] = None


def _type_interface_dep(resolve: model.Resolve, tid: model.TypeId) -> model.InterfaceId | None:
    ty = resolve.types[tid]
    kind = ty.kind
    if not isinstance(kind, model.Alias) or not isinstance(kind.target, model.TypeRef):
        return None
    other = resolve.types[kind.target.id]
    if other.owner == ty.owner or other.owner.kind != "interface" or other.owner.id is None:
        return None
    return model.InterfaceId(other.owner.id)


def _interface_type(resolve: model.Resolve, iid: model.InterfaceId) -> bytes:
    """The component type of one interface: its dependencies imported, itself exported."""
    live: dict[model.InterfaceId, None] = {}
    _live_interfaces(resolve, iid, live)
    enc = _InterfaceEncoder(resolve)
    for dep in live:
        enc.interface = dep
        dep_name = resolve.id_of(dep)
        assert dep_name is not None
        if dep == iid:
            index = enc.encode_instance(dep)
            enc.outer.export(write_extern_name(dep_name), write_extern_desc("instance", index))
        else:
            enc.push_instance()
            for tid in resolve.interfaces[dep].types.values():
                enc.encode_valtype(model.TypeRef(tid))
            instance = enc.pop_instance()
            index = enc.outer.ty(instance.encode())
            enc.import_map[dep] = enc.instances
            enc.instances += 1
            enc.outer.import_(write_extern_name(dep_name), write_extern_desc("instance", index))
    return enc.outer.encode()


def _type_and_export(w: ComponentWriter, type_index: int, item_name: str, deftype: bytes) -> None:
    """A type section of one type, and a section exporting it as ``item_name``."""
    w.type_section([deftype])
    w.export_section([write_export(write_extern_name(item_name), "type", type_index)])


def _producers(w: ComponentWriter, producer: tuple[str, str]) -> None:
    w.custom_section("producers", write_producers({"processed-by": [producer]}))


def encode_package(
    resolve: model.Resolve,
    package: model.PackageId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
) -> bytes:
    """The WIT package binary of ``package`` (``wasm-tools component wit --wasm``)."""
    w = ComponentWriter()
    index = 0
    pkg = resolve.packages[package]
    for iface_name, iid in pkg.interfaces.items():
        _type_and_export(w, index, iface_name, _interface_type(resolve, iid))
        index += 2
    for world_name, wid in pkg.worlds.items():
        _type_and_export(w, index, world_name, _world_wrapper(resolve, wid))
        index += 2
    w.custom_section(PACKAGE_DOCS, extract_package_docs(resolve, package))
    _producers(w, producer)
    return w.finish()


def encode_world(
    resolve: model.Resolve,
    world: model.WorldId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
    string_encoding: int = _UTF8,
) -> bytes:
    """The ``component-type`` payload for ``world`` (``component embed --only-custom``).

    ``string_encoding`` is the byte wit-component records for the world's
    functions: 0 ``utf8``, 1 ``utf16``, 2 ``compact-utf16``.
    """
    w = ComponentWriter()
    w.custom_section("wit-component-encoding", bytes([_COMPONENT_TYPE_VERSION, string_encoding]))
    _type_and_export(w, 0, resolve.worlds[world].name, _world_wrapper(resolve, world))
    _producers(w, producer)
    return w.finish()


def component_type_section(
    resolve: model.Resolve,
    world: model.WorldId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
    string_encoding: int = _UTF8,
) -> bytes:
    """``encode_world`` wrapped as the ``component-type`` custom section of a core module."""
    payload = encode_world(resolve, world, producer=producer, string_encoding=string_encoding)
    return write_custom_section("component-type", payload)
