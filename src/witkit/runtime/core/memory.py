"""Linear memory as a zero-copy ``memoryview``, plus globals and tables.

``CoreMemory.view()`` returns a writable ``memoryview`` (format ``B``) laid
directly over the guest's linear memory: slicing, ``struct.unpack_from`` and
slice assignment read and write guest memory with no intermediate copy.  The
view is cached and re-made only when the memory's byte size changed, which costs
one C call (~0.2 us) per ``view()``.

Why a stale view is never dangerous: the engine is configured with
``memory_may_move = False``, so a memory's base address never changes while its
store lives; growth only makes more of the reservation accessible.  A view taken
before a grow is therefore still valid, merely shorter (accesses past its end
raise ``IndexError``).  Each view keeps its store alive, so it cannot outlive
the memory either.  The checked ``read``/``write`` helpers raise ``CoreTrap``
("out of bounds memory access") for guest-supplied ranges that do not fit.

Globals and tables are rarely on a hot path; they go through wasmtime-py's own
wrappers.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

import wasmtime
from wasmtime import _ffi as ffi

from witkit.runtime.core import _capi
from witkit.runtime.core.extern import CoreExtern
from witkit.runtime.core.traps import CoreTrap
from witkit.runtime.core.types import CoreGlobalType, CoreMemoryType, CoreTableType

if TYPE_CHECKING:
    from witkit.runtime.core.func import CoreFunc
    from witkit.runtime.core.store import Store

__all__ = ["WASM_PAGE_SIZE", "CoreGlobal", "CoreMemory", "CoreTable"]

WASM_PAGE_SIZE = 65536
_data_size = _capi.memory_data_size
_INT_BITS = {"i32": 32, "i64": 64}


class CoreMemory(CoreExtern):
    """A linear memory in a store."""

    __slots__ = ("_context", "_memory", "_memory_address", "_size", "_view")

    def __init__(self, store: Store, memory: ffi.wasmtime_memory_t) -> None:
        extern = ffi.wasmtime_extern_t(
            ffi.WASMTIME_EXTERN_MEMORY, ffi.wasmtime_extern_union(memory=memory)
        )
        super().__init__(store, extern)
        self._memory = ffi.wasmtime_memory_t.from_buffer_copy(memory)
        self._memory_address = ctypes.addressof(self._memory)
        #: the store's context pointer, fixed for its life (read on every ``view()``)
        self._context = store._state.context
        self._size = -1
        self._view = memoryview(b"")

    def view(self) -> memoryview:
        """A writable byte view of the whole memory as it is now (see the module docstring)."""
        size = _data_size(self._context, self._memory_address)
        if size != self._size:
            self._remap(size)
        return self._view

    def _remap(self, size: int) -> None:
        address = _capi.memory_data(self.store._state.context, self._memory_address) or 0
        array: Any = (ctypes.c_ubyte * size).from_address(address)
        array._witkit_owner = self.store  # the view keeps the store (and the mapping) alive
        self._view = memoryview(array).cast("B")
        self._size = size

    @property
    def data_size(self) -> int:
        """Size in bytes."""
        return int(_capi.memory_data_size(self.store._state.context, self._memory_address))

    @property
    def pages(self) -> int:
        """Size in pages."""
        return int(self._wasmtime().size(self.store.raw))

    @property
    def type(self) -> CoreMemoryType:
        ty = self._wasmtime().type(self.store.raw)
        return CoreMemoryType(ty.limits.min, ty.limits.max, ty.is_64, ty.is_shared)

    def grow(self, delta_pages: int) -> int:
        """Grow by ``delta_pages``; returns the previous size in pages.

        Raises ``CoreTrap`` (rule ``memory-limit``) when the store's memory limit or
        the memory's maximum forbids it, ``ValueError`` for a negative delta.
        """
        if delta_pages < 0:
            raise ValueError("cannot grow a memory by a negative number of pages")
        try:
            return int(self._wasmtime().grow(self.store.raw, delta_pages))
        except wasmtime.WasmtimeError as err:
            wanted = (self.pages + delta_pages) * WASM_PAGE_SIZE
            raise self.store._state.grow_failure(str(err), delta_pages, new_bytes=wanted) from None

    def read(self, address: int, length: int) -> bytes:
        """Copy ``length`` bytes out, trapping if the range is outside the memory."""
        view = self.view()
        end = address + length
        if address < 0 or length < 0 or end > len(view):
            raise _out_of_bounds(address, length, len(view))
        return bytes(view[address:end])

    def write(self, address: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` in at ``address``, trapping if it does not fit."""
        view = self.view()
        end = address + len(data)
        if address < 0 or end > len(view):
            raise _out_of_bounds(address, len(data), len(view))
        view[address:end] = data

    def _wasmtime(self) -> wasmtime.Memory:
        return wasmtime.Memory._from_raw(self._memory)


def _out_of_bounds(address: int, length: int, size: int) -> CoreTrap:
    return CoreTrap(
        "out of bounds memory access",
        "memory-out-of-bounds",
        context=(f"range {address}..{address + length} in linear memory of size {size}",),
    )


