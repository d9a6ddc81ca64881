"""The store: where instances live, where limits apply, and where host exceptions wait.

A ``Store`` owns a wasmtime store and a small ``_StoreState`` that every fast
path of the store closes over:

* ``context``: the ``wasmtime_context_t*`` as an int, passed to every C call;
* ``pending``: an exception raised by a host function.  The host trampoline puts
  it here and returns a wasm trap, so the guest unwinds; the guest call that sees
  the trap re-raises this same object instead of a ``CoreTrap``.  Because each
  call clears it when it re-raises, nested guest -> host -> guest calls propagate
  the exception outwards level by level, unchanged;
* the limits, used to describe a trap caused by one ("fuel exhausted (...)",
  "timeout after 2.0s (...)", "memory limit of N bytes exceeded (...)").

Limits:

* **fuel** (engine ``consume_fuel=True``): ``Store(fuel=n)`` / ``set_fuel``; a store
  of such an engine without an explicit amount gets practically unlimited fuel.
* **timeout** (engine ``epoch_interruption=True``): ``Store(timeout=s)`` /
  ``set_timeout(s)`` gives guest code in this store ``s`` seconds of wall-clock
  time *from that moment* (to within one ``epoch_tick``); reset it before each
  request if a store serves many.  ``None`` removes the deadline.  A deadline
  that has passed stays passed (as exhausted fuel stays exhausted): set a new
  one before calling into the store again.  Each store of such an engine has
  an epoch deadline of one tick and a callback (``on_epoch``) that compares the
  clock with the deadline at every tick, so a deadline is kept to within one
  ``epoch_tick``.  Host waits (WASI sleeps, polls, stream reads) end at it too:
  ``set_timeout`` registers it with ``witkit._signals`` for this thread, and
  the wait raises the same timeout trap.
* **interrupts**: a ``KeyboardInterrupt`` must never tear a call (escaping a
  host trampoline, ctypes would hand wasmtime a garbage trap pointer).  The
  first ``Store`` made on the main thread replaces Python's default SIGINT
  handler (only that one; a program's own handler is left alone) with
  ``witkit._signals.handler``, which raises ``KeyboardInterrupt`` wherever
  the default would, except inside witkit's call machinery: there it records
  the signal and it is raised at the next safe point, the entry of a host call
  (inside its guard) or, for an engine with ``epoch_interruption``, the next
  epoch check (``on_epoch``; the call raises ``witkit._signals.Interrupted``, a
  ``KeyboardInterrupt``).  The process, the engine and the store stay usable;
  a component instance whose call was cut short may refuse further calls with
  a trap.  Python runs signal handlers only when the main thread runs Python
  code, so a guest looping in pure wasm without calling the host is reached
  only through its epochs, and only by a thread that calls
  ``witkit._signals.deliver`` (``witkit run``'s watcher does; without epochs it
  ends the process instead).
* **memory** (``max_memory`` bytes, per linear memory, via wasmtime's store
  limiter): instantiation that needs more fails with a ``CoreTrap``; growth past
  it makes ``memory.grow`` return -1 to the guest, as wasm specifies.  wasmtime
  does not report that failure, so when a guest then traps while one of its
  memories is within a page of the limit, the trap is described as the memory
  limit (wasmtime's message kept in parentheses).  A guest that handles -1
  itself sees no trap at all.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from witkit import _signals
from witkit.errors import LinkError
from witkit.runtime.core import _capi
from witkit.runtime.core._capi import (
    EXTERN_MEMORY,
    Owned,
    lib,
    wasm_limits_t,
    wasmtime_extern_t,
    wasmtime_func_t,
    wasmtime_global_t,
    wasmtime_instance_t,
    wasmtime_memory_t,
    wasmtime_table_t,
)
from witkit.runtime.core.engine import CoreModule, Engine
from witkit.runtime.core.extern import CoreExtern, extern_kind
from witkit.runtime.core.func import CoreFunc, make_host_func
from witkit.runtime.core.instance import CoreInstance
from witkit.runtime.core.memory import (
    WASM_PAGE_SIZE,
    CoreGlobal,
    CoreMemory,
    CoreTable,
    to_val,
    unroot,
)
from witkit.runtime.core.traps import (
    CoreTrap,
    error_text,
    trap_from_error_ptr,
    trap_from_trap_ptr,
)
from witkit.runtime.core.types import (
    CoreFuncType,
    CoreGlobalType,
    CoreMemoryType,
    CoreTableType,
    functype_to_c,
    valtype_to_c,
)

__all__ = ["Imports", "Store"]

#: Fuel given to a store of a fuel-consuming engine when no amount is asked for.
UNLIMITED_FUEL = 1 << 63
#: Epoch deadline meaning "never" (far below u64 overflow when added to the epoch).
NO_DEADLINE = 1 << 62

#: wasmtime's words for an epoch interruption; the callback's error says the same
_INTERRUPT_TEXT = "wasm trap: interrupt"
_MAIN = threading.main_thread()

#: Imports by position, or by (module, name) as the module declares them.
Imports = Sequence[CoreExtern] | Mapping[tuple[str, str], CoreExtern]


class _StoreState:
    """What the generated fast paths need from their store (kept free of cycles)."""

    __slots__ = (
        "__weakref__",
        "_functypes",
        "context",
        "deadline",
        "fuel_enabled",
        "host_memories",
        "instances",
        "keepalive",
        "max_memory",
        "pending",
        "stopped",
        "timeout",
    )

    def __init__(self, context: int) -> None:
        self.context = context
        self.pending: BaseException | None = None
        #: C callbacks and their closures: they must live as long as the store.
        self.keepalive: list[object] = []
        #: Every instance made here, to find memories when describing a trap.
        self.instances: list[wasmtime_instance_t] = []
        self.host_memories: list[wasmtime_memory_t] = []
        self.max_memory: int | None = None
        self.timeout: float | None = None
        #: ``time.monotonic()`` at which the timeout passes
        self.deadline: float | None = None
        #: why the epoch callback stopped the guest: "timeout", "interrupt" or None
        self.stopped: str | None = None
        self.fuel_enabled = False
        self._functypes: dict[CoreFuncType, Owned] = {}

    def functype(self, ty: CoreFuncType) -> int:
        """A ``wasm_functype_t*`` for ``ty``, made once per store and freed with it."""
        wasm_type = self._functypes.get(ty)
        if wasm_type is None:
            wasm_type = self._functypes[ty] = functype_to_c(ty)
        return wasm_type.address

    # -- guest -> Python: a host function raised -------------------------------

    def raise_into_guest(self, exc: BaseException) -> int:
        """Stash ``exc`` and return a fresh trap for the host callback to hand to wasmtime."""
        self.pending = exc
        message = f"host function raised {type(exc).__name__}".encode()
        return int(_capi.trap_new(message, len(message)))

    # -- a guest call failed -----------------------------------------------------

    def fail(self, error: int | None, trap: int) -> NoReturn:
        """Raise what a failed call means: a stashed host exception, or a ``CoreTrap``."""
        pending, self.pending = self.pending, None
        stopped, self.stopped = self.stopped, None
        if trap:
            exc = trap_from_trap_ptr(trap)
            if error:
                error_text(error)  # free it; the trap says more
        else:
            exc = trap_from_error_ptr(error or 0)
        if pending is not None:
            raise pending
        if stopped == "interrupt":
            raise _signals.take() or _signals.Interrupted(_signals.pending() or 2)
        if stopped == "timeout":
            raise exc.with_limit(f"timeout after {float(self.timeout or 0)}s", "timeout")
        raise self.describe(exc)

    def timeout_trap(self) -> CoreTrap:
        """What a host wait that reaches this store's deadline raises: the timeout trap."""
        return CoreTrap(f"timeout after {float(self.timeout or 0)}s ({_INTERRUPT_TEXT})", "timeout")

    # -- the epoch callback: interrupts and timeouts -------------------------------

    def on_epoch(self, context: int, data: int, delta: int, kind: int) -> int:
        """At each epoch tick while guest code runs: trap if interrupted or past the deadline.

        A ctypes callback like a host trampoline: it must never raise.
        """
        try:
            if _signals.flag[0] and threading.current_thread() is _MAIN:
                self.stopped = "interrupt"
            elif self.deadline is not None and time.monotonic() >= self.deadline:
                self.stopped = "timeout"
            else:
                ctypes.c_uint64.from_address(delta).value = 1
                ctypes.c_uint8.from_address(kind).value = 0  # continue
                return 0
        except BaseException:
            self.stopped = "interrupt"
        return int(_capi.error_new(_INTERRUPT_TEXT.encode()))

    def describe(self, trap: CoreTrap) -> CoreTrap:
        """Re-describe a trap caused by one of this store's limits."""
        if trap.rule == "out-of-fuel":
            return trap.with_limit("fuel exhausted", "out-of-fuel")
        if trap.rule == "interrupt" and self.timeout is not None:  # a user's own epochs
            return trap.with_limit(f"timeout after {float(self.timeout)}s", "timeout")
        if self.max_memory is not None and self._memory_at_limit():
            return trap.with_limit(
                f"memory limit of {self.max_memory} bytes exceeded", "memory-limit"
            )
        return trap

    def instantiate_failure(self, error: int | None, trap: int, module: str) -> NoReturn:
        """Raise what a failed ``wasmtime_instance_new`` means."""
        if trap or self.pending is not None or self.stopped is not None:
            self.fail(error, trap)  # the start function trapped, or a host function raised
        text = error_text(error or 0)
        if self.max_memory is not None and "exceeds memory limits" in text:
            raise CoreTrap(
                f"memory limit of {self.max_memory} bytes exceeded ({text})", "memory-limit"
            )
        raise LinkError(f"cannot instantiate {module}: {text}")

    def grow_failure(self, text: str, delta: int, *, new_bytes: int | None = None) -> Exception:
        """What a host-requested grow (or memory creation) that wasmtime refused should raise.

        ``new_bytes`` is the memory size asked for; None for tables.
        """
        if new_bytes is not None and self.max_memory is not None and new_bytes > self.max_memory:
            return CoreTrap(
                f"memory limit of {self.max_memory} bytes exceeded ({text})", "memory-limit"
            )
        return ValueError(f"cannot grow by {delta}: {text}")

    def _memory_at_limit(self) -> bool:
        assert self.max_memory is not None
        headroom = self.max_memory - WASM_PAGE_SIZE
        return any(size > headroom for size in self._memory_sizes())

    def _memory_sizes(self) -> list[int]:
        sizes = [
            _capi.memory_data_size(self.context, ctypes.addressof(memory))
            for memory in self.host_memories
        ]
        name = ctypes.c_void_p()
        name_len = ctypes.c_size_t()
        item = wasmtime_extern_t()
        for instance in self.instances:
            index = 0
            while _capi.instance_export_nth(
                self.context,
                ctypes.addressof(instance),
                index,
                ctypes.addressof(name),
                ctypes.addressof(name_len),
                ctypes.addressof(item),
            ):
                if extern_kind(item) == EXTERN_MEMORY:
                    sizes.append(
                        _capi.memory_data_size(self.context, ctypes.addressof(item.of.memory))
                    )
                index += 1
        return sizes


