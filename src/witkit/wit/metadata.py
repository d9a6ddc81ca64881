"""The ``package-docs`` custom section: doc comments and feature gates of a WIT package.

The component binary format has no place for doc comments or for ``@since`` /
``@unstable`` / ``@deprecated`` gates, so wasm-tools stores them beside the
types in a custom section named ``package-docs``: one version byte (0 or 1)
followed by JSON.  Decoding a binary back to WIT applies ("injects") that JSON
onto the decoded package, which is how ``wasm-tools component wit`` prints doc
comments for a WIT package it got as a binary.

The JSON, as wit-parser writes it (every key optional)::

    {"docs": "...",
     "worlds": {"<world>": {
         "docs", "stability",
         "interfaces": {"<label>": IFACE},      inline imports (or exports, in v0)
         "interface_exports": {"<label>": IFACE},
         "types": {"<name>": TYPE},
         "funcs": {"<name>": FUNC},             imports (or exports, in v0)
         "func_exports": {"<name>": FUNC},
         "interface_import_stability" / "interface_export_stability": {"<id>": STABILITY},
         "interface_import_docs" / "interface_export_docs": {"<id>": "..."}}},
     "interfaces": {"<interface>": IFACE}}
    IFACE = {"docs", "stability", "funcs": {"<name>": FUNC}, "types": {"<name>": TYPE}}
    FUNC  = "docs" | null | {"docs", "stability"}
    TYPE  = {"docs", "stability", "items": {"<field/case/flag>": "docs"}}
    STABILITY = "unknown" | {"stable": {"since", "deprecated"?}}
                          | {"unstable": {"feature", "deprecated"?}}

Injection follows wit-parser's order and its rule that a gate present in the
metadata replaces the item's gate even when it is "unknown".  Unknown keys are
ignored (wit-parser rejects them; being lenient costs nothing here).

Extraction (the writer, as wit-parser's ``PackageMetadata::extract``) writes
version 1 only, as compact JSON with the keys in wit-parser's order and empty
maps left out, so ``witkit.wit.encode`` matches wasm-tools byte for byte.
Interfaces imported or exported by id are documented in the world's
``interface_*_docs``/``_stability`` tables, not as inline interfaces.

Public API: ``inject_package_docs(resolve, package, data)`` reads the section
payload into a package, ``extract_package_docs(resolve, package)`` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from witkit._record import replace
from witkit.errors import WitError
from witkit.wit.model import (
    Docs,
    Enum,
    Flags,
    Function,
    Interface,
    InterfaceId,
    PackageId,
    Record,
    Resolve,
    Stability,
    TypeId,
    Variant,
    World,
    WorldId,
    WorldItem,
    WorldKey,
)

__all__ = ["SECTION_NAME", "extract_package_docs", "inject_package_docs", "parse_stability"]

#: the name of the custom section
SECTION_NAME = "package-docs"

#: the format versions this reader understands (the first byte of the section)
_VERSIONS = (0, 1)
#: the format version the writer emits
_VERSION = 1

_T = TypeVar("_T")


def inject_package_docs(resolve: Resolve, package: PackageId, data: bytes) -> None:
    """Apply a ``package-docs`` section's docs and gates to ``package`` in ``resolve``."""
    if not data or data[0] not in _VERSIONS:
        found = data[0] if data else None
        raise WitError(f"expected package-docs version 1, got {found!r}")
    try:
        meta = json.loads(data[1:])
    except ValueError as exc:
        raise WitError(f"invalid package-docs section: {exc}") from exc
    if not isinstance(meta, dict):
        raise WitError("invalid package-docs section: not a JSON object")
    pkg = resolve.packages[package]
    for world_id, wmeta in _named(meta, "worlds", pkg.worlds, "world"):
        _inject_world(resolve, world_id, wmeta)
    for iface_id, imeta in _named(meta, "interfaces", pkg.interfaces, "interface"):
        _inject_interface(resolve, iface_id, imeta)
    docs = meta.get("docs")
    if docs is not None:
        pkg.docs = Docs(docs)


def parse_stability(value: Any) -> Stability:
    """A wit-parser ``Stability`` in its JSON form (also used by ``--json`` readers)."""
    if value is None or value == "unknown":
        return Stability()
    if isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "stable" and isinstance(body, dict) and "since" in body:
            return Stability("stable", since=body["since"], deprecated=body.get("deprecated"))
        if tag == "unstable" and isinstance(body, dict) and "feature" in body:
            return Stability("unstable", feature=body["feature"], deprecated=body.get("deprecated"))
    raise WitError(f"invalid stability in package-docs: {value!r}")


