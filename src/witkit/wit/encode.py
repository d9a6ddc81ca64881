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
  the ``package-docs`` custom section (version byte 1, then JSON).

A small binary writer (LEB128, names, sections) lives here too.

Public API: ``encode_package(resolve, package)``, ``encode_world(resolve,
world)``, ``component_type_section(resolve, world)``.  ``producers`` selects
the ``processed-by`` entry of the ``producers`` section; pass
``WASM_TOOLS_PRODUCER`` to reproduce wasm-tools' bytes exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from witkit._record import field, record
from witkit.wit import model

__all__ = [
    "WASM_TOOLS_PRODUCER",
    "WITKIT_PRODUCER",
    "component_type_section",
    "encode_package",
    "encode_world",
]

#: what wasm-tools 1.262 records as the tool that made a WIT package binary
WASM_TOOLS_PRODUCER = ("wit-component", "0.262.0")
#: what witkit records by default
WITKIT_PRODUCER = ("witkit", "0.1.0")

_HEADER = b"\x00asm\x0d\x00\x01\x00"
_SECTION_CUSTOM = 0
_SECTION_TYPE = 7
_SECTION_EXPORT = 11
_SORT_TYPE = 0x03
#: version byte of the ``package-docs`` section (JSON follows)
_PACKAGE_DOCS_VERSION = 1
#: version byte of the ``wit-component-encoding`` section of a ``component-type`` payload
_COMPONENT_TYPE_VERSION = 4
_UTF8 = 0

_PRIMITIVES = {
    "bool": 0x7F,
    "s8": 0x7E,
    "u8": 0x7D,
    "s16": 0x7C,
    "u16": 0x7B,
    "s32": 0x7A,
    "u32": 0x79,
    "s64": 0x78,
    "u64": 0x77,
    "f32": 0x76,
    "f64": 0x75,
    "char": 0x74,
    "string": 0x73,
    "error-context": 0x64,
}

# --------------------------------------------------------------------------- binary writer


def uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte if done else byte | 0x80)
        if done:
            return bytes(out)


def name(text: str) -> bytes:
    data = text.encode()
    return uleb(len(data)) + data


def section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(payload)) + payload


def custom_section(section_name: str, data: bytes) -> bytes:
    return section(_SECTION_CUSTOM, name(section_name) + data)


def extern_name(text: str, implements: str | None = None, external_id: str | None = None) -> bytes:
    """``nameattributes``: a plain name, or a name with ``implements``/``external-id``."""
    attrs: list[bytes] = []
    if implements is not None:
        attrs.append(b"\x00" + name(implements))
    if external_id is not None:
        attrs.append(b"\x02" + name(external_id))
    if not attrs:
        return b"\x00" + name(text)
    return b"\x02" + name(text) + uleb(len(attrs)) + b"".join(attrs)


# A value type as encoded: a primitive opcode, or a type index (signed LEB128).
ValType = tuple[str, int]


def valtype(ty: ValType) -> bytes:
    kind, value = ty
    return bytes([value]) if kind == "prim" else sleb(value)


def opt_valtype(ty: ValType | None) -> bytes:
    return b"\x00" if ty is None else b"\x01" + valtype(ty)


# --------------------------------------------------------------------------- type scopes


@record(frozen=False)
class _Scope:
    """A component or instance type under construction: its declarations and counts."""

    instance: bool
    decls: list[bytes] = field(default_factory=list)
    types: int = 0
    instances: int = 0

    def ty(self, deftype: bytes) -> int:
        self.decls.append(b"\x01" + deftype)
        self.types += 1
        return self.types - 1

    def _counted(self, ref: bytes) -> None:
        if ref[0] == 0x03:
            self.types += 1
        elif ref[0] == 0x05:
            self.instances += 1

    def import_(self, extern: bytes, ref: bytes) -> None:
        assert not self.instance
        self.decls.append(b"\x03" + extern + ref)
        self._counted(ref)

    def export(self, extern: bytes, ref: bytes) -> None:
        self.decls.append(b"\x04" + extern + ref)
        self._counted(ref)

    def alias_export(self, instance: int, export: str) -> int:
        self.decls.append(b"\x02" + bytes([_SORT_TYPE, 0x00]) + uleb(instance) + name(export))
        self.types += 1
        return self.types - 1

    def alias_outer(self, count: int, index: int) -> int:
        self.decls.append(b"\x02" + bytes([_SORT_TYPE, 0x02]) + uleb(count) + uleb(index))
        self.types += 1
        return self.types - 1

    def encode(self) -> bytes:
        return (
            (b"\x42" if self.instance else b"\x41") + uleb(len(self.decls)) + b"".join(self.decls)
        )


