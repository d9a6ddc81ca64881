"""What every core extern (func, memory, global, table) shares: its store and its C handle.

The component runtime moves externs between core instances without looking
inside them, so each wrapper keeps a ready ``wasmtime_extern_t`` to copy into an
import array, and the store it belongs to, to refuse cross-store use (which
would abort the process inside wasmtime rather than raise).
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

from witkit.runtime.core._capi import lib, wasmtime_extern_t

if TYPE_CHECKING:
    from witkit.runtime.core.store import Store

__all__ = ["CoreExtern", "OpaqueExtern", "extern_kind"]


class CoreExtern:
    """Base of the extern wrappers; not instantiated directly."""

    __slots__ = ("_extern", "store")

    def __init__(self, store: Store, extern: wasmtime_extern_t) -> None:
        self.store = store
        self._extern = extern

    @property
    def kind(self) -> str:
        """``func``, ``global``, ``table``, ``memory``, ``shared-memory`` or ``tag``."""
        return _KIND_NAMES.get(extern_kind(self._extern), "unknown")


class OpaqueExtern(CoreExtern):
    """An extern we can pass along but not use from Python (shared memory, tag)."""

    __slots__ = ()

    def __del__(self) -> None:
        # Shared memories are owned handles; deleting a non-owning kind is a no-op.
        lib.wasmtime_extern_delete(ctypes.byref(self._extern))


def extern_kind(item: wasmtime_extern_t) -> int:
    """The kind tag of a C extern (ctypes hands simple fields back as ints)."""
    kind: Any = item.kind
    return int(kind)


_KIND_NAMES = {0: "func", 1: "global", 2: "table", 3: "memory", 4: "shared-memory", 5: "tag"}
