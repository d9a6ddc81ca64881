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

``CoreMemory.ascii_prefix(address, length)`` counts the ASCII bytes at the start
of a range with wasm SIMD, 16 bytes an instruction: CPython's own ASCII checks
(``bytes.isascii``, the ASCII fast path of the UTF-8 decoder) go 8 bytes at a
time, which makes them the larger half of lifting a long string.  The code is a
small helper module compiled once per engine and instantiated on first use in
the memory's store, with the memory as its import; so it is one more instance
in that store (it counts against ``max_instances``, and if the store refuses
it, the memory simply has no accelerator).  It is not used on engines that
meter guest code (fuel, epochs): it would consume the guest's fuel or be
interrupted by its deadline.

Globals and tables are rarely on a hot path; they call wasmtime's C API plainly,
through the ``wasmtime_val_t`` it uses for typed values.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.errors import WitkitError
from witkit.runtime.core import _capi
from witkit.runtime.core._capi import (
    EXTERN_GLOBAL,
    EXTERN_MEMORY,
    EXTERN_TABLE,
    VAL_EXTERNREF,
    VAL_F32,
    VAL_F64,
    VAL_FUNCREF,
    VAL_I32,
    VAL_I64,
    lib,
    wasmtime_extern_t,
    wasmtime_extern_union,
    wasmtime_func_t,
    wasmtime_global_t,
    wasmtime_memory_t,
    wasmtime_table_t,
    wasmtime_val_t,
)
from witkit.runtime.core.extern import CoreExtern
from witkit.runtime.core.traps import CoreTrap, error_text
from witkit.runtime.core.types import (
    CoreGlobalType,
    CoreMemoryType,
    CoreTableType,
    globaltype_from_c,
    memorytype_from_c,
    tabletype_from_c,
)

if TYPE_CHECKING:
    from witkit.runtime.core.engine import CoreModule, Engine
    from witkit.runtime.core.func import CoreFunc
    from witkit.runtime.core.store import Store

__all__ = ["WASM_PAGE_SIZE", "CoreGlobal", "CoreMemory", "CoreTable"]

WASM_PAGE_SIZE = 65536
_data_size = _capi.memory_data_size
_INT_BITS = {"i32": 32, "i64": 64}


class CoreMemory(CoreExtern):
    """A linear memory in a store."""

    __slots__ = ("_ascii", "_context", "_memory", "_memory_address", "_size", "_view")

    def __init__(self, store: Store, memory: wasmtime_memory_t) -> None:
        extern = wasmtime_extern_t(EXTERN_MEMORY, wasmtime_extern_union(memory=memory))
        super().__init__(store, extern)
        self._memory = wasmtime_memory_t.from_buffer_copy(memory)
        self._memory_address = ctypes.addressof(self._memory)
        #: the store's context pointer, fixed for its life (read on every ``view()``)
        self._context = store._state.context
        self._size = -1
        self._view = memoryview(b"")
        #: the bound SIMD scan of ``ascii_prefix``, made on its first use
        self._ascii: Callable[[int, int], int] | None = None

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

    def ascii_prefix(self, address: int, length: int) -> int:
        """How many of the ``length`` bytes at ``address`` come before the first non-ASCII one.

        ``length`` when they are all ASCII.  A memory without the SIMD helper
        (see the module docstring) answers 0, "nothing known", which is cheaper
        than any scan Python could make.  Raises ``CoreTrap`` for a range
        outside the memory.
        """
        scan = self._ascii
        if scan is None:
            scan = self._ascii = _ascii_scanner(self)
        end = address + length
        if address < 0 or length < 0 or (end > self._size and end > len(self.view())):
            raise _out_of_bounds(address, length, self._size)
        return scan(address, length)

    @property
    def data_size(self) -> int:
        """Size in bytes."""
        return int(_capi.memory_data_size(self.store._state.context, self._memory_address))

    @property
    def pages(self) -> int:
        """Size in pages."""
        return int(lib.wasmtime_memory_size(self._context, self._memory_address))

    @property
    def type(self) -> CoreMemoryType:
        ty = lib.wasmtime_memory_type(self._context, self._memory_address)
        try:
            return memorytype_from_c(ty)
        finally:
            lib.wasm_memorytype_delete(ty)

    def grow(self, delta_pages: int) -> int:
        """Grow by ``delta_pages``; returns the previous size in pages.

        Raises ``CoreTrap`` (rule ``memory-limit``) when the store's memory limit or
        the memory's maximum forbids it, ``ValueError`` for a negative delta.
        """
        if delta_pages < 0:
            raise ValueError("cannot grow a memory by a negative number of pages")
        previous = ctypes.c_uint64()
        error = lib.wasmtime_memory_grow(
            self._context, self._memory_address, delta_pages, ctypes.byref(previous)
        )
        if error:
            wanted = (self.pages + delta_pages) * WASM_PAGE_SIZE
            raise self.store._state.grow_failure(error_text(error), delta_pages, new_bytes=wanted)
        return previous.value

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


