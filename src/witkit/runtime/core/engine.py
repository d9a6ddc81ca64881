"""The engine: compilation settings, module compilation through the on-disk cache, epochs.

One ``Engine`` per set of settings; it is thread-safe and shared by any number of
stores.  ``compile`` looks a module up in the cache (``witkit.runtime.cache``)
before compiling it with Cranelift, and stores what it compiled.

The epoch ticker: when a store asks for a timeout, the engine starts one daemon
thread that increments wasmtime's epoch every ``epoch_tick`` seconds (the GIL is
released while wasm runs, so it keeps ticking during a guest loop).  A store's
deadline is counted in ticks; see ``Store.set_timeout``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import fields, replace
from functools import cache
from pathlib import Path
from typing import Literal

import wasmtime
from wasmtime import _ffi as ffi

from witkit._record import record
from witkit.errors import ValidationError
from witkit.runtime.cache import ModuleCache, cache_key
from witkit.runtime.core import _capi
from witkit.runtime.core.traps import root_cause
from witkit.runtime.core.types import (
    CoreExport,
    CoreImport,
    externtype_from_wasmtime,
)

__all__ = ["CoreModule", "Engine", "EngineConfig", "OptLevel"]

OptLevel = Literal["none", "speed", "speed_and_size"]


@record
class EngineConfig:
    """Engine settings.  All but ``cache``, ``cache_dir`` and ``epoch_tick`` shape the
    compiled code and so take part in the cache key."""

    #: Cranelift optimisation level.
    opt_level: OptLevel = "speed"
    #: Count fuel in compiled code so ``Store(fuel=...)`` can bound execution.
    consume_fuel: bool = False
    #: Check the epoch in compiled code so ``Store(timeout=...)`` can interrupt it.
    epoch_interruption: bool = False
    #: Seconds between epoch increments while a timeout is in use (the timeout's granularity).
    epoch_tick: float = 0.01
    #: Use the on-disk module cache.
    cache: bool = True
    #: Cache directory; None means ``witkit.runtime.cache.default_cache_dir()``.
    cache_dir: str | None = None
    #: Maximum wasm stack in bytes (None: wasmtime's default).
    max_wasm_stack: int | None = None
    #: Canonicalise NaNs produced by float arithmetic (deterministic execution).
    nan_canonicalization: bool = False
    #: Compile functions on several threads.
    parallel_compilation: bool = True

    def fingerprint(self) -> str:
        """Everything that makes compiled code differ, as one string for the cache key."""
        codegen = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("cache", "cache_dir", "epoch_tick", "parallel_compilation")
        }
        settings = ";".join(f"{key}={value!r}" for key, value in sorted(codegen.items()))
        return f"witkit-core/1;wasmtime={_wasmtime_version()};{platform.machine()};{settings}"

    def to_wasmtime(self) -> wasmtime.Config:
        config = wasmtime.Config()
        config.cranelift_opt_level = self.opt_level
        config.consume_fuel = self.consume_fuel
        config.epoch_interruption = self.epoch_interruption
        config.cranelift_nan_canonicalization = self.nan_canonicalization
        config.parallel_compilation = self.parallel_compilation
        if self.max_wasm_stack is not None:
            config.max_wasm_stack = self.max_wasm_stack
        # Memory views rely on this: a memory's base address never changes.
        config.memory_may_move = False
        return config


@cache
def _wasmtime_version() -> str:
    """Which wasmtime compiled the code: its native library's size and time stamp.

    ``importlib.metadata.version`` would say the same at ~40 ms of start-up (it
    imports a large module and scans site-packages); a stat of the library the
    code actually comes from is cheaper and also catches a rebuilt library.
    wasmtime still checks compatibility itself when it deserializes an entry.
    """
    package = os.path.dirname(wasmtime.__file__)
    found: list[str] = []
    try:
        for entry in sorted(os.scandir(package), key=lambda e: e.name):
            if entry.is_dir() and entry.name not in ("__pycache__", "component"):
                for lib in sorted(os.scandir(entry.path), key=lambda e: e.name):
                    if "wasmtime" in lib.name and lib.name.endswith((".so", ".dylib", ".dll")):
                        st = lib.stat()
                        found.append(f"{entry.name}/{lib.name}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:  # pragma: no cover - an unusual install layout
        pass
    return ",".join(found) or "unknown"


class Engine:
    """Compiles modules and owns the epoch; share one across stores and threads."""

    def __init__(self, config: EngineConfig | None = None, **overrides: object) -> None:
        config = config or EngineConfig()
        if overrides:
            config = replace(config, **overrides)  # type: ignore[arg-type]
        if config.epoch_tick <= 0:
            raise ValueError("epoch_tick must be positive")
        self.config = config
        self.raw = wasmtime.Engine(config.to_wasmtime())
        self.address = _capi.address_of(self.raw.ptr())
        self.cache: ModuleCache | None = ModuleCache(config.cache_dir) if config.cache else None
        self._fingerprint = config.fingerprint()
        self._ticker: threading.Thread | None = None
        self._ticker_lock = threading.Lock()
        self._stop = threading.Event()
        weakref.finalize(self, self._stop.set)

    @property
    def fingerprint(self) -> str:
        """What makes this engine's compiled code differ from another's (part of cache keys)."""
        return self._fingerprint

    def compile(self, wasm: bytes | bytearray | memoryview, *, name: str = "") -> CoreModule:
        """A compiled module, from the cache when possible.

        Raises ``ValidationError`` (with the byte offset when wasmtime names one)
        for a module that does not validate.
        """
        if self.cache is None:
            return CoreModule(self, self._compile(wasm), name=name, from_cache=False)
        key = cache_key(wasm, self._fingerprint)
        module = self._load(key)
        if module is not None:
            return CoreModule(self, module, name=name, from_cache=True, key=key)
        with self.cache.lock(key):
            module = self._load(key)  # another process may have finished while we waited
            if module is not None:
                return CoreModule(self, module, name=name, from_cache=True, key=key)
            module = self._compile(wasm)
            stored = self.cache.store(key, module.serialize())
        return CoreModule(self, module, name=name, from_cache=False, key=key if stored else None)

    def load_cached(self, key: str, *, name: str = "") -> CoreModule | None:
        """The module stored under ``key`` (a ``CoreModule.key``), or None if it is gone.

        For callers that remember keys (prepared components): no hashing of the
        module's bytes, and the entry's checksum is not re-read, since it was
        checked (or written, and synced) when the key was handed out.
        """
        if self.cache is None:
            return None
        path = self.cache.lookup(key, checksum=False)
        if path is None:
            return None
        module = _deserialize_file(self.raw, path)
        if isinstance(module, str):
            self.cache.reject(key)
            return None
        return CoreModule(self, module, name=name, from_cache=True, key=key)

    def deserialize(self, data: bytes | bytearray | memoryview) -> CoreModule:
        """A module from ``CoreModule.serialize()`` output of a compatible engine.

        Only pass trusted bytes: deserialising runs their machine code.
        """
        module = _deserialize(self.raw, data)
        if isinstance(module, str):
            raise ValueError(module)
        return CoreModule(self, module, name="", from_cache=False)

    def increment_epoch(self) -> None:
        _capi.engine_increment_epoch(self.address)

    def _compile(self, wasm: bytes | bytearray | memoryview) -> wasmtime.Module:
        # Straight to the C API: wasmtime-py's Module() would try to read
        # non-binary input as wasm text, and copies the bytes first.
        with _c_buffer(wasm) as (buffer, size):
            ptr = ctypes.POINTER(ffi.wasmtime_module_t)()
            error = ffi.wasmtime_module_new(self.raw.ptr(), buffer, size, ctypes.byref(ptr))
        if error:
            raise _validation_error(str(wasmtime.WasmtimeError._from_ptr(error)))
        return wasmtime.Module._from_ptr(ptr)

    def _load(self, key: str) -> wasmtime.Module | None:
        assert self.cache is not None
        path = self.cache.lookup(key)
        if path is None:
            return None
        module = _deserialize_file(self.raw, path)
        if isinstance(module, str):
            # wasmtime refused it (another version or settings slipped past the key,
            # or the file was replaced in between): recompile and overwrite.
            self.cache.reject(key)
            return None
        return module

    def _ensure_ticker(self) -> None:
        """Start the epoch thread once; it stops when the engine is collected."""
        with self._ticker_lock:
            if self._ticker is not None:
                return
            thread = threading.Thread(
                target=_tick,
                args=(self.raw, self.address, self.config.epoch_tick, self._stop),
                name="witkit-epoch-ticker",
                daemon=True,
            )
            thread.start()
            self._ticker = thread


def _tick(raw: wasmtime.Engine, address: int, interval: float, stop: threading.Event) -> None:
    # ``raw`` is held so the engine outlives the thread's last increment.
    while not stop.wait(interval):
        _capi.engine_increment_epoch(address)
    del raw


@contextlib.contextmanager
def _c_buffer(
    data: bytes | bytearray | memoryview,
) -> Iterator[tuple[ctypes.Array[ctypes.c_uint8], int]]:
    """A ``uint8_t*`` over ``data``: shared when writable, else one copy."""
    view = memoryview(data).cast("B")
    size = view.nbytes
    if view.readonly:
        buffer = (ctypes.c_uint8 * size).from_buffer_copy(view)
    else:
        buffer = (ctypes.c_uint8 * size).from_buffer(view)
    try:
        yield buffer, size
    finally:
        del buffer
        view.release()


def _deserialize(
    engine: wasmtime.Engine, data: bytes | bytearray | memoryview
) -> wasmtime.Module | str:
    """A module, or wasmtime's reason for refusing the bytes."""
    with _c_buffer(data) as (buffer, size):
        ptr = ctypes.POINTER(ffi.wasmtime_module_t)()
        error = ffi.wasmtime_module_deserialize(engine.ptr(), buffer, size, ctypes.byref(ptr))
    if error:
        return str(wasmtime.WasmtimeError._from_ptr(error))
    return wasmtime.Module._from_ptr(ptr)