class Store:
    """A wasmtime store plus witkit's limits and host-exception plumbing.

    A store (and everything in it) must be used by one thread at a time.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        fuel: int | None = None,
        timeout: float | None = None,
        max_memory: int | None = None,
        max_table_elements: int | None = None,
        max_instances: int | None = None,
        max_tables: int | None = None,
        max_memories: int | None = None,
    ) -> None:
        self.engine = engine
        # No host data and no finalizer: witkit keeps its per-store state in Python.
        self._handle = Owned(
            lib.wasmtime_store_new(engine.address, None, None), lib.wasmtime_store_delete
        )
        self._state = _StoreState(lib.wasmtime_store_context(self._handle.address))
        limits = (max_memory, max_table_elements, max_instances, max_tables, max_memories)
        if any(limit is not None for limit in limits):
            for limit in limits:
                if limit is not None and limit < 0:
                    raise ValueError("store limits must not be negative")
            # -1 leaves a limit at wasmtime's default (none)
            lib.wasmtime_store_limiter(
                self._handle.address, *(-1 if limit is None else limit for limit in limits)
            )
            self._state.max_memory = max_memory
        self._state.fuel_enabled = engine.config.consume_fuel
        if engine.config.consume_fuel:
            self.set_fuel(UNLIMITED_FUEL if fuel is None else fuel)
        elif fuel is not None:
            raise ValueError("fuel needs an engine created with consume_fuel=True")
        if engine.config.epoch_interruption:
            # One tick: every epoch increment (the ticker's, a signal's) asks on_epoch.
            callback = _capi.EPOCH_CALLBACK(self._state.on_epoch)
            self._state.keepalive.append(callback)
            _capi.store_epoch_deadline_callback(
                self._handle.address, ctypes.cast(callback, ctypes.c_void_p).value, None, None
            )
            self.set_timeout(timeout)
        elif timeout is not None:
            raise ValueError("a timeout needs an engine created with epoch_interruption=True")
        _signals.guard_sigint()

    # -- limits --------------------------------------------------------------------

    @property
    def fuel(self) -> int:
        """Fuel left (raises ``ValueError`` if the engine does not consume fuel)."""
        self._need_fuel()
        fuel = ctypes.c_uint64()
        error = lib.wasmtime_context_get_fuel(self._state.context, ctypes.byref(fuel))
        if error:  # pragma: no cover - only when fuel is off, checked above
            raise ValueError(error_text(error))
        return fuel.value

    def set_fuel(self, fuel: int) -> None:
        self._need_fuel()
        if fuel < 0:
            raise ValueError("fuel must not be negative")
        error = lib.wasmtime_context_set_fuel(self._state.context, fuel)
        if error:  # pragma: no cover - only when fuel is off, checked above
            raise ValueError(error_text(error))

    def _need_fuel(self) -> None:
        if not self._state.fuel_enabled:
            raise ValueError("fuel needs an engine created with consume_fuel=True")

    @property
    def timeout(self) -> float | None:
        return self._state.timeout

    def set_timeout(self, seconds: float | None) -> None:
        """Let guest code run for ``seconds`` of wall-clock time from now (None: no limit)."""
        config = self.engine.config
        if not config.epoch_interruption:
            raise ValueError("a timeout needs an engine created with epoch_interruption=True")
        state = self._state
        if seconds is not None and not seconds > 0:
            raise ValueError("a timeout must be positive")
        # A signal recorded before this store existed has bumped no epoch it will see:
        # then the deadline is now, and the first epoch check asks on_epoch.
        _capi.context_set_epoch_deadline(state.context, 0 if _signals.flag[0] else 1)
        state.stopped = None
        if seconds is None:
            state.timeout = state.deadline = None
            _signals.set_deadline(state, None)
            return
        state.timeout = seconds
        state.deadline = time.monotonic() + seconds
        _signals.set_deadline(state, state.deadline)
        self.engine._ensure_ticker()

    # -- making things -----------------------------------------------------------

    def instantiate(self, module: CoreModule, imports: Imports = ()) -> CoreInstance:
        """Instantiate ``module`` with ``imports`` in the module's declared order, or by name.

        Raises ``LinkError`` for missing or mistyped imports, ``CoreTrap`` (or a host
        function's exception) if the start function fails.
        """
        if module.engine is not self.engine:
            raise LinkError(f"module {module.name or '?'} was compiled by another engine")
        externs = self._resolve(module, imports)
        array = (wasmtime_extern_t * max(1, len(externs)))()
        for index, extern in enumerate(externs):
            if not isinstance(extern, CoreExtern):
                raise LinkError(f"import {index} is a {type(extern).__name__}, not a core extern")
            if extern.store is not self:
                raise LinkError(f"import {index} belongs to another store")
            array[index] = extern._extern
        instance = wasmtime_instance_t()
        trap = ctypes.c_void_p()
        error = _capi.instance_new(
            self._state.context,
            module.address,
            ctypes.addressof(array),
            len(externs),
            ctypes.addressof(instance),
            ctypes.addressof(trap),
        )
        if error or trap.value:
            self._state.instantiate_failure(error, trap.value or 0, module.name or "module")
        self._state.instances.append(instance)
        return CoreInstance(self, module, instance)

    def _resolve(self, module: CoreModule, imports: Imports) -> Sequence[CoreExtern]:
        if isinstance(imports, Mapping):
            externs = []
            for imp in module.imports:
                extern = imports.get((imp.module, imp.name))
                if extern is None:
                    raise LinkError(
                        f"missing import {imp.module}::{imp.name} ({imp.type}) "
                        f"of {module.name or 'module'}"
                    )
                externs.append(extern)
            return externs
        # wasmtime checks each import's type when it instantiates.
        wanted = module.import_count
        if len(imports) != wanted:
            raise LinkError(
                f"{module.name or 'module'} expects {wanted} imports, got {len(imports)}"
            )
        return imports

    def host_func(
        self,
        ty: CoreFuncType,
        fn: Callable[..., Any],
        *,
        signed: bool = False,
        name: str | None = None,
    ) -> CoreFunc:
        """A core function that calls ``fn`` with the guest's arguments.

        ``fn`` takes one Python number per param and returns None, one number or a
        sequence of numbers per ``ty.results``.  Whatever it raises propagates out
        of the guest call that led to it, as the same object.
        """
        label = name or str(getattr(fn, "__qualname__", "host function"))
        func, callback = make_host_func(self._state, ty, fn, signed=signed, name=label)
        self._state.keepalive.append(callback)
        return CoreFunc(self, func, ty, label)

    def deferred_host_func(
        self, ty: CoreFuncType, build: Callable[[], Callable[..., Any]], *, name: str
    ) -> CoreFunc:
        """``host_func(ty, build(), name=name)``, with ``build`` called on the first call.

        A big guest imports hundreds of functions and calls a few; building each
        one's Python side up front (the Canonical ABI's generated code) was a
        third of instantiating a componentize-py component.  After the first
        call the function is called directly, as if it had been given at once.
        """
        func, callback = make_host_func(self._state, ty, None, signed=False, name=name, build=build)
        self._state.keepalive.append(callback)
        return CoreFunc(self, func, ty, name)

    def memory(self, ty: CoreMemoryType) -> CoreMemory:
        memory = wasmtime_memory_t()
        text = _memory_type_error(ty)
        if text is None:
            memory_type = ctypes.c_void_p()
            error = lib.wasmtime_memorytype_new(
                ty.minimum,
                ty.maximum is not None,
                ty.maximum or 0,
                ty.memory64,
                ty.shared,
                _PAGE_SIZE_LOG2,
                ctypes.byref(memory_type),
            )
            if not error:
                error = lib.wasmtime_memory_new(
                    self._state.context, memory_type, ctypes.byref(memory)
                )
                lib.wasm_memorytype_delete(memory_type)
            text = error_text(error) if error else None
        if text is not None:
            raise self._state.grow_failure(
                text, ty.minimum, new_bytes=ty.minimum * WASM_PAGE_SIZE
            ) from None
        self._state.host_memories.append(memory)
        return CoreMemory(self, memory)

    def global_(self, ty: CoreGlobalType, value: int | float) -> CoreGlobal:
        global_type = lib.wasm_globaltype_new(valtype_to_c(ty.content), 1 if ty.mutable else 0)
        try:
            if ty.content in ("i32", "i64") and isinstance(value, int):
                bits = 32 if ty.content == "i32" else 64
                if not -(1 << (bits - 1)) <= value < (1 << bits):
                    raise ValueError(f"{value} is out of range for {ty.content}")
            val = to_val(ty.content, value)
            global_ = wasmtime_global_t()
            error = lib.wasmtime_global_new(
                self._state.context, global_type, ctypes.byref(val), ctypes.byref(global_)
            )
            unroot(val)
        finally:
            lib.wasm_globaltype_delete(global_type)
        if error:
            raise ValueError(error_text(error))
        return CoreGlobal(self, global_)

    def table(self, ty: CoreTableType, init: CoreFunc | None = None) -> CoreTable:
        if ty.element != "funcref":
            raise TypeError("only funcref tables can be made from Python")
        limits = wasm_limits_t(ty.minimum, _NO_TABLE_MAXIMUM if ty.maximum is None else ty.maximum)
        table_type = lib.wasm_tabletype_new(valtype_to_c("funcref"), ctypes.byref(limits))
        try:
            val = to_val("funcref", None if init is None else init._func)
            table = wasmtime_table_t()
            error = lib.wasmtime_table_new(
                self._state.context, table_type, ctypes.byref(val), ctypes.byref(table)
            )
        finally:
            lib.wasm_tabletype_delete(table_type)
        if error:
            raise ValueError(error_text(error))
        return CoreTable(self, table)

    def _wrap_func(self, func: wasmtime_func_t, name: str) -> CoreFunc:
        return CoreFunc(self, func, None, name)  # its type is asked for on first use


#: log2 of the 64 KiB wasm page (custom page sizes are not made from Python)
_PAGE_SIZE_LOG2 = 16
_NO_TABLE_MAXIMUM = 0xFFFF_FFFF  # wasm_limits_t.max meaning "none"


def _memory_type_error(ty: CoreMemoryType) -> str | None:
    """What wasmtime-py said of limits past the index type (wasmtime itself says it otherwise)."""
    bound = 1 << (64 if ty.memory64 else 32)
    if ty.minimum >= bound:
        return "minimum size too large"
    if ty.maximum and ty.maximum >= bound:
        return "maximum size too large"
    return None
