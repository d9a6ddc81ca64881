"""Component-model import/export names, as far as decoding WIT needs them.

The decoder only has to tell apart the name forms of the Explainer's
``importname``/``exportname`` grammar -- a plain label (``run``), a resource
function (``[method]file.read``, ``[static]file.open``, ``[constructor]file``)
and an interface id (``ns:pkg/iface@1.2.3``) -- and take an interface id apart.
The binary reader has already validated the names, so nothing here rejects
what it accepts; it only classifies.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from witkit.errors import WitError
from witkit.types import ExternItem
from witkit.wit.model import PackageName

__all__ = ["InterfaceName", "interface_name", "is_label", "package_name", "resource_function"]


class InterfaceName(NamedTuple):
    """``ns:pkg/iface@version`` taken apart; the version is as written (no suffix)."""

    namespace: str
    package: str
    interface: str
    version: str | None


def interface_name(name: str) -> InterfaceName | None:
    """The parts of an interface id, or None if ``name`` is some other form.

    The namespace runs to the last ``:`` before the first ``/`` (so nested
    namespaces ``a:b:c/d`` keep ``a:b``), the package to that ``/``, and the
    interface to the next ``/`` or ``@``.
    """
    if ":" not in name or "/" not in name or "=" in name or "<" in name or name.startswith("["):
        return None
    at = name.find("@")
    path = name if at < 0 else name[:at]
    slash = path.find("/")
    colon = path.rfind(":", 0, slash)
    if colon < 0:
        return None
    interface = path[slash + 1 :].split("/", 1)[0]
    return InterfaceName(
        path[:colon], path[colon + 1 : slash], interface, None if at < 0 else name[at + 1 :]
    )


def package_name(name: str, item: ExternItem) -> PackageName:
    """The package an interface id belongs to; a binary ``version-suffix`` completes the version."""
    parts = interface_name(name)
    if parts is None:
        raise WitError(f"package name is not a valid id: {name}")
    version = parts.version
    if version is not None and item.version_suffix:
        version += item.version_suffix
    return PackageName(parts.namespace, parts.package, version)


def is_label(name: str) -> bool:
    """A plain kebab name: neither an interface id, a resource function, nor a dependency name."""
    return not name.startswith("[") and "=" not in name and interface_name(name) is None


_FUNC_PREFIXES: tuple[tuple[str, Literal["method", "static", "constructor"]], ...] = (
    ("[constructor]", "constructor"),
    ("[method]", "method"),
    ("[static]", "static"),
    # older binaries spelled async functions in the name
    ("[async method]", "method"),
    ("[async static]", "static"),
)


def resource_function(name: str) -> tuple[Literal["method", "static", "constructor"], str] | None:
    """``(kind, resource)`` for ``[method]r.m``, ``[static]r.s``, ``[constructor]r``; else None."""
    for prefix, kind in _FUNC_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            return kind, rest if kind == "constructor" else rest.split(".", 1)[0]
    return None