# --------------------------------------------------------------------------- the ASCII scan

#: bytes per step of the SIMD loop: eight 16-byte loads, or-ed together, one branch
_ASCII_BLOCK = 128


def _ascii_scan_wat(addr: str) -> str:
    """The helper module for a memory of address type ``addr`` (``i32`` or ``i64``).

    Whole blocks while no byte has its top bit set, then byte by byte from the
    block that had one (or through the short tail), so the answer is exact.
    Counting down a length rather than up to an end address keeps it clear of
    wrapping at the top of a 4 GiB memory.
    """
    loads = [f"(v128.load offset={16 * i} (local.get $q))" for i in range(_ASCII_BLOCK // 16)]
    while len(loads) > 1:
        loads = [f"(v128.or {a} {b})" for a, b in zip(loads[::2], loads[1::2], strict=True)]
    index_type = "i64 " if addr == "i64" else ""
    return f"""
(module
  (import "witkit" "memory" (memory {index_type}0))
  (func (export "ascii-prefix") (param $p {addr}) (param $n {addr}) (result {addr})
    (local $q {addr}) (local $left {addr})
    (local.set $q (local.get $p))
    (local.set $left (local.get $n))
    (block $tail
      (loop $blocks
        (br_if $tail ({addr}.lt_u (local.get $left) ({addr}.const {_ASCII_BLOCK})))
        (br_if $tail (i8x16.bitmask {loads[0]}))
        (local.set $q ({addr}.add (local.get $q) ({addr}.const {_ASCII_BLOCK})))
        (local.set $left ({addr}.sub (local.get $left) ({addr}.const {_ASCII_BLOCK})))
        (br $blocks)))
    (block $done
      (loop $bytes
        (br_if $done ({addr}.eqz (local.get $left)))
        (br_if $done (i32.ge_u (i32.load8_u (local.get $q)) (i32.const 0x80)))
        (local.set $q ({addr}.add (local.get $q) ({addr}.const 1)))
        (local.set $left ({addr}.sub (local.get $left) ({addr}.const 1)))
        (br $bytes)))
    ({addr}.sub (local.get $n) (local.get $left))))
"""


#: ``_ascii_scan_wat`` assembled, so that no assembler is loaded at run time (a test
#: checks that assembling the text again gives these bytes)
_ASCII_SCAN_WASM = {
    "i32": bytes.fromhex(
        "0061736d0100000001070160027f7f017f021201067769746b6974066d656d6f7279020000030201"
        "000710010c61736369692d70726566697800000a9c0101990101027f200021022001210302400340"
        "2003418001490d012002fd0004002002fd000410fd502002fd0004202002fd000430fd50fd502002"
        "fd0004402002fd000450fd502002fd0004602002fd000470fd50fd50fd50fd640d0120024180016a"
        "210220034180016b21030c000b0b024003402003450d0120022d00004180014f0d01200241016a21"
        "02200341016b21030c000b0b200120036b0b0039046e616d65021201000400017001016e02017103"
        "046c656674031e01000400047461696c0106626c6f636b730204646f6e6503056279746573"
    ),
    "i64": bytes.fromhex(
        "0061736d0100000001070160027e7e017e021201067769746b6974066d656d6f7279020400030201"
        "000710010c61736369692d70726566697800000a9c0101990101027e200021022001210302400340"
        "2003428001540d012002fd0004002002fd000410fd502002fd0004202002fd000430fd50fd502002"
        "fd0004402002fd000450fd502002fd0004602002fd000470fd50fd50fd50fd640d0120024280017c"
        "210220034280017d21030c000b0b024003402003500d0120022d00004180014f0d01200242017c21"
        "02200342017d21030c000b0b200120037d0b0039046e616d65021201000400017001016e02017103"
        "046c656674031e01000400047461696c0106626c6f636b730204646f6e6503056279746573"
    ),
}

#: the compiled helper per engine and address type (``None``: it failed to compile there)
_ascii_modules: weakref.WeakKeyDictionary[Engine, dict[str, CoreModule | None]] = (
    weakref.WeakKeyDictionary()
)


def _ascii_module(engine: Engine, addr: str) -> CoreModule | None:
    modules = _ascii_modules.setdefault(engine, {})
    if addr not in modules:
        try:
            modules[addr] = engine.compile(_ASCII_SCAN_WASM[addr], name="witkit ascii-prefix")
        except WitkitError:  # e.g. no SIMD on this host
            modules[addr] = None
    return modules[addr]


def _nothing_known(address: int, length: int) -> int:
    return 0


def _ascii_scanner(memory: CoreMemory) -> Callable[[int, int], int]:
    """The helper instance's fast call, or ``_nothing_known`` where there cannot be one."""
    store = memory.store
    config = store.engine.config
    if config.consume_fuel or config.epoch_interruption:
        return _nothing_known
    module = _ascii_module(store.engine, "i64" if memory.type.memory64 else "i32")
    if module is None:
        return _nothing_known
    try:
        helper = store.instantiate(module, [memory])
    except WitkitError:  # an instance limit, a custom page size
        return _nothing_known
    scan: Callable[[int, int], int] = helper.func("ascii-prefix").call
    return scan


def _out_of_bounds(address: int, length: int, size: int) -> CoreTrap:
    return CoreTrap(
        "out of bounds memory access",
        "memory-out-of-bounds",
        context=(f"range {address}..{address + length} in linear memory of size {size}",),
    )


class CoreGlobal(CoreExtern):
    """A global in a store; ints follow the same unsigned/signed convention as calls."""

    __slots__ = ("_global",)

    def __init__(self, store: Store, global_: wasmtime_global_t) -> None:
        extern = wasmtime_extern_t(EXTERN_GLOBAL, wasmtime_extern_union(global_=global_))
        super().__init__(store, extern)
        self._global = wasmtime_global_t.from_buffer_copy(global_)

    @property
    def type(self) -> CoreGlobalType:
        ty = lib.wasmtime_global_type(self.store._state.context, ctypes.byref(self._global))
        try:
            return globaltype_from_c(ty)
        finally:
            lib.wasm_globaltype_delete(ty)

    def get(self, *, signed: bool = False) -> int | float | None:
        """The value (a funcref or externref global reads as None when null)."""
        kind = self._checked_kind()
        val = wasmtime_val_t()
        lib.wasmtime_global_get(
            self.store._state.context, ctypes.byref(self._global), ctypes.byref(val)
        )
        value = from_val(val)
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
        val = to_val(kind, value)
        error = lib.wasmtime_global_set(
            self.store._state.context, ctypes.byref(self._global), ctypes.byref(val)
        )
        if error:
            raise ValueError(error_text(error))

    def _checked_kind(self) -> str:
        # v128 and typed references have no Python value (and wasm.h's type
        # functions abort the process on them): refuse them up front.
        kind = self.type.content
        if kind not in ("i32", "i64", "f32", "f64", "funcref", "externref"):
            raise TypeError(f"a {kind} global cannot be read or written from Python")
        return kind


class CoreTable(CoreExtern):
    """A table in a store; funcref elements come back as ``CoreFunc`` or None."""

    __slots__ = ("_table",)

    def __init__(self, store: Store, table: wasmtime_table_t) -> None:
        extern = wasmtime_extern_t(EXTERN_TABLE, wasmtime_extern_union(table=table))
        super().__init__(store, extern)
        self._table = wasmtime_table_t.from_buffer_copy(table)

    @property
    def type(self) -> CoreTableType:
        ty = lib.wasmtime_table_type(self.store._state.context, ctypes.byref(self._table))
        try:
            return tabletype_from_c(ty)
        finally:
            lib.wasm_tabletype_delete(ty)

    def size(self) -> int:
        return int(lib.wasmtime_table_size(self.store._state.context, ctypes.byref(self._table)))

    def grow(self, delta: int, init: CoreFunc | None = None) -> int:
        """Grow by ``delta`` elements set to ``init``; returns the previous size."""
        val = self._element(init)
        previous = ctypes.c_uint64()
        error = lib.wasmtime_table_grow(
            self.store._state.context,
            ctypes.byref(self._table),
            delta,
            ctypes.byref(val),
            ctypes.byref(previous),
        )
        if error:
            raise self.store._state.grow_failure(error_text(error), delta)
        return previous.value

    def get(self, index: int) -> CoreFunc | None:
        """The function at ``index`` (None for a null element; IndexError out of bounds)."""
        if self.type.element != "funcref":
            raise TypeError(f"a table of {self.type.element} cannot be read from Python")
        val = wasmtime_val_t()
        context = self.store._state.context
        if not lib.wasmtime_table_get(context, ctypes.byref(self._table), index, ctypes.byref(val)):
            raise IndexError(f"table index {index} out of bounds")
        if val.kind != VAL_FUNCREF or val.of.funcref.store_id == 0:
            unroot(val)
            return None
        return self.store._wrap_func(val.of.funcref, f"table[{index}]")

    def set(self, index: int, value: CoreFunc | None) -> None:
        val = self._element(value)
        error = lib.wasmtime_table_set(
            self.store._state.context, ctypes.byref(self._table), index, ctypes.byref(val)
        )
        if error:
            raise IndexError(error_text(error))

    def _element(self, value: CoreFunc | None) -> wasmtime_val_t:
        # As for globals: keep element types the C API would abort on away from it.
        if self.type.element != "funcref":
            raise TypeError(f"a table of {self.type.element} cannot be changed from Python")
        if value is not None and value.store is not self.store:
            raise ValueError("a function from another store cannot be put in this table")
        return to_val("funcref", None if value is None else value._func)


# --------------------------------------------------------------------------- typed values


def to_val(kind: str, value: object) -> wasmtime_val_t:
    """A ``wasmtime_val_t`` holding ``value`` as a ``kind``; TypeError if it cannot.

    Integers wrap into the signed C field (the caller checked the range); an f32
    that is too large becomes infinity, as ``f32.demote_f64`` does.  References
    are null (``None``) or, for funcref, a ``wasmtime_func_t``: Python values
    never become externrefs.
    """
    val = wasmtime_val_t()
    if kind in ("i32", "i64") and isinstance(value, int):
        val.kind = VAL_I32 if kind == "i32" else VAL_I64
        bits = _INT_BITS[kind]
        value &= (1 << bits) - 1
        value -= (value >> (bits - 1)) << bits
        if kind == "i32":
            val.of.i32 = value
        else:
            val.of.i64 = value
    elif kind in ("f32", "f64") and isinstance(value, float):
        val.kind = VAL_F32 if kind == "f32" else VAL_F64
        if kind == "f32":
            val.of.f32 = value
        else:
            val.of.f64 = value
    elif kind == "funcref" and (value is None or isinstance(value, wasmtime_func_t)):
        val.kind = VAL_FUNCREF
        if value is not None:
            val.of.funcref = value  # a null funcref is store_id 0, as zeroed
    elif kind == "externref" and value is None:
        val.kind = VAL_EXTERNREF  # null: store_id 0, as zeroed
    else:
        raise TypeError(f"don't know how to convert {value!r} to {kind}")
    return val


def from_val(val: wasmtime_val_t) -> int | float | object | None:
    """The Python value of a ``wasmtime_val_t`` wasmtime filled in (unrooting it).

    i32/i64 come back signed (the C fields are); a null reference is None and a
    non-null one is returned as the C value itself, which the callers refuse.
    """
    kind = val.kind
    if kind == VAL_I32:
        return int(val.of.i32)
    if kind == VAL_I64:
        return int(val.of.i64)
    if kind == VAL_F32:
        return float(val.of.f32)
    if kind == VAL_F64:
        return float(val.of.f64)
    if kind == VAL_FUNCREF:
        return None if val.of.funcref.store_id == 0 else val
    null = val.of.externref.store_id == 0  # externref, anyref, exnref share a layout
    unroot(val)
    return None if null else val


def unroot(val: wasmtime_val_t) -> None:
    """Release a GC reference wasmtime rooted for a value it gave us (a no-op for others)."""
    if val.kind > VAL_FUNCREF:
        lib.wasmtime_val_unroot(ctypes.byref(val))