class CoreGlobal(CoreExtern):
    """A global in a store; ints follow the same unsigned/signed convention as calls."""

    __slots__ = ("_global",)

    def __init__(self, store: Store, global_: ffi.wasmtime_global_t) -> None:
        extern = ffi.wasmtime_extern_t(
            ffi.WASMTIME_EXTERN_GLOBAL, ffi.wasmtime_extern_union(global_=global_)
        )
        super().__init__(store, extern)
        self._global = ffi.wasmtime_global_t.from_buffer_copy(global_)

    @property
    def type(self) -> CoreGlobalType:
        from witkit.runtime.core.types import valtype_from_wasmtime

        ty = self._wasmtime().type(self.store.raw)
        return CoreGlobalType(valtype_from_wasmtime(ty.content), ty.mutable)

    def get(self, *, signed: bool = False) -> int | float | None:
        """The value (a funcref or externref global reads as None when null)."""
        kind = self._checked_kind()
        value = self._wasmtime().value(self.store.raw)
        if isinstance(value, int) and not signed:
            value &= (1 << _INT_BITS[kind]) - 1
        if not isinstance(value, int | float | None):
            raise TypeError(f"a {kind} global has no Python value")
        return value

    def set(self, value: int | float) -> None:
        kind = self._checked_kind()
        if kind in _INT_BITS:
            if not isinstance(value, int):
                raise TypeError(f"expected an int for an {kind} global")
            bits = _INT_BITS[kind]
            if not -(1 << (bits - 1)) <= value < (1 << bits):
                raise ValueError(f"{value} is out of range for {kind}")
            value &= (1 << bits) - 1
            if value >= 1 << (bits - 1):
                value -= 1 << bits
        elif kind in ("f32", "f64"):
            if not isinstance(value, int | float):
                raise TypeError(f"expected a float for an {kind} global")
            value = float(value)
        else:
            raise TypeError(f"a {kind} global cannot be set from Python")
        try:
            self._wasmtime().set_value(self.store.raw, value)
        except wasmtime.WasmtimeError as err:
            raise ValueError(str(err)) from None

    def _checked_kind(self) -> str:
        # wasmtime-py compares value types through a C call that aborts the process
        # on v128 and typed references: refuse those before reaching it.
        kind = self.type.content
        if kind not in ("i32", "i64", "f32", "f64", "funcref", "externref"):
            raise TypeError(f"a {kind} global cannot be read or written from Python")
        return kind

    def _wasmtime(self) -> wasmtime.Global:
        return wasmtime.Global._from_raw(self._global)


class CoreTable(CoreExtern):
    """A table in a store; funcref elements come back as ``CoreFunc`` or None."""

    __slots__ = ("_table",)

    def __init__(self, store: Store, table: ffi.wasmtime_table_t) -> None:
        extern = ffi.wasmtime_extern_t(
            ffi.WASMTIME_EXTERN_TABLE, ffi.wasmtime_extern_union(table=table)
        )
        super().__init__(store, extern)
        self._table = ffi.wasmtime_table_t.from_buffer_copy(table)

    @property
    def type(self) -> CoreTableType:
        from witkit.runtime.core.types import valtype_from_wasmtime

        ty = self._wasmtime().type(self.store.raw)
        return CoreTableType(valtype_from_wasmtime(ty.element), ty.limits.min, ty.limits.max)

    def size(self) -> int:
        return int(self._wasmtime().size(self.store.raw))

    def grow(self, delta: int, init: CoreFunc | None = None) -> int:
        """Grow by ``delta`` elements set to ``init``; returns the previous size."""
        try:
            return int(self._wasmtime().grow(self.store.raw, delta, self._element(init)))
        except wasmtime.WasmtimeError as err:
            raise self.store._state.grow_failure(str(err), delta) from None

    def get(self, index: int) -> CoreFunc | None:
        """The function at ``index`` (None for a null element; IndexError out of bounds)."""
        if self.type.element != "funcref":
            raise TypeError(f"a table of {self.type.element} cannot be read from Python")
        item = self._wasmtime().get(self.store.raw, index)
        if item is None:  # wasmtime-py's answer for "out of bounds"
            raise IndexError(f"table index {index} out of bounds")
        if not isinstance(item, wasmtime.Func):  # a null reference, as a ``Val``
            return None
        return self.store._wrap_func(item._func, f"table[{index}]")

    def set(self, index: int, value: CoreFunc | None) -> None:
        try:
            self._wasmtime().set(self.store.raw, index, self._element(value))
        except wasmtime.WasmtimeError as err:
            raise IndexError(str(err)) from None

    def _element(self, value: CoreFunc | None) -> wasmtime.Func | None:
        # As for globals: keep wasmtime-py away from element types it would abort on.
        if self.type.element != "funcref":
            raise TypeError(f"a table of {self.type.element} cannot be changed from Python")
        if value is None:
            return None
        if value.store is not self.store:
            raise ValueError("a function from another store cannot be put in this table")
        return wasmtime.Func._from_raw(value._func)

    def _wasmtime(self) -> wasmtime.Table:
        return wasmtime.Table._from_raw(self._table)
