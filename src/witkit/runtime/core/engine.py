"""The engine: compilation settings, module compilation through the on-disk cache, epochs.

One ``Engine`` per set of settings; it is thread-safe and shared by any number of
stores.  ``compile`` looks a module up in the cache (``witkit.runtime.cache``)
before compiling it with Cranelift, and stores what it compiled.

Epochs: an engine with ``epoch_interruption`` is registered with
``witkit._signals``, so a Ctrl-C increments its epoch and its running guests
stop at their next epoch check.  When a store asks for a timeout, the engine
starts one daemon thread that increments the epoch every ``epoch_tick`` seconds
(the GIL is released while wasm runs, so it keeps ticking during a guest loop);
each store's epoch callback compares the clock with its deadline (see
``Store.set_timeout``).  The ticker blocks SIGINT and SIGTERM, so they reach the
main thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from witkit import _log, _signals
from witkit._record import record, replace
from witkit.errors import ValidationError
from witkit.runtime.cache import ModuleCache, cache_key
from witkit.runtime.core import _capi, _library
from witkit.runtime.core._capi import (
    Owned,
    filled_vec,
    lib,
    vec_bytes,
    vec_items,
    wasm_vec_t,
)
from witkit.runtime.core.traps import error_text, root_cause
from witkit.runtime.core.types import CoreExport, CoreImport, externtype_from_c

if TYPE_CHECKING:
    from witkit.runtime._codecache import DiskCodeCache

__all__ = ["CoreModule", "Engine", "EngineConfig", "OptLevel"]

OptLevel = Literal["none", "speed", "speed_and_size"]


@record
class EngineConfig:
    """Engine settings.  All but ``cache``, ``cache_dir``, ``cache_max_size`` and
    ``epoch_tick`` shape the compiled code and so take part in the cache key."""

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
    #: Bytes the cache directory is pruned to, least recently used entries first; None:
    #: ``$WITKIT_CACHE_MAX_SIZE``, else 512 MiB (``witkit.runtime.pruning``).
    cache_max_size: int | None = None
    #: Maximum wasm stack in bytes (None: wasmtime's default).
    max_wasm_stack: int | None = None
    #: Canonicalise NaNs produced by float arithmetic (deterministic execution).
    nan_canonicalization: bool = False
    #: Compile functions on several threads.
    parallel_compilation: bool = True

    def fingerprint(self) -> str:
        """Everything that makes compiled code differ, as one string for the cache key."""
        names: tuple[str, ...] = self.__record_fields__  # type: ignore[attr-defined]
        codegen = {
            name: getattr(self, name)
            for name in names
            if name
            not in ("cache", "cache_dir", "cache_max_size", "epoch_tick", "parallel_compilation")
        }
        settings = ";".join(f"{key}={value!r}" for key, value in sorted(codegen.items()))
        return f"witkit-core/1;wasmtime={_wasmtime_version()};{_library.machine()};{settings}"

    def to_c(self) -> int:
        """A new ``wasm_config_t*`` with these settings (an engine made from it consumes it)."""
        opt_level = _OPT_LEVELS.get(self.opt_level)
        if opt_level is None:
            raise ValueError(f"unknown opt level: {self.opt_level}")
        config: int = lib.wasm_config_new()
        lib.wasmtime_config_cranelift_opt_level_set(config, opt_level)
        lib.wasmtime_config_consume_fuel_set(config, self.consume_fuel)
        lib.wasmtime_config_epoch_interruption_set(config, self.epoch_interruption)
        lib.wasmtime_config_cranelift_nan_canonicalization_set(config, self.nan_canonicalization)
        lib.wasmtime_config_parallel_compilation_set(config, self.parallel_compilation)
        if self.max_wasm_stack is not None:
            lib.wasmtime_config_max_wasm_stack_set(config, self.max_wasm_stack)
        # Memory views rely on this: a memory's base address never changes.
        lib.wasmtime_config_memory_may_move_set(config, False)
        return config


#: wasmtime_opt_level_t values (wasmtime/config.h)
_OPT_LEVELS = {"none": 0, "speed": 1, "speed_and_size": 2}


@cache
def _wasmtime_version() -> str:
    """Which wasmtime compiled the code: its native library's path, size and time stamp.

    ``importlib.metadata.version`` would say the same at ~40 ms of start-up (it
    imports a large module and scans site-packages); a stat of the library the
    code actually comes from is cheaper and also catches a rebuilt library.
    wasmtime still checks compatibility itself when it deserializes an entry.
    (The format, ``<platform>-<machine>/<file>:<size>:<mtime_ns>``, is the one
    earlier versions built from a scan of the package, so their caches stay valid.)
    """
    package, relative = _library.library_file()
    try:
        st = os.stat(os.path.join(package, relative))
    except OSError:  # pragma: no cover - the library was loaded, so it was there
        return "unknown"
    return f"{relative.replace(os.sep, '/')}:{st.st_size}:{st.st_mtime_ns}"


class Engine:
    """Compiles modules and owns the epoch; share one across stores and threads.

    The settings are ``config``'s (default ``EngineConfig()``), each keyword given
    (not None) replacing that field; the fields say what each one does.

    The cache is **on by default**: compiled core modules, prepared components
    (``Component.from_file``) and the ABI code generated for this engine's
    components are kept on disk and reused by the next process.  It lives in
    ``$WITKIT_CACHE_DIR/core``, else ``$XDG_CACHE_HOME/witkit/core``, else
    ``~/.cache/witkit/core`` (``witkit.runtime.cache.default_cache_dir()``);
    ``cache_dir=`` puts it elsewhere, and ``cache=False`` turns it off for this
    engine: nothing is then read from or written to any cache directory.  A
    directory that someone else could write is not used (a ``CacheWarning`` says
    why).  The cache belongs to the engine: making one, or a component with it,
    changes nothing for the rest of the process.
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        opt_level: OptLevel | None = None,
        consume_fuel: bool | None = None,
        epoch_interruption: bool | None = None,
        epoch_tick: float | None = None,
        cache: bool | None = None,
        cache_dir: str | None = None,
        cache_max_size: int | None = None,
        max_wasm_stack: int | None = None,
        nan_canonicalization: bool | None = None,
        parallel_compilation: bool | None = None,
    ) -> None:
        config = config or EngineConfig()
        overrides = {
            name: value
            for name, value in (
                ("opt_level", opt_level),
                ("consume_fuel", consume_fuel),
                ("epoch_interruption", epoch_interruption),
                ("epoch_tick", epoch_tick),
                ("cache", cache),
                ("cache_dir", cache_dir),
                ("cache_max_size", cache_max_size),
                ("max_wasm_stack", max_wasm_stack),
                ("nan_canonicalization", nan_canonicalization),
                ("parallel_compilation", parallel_compilation),
            )
            if value is not None
        }
        if overrides:
            config = replace(config, **overrides)
        if config.epoch_tick <= 0:
            raise ValueError("epoch_tick must be positive")
        self.config = config
        self._handle = Owned(lib.wasm_engine_new_with_config(config.to_c()), lib.wasm_engine_delete)
        #: the ``wasm_engine_t*``, for C calls
        self.address = self._handle.address
        self._wasmtime_py: Any = None
        on_disk = ModuleCache(config.cache_dir) if config.cache else None
        if on_disk is not None:
            on_disk.max_size = config.cache_max_size
        #: the on-disk module cache; None when off, or when its directory is not
        #: trusted (``witkit.runtime.cache.trusted``, which warns once)
        self.cache: ModuleCache | None = (
            on_disk if on_disk is not None and on_disk.usable() else None
        )
        self._fingerprint = config.fingerprint()
        self._code_cache: DiskCodeCache | Literal[False] | None = False  # False: not yet opened
        self._ticker: threading.Thread | None = None
        self._ticker_lock = threading.Lock()
        self._stop = threading.Event()
        weakref.finalize(self, self._stop.set)
        if config.epoch_interruption:
            _signals.register_engine(self)  # Ctrl-C stops this engine's guests

    @property
    def code_cache(self) -> DiskCodeCache | None:
        """The disk cache of the ABI code generated for this engine's components, beside
        its compile cache (``witkit.runtime._codecache``); None when the cache is off."""
        if self._code_cache is False:
            from witkit.runtime._codecache import disk_code_cache

            cache = self.cache
            self._code_cache = None if cache is None else disk_code_cache(cache.location)
        return self._code_cache

    @property
    def fingerprint(self) -> str:
        """What makes this engine's compiled code differ from another's (part of cache keys)."""
        return self._fingerprint

    @property
    def raw(self) -> Any:
        """This engine as a ``wasmtime.Engine``, for code that calls wasmtime-py itself.

        Importing wasmtime-py costs ~20 ms, so only this does it: nothing in this
        package needs it.  The view shares this engine's C object, and keeps it
        alive, without owning it.
        """
        if self._wasmtime_py is None:
            self._wasmtime_py = _wasmtime_py_engine(self._handle)
        return self._wasmtime_py

    def validate(self, wasm: bytes | bytearray | memoryview) -> None:
        """Raise ``ValidationError`` unless ``wasm`` is a core module this engine accepts."""
        with _c_buffer(wasm) as (buffer, size):
            error = lib.wasmtime_module_validate(self.address, buffer, size)
        if error:
            raise _validation_error(error_text(error))

    def compile(self, wasm: bytes | bytearray | memoryview, *, name: str = "") -> CoreModule:
        """A compiled module, from the cache when possible.

        Raises ``ValidationError`` (with the byte offset when wasmtime names one)
        for a module that does not validate.
        """
        if self.cache is None:
            return CoreModule(self, self._compile(wasm, name), name=name, from_cache=False)
        key = cache_key(wasm, self._fingerprint)
        module = self._load(key)
        if (log := _log.get("cache")) is not None:
            log.debug("module %s: %s %s", name or "?", "hit" if module else "miss", _log.short(key))
        if module is not None:
            return CoreModule(self, module, name=name, from_cache=True, key=key)
        with self.cache.lock(key):
            module = self._load(key)  # another process may have finished while we waited
            if module is not None:
                return CoreModule(self, module, name=name, from_cache=True, key=key)
            module = self._compile(wasm, name)
            stored = self.cache.store(key, _serialize(module))
        return CoreModule(self, module, name=name, from_cache=False, key=key if stored else None)

    def load_cached(self, key: str, *, name: str = "") -> CoreModule | None:
        """The module stored under ``key`` (a ``CoreModule.key``), or None if it is gone.

        For callers that remember keys (prepared components): no hashing of the
        module's bytes.  The entry itself is checked as on any load (its key and
        the CRC of its machine code): bytes that changed since they were stored
        never run, whoever asks.
        """
        found = self.load_all_cached((key,), (name,))
        return None if found is None else found[0]

    def load_all_cached(self, keys: Sequence[str], names: Sequence[str]) -> list[CoreModule] | None:
        """``load_cached`` of each key (named ``names``), or None if any is gone.

        The entries are checked together (``ModuleCache.lookup_all``: big files
        on a second thread), then mapped one by one.
        """
        if self.cache is None:
            return None
        paths = self.cache.lookup_all(keys)
        if any(path is None for path in paths):
            return None
        modules = []
        for key, name, path in zip(keys, names, paths, strict=True):
            assert path is not None
            module = _deserialize_file(self.address, path)
            if isinstance(module, str):
                # wasmtime refused it (another version or settings slipped past the key,
                # or the file was replaced in between): recompile and overwrite.
                self.cache.reject(key)
                return None
            modules.append(CoreModule(self, module, name=name, from_cache=True, key=key))
        if (log := _log.get("cache")) is not None:
            for key, name in zip(keys, names, strict=True):
                log.debug("module %s: hit %s", name or "?", _log.short(key))
        return modules

    def deserialize(self, data: bytes | bytearray | memoryview) -> CoreModule:
        """A module from ``CoreModule.serialize()`` output of a compatible engine.

        Only pass trusted bytes: deserialising runs their machine code.
        """
        module = _deserialize(self.address, data)
        if isinstance(module, str):
            raise ValueError(module)
        return CoreModule(self, module, name="", from_cache=False)

    def increment_epoch(self) -> None:
        _capi.engine_increment_epoch(self.address)

    def _compile(self, wasm: bytes | bytearray | memoryview, name: str = "") -> Owned:
        log = _log.get("compile", _log.LEVELS["info"])
        started = time.perf_counter() if log is not None else 0.0
        with _c_buffer(wasm) as (buffer, size):
            ptr = ctypes.c_void_p()
            error = lib.wasmtime_module_new(self.address, buffer, size, ctypes.byref(ptr))
        if log is not None:
            took = (time.perf_counter() - started) * 1000
            log.info("module %s (%d bytes) compiled in %.1f ms", name or "?", len(wasm), took)
        if error:
            raise _validation_error(error_text(error))
        return _module(ptr)

    def _load(self, key: str) -> Owned | None:
        assert self.cache is not None
        path = self.cache.lookup(key)
        if path is None:
            return None
        module = _deserialize_file(self.address, path)
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
                args=(self._handle, self.address, self.config.epoch_tick, self._stop),
                name="witkit-epoch-ticker",
                daemon=True,
            )
            thread.start()
            self._ticker = thread


