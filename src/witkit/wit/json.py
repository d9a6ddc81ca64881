"""A resolved WIT model as JSON, exactly as ``wasm-tools component wit --json`` writes it.

wit-parser serialises its whole ``Resolve`` with serde; bindings generators
consume that JSON, so witkit produces the same document: the four arenas
``worlds``, ``interfaces``, ``types``, ``packages`` in id order, ids as plain
integers, primitive types as their names, and every key in serde's order.
Empty docs, unknown stability and absent external ids are left out, as serde's
``skip_serializing_if`` leaves them out; world keys that are interfaces are
written ``"interface-<id>"``.

The output is byte-identical to wasm-tools' (two-space indentation, no final
newline), not only equal as parsed JSON.

Public API:

* ``resolve_to_json(resolve) -> str``: the whole resolve (wasm-tools does not
  select a package or world for ``--json``: everything decoded is written).
* ``resolve_to_dict(resolve) -> dict``: the same, as Python data.
* ``resolve_from_json(text) -> Resolve`` / ``resolve_from_dict(doc)``: the
  inverse, for tools that hand witkit wasm-tools' JSON (and for testing the
  printer apart from the decoder).
"""

from __future__ import annotations

import json as _json
from typing import Any

from witkit.errors import WitError
from witkit.wit import model as wm

__all__ = ["resolve_from_dict", "resolve_from_json", "resolve_to_dict", "resolve_to_json"]


def resolve_to_json(resolve: wm.Resolve) -> str:
    """The ``--json`` text of ``resolve``: serde_json's pretty form, without a final newline."""
    return _json.dumps(resolve_to_dict(resolve), indent=2, ensure_ascii=False)


def resolve_to_dict(resolve: wm.Resolve) -> dict[str, Any]:
    """The ``--json`` document as Python data (dicts keep serde's key order)."""
    return {
        "worlds": [_world(w) for w in resolve.worlds],
        "interfaces": [_interface(i) for i in resolve.interfaces],
        "types": [_typedef(t) for t in resolve.types],
        "packages": [_package(p) for p in resolve.packages],
    }


def _type(ty: wm.Type | None) -> str | int | None:
    if ty is None or isinstance(ty, str):
        return ty
    return int(ty.id)


def _docs(out: dict[str, Any], docs: wm.Docs) -> None:
    if docs.contents is not None:
        out["docs"] = {"contents": docs.contents}


def _stability(out: dict[str, Any], stability: wm.Stability) -> None:
    if stability.kind == "unknown":
        return
    body: dict[str, Any]
    if stability.kind == "stable":
        body = {"since": stability.since}
    else:
        body = {"feature": stability.feature}
    if stability.deprecated is not None:
        body["deprecated"] = stability.deprecated
    out["stability"] = {stability.kind: body}


def _world_key(key: wm.WorldKey) -> str:
    if key.name is not None:
        return key.name
    return f"interface-{key.interface}"


def _world_item(item: wm.WorldItem) -> dict[str, Any]:
    if item.kind == "interface":
        body: dict[str, Any] = {"id": item.interface}
        _stability(body, item.stability)
        if item.external_id is not None:
            body["external_id"] = item.external_id
        _docs(body, item.docs)
        return {"interface": body}
    if item.kind == "function":
        assert item.function is not None
        return {"function": _function(item.function)}
    return {"type": item.type}


def _world(world: wm.World) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": world.name,
        "imports": {_world_key(k): _world_item(v) for k, v in world.imports.items()},
        "exports": {_world_key(k): _world_item(v) for k, v in world.exports.items()},
        "package": world.package,
    }
    _docs(out, world.docs)
    _stability(out, world.stability)
    return out


def _function(func: wm.Function) -> dict[str, Any]:
    kind = func.kind
    fkind: str | dict[str, int]
    if kind.kind == "freestanding":
        fkind = "async-freestanding" if kind.is_async else "freestanding"
    else:
        tag = "async-" + kind.kind if kind.is_async and kind.kind != "constructor" else kind.kind
        fkind = {tag: int(kind.resource) if kind.resource is not None else 0}
    params = []
    for name, ty in func.params:
        param: dict[str, Any] = {"name": name} if name else {}
        param["type"] = _type(ty)
        params.append(param)
    out: dict[str, Any] = {"name": func.name, "kind": fkind, "params": params}
    if func.result is not None:
        out["result"] = _type(func.result)
    _annotations(out, func)
    return out


def _interface(iface: wm.Interface) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": iface.name,
        "types": {name: int(tid) for name, tid in iface.types.items()},
        "functions": {name: _function(f) for name, f in iface.functions.items()},
    }
    _docs(out, iface.docs)
    _stability(out, iface.stability)
    out["package"] = iface.package
    if iface.clone_of is not None:
        out["clone_of"] = iface.clone_of
    return out


