"""A core instance: exports by name, wrapped once and remembered.

The component runtime resolves names when it translates a component, then asks
each instance for a handful of exports; so lookups go straight to
``wasmtime_instance_export_get`` and are cached, and ``exports()`` (every export)
is there for tools and tests.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, TypeVar

from witkit.errors import LinkError
from witkit.runtime.core import _capi
from witkit.runtime.core._capi import (
    EXTERN_FUNC,
    EXTERN_GLOBAL,
    EXTERN_MEMORY,
    EXTERN_TABLE,
    wasmtime_extern_t,
    wasmtime_instance_t,
)
from witkit.runtime.core.extern import CoreExtern, OpaqueExtern, extern_kind
from witkit.runtime.core.func import CoreFunc
from witkit.runtime.core.memory import CoreGlobal, CoreMemory, CoreTable

if TYPE_CHECKING:
    from witkit.runtime.core.engine import CoreModule
    from witkit.runtime.core.store import Store

__all__ = ["CoreInstance"]

_E = TypeVar("_E", bound=CoreExtern)


class CoreInstance:
    """An instance of a ``CoreModule`` in a ``Store``."""

    def __init__(self, store: Store, module: CoreModule, instance: wasmtime_instance_t) -> None:
        self.store = store
        self.module = module
        self._instance = instance
        self._address = ctypes.addressof(instance)
        self._cache: dict[str, CoreExtern] = {}

    def get(self, name: str) -> CoreExtern | None:
        """The export called ``name``, or None."""
        extern = self._cache.get(name)
        if extern is not None:
            return extern
        item = wasmtime_extern_t()
        encoded = name.encode("utf-8")
        found = _capi.instance_export_get(
            self.store._state.context, self._address, encoded, len(encoded), ctypes.addressof(item)
        )
        if not found:
            return None
        extern = self._cache[name] = _wrap(self.store, item, name)
        return extern

    def export(self, name: str) -> CoreExtern:
        extern = self.get(name)
        if extern is None:
            raise LinkError(f"{self.module.name or 'core instance'} has no export named {name!r}")
        return extern

    def func(self, name: str) -> CoreFunc:
        return self._typed(name, CoreFunc)

    def memory(self, name: str) -> CoreMemory:
        return self._typed(name, CoreMemory)

    def global_(self, name: str) -> CoreGlobal:
        return self._typed(name, CoreGlobal)

    def table(self, name: str) -> CoreTable:
        return self._typed(name, CoreTable)

    def _typed(self, name: str, kind: type[_E]) -> _E:
        extern = self.export(name)
        if not isinstance(extern, kind):
            raise LinkError(
                f"export {name!r} of {self.module.name or 'core instance'} is a {extern.kind}, "
                f"not a {kind.__name__.removeprefix('Core').lower()}"
            )
        return extern

    def exports(self) -> dict[str, CoreExtern]:
        """Every export, in the module's order."""
        return {export.name: self.export(export.name) for export in self.module.exports}


def _wrap(store: Store, item: wasmtime_extern_t, name: str) -> CoreExtern:
    kind = extern_kind(item)
    if kind == EXTERN_FUNC:
        return store._wrap_func(item.of.func, name)
    if kind == EXTERN_MEMORY:
        return CoreMemory(store, item.of.memory)
    if kind == EXTERN_GLOBAL:
        return CoreGlobal(store, item.of.global_)
    if kind == EXTERN_TABLE:
        return CoreTable(store, item.of.table)
    return OpaqueExtern(store, item)
