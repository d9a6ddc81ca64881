"""Matching a component's ``wasi:*`` imports against what the host provides, before linking.

The host is written once, against WASI :data:`~witkit.wasi.host.VERSION`; a
component may import any 0.2.x.  This check runs at link time over the
component's declared import types (``witkit.types``) and reports, as one
``LinkError`` naming every problem, what the host cannot serve:

* an interface the host does not implement, or a version the linker would not
  match to 0.2.x (``witkit.semver``: pre-releases only match themselves);
* a function, resource or method the host lacks;
* a function whose parameter count differs from the host's (the ABI layer
  checks the value types themselves when it lowers and lifts).

Unversioned or non-WASI imports are not this module's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from witkit import _startup
from witkit.errors import LinkError
from witkit.semver import split_version, track
from witkit.types import ComponentType, FuncType, InstanceType, ResourceType, TypeExtern, root

__all__ = ["check_imports"]

#: the track of versions this host serves (any 0.2.x), as ``witkit.semver`` puts it
SERVED_TRACK = "@0.2"


def _python_name(wit: str) -> str:
    return wit.replace("-", "_")


def _check_func(
    where: str, item: str, ty: FuncType, host: Mapping[str, Any], problems: list[str]
) -> None:
    if item.startswith(("[method]", "[static]", "[constructor]")):
        kind, _, rest = item[1:].partition("]")
        resource, _, method = rest.partition(".")
        cls = host.get(resource)
        if not isinstance(cls, type):
            problems.append(f"{where}: no resource {resource!r}")
            return
        if kind == "constructor":
            arity = _startup.arity(
                cls, method=False
            )  # the class's signature: __init__ without self
        else:
            fn: Any = getattr(cls, _python_name(method), None)
            if fn is None:
                problems.append(f"{where}: resource {resource!r} has no {kind} {method!r}")
                return
            arity = _startup.arity(fn, method=False)
        if arity is not None and arity != len(ty.params):
            problems.append(
                f"{where}: {item} takes {len(ty.params)} parameters, the host's {arity}"
            )
        return
    fn = host.get(item)
    if fn is None or isinstance(fn, type):
        problems.append(f"{where}: no function {item!r}")
        return
    arity = _startup.arity(fn, method=False)
    if arity is not None and arity != len(ty.params):
        problems.append(f"{where}: {item} takes {len(ty.params)} parameters, the host's {arity}")


def check_imports(component: ComponentType, provided: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise ``LinkError`` unless the host (``provided``: unversioned interface name ->
    items, as :func:`witkit.wasi.host.interfaces` makes) serves every ``wasi:`` import."""
    problems: list[str] = []
    for name, extern in component.imports.items():
        if not name.startswith("wasi:"):
            continue
        base, _ = split_version(name)
        if track(name) != base + SERVED_TRACK:
            if base in provided:
                problems.append(f"{name}: the host serves WASI 0.2.x only")
            continue
        host = provided.get(base)
        if host is None:
            problems.append(f"{name}: not provided by witkit's WASI host")
            continue
        ty = extern.ty
        if not isinstance(ty, InstanceType):
            problems.append(f"{name}: imported as something other than an instance")
            continue
        for item, sub in root(ty).exports.items():
            if isinstance(sub.ty, FuncType):
                _check_func(name, item, root(sub.ty), host, problems)
            elif (
                isinstance(sub.ty, TypeExtern)
                and isinstance(sub.ty.created, ResourceType)
                and not isinstance(host.get(item), type)
            ):
                # records, enums... are the ABI's business; a resource needs a host class
                problems.append(f"{name}: no resource {item!r}")
    if problems:
        raise LinkError("WASI imports the host cannot serve: " + "; ".join(problems))