def _deserialize_file(engine: wasmtime.Engine, path: Path) -> wasmtime.Module | str:
    """A module mapped from a file (no copy), or wasmtime's reason for refusing it."""
    ptr = ctypes.POINTER(ffi.wasmtime_module_t)()
    error = ffi.wasmtime_module_deserialize_file(engine.ptr(), os.fsencode(path), ctypes.byref(ptr))
    if error:
        return str(wasmtime.WasmtimeError._from_ptr(error))
    return wasmtime.Module._from_ptr(ptr)


_OFFSET = re.compile(r"\s*\(?at offset (0x[0-9a-fA-F]+|\d+)\)?")


def _validation_error(text: str) -> ValidationError:
    """wasmtime's root cause as the message, its offset (hex or decimal) as ``offset``."""
    message = root_cause(text)
    match = _OFFSET.search(message)
    offset = int(match.group(1), 0) if match else None
    return ValidationError(_OFFSET.sub("", message).strip(), offset)


class CoreModule:
    """A compiled core module, ready to instantiate in any store of its engine."""

    def __init__(
        self,
        engine: Engine,
        raw: wasmtime.Module,
        *,
        name: str,
        from_cache: bool,
        key: str | None = None,
    ) -> None:
        self.engine = engine
        self.raw = raw
        self.name = name
        #: True when this module was loaded from the on-disk cache rather than compiled.
        self.from_cache = from_cache
        #: its entry in the engine's cache (``Engine.load_cached``), if it has one
        self.key = key
        self.address = _capi.address_of(raw.ptr())
        self._imports: tuple[CoreImport, ...] | None = None
        self._import_count: int | None = None
        self._exports: tuple[CoreExport, ...] | None = None

    @property
    def imports(self) -> tuple[CoreImport, ...]:
        """In the order instantiation expects them."""
        if self._imports is None:
            self._imports = tuple(
                CoreImport(imp.module, imp.name or "", externtype_from_wasmtime(imp.type))
                for imp in self.raw.imports
            )
        return self._imports

    @property
    def import_count(self) -> int:
        """``len(self.imports)`` without asking wasmtime for thousands of types.

        A componentize-py guest's libpython module has ~2500 imports; building
        their types took ~60 ms of every start, only to count them.
        """
        if self._import_count is None:
            if self._imports is not None:
                self._import_count = len(self._imports)
            else:
                vec = ffi.wasm_importtype_vec_t()
                ffi.wasmtime_module_imports(self.raw.ptr(), ctypes.byref(vec))
                self._import_count = int(vec.size)
                ffi.wasm_importtype_vec_delete(ctypes.byref(vec))
        return self._import_count

    @property
    def exports(self) -> tuple[CoreExport, ...]:
        if self._exports is None:
            self._exports = tuple(
                CoreExport(exp.name, externtype_from_wasmtime(exp.type)) for exp in self.raw.exports
            )
        return self._exports

    def serialize(self) -> bytes:
        """Bytes for ``Engine.deserialize`` on an engine with the same settings and version."""
        return bytes(self.raw.serialize())

    def __repr__(self) -> str:
        origin = "cached" if self.from_cache else "compiled"
        return f"<CoreModule {self.name or '?'} {origin}>"