def _map(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WitError(f"invalid package-docs section: `{key}` is not an object")
    return value


def _named(
    meta: dict[str, Any], key: str, found: Mapping[str, _T], what: str
) -> Iterator[tuple[_T, dict[str, Any]]]:
    """Each entry of ``meta[key]`` with what ``found`` holds under its name; an entry for
    something the package does not have is an error."""
    for name, sub in _map(meta, key).items():
        item = found.get(name)
        if item is None:
            raise WitError(f"missing {what} {name!r}")
        yield item, sub


def _inject_docs_stability(item: World | Interface, meta: dict[str, Any]) -> None:
    docs = meta.get("docs")
    if docs is not None:
        item.docs = Docs(docs)
    item.stability = parse_stability(meta.get("stability"))


def _inject_world(resolve: Resolve, world_id: WorldId, meta: dict[str, Any]) -> None:
    world = resolve.worlds[world_id]

    # inline (kebab-named) interfaces, imports first
    for table, only_export in (("interfaces", False), ("interface_exports", True)):
        for name, imeta in _map(meta, table).items():
            key = WorldKey(name=name)
            items = world.exports if only_export or key not in world.imports else world.imports
            item = items.get(key)
            if item is None or item.kind != "interface" or item.interface is None:
                raise WitError(f"missing interface {name!r}")
            items[key] = replace(item, stability=parse_stability(imeta.get("stability")))
            _inject_interface(resolve, item.interface, imeta)

    for name, tmeta in _map(meta, "types").items():
        item = world.imports.get(WorldKey(name=name))
        if item is None or item.kind != "type" or item.type is None:
            raise WitError(f"missing type {name!r}")
        _inject_type(resolve, item.type, tmeta)

    # interfaces imported/exported by id (`import wasi:io/streams;`) are named by their id
    by_id: dict[tuple[str, bool], WorldKey] = {}
    for items, is_import in ((world.imports, True), (world.exports, False)):
        for key, item in items.items():
            if item.kind == "interface":
                by_id[(resolve.name_world_key(key), is_import)] = key
    for table, is_import, field in (
        ("interface_import_stability", True, "stability"),
        ("interface_export_stability", False, "stability"),
        ("interface_import_docs", True, "docs"),
        ("interface_export_docs", False, "docs"),
    ):
        items = world.imports if is_import else world.exports
        for name, value in _map(meta, table).items():
            found = by_id.get((name, is_import))
            if found is None:
                raise WitError(f"missing interface `{name}`")
            item = items[found]
            if field == "stability":
                items[found] = replace(item, stability=parse_stability(value))
            else:
                items[found] = replace(item, docs=Docs(value))

    for table, only_export in (("funcs", False), ("func_exports", True)):
        for name, fmeta in _map(meta, table).items():
            key = WorldKey(name=name)
            items = world.exports if only_export or key not in world.imports else world.imports
            witem: WorldItem | None = items.get(key)
            if witem is None or witem.kind != "function" or witem.function is None:
                raise WitError(f"missing func {name!r}")
            _inject_function(witem.function, fmeta)

    _inject_docs_stability(world, meta)


def _inject_interface(resolve: Resolve, iface_id: InterfaceId, meta: dict[str, Any]) -> None:
    iface = resolve.interfaces[iface_id]
    for tid, tmeta in _named(meta, "types", iface.types, "type"):
        _inject_type(resolve, tid, tmeta)
    for func, fmeta in _named(meta, "funcs", iface.functions, "func"):
        _inject_function(func, fmeta)
    _inject_docs_stability(iface, meta)


def _inject_function(func: Function, meta: Any) -> None:
    if meta is None or isinstance(meta, str):  # the v0 form: just the docs
        func.docs = Docs(meta)
        return
    if not isinstance(meta, dict):
        raise WitError(f"invalid function metadata: {meta!r}")
    func.docs = Docs(meta.get("docs"))
    func.stability = parse_stability(meta.get("stability"))


def _inject_type(resolve: Resolve, tid: TypeId, meta: dict[str, Any]) -> None:
    typedef = resolve.types[tid]
    items: dict[str, str] = _map(meta, "items")
    if items:
        used = 0

        def doc(name: str, old: Docs) -> Docs:
            nonlocal used
            text = items.get(name)
            if text is None:
                return old
            used += 1
            return Docs(text)

        kind = typedef.kind
        if isinstance(kind, Record):
            typedef.kind = Record(tuple((n, t, doc(n, d)) for n, t, d in kind.fields))
        elif isinstance(kind, Variant):
            typedef.kind = Variant(tuple((n, t, doc(n, d)) for n, t, d in kind.cases))
        elif isinstance(kind, Flags):
            typedef.kind = Flags(tuple((n, doc(n, d)) for n, d in kind.names))
        elif isinstance(kind, Enum):
            typedef.kind = Enum(tuple((n, doc(n, d)) for n, d in kind.cases))
        else:
            raise WitError(f"got 'items' for unexpected type `{typedef.name}`")
        if used != len(items):
            raise WitError(f"not all 'items' match the items of type `{typedef.name}`")
    docs = meta.get("docs")
    if docs is not None:
        typedef.docs = Docs(docs)
    typedef.stability = parse_stability(meta.get("stability"))


# --------------------------------------------------------------------------- extract (the writer)


def extract_package_docs(resolve: Resolve, package: PackageId) -> bytes:
    """The ``package-docs`` section payload of ``package``: the version byte, then compact JSON."""
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
    return bytes([_VERSION]) + text.encode()


def _stability_json(s: Stability) -> Any:
    """The JSON form ``parse_stability`` reads back."""
    if s.kind == "stable":
        body: dict[str, Any] = {"since": s.since}
    elif s.kind == "unstable":
        body = {"feature": s.feature}
    else:
        return "unknown"
    if s.deprecated is not None:
        body["deprecated"] = s.deprecated
    return {s.kind: body}


def _put_docs_stability(out: dict[str, Any], docs: Docs, s: Stability) -> None:
    if docs.contents is not None:
        out["docs"] = docs.contents
    if s.kind != "unknown":
        out["stability"] = _stability_json(s)


def _func_meta(func: Function) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put_docs_stability(out, func.docs, func.stability)
    return out


def _type_meta(resolve: Resolve, tid: TypeId) -> dict[str, Any]:
    ty = resolve.types[tid]
    out: dict[str, Any] = {}
    _put_docs_stability(out, ty.docs, ty.stability)
    kind = ty.kind
    items: dict[str, str] = {}
    if isinstance(kind, Record):
        items = {n: d.contents for n, _, d in kind.fields if d.contents is not None}
    elif isinstance(kind, Flags | Enum):
        entries = kind.names if isinstance(kind, Flags) else kind.cases
        items = {n: d.contents for n, d in entries if d.contents is not None}
    elif isinstance(kind, Variant):
        items = {n: d.contents for n, _, d in kind.cases if d.contents is not None}
    if items:
        out["items"] = items
    return out


def _interface_meta(resolve: Resolve, iid: InterfaceId) -> dict[str, Any]:
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


#: the world tables in wit-parser's order (the JSON keeps it)
_WORLD_TABLES = (
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


def _world_meta(resolve: Resolve, wid: WorldId) -> dict[str, Any]:
    world = resolve.worlds[wid]
    tables: dict[str, dict[str, Any]] = {key: {} for key in _WORLD_TABLES}
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
                label = resolve.name_world_key(key)
                if item.stability.kind != "unknown":
                    tables[f"interface_{direction}_stability"][label] = _stability_json(
                        item.stability
                    )
                if item.docs.contents is not None:
                    tables[f"interface_{direction}_docs"][label] = item.docs.contents
                continue
            assert key.name is not None
            if item.kind == "interface":
                assert item.interface is not None
                data = _interface_meta(resolve, item.interface)
                if data:
                    tables["interfaces" if is_import else "interface_exports"][key.name] = data
            elif item.kind == "type":
                assert item.type is not None
                data = _type_meta(resolve, item.type)
                if data:
                    tables["types"][key.name] = data
            else:
                assert item.function is not None
                data = _func_meta(item.function)
                if data:
                    tables["funcs" if is_import else "func_exports"][key.name] = data
    out: dict[str, Any] = {}
    _put_docs_stability(out, world.docs, world.stability)
    for table, value in tables.items():
        if value:
            out[table] = value
    return out