def _tick(handle: Owned, address: int, interval: float, stop: threading.Event) -> None:
    # ``handle`` is held so the engine outlives the thread's last increment.
    _signals.block_signals_here()
    while not stop.wait(interval):
        _capi.engine_increment_epoch(address)
    del handle


def _wasmtime_py_engine(handle: Owned) -> Any:
    import wasmtime  # deferred: see Engine.raw
    from wasmtime import _ffi as ffi

    class BorrowedEngine(wasmtime.Engine):
        _witkit_handle: Owned

        def _delete(self, ptr: Any) -> None:
            pass  # the witkit engine owns it

    view = BorrowedEngine.__new__(BorrowedEngine)
    view._set_ptr(ctypes.cast(handle.address, ctypes.POINTER(ffi.wasm_engine_t)))
    view._witkit_handle = handle
    return view


def _module(ptr: ctypes.c_void_p) -> Owned:
    return Owned(ptr.value or 0, lib.wasmtime_module_delete)


def _serialize(module: Owned) -> bytes:
    vec = wasm_vec_t()
    error = lib.wasmtime_module_serialize(module.address, ctypes.byref(vec))
    if error:  # pragma: no cover - wasmtime serializes any module it compiled
        raise ValueError(error_text(error))
    data = ctypes.string_at(vec.data, vec.size)
    lib.wasm_byte_vec_delete(ctypes.byref(vec))
    return data


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