def _owner(owner: wm.TypeOwner) -> dict[str, int] | None:
    if owner.kind == "none" or owner.id is None:
        return None
    return {owner.kind: owner.id}


def _labelled(name: str, docs: wm.Docs, **fields: Any) -> dict[str, Any]:
    """A field, flag or case: its name, what it carries, then its docs."""
    out: dict[str, Any] = {"name": name, **fields}
    _docs(out, docs)
    return out


def _kind(kind: wm.TypeDefKind) -> str | dict[str, Any]:
    if isinstance(kind, wm.Record):
        fields = [_labelled(name, docs, type=_type(ty)) for name, ty, docs in kind.fields]
        return {"record": {"fields": fields}}
    if isinstance(kind, wm.Resource):
        return "resource"
    if isinstance(kind, wm.Handle):
        return {"handle": {kind.kind: int(kind.resource)}}
    if isinstance(kind, wm.Flags):
        return {"flags": {"flags": [_labelled(name, docs) for name, docs in kind.names]}}
    if isinstance(kind, wm.Tuple):
        return {"tuple": {"types": [_type(t) for t in kind.types]}}
    if isinstance(kind, wm.Variant):
        cases = [_labelled(name, docs, type=_type(cty)) for name, cty, docs in kind.cases]
        return {"variant": {"cases": cases}}
    if isinstance(kind, wm.Enum):
        return {"enum": {"cases": [_labelled(name, docs) for name, docs in kind.cases]}}
    if isinstance(kind, wm.OptionOf):
        return {"option": _type(kind.value)}
    if isinstance(kind, wm.ResultOf):
        return {"result": {"ok": _type(kind.ok), "err": _type(kind.err)}}
    if isinstance(kind, wm.ListOf):
        if kind.length is None:
            return {"list": _type(kind.element)}
        return {"fixed-length-list": [_type(kind.element), kind.length]}
    if isinstance(kind, wm.MapOf):
        return {"map": [_type(kind.key), _type(kind.value)]}
    if isinstance(kind, wm.Future):
        return {"future": _type(kind.value)}
    if isinstance(kind, wm.Stream):
        return {"stream": _type(kind.element)}
    if isinstance(kind, wm.Alias):
        return {"type": _type(kind.target)}
    assert isinstance(kind, wm.Unknown)
    return "unknown"


def _annotations(out: dict[str, Any], item: wm.Function | wm.TypeDef) -> None:
    """What a function and a type definition both carry beyond their shape."""
    _docs(out, item.docs)
    _stability(out, item.stability)
    if item.external_id is not None:
        out["external_id"] = item.external_id


def _typedef(typedef: wm.TypeDef) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": typedef.name,
        "kind": _kind(typedef.kind),
        "owner": _owner(typedef.owner),
    }
    _annotations(out, typedef)
    return out


def _package(pkg: wm.Package) -> dict[str, Any]:
    out: dict[str, Any] = {"name": str(pkg.name)}
    _docs(out, pkg.docs)
    out["interfaces"] = {name: int(i) for name, i in pkg.interfaces.items()}
    out["worlds"] = {name: int(w) for name, w in pkg.worlds.items()}
    return out


# --------------------------------------------------------------------------- reading


def resolve_from_json(text: str | bytes) -> wm.Resolve:
    """A ``Resolve`` from ``wasm-tools component wit --json`` output."""
    doc = _json.loads(text)
    if not isinstance(doc, dict):
        raise WitError("WIT JSON must be an object")
    return resolve_from_dict(doc)


