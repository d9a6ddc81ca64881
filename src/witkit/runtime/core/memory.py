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

Globals and tables are rarely on a hot path; they go through wasmtime-py's own
wrappers.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wasmtime
from wasmtime import _ffi as ffi

from witkit.errors import WitkitError
from witkit.runtime.core import _capi
from witkit.runtime.core.extern import CoreExtern
from witkit.runtime.core.traps import CoreTrap
from witkit.runtime.core.types import CoreGlobalType, CoreMemoryType, CoreTableType

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
