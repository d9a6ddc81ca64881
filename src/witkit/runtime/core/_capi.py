"""The few wasmtime C functions on the hot path, re-declared to take plain integers.

wasmtime-py's bindings declare typed pointer arguments, so every call pays for
ctypes to check and convert each argument, plus a Python-level wrapper function.
Re-declaring the same symbols with ``void*``/``size_t`` arguments lets the hot
paths pass precomputed addresses (Python ints), which ctypes converts fastest:
a raw call drops from ~1.4 us to ~0.5 us on this machine (benchmarks/bench_core.py).

These prototypes use ``CFUNCTYPE`` (not ``PYFUNCTYPE``), so the GIL is released
while wasm runs: other Python threads (the epoch ticker among them) keep running.
Holding the GIL would save only ~50 ns per call and would let a guest loop starve
the timeout thread.
"""

from __future__ import annotations

import ctypes
from typing import Any

from wasmtime import _ffi as ffi

__all__ = [
    "HOST_CALLBACK",
    "address_of",
    "context_set_epoch_deadline",
    "engine_increment_epoch",
    "func_call_unchecked",
    "func_new_unchecked",
    "instance_export_get",
    "instance_export_nth",
    "instance_new",
    "memory_data",
    "memory_data_size",
    "trap_new",
]

_vp = ctypes.c_void_p
_size = ctypes.c_size_t


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    address = ctypes.cast(getattr(ffi.dll, name), ctypes.c_void_p).value
    if not address:  # pragma: no cover - a wasmtime build without this symbol
        raise ImportError(f"wasmtime's C library lacks {name}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


def address_of(pointer: Any) -> int:
    """The integer address behind a ctypes pointer object (0 for NULL)."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


#: error* wasmtime_func_call_unchecked(context*, const func_t*, val_raw_t* args_and_results,
#:                                     size_t len, wasm_trap_t** trap_ret)
func_call_unchecked = _proto("wasmtime_func_call_unchecked", _vp, _vp, _vp, _vp, _size, _vp)

#: void wasmtime_func_new_unchecked(context*, const functype*, callback, void* env,
#:                                  finalizer, func_t* ret)
func_new_unchecked = _proto("wasmtime_func_new_unchecked", None, _vp, _vp, _vp, _vp, _vp, _vp)

#: The host callback shape: wasm_trap_t* (void* env, caller_t*, val_raw_t*, size_t).
#: Returning a trap pointer (as an int) makes the guest trap; 0 means success.
HOST_CALLBACK = ctypes.CFUNCTYPE(_size, _vp, _vp, _vp, _size)

#: uint8_t* wasmtime_memory_data(const context*, const memory_t*)
memory_data = _proto("wasmtime_memory_data", _vp, _vp, _vp)
#: size_t wasmtime_memory_data_size(const context*, const memory_t*)
memory_data_size = _proto("wasmtime_memory_data_size", _size, _vp, _vp)

#: wasm_trap_t* wasmtime_trap_new(const char* msg, size_t len)
trap_new = _proto("wasmtime_trap_new", _vp, ctypes.c_char_p, _size)

#: error* wasmtime_instance_new(context*, const module*, const extern_t* imports, size_t n,
#:                              instance_t* ret, wasm_trap_t** trap_ret)
instance_new = _proto("wasmtime_instance_new", _vp, _vp, _vp, _vp, _size, _vp, _vp)
#: bool wasmtime_instance_export_get(context*, const instance_t*, const char* name, size_t len,
#:                                   extern_t* ret)
instance_export_get = _proto(
    "wasmtime_instance_export_get", ctypes.c_bool, _vp, _vp, ctypes.c_char_p, _size, _vp
)
#: bool wasmtime_instance_export_nth(context*, const instance_t*, size_t index, char** name,
#:                                   size_t* name_len, extern_t* ret)
instance_export_nth = _proto(
    "wasmtime_instance_export_nth", ctypes.c_bool, _vp, _vp, _size, _vp, _vp, _vp
)

#: void wasmtime_engine_increment_epoch(wasm_engine_t*)
engine_increment_epoch = _proto("wasmtime_engine_increment_epoch", None, _vp)
#: void wasmtime_context_set_epoch_deadline(context*, uint64_t ticks_beyond_current)
context_set_epoch_deadline = _proto(
    "wasmtime_context_set_epoch_deadline", None, _vp, ctypes.c_uint64
)