def _instance_ref(index: int) -> bytes:
    return b"\x05" + uleb(index)


def _func_ref(index: int) -> bytes:
    return b"\x01" + uleb(index)


def _eq_ref(index: int) -> bytes:
    return b"\x03\x00" + uleb(index)


_SUB_RESOURCE = b"\x03\x01"


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
        self.outer = _Scope(instance=False)
        self.ty: _Scope | None = None
        self.maps = _Maps()
        self.saved: _Maps | None = None
        self.import_map: dict[model.InterfaceId, int] = {}
        self.outer_types: dict[model.TypeId, int] = {}
        self.instances = 0
        self.import_types = False
        self.interface: model.InterfaceId | None = None

    # ----------------------------------------------------------------- scopes

    def scope(self) -> _Scope:
        return self.ty if self.ty is not None else self.outer

    def push_instance(self) -> None:
        assert self.ty is None and self.saved is None
        self.saved = self.maps
        self.maps = _Maps()
        self.ty = _Scope(instance=True)

    def pop_instance(self) -> _Scope:
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
            self.ty.export(extern_name(fname, external_id=func.external_id), _func_ref(index))
        instance = self.pop_instance()
        index = self.outer.ty(instance.encode())
        self.import_map[iid] = self.instances
        self.instances += 1
        return index

    # ----------------------------------------------------------------- the ValtypeEncoder role

    def export_type(self, index: int, extern: bytes) -> int:
        scope = self.scope()
        ret = scope.types
        if self.ty is None and self.import_types:
            scope.import_(extern, _eq_ref(index))
        else:
            assert not (self.ty is not None and self.import_types)
            scope.export(extern, _eq_ref(index))
        return ret

    def export_resource(self, extern: bytes) -> int:
        scope = self.scope()
        if self.ty is None and self.import_types:
            scope.import_(extern, _SUB_RESOURCE)
        else:
            scope.export(extern, _SUB_RESOURCE)
        return scope.types - 1

    def import_type(self, owner: model.InterfaceId, tid: model.TypeId) -> int:
        ty = self.r.types[tid]
        outer_index = self.outer_types.get(tid)
        if outer_index is None:
            assert ty.name is not None
            outer_index = self.outer.alias_export(self.import_map[owner], ty.name)
            self.outer_types[tid] = outer_index
        if self.ty is not None:
            return self.ty.alias_outer(1, outer_index)
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
        body = bytearray(b"\x43" if func.kind.is_async else b"\x40")
        body += uleb(len(params))
        for pname, pty in params:
            body += name(pname) + valtype(pty)
        body += b"\x01\x00" if result is None else b"\x00" + valtype(result)
        index = self.scope().ty(bytes(body))
        self.maps.funcs[key] = index
        return index

    def encode_valtype(self, ty: model.Type) -> ValType:
        if isinstance(ty, str):
            return ("prim", _PRIMITIVES[ty])
        tid = ty.id
        found = self.lookup(tid)
        if found is not None:
            return ("idx", found)
        typedef = self.r.types[tid]
        owner = typedef.owner
        if owner.kind == "interface" and owner.id != self.interface:
            assert owner.id is not None
            index = self.import_type(model.InterfaceId(owner.id), tid)
            self.remember(tid, index)
            return ("idx", index)

        kind = typedef.kind
        encoded: ValType
        if isinstance(kind, model.Resource):
            assert typedef.name is not None
            index = self.export_resource(extern_name(typedef.name, external_id=typedef.external_id))
            self.maps.by_id[tid] = index
            return ("idx", index)
        if isinstance(kind, model.Alias):
            encoded = self.encode_valtype(kind.target)
        else:
            encoded = ("idx", self.define(kind))

        if typedef.name is not None:
            # A named primitive needs a type of its own to be exported.
            index = self.scope().ty(bytes([encoded[1]])) if encoded[0] == "prim" else encoded[1]
            index = self.export_type(
                index, extern_name(typedef.name, external_id=typedef.external_id)
            )
            encoded = ("idx", index)
        if encoded[0] == "idx":
            self.remember(tid, encoded[1])
        return encoded

    def _opt(self, ty: model.Type | None) -> ValType | None:
        return None if ty is None else self.encode_valtype(ty)

    def define(self, kind: model.TypeDefKind) -> int:
        """Define a (non-alias, non-resource) type in the current scope; returns its index."""
        body: bytes
        if isinstance(kind, model.Record):
            fields = [(n, self.encode_valtype(t)) for n, t, _ in kind.fields]
            body = b"\x72" + uleb(len(fields)) + b"".join(name(n) + valtype(t) for n, t in fields)
        elif isinstance(kind, model.Tuple):
            types = [self.encode_valtype(t) for t in kind.types]
            body = b"\x6f" + uleb(len(types)) + b"".join(valtype(t) for t in types)
        elif isinstance(kind, model.Flags):
            body = b"\x6e" + uleb(len(kind.names)) + b"".join(name(n) for n, _ in kind.names)
        elif isinstance(kind, model.Variant):
            cases = [(n, self._opt(t)) for n, t, _ in kind.cases]
            body = (
                b"\x71"
                + uleb(len(cases))
                + b"".join(name(n) + opt_valtype(t) + b"\x00" for n, t in cases)
            )
        elif isinstance(kind, model.OptionOf):
            body = b"\x6b" + valtype(self.encode_valtype(kind.value))
        elif isinstance(kind, model.ResultOf):
            ok = self._opt(kind.ok)
            err = self._opt(kind.err)
            body = b"\x6a" + opt_valtype(ok) + opt_valtype(err)
        elif isinstance(kind, model.Enum):
            body = b"\x6d" + uleb(len(kind.cases)) + b"".join(name(n) for n, _ in kind.cases)
        elif isinstance(kind, model.ListOf):
            element = self.encode_valtype(kind.element)
            if kind.length is None:
                body = b"\x70" + valtype(element)
            else:
                body = b"\x67" + valtype(element) + uleb(kind.length)
        elif isinstance(kind, model.MapOf):
            key = self.encode_valtype(kind.key)
            value = self.encode_valtype(kind.value)
            body = b"\x63" + valtype(key) + valtype(value)
        elif isinstance(kind, model.Future):
            body = b"\x65" + opt_valtype(self._opt(kind.value))
        elif isinstance(kind, model.Stream):
            body = b"\x66" + opt_valtype(self._opt(kind.element))
        elif isinstance(kind, model.Handle):
            resource = self.encode_valtype(model.TypeRef(kind.resource))
            assert resource[0] == "idx", "a handle must point at an indexed type"
            body = (b"\x69" if kind.kind == "own" else b"\x68") + uleb(resource[1])
        else:  # pragma: no cover - Unknown only exists while decoding
            raise ValueError(f"cannot encode a type of kind {type(kind).__name__}")
        return self.scope().ty(body)