def resolve_from_dict(doc: dict[str, Any]) -> wm.Resolve:
    """The inverse of ``resolve_to_dict``."""
    try:
        return _read_resolve(doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WitError(f"malformed WIT JSON: {exc!r}") from exc


def _read_resolve(doc: dict[str, Any]) -> wm.Resolve:
    from witkit.wit.metadata import parse_stability

    def docs(obj: dict[str, Any]) -> wm.Docs:
        d = obj.get("docs")
        return wm.Docs(None if d is None else d["contents"])

    def ty(value: Any) -> wm.Type:
        return wm.TypeRef(wm.TypeId(value)) if isinstance(value, int) else value

    def opt(value: Any) -> wm.Type | None:
        return None if value is None else ty(value)

    def function(obj: dict[str, Any]) -> wm.Function:
        k = obj["kind"]
        if isinstance(k, str):
            kind = wm.FunctionKind("freestanding", is_async=k == "async-freestanding")
        else:
            ((tag, rid),) = k.items()
            is_async = tag.startswith("async-")
            kind = wm.FunctionKind(tag.removeprefix("async-"), wm.TypeId(rid), is_async)
        params = [(p.get("name", ""), ty(p["type"])) for p in obj["params"]]
        return wm.Function(
            obj["name"],
            kind,
            params,
            opt(obj.get("result")),
            docs(obj),
            parse_stability(obj.get("stability")),
            obj.get("external_id"),
        )

    def kind(value: Any) -> wm.TypeDefKind:
        if value == "resource":
            return wm.Resource()
        if value == "unknown":
            return wm.Unknown()
        ((tag, body),) = value.items()
        if tag == "record":
            return wm.Record(tuple((f["name"], ty(f["type"]), docs(f)) for f in body["fields"]))
        if tag == "handle":
            ((hk, rid),) = body.items()
            return wm.Handle(hk, wm.TypeId(rid))
        if tag == "flags":
            return wm.Flags(tuple((f["name"], docs(f)) for f in body["flags"]))
        if tag == "tuple":
            return wm.Tuple(tuple(ty(t) for t in body["types"]))
        if tag == "variant":
            return wm.Variant(tuple((c["name"], opt(c["type"]), docs(c)) for c in body["cases"]))
        if tag == "enum":
            return wm.Enum(tuple((c["name"], docs(c)) for c in body["cases"]))
        if tag == "option":
            return wm.OptionOf(ty(body))
        if tag == "result":
            return wm.ResultOf(opt(body["ok"]), opt(body["err"]))
        if tag == "list":
            return wm.ListOf(ty(body))
        if tag == "fixed-length-list":
            return wm.ListOf(ty(body[0]), int(body[1]))
        if tag == "map":
            return wm.MapOf(ty(body[0]), ty(body[1]))
        if tag == "future":
            return wm.Future(opt(body))
        if tag == "stream":
            return wm.Stream(opt(body))
        if tag == "type":
            return wm.Alias(ty(body))
        raise ValueError(f"unknown type kind {tag!r}")

    def owner(value: Any) -> wm.TypeOwner:
        if value is None:
            return wm.NO_OWNER
        ((tag, oid),) = value.items()
        return wm.TypeOwner(tag, oid)

    def world_key(name: str, item: dict[str, Any]) -> wm.WorldKey:
        iface = item.get("interface")
        if iface is not None and name == f"interface-{iface['id']}":
            return wm.WorldKey(interface=wm.InterfaceId(iface["id"]))
        return wm.WorldKey(name=name)

    def world_item(item: dict[str, Any]) -> wm.WorldItem:
        ((tag, body),) = item.items()
        if tag == "interface":
            return wm.WorldItem(
                "interface",
                interface=wm.InterfaceId(body["id"]),
                stability=parse_stability(body.get("stability")),
                docs=docs(body),
                external_id=body.get("external_id"),
            )
        if tag == "function":
            return wm.WorldItem("function", function=function(body))
        return wm.WorldItem("type", type=wm.TypeId(body))

    def package_name(text: str) -> wm.PackageName:
        base, _, version = text.partition("@")
        namespace, _, name = base.rpartition(":")
        return wm.PackageName(namespace, name, version or None)

    resolve = wm.Resolve()
    for w in doc["worlds"]:
        world = wm.World(w["name"], docs=docs(w), stability=parse_stability(w.get("stability")))
        world.package = None if w["package"] is None else wm.PackageId(w["package"])
        for name, item in w["imports"].items():
            world.imports[world_key(name, item)] = world_item(item)
        for name, item in w["exports"].items():
            world.exports[world_key(name, item)] = world_item(item)
        resolve.add_world(world)
    for i in doc["interfaces"]:
        resolve.add_interface(
            wm.Interface(
                i["name"],
                {n: wm.TypeId(t) for n, t in i["types"].items()},
                {n: function(f) for n, f in i["functions"].items()},
                docs(i),
                parse_stability(i.get("stability")),
                None if i["package"] is None else wm.PackageId(i["package"]),
                None if i.get("clone_of") is None else wm.InterfaceId(i["clone_of"]),
            )
        )
    for t in doc["types"]:
        resolve.add_type(
            wm.TypeDef(
                kind(t["kind"]),
                t["name"],
                owner(t["owner"]),
                docs(t),
                parse_stability(t.get("stability")),
                t.get("external_id"),
            )
        )
    for p in doc["packages"]:
        resolve.add_package(
            wm.Package(
                package_name(p["name"]),
                docs(p),
                {n: wm.InterfaceId(i) for n, i in p["interfaces"].items()},
                {n: wm.WorldId(w) for n, w in p["worlds"].items()},
            )
        )
    return resolve