def _deserialize(engine: int, data: bytes | bytearray | memoryview) -> Owned | str:
    """A module, or wasmtime's reason for refusing the bytes."""
    with _c_buffer(data) as (buffer, size):
        ptr = ctypes.c_void_p()
        error = lib.wasmtime_module_deserialize(engine, buffer, size, ctypes.byref(ptr))
    if error:
        return error_text(error)
    return _module(ptr)


def _deserialize_file(engine: int, path: os.PathLike[str] | str) -> Owned | str:
    """A module mapped from a file (no copy), or wasmtime's reason for refusing it."""
    ptr = ctypes.c_void_p()
    error = lib.wasmtime_module_deserialize_file(engine, os.fsencode(path), ctypes.byref(ptr))
    if error:
        return error_text(error)
    return _module(ptr)


#: compiled by ``re`` on the first validation error (nothing else needs it)
_OFFSET = r"\s*\(?at offset (0x[0-9a-fA-F]+|\d+)\)?"


def _validation_error(text: str) -> ValidationError:
    """wasmtime's root cause as the message, its offset (hex or decimal) as ``offset``."""
    message = root_cause(text)
    match = re.search(_OFFSET, message)
    offset = int(match.group(1), 0) if match else None
    return ValidationError(re.sub(_OFFSET, "", message).strip(), offset)