# --------------------------------------------------------------------------- worlds and packages


def _key_name(resolve: model.Resolve, key: model.WorldKey) -> str:
    if key.name is not None:
        return key.name
    assert key.interface is not None
    found = resolve.id_of(key.interface)
    assert found is not None
    return found


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
    return extern_name(_key_name(resolve, key), implements, external_id)


def _world_type(resolve: model.Resolve, wid: model.WorldId) -> _Scope:
    """The component type of a world (wit-component ``encode_world``)."""
    enc = _InterfaceEncoder(resolve)
    world = resolve.worlds[wid]
    for items, is_import in ((world.imports, True), (world.exports, False)):
        for key, item in items.items():
            ref: bytes
            if item.kind == "interface":
                assert item.interface is not None
                enc.interface = item.interface
                ref = _instance_ref(enc.encode_instance(item.interface))
            elif item.kind == "function":
                assert item.function is not None
                enc.interface = None
                ref = _func_ref(enc.encode_func_type(item.function))
            else:
                assert is_import and item.type is not None
                enc.interface = None
                enc.import_types = True
                enc.encode_valtype(model.TypeRef(item.type))
                enc.import_types = False
                continue
            extern = _item_extern(resolve, key, item)
            if is_import:
                enc.outer.import_(extern, ref)
            else:
                enc.outer.export(extern, ref)
    return enc.outer


def _world_wrapper(resolve: model.Resolve, wid: model.WorldId) -> bytes:
    world = resolve.worlds[wid]
    assert world.package is not None
    wrapper = _Scope(instance=False)
    wrapper.ty(_world_type(resolve, wid).encode())
    wrapper.export(extern_name(_id_of_name(resolve, world.package, world.name)), b"\x04\x00")
    return wrapper.encode()


def _id_of_name(resolve: model.Resolve, package: model.PackageId, item: str) -> str:
    pkg = resolve.packages[package].name
    base = f"{pkg.namespace}:{pkg.name}/{item}"
    return base if pkg.version is None else f"{base}@{pkg.version}"


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
            enc.outer.export(extern_name(dep_name), _instance_ref(index))
        else:
            enc.push_instance()
            for tid in resolve.interfaces[dep].types.values():
                enc.encode_valtype(model.TypeRef(tid))
            instance = enc.pop_instance()
            index = enc.outer.ty(instance.encode())
            enc.import_map[dep] = enc.instances
            enc.instances += 1
            enc.outer.import_(extern_name(dep_name), _instance_ref(index))
    return enc.outer.encode()


def _type_and_export(type_index: int, item_name: str, component_type: bytes) -> bytes:
    types = section(_SECTION_TYPE, uleb(1) + component_type)
    export = name(item_name)
    exports = section(
        _SECTION_EXPORT,
        uleb(1) + b"\x00" + export + bytes([_SORT_TYPE]) + uleb(type_index) + b"\x00",
    )
    return types + exports


def _producers(producer: tuple[str, str]) -> bytes:
    tool, version = producer
    data = uleb(1) + name("processed-by") + uleb(1) + name(tool) + name(version)
    return custom_section("producers", data)


def encode_package(
    resolve: model.Resolve,
    package: model.PackageId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
) -> bytes:
    """The WIT package binary of ``package`` (``wasm-tools component wit --wasm``)."""
    out = bytearray(_HEADER)
    index = 0
    pkg = resolve.packages[package]
    for iface_name, iid in pkg.interfaces.items():
        out += _type_and_export(index, iface_name, _interface_type(resolve, iid))
        index += 2
    for world_name, wid in pkg.worlds.items():
        out += _type_and_export(index, world_name, _world_wrapper(resolve, wid))
        index += 2
    out += custom_section("package-docs", package_docs(resolve, package))
    out += _producers(producer)
    return bytes(out)


def encode_world(
    resolve: model.Resolve,
    world: model.WorldId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
) -> bytes:
    """The ``component-type`` payload for ``world`` (``component embed --only-custom``)."""
    out = bytearray(_HEADER)
    out += custom_section("wit-component-encoding", bytes([_COMPONENT_TYPE_VERSION, _UTF8]))
    out += _type_and_export(0, resolve.worlds[world].name, _world_wrapper(resolve, world))
    out += _producers(producer)
    return bytes(out)


def component_type_section(
    resolve: model.Resolve,
    world: model.WorldId,
    *,
    producer: tuple[str, str] = WITKIT_PRODUCER,
) -> bytes:
    """``encode_world`` wrapped as the ``component-type`` custom section of a core module."""
    return custom_section("component-type", encode_world(resolve, world, producer=producer))


# --------------------------------------------------------------------------- package-docs


def _stability_json(s: model.Stability) -> Any:
    if s.kind == "stable":
        body: dict[str, Any] = {"since": s.since}
    elif s.kind == "unstable":
        body = {"feature": s.feature}
    else:
        return "unknown"
    if s.deprecated is not None:
        body["deprecated"] = s.deprecated
    return {s.kind: body}