class CoreModule:
    """A compiled core module, ready to instantiate in any store of its engine."""

    def __init__(
        self,
        engine: Engine,
        handle: Owned,
        *,
        name: str,
        from_cache: bool,
        key: str | None = None,
    ) -> None:
        self.engine = engine
        self._handle = handle
        self.name = name
        #: True when this module was loaded from the on-disk cache rather than compiled.
        self.from_cache = from_cache
        #: its entry in the engine's cache (``Engine.load_cached``), if it has one
        self.key = key
        #: the ``wasmtime_module_t*``, for C calls
        self.address = handle.address
        self._imports: tuple[CoreImport, ...] | None = None
        self._import_count: int | None = None
        self._exports: tuple[CoreExport, ...] | None = None

    @property
    def imports(self) -> tuple[CoreImport, ...]:
        """In the order instantiation expects them."""
        if self._imports is None:
            with self._import_vec() as vec:
                self._imports = tuple(
                    CoreImport(
                        vec_bytes(lib.wasm_importtype_module(imp)).decode("utf-8"),
                        _optional_name(lib.wasm_importtype_name(imp)),
                        externtype_from_c(lib.wasm_importtype_type(imp)),
                    )
                    for imp in vec_items(vec)
                )
        return self._imports

    def _import_vec(self) -> contextlib.AbstractContextManager[wasm_vec_t]:
        return filled_vec(
            lib.wasmtime_module_imports, self.address, delete=lib.wasm_importtype_vec_delete
        )

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
                with self._import_vec() as vec:
                    self._import_count = int(vec.size)
        return self._import_count

    @property
    def exports(self) -> tuple[CoreExport, ...]:
        if self._exports is None:
            with filled_vec(
                lib.wasmtime_module_exports, self.address, delete=lib.wasm_exporttype_vec_delete
            ) as vec:
                self._exports = tuple(
                    CoreExport(
                        vec_bytes(lib.wasm_exporttype_name(exp)).decode("utf-8"),
                        externtype_from_c(lib.wasm_exporttype_type(exp)),
                    )
                    for exp in vec_items(vec)
                )
        return self._exports

    def serialize(self) -> bytes:
        """Bytes for ``Engine.deserialize`` on an engine with the same settings and version."""
        return _serialize(self._handle)

    def __repr__(self) -> str:
        origin = "cached" if self.from_cache else "compiled"
        return f"<CoreModule {self.name or '?'} {origin}>"


def _optional_name(address: int | None) -> str:
    # wasm.h allows a name-less import (the old module-linking proposal); wasmtime
    # gives every core import a name, but a NULL is still read as "".
    return vec_bytes(address).decode("utf-8") if address else ""