def _put_docs_stability(out: dict[str, Any], docs: model.Docs, s: model.Stability) -> None:
    if docs.contents is not None:
        out["docs"] = docs.contents
    if s.kind != "unknown":
        out["stability"] = _stability_json(s)


def _func_meta(func: model.Function) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put_docs_stability(out, func.docs, func.stability)
    return out


def _type_meta(resolve: model.Resolve, tid: model.TypeId) -> dict[str, Any]:
    ty = resolve.types[tid]
    out: dict[str, Any] = {}
    _put_docs_stability(out, ty.docs, ty.stability)
    kind = ty.kind
    items: dict[str, str] = {}
    if isinstance(kind, model.Record):
        items = {n: d.contents for n, _, d in kind.fields if d.contents is not None}
    elif isinstance(kind, model.Flags | model.Enum):
        entries = kind.names if isinstance(kind, model.Flags) else kind.cases
        items = {n: d.contents for n, d in entries if d.contents is not None}
    elif isinstance(kind, model.Variant):
        items = {n: d.contents for n, _, d in kind.cases if d.contents is not None}
    if items:
        out["items"] = items
    return out


def _interface_meta(resolve: model.Resolve, iid: model.InterfaceId) -> dict[str, Any]:
    iface = resolve.interfaces[iid]
    out: dict[str, Any] = {}
    _put_docs_stability(out, iface.docs, iface.stability)
    funcs = {n: m for n, f in iface.functions.items() if (m := _func_meta(f))}
    types = {n: m for n, t in iface.types.items() if (m := _type_meta(resolve, t))}
    if funcs:
        out["funcs"] = funcs
    if types:
        out["types"] = types
    return out


def _world_meta(resolve: model.Resolve, wid: model.WorldId) -> dict[str, Any]:
    world = resolve.worlds[wid]
    sections: dict[str, dict[str, Any]] = {
        key: {}
        for key in (
            "interfaces",
            "types",
            "funcs",
            "interface_exports",
            "func_exports",
            "interface_import_stability",
            "interface_export_stability",
            "interface_import_docs",
            "interface_export_docs",
        )
    }
    for items, is_import in ((world.imports, True), (world.exports, False)):
        for key, item in items.items():
            direction = "import" if is_import else "export"
            if item.kind == "interface" and (
                key.name is None
                or (
                    item.interface is not None
                    and resolve.interfaces[item.interface].name is not None
                )
            ):
                label = _key_name(resolve, key)
                if item.stability.kind != "unknown":
                    sections[f"interface_{direction}_stability"][label] = _stability_json(
                        item.stability
                    )
                if item.docs.contents is not None:
                    sections[f"interface_{direction}_docs"][label] = item.docs.contents
                continue
            assert key.name is not None
            if item.kind == "interface":
                assert item.interface is not None
                data = _interface_meta(resolve, item.interface)
                if data:
                    sections["interfaces" if is_import else "interface_exports"][key.name] = data
            elif item.kind == "type":
                assert item.type is not None
                data = _type_meta(resolve, item.type)
                if data:
                    sections["types"][key.name] = data
            else:
                assert item.function is not None
                data = _func_meta(item.function)
                if data:
                    sections["funcs" if is_import else "func_exports"][key.name] = data
    out: dict[str, Any] = {}
    _put_docs_stability(out, world.docs, world.stability)
    for section_name, value in sections.items():
        if value:
            out[section_name] = value
    return out


def package_docs(resolve: model.Resolve, package: model.PackageId) -> bytes:
    """The ``package-docs`` section payload: a version byte, then compact JSON."""
    pkg = resolve.packages[package]
    doc: dict[str, Any] = {}
    if pkg.docs.contents is not None:
        doc["docs"] = pkg.docs.contents
    worlds = {n: m for n, w in pkg.worlds.items() if (m := _world_meta(resolve, w))}
    interfaces = {n: m for n, i in pkg.interfaces.items() if (m := _interface_meta(resolve, i))}
    if worlds:
        doc["worlds"] = worlds
    if interfaces:
        doc["interfaces"] = interfaces
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return bytes([_PACKAGE_DOCS_VERSION]) + text.encode()
