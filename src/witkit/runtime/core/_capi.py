"""The wasmtime C API as witkit uses it: struct layouts and function prototypes.

witkit declares its own prototypes rather than importing wasmtime-py (whose
bindings declare ~2000 functions at ~10 ms, see ``_library``).  Two kinds:

* **Hot paths** (calls, host callbacks, memory views, instantiation, epochs) are
  module attributes declared at import with ``void*``/``size_t`` arguments, so
  callers pass precomputed addresses (Python ints), which ctypes converts fastest:
  a raw call drops from ~1.4 us with typed pointer arguments to ~0.5 us on this
  machine (benchmarks/bench_core.py).
* **Everything else** (types, globals, tables, traps, modules) is one line of
  ``_SIGNATURES`` and is declared on first use through ``lib``: a run that never
  touches a table never pays for its functions.

Every pointer argument and result is a ``void*``: arguments take an int address,
``None`` or ``ctypes.byref(struct)``; pointer results come back as an int (or
None for NULL).  The prototypes use ``CFUNCTYPE`` (not ``PYFUNCTYPE``), so the GIL
is released while wasm runs: other Python threads (the epoch ticker among them)
keep running.  Holding the GIL would save only ~50 ns per call and would let a
guest loop starve the timeout thread.

Struct layouts must match the C headers byte for byte (a wrong one corrupts
memory silently); ``tests/runtime_core/test_capi.py`` compares each with
wasmtime-py's.  Only what witkit reads or passes by value is declared.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Callable, Iterator
from ctypes import (
    Structure,
    Union,
    c_bool,
    c_char_p,
    c_double,
    c_float,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any

from witkit.runtime.core import _library

__all__ = [
    "EXTERN_FUNC",
    "EXTERN_GLOBAL",
    "EXTERN_MEMORY",
    "EPOCH_CALLBACK",
    "EXTERN_TABLE",
    "HOST_CALLBACK",
    "VAL_EXTERNREF",
    "VAL_F32",
    "VAL_F64",
    "VAL_FUNCREF",
    "VAL_I32",
    "VAL_I64",
    "VAL_V128",
    "Owned",
    "context_set_epoch_deadline",
    "dll",
    "engine_increment_epoch",
    "error_new",
    "func_call_unchecked",
    "func_new_unchecked",
    "instance_export_get",
    "instance_export_nth",
    "instance_new",
    "lib",
    "memory_data",
    "memory_data_size",
    "store_epoch_deadline_callback",
    "trap_new",
    "vec_bytes",
    "vec_items",
    "wasm_limits_t",
    "wasm_vec_t",
    "wasmtime_extern_t",
    "wasmtime_extern_union",
    "wasmtime_func_t",
    "wasmtime_gcref_t",
    "wasmtime_global_t",
    "wasmtime_heaptype_t",
    "wasmtime_instance_t",
    "wasmtime_memory_t",
    "wasmtime_reftype_t",
    "wasmtime_table_t",
    "wasmtime_tag_t",
    "wasmtime_val_t",
    "wasmtime_valtype_t",
    "wasmtime_valunion_t",
]

dll = _library.load()

_vp = c_void_p
_size = c_size_t


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    address = ctypes.cast(getattr(dll, name), c_void_p).value
    if not address:  # pragma: no cover - a wasmtime build without this symbol
        raise ImportError(f"wasmtime's C library lacks {name}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


# --- struct layouts (wasm.h, wasmtime/*.h) --------------------------------------


class wasm_vec_t(Structure):
    """Every wasm.h vector (``wasm_byte_vec_t``, ``wasm_name_t``, ``wasm_frame_vec_t``,
    ``wasm_importtype_vec_t``...): a length, then a pointer to the elements."""

    _fields_ = (("size", c_size_t), ("data", c_void_p))


class wasm_limits_t(Structure):
    _fields_ = (("min", c_uint32), ("max", c_uint32))


class wasmtime_func_t(Structure):
    _fields_ = (("store_id", c_uint64), ("_private", c_void_p))


class _StoreIdU32(Structure):
    # The anonymous struct leading table, memory and tag handles: its tail padding
    # is why the next field sits at offset 16, not 12.
    _fields_ = (("store_id", c_uint64), ("_private1", c_uint32))


class wasmtime_table_t(Structure):
    _anonymous_ = ("_anon",)
    _fields_ = (("_anon", _StoreIdU32), ("_private2", c_uint32))


class wasmtime_memory_t(Structure):
    _anonymous_ = ("_anon",)
    _fields_ = (("_anon", _StoreIdU32), ("_private2", c_uint32))


class wasmtime_tag_t(Structure):
    _anonymous_ = ("_anon",)
    _fields_ = (("_anon", _StoreIdU32), ("_private2", c_uint32))


class wasmtime_global_t(Structure):
    _fields_ = (
        ("store_id", c_uint64),
        ("_private1", c_uint32),
        ("_private2", c_uint32),
        ("_private3", c_uint32),
    )


class wasmtime_instance_t(Structure):
    _fields_ = (("store_id", c_uint64), ("_private", c_size_t))


class wasmtime_extern_union(Union):
    _fields_ = (
        ("func", wasmtime_func_t),
        ("global_", wasmtime_global_t),
        ("table", wasmtime_table_t),
        ("memory", wasmtime_memory_t),
        ("sharedmemory", c_void_p),
        ("tag", wasmtime_tag_t),
    )


class wasmtime_extern_t(Structure):
    _fields_ = (("kind", c_uint8), ("of", wasmtime_extern_union))


#: wasmtime_extern_kind_t values (wasmtime/extern.h)
EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_TABLE, EXTERN_MEMORY = 0, 1, 2, 3


class wasmtime_gcref_t(Structure):
    """``wasmtime_anyref_t``, ``wasmtime_externref_t`` and ``wasmtime_exnref_t`` alike."""

    _fields_ = (
        ("store_id", c_uint64),
        ("_private1", c_uint32),
        ("_private2", c_uint32),
        ("_private3", c_void_p),
    )


class wasmtime_valunion_t(Union):
    _fields_ = (
        ("i32", c_int32),
        ("i64", c_int64),
        ("f32", c_float),
        ("f64", c_double),
        ("anyref", wasmtime_gcref_t),
        ("externref", wasmtime_gcref_t),
        ("exnref", wasmtime_gcref_t),
        ("funcref", wasmtime_func_t),
        ("v128", c_uint8 * 16),
    )


class wasmtime_val_t(Structure):
    _fields_ = (("kind", c_uint8), ("of", wasmtime_valunion_t))


#: wasmtime_valkind_t values (wasmtime/val.h)
VAL_I32, VAL_I64, VAL_F32, VAL_F64, VAL_V128, VAL_FUNCREF, VAL_EXTERNREF = 0, 1, 2, 3, 4, 5, 6


class wasmtime_heaptype_t(Structure):
    # ``of`` is a union of four pointers (the concrete type, for typed references).
    _fields_ = (("kind", c_uint8), ("of", c_void_p))


class wasmtime_reftype_t(Structure):
    _fields_ = (("nullable", c_bool), ("heaptype", wasmtime_heaptype_t))


class wasmtime_valtype_t(Structure):
    _fields_ = (("kind", c_uint8), ("reftype", wasmtime_reftype_t))


# --- the hot paths ---------------------------------------------------------------

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
trap_new = _proto("wasmtime_trap_new", _vp, c_char_p, _size)

#: error* wasmtime_instance_new(context*, const module*, const extern_t* imports, size_t n,
#:                              instance_t* ret, wasm_trap_t** trap_ret)
instance_new = _proto("wasmtime_instance_new", _vp, _vp, _vp, _vp, _size, _vp, _vp)
#: bool wasmtime_instance_export_get(context*, const instance_t*, const char* name, size_t len,
#:                                   extern_t* ret)
instance_export_get = _proto("wasmtime_instance_export_get", c_bool, _vp, _vp, c_char_p, _size, _vp)
#: bool wasmtime_instance_export_nth(context*, const instance_t*, size_t index, char** name,
#:                                   size_t* name_len, extern_t* ret)
instance_export_nth = _proto("wasmtime_instance_export_nth", c_bool, _vp, _vp, _size, _vp, _vp, _vp)

#: void wasmtime_engine_increment_epoch(wasm_engine_t*)
engine_increment_epoch = _proto("wasmtime_engine_increment_epoch", None, _vp)
#: void wasmtime_context_set_epoch_deadline(context*, uint64_t ticks_beyond_current)
context_set_epoch_deadline = _proto("wasmtime_context_set_epoch_deadline", None, _vp, c_uint64)
#: void wasmtime_store_epoch_deadline_callback(store*, callback, void* env, finalizer)
store_epoch_deadline_callback = _proto(
    "wasmtime_store_epoch_deadline_callback", None, _vp, _vp, _vp, _vp
)
#: The epoch callback shape: error* (context*, void* env, uint64_t* delta, uint8_t* kind).
#: Returning an error stops the guest; 0 continues with ``*delta`` more ticks.
EPOCH_CALLBACK = ctypes.CFUNCTYPE(_size, _vp, _vp, _vp, _vp)
#: wasmtime_error_t* wasmtime_error_new(const char* message)
error_new = _proto("wasmtime_error_new", _vp, c_char_p)


# --- everything else, declared on first use --------------------------------------

_b, _u8, _u32, _u64, _i64 = c_bool, c_uint8, c_uint32, c_uint64, c_int64

#: name: (result, *arguments).  Pointers are ``void*`` (see the module docstring);
#: "error" results are ``wasmtime_error_t*``, NULL on success.
_SIGNATURES: dict[str, tuple[Any, ...]] = {
    # engine: a config is consumed by the engine made from it
    "wasm_config_new": (_vp,),
    "wasmtime_config_cranelift_opt_level_set": (None, _vp, _u8),
    "wasmtime_config_consume_fuel_set": (None, _vp, _b),
    "wasmtime_config_epoch_interruption_set": (None, _vp, _b),
    "wasmtime_config_cranelift_nan_canonicalization_set": (None, _vp, _b),
    "wasmtime_config_parallel_compilation_set": (None, _vp, _b),
    "wasmtime_config_max_wasm_stack_set": (None, _vp, _size),
    "wasmtime_config_memory_may_move_set": (None, _vp, _b),
    "wasm_engine_new_with_config": (_vp, _vp),
    "wasm_engine_delete": (None, _vp),
    # modules: (engine, bytes, size, module** out) -> error
    "wasmtime_module_new": (_vp, _vp, _vp, _size, _vp),
    "wasmtime_module_validate": (_vp, _vp, _vp, _size),
    "wasmtime_module_deserialize": (_vp, _vp, _vp, _size, _vp),
    "wasmtime_module_deserialize_file": (_vp, _vp, c_char_p, _vp),
    "wasmtime_module_serialize": (_vp, _vp, _vp),
    "wasmtime_module_delete": (None, _vp),
    "wasmtime_module_imports": (None, _vp, _vp),
    "wasmtime_module_exports": (None, _vp, _vp),
    "wasm_importtype_vec_delete": (None, _vp),
    "wasm_exporttype_vec_delete": (None, _vp),
    "wasm_importtype_module": (_vp, _vp),
    "wasm_importtype_name": (_vp, _vp),
    "wasm_importtype_type": (_vp, _vp),
    "wasm_exporttype_name": (_vp, _vp),
    "wasm_exporttype_type": (_vp, _vp),
    # types: *_new results are owned (freed by *_delete) and take ownership of the
    # valtypes given to them; the others borrow from their argument
    "wasm_externtype_kind": (_u8, _vp),
    "wasm_externtype_as_functype_const": (_vp, _vp),
    "wasm_externtype_as_globaltype_const": (_vp, _vp),
    "wasm_externtype_as_tabletype_const": (_vp, _vp),
    "wasm_externtype_as_memorytype_const": (_vp, _vp),
    "wasm_externtype_as_tagtype_const": (_vp, _vp),
    "wasm_valtype_new": (_vp, _u8),
    "wasm_valtype_vec_new_uninitialized": (None, _vp, _size),
    "wasmtime_valtype_new": (None, _vp, _vp),
    "wasmtime_valtype_delete": (None, _vp),
    "wasm_functype_new": (_vp, _vp, _vp),
    "wasm_functype_params": (_vp, _vp),
    "wasm_functype_results": (_vp, _vp),
    "wasm_functype_delete": (None, _vp),
    "wasmtime_memorytype_new": (_vp, _u64, _b, _u64, _b, _b, _u8, _vp),
    "wasmtime_memorytype_minimum": (_u64, _vp),
    "wasmtime_memorytype_maximum": (_b, _vp, _vp),
    "wasmtime_memorytype_is64": (_b, _vp),
    "wasmtime_memorytype_isshared": (_b, _vp),
    "wasm_memorytype_delete": (None, _vp),
    "wasm_globaltype_new": (_vp, _vp, _u8),
    "wasm_globaltype_content": (_vp, _vp),
    "wasm_globaltype_mutability": (_u8, _vp),
    "wasm_globaltype_delete": (None, _vp),
    "wasm_tabletype_new": (_vp, _vp, _vp),
    "wasm_tabletype_element": (_vp, _vp),
    "wasm_tabletype_limits": (_vp, _vp),
    "wasm_tabletype_delete": (None, _vp),
    "wasm_tagtype_functype": (_vp, _vp),
    # stores
    "wasmtime_store_new": (_vp, _vp, _vp, _vp),
    "wasmtime_store_context": (_vp, _vp),
    "wasmtime_store_delete": (None, _vp),
    "wasmtime_store_limiter": (None, _vp, _i64, _i64, _i64, _i64, _i64),
    "wasmtime_context_set_fuel": (_vp, _vp, _u64),
    "wasmtime_context_get_fuel": (_vp, _vp, _vp),
    # externs: (context, handle*, ...)
    "wasmtime_func_type": (_vp, _vp, _vp),
    "wasmtime_memory_new": (_vp, _vp, _vp, _vp),
    "wasmtime_memory_type": (_vp, _vp, _vp),
    "wasmtime_memory_size": (_u64, _vp, _vp),
    "wasmtime_memory_grow": (_vp, _vp, _vp, _u64, _vp),
    "wasmtime_global_new": (_vp, _vp, _vp, _vp, _vp),
    "wasmtime_global_type": (_vp, _vp, _vp),
    "wasmtime_global_get": (None, _vp, _vp, _vp),
    "wasmtime_global_set": (_vp, _vp, _vp, _vp),
    "wasmtime_table_new": (_vp, _vp, _vp, _vp, _vp),
    "wasmtime_table_type": (_vp, _vp, _vp),
    "wasmtime_table_size": (_u64, _vp, _vp),
    "wasmtime_table_grow": (_vp, _vp, _vp, _u64, _vp, _vp),
    "wasmtime_table_get": (_b, _vp, _vp, _u64, _vp),
    "wasmtime_table_set": (_vp, _vp, _vp, _u64, _vp),
    "wasmtime_val_unroot": (None, _vp),
    "wasmtime_extern_delete": (None, _vp),
    # errors and traps
    "wasm_byte_vec_delete": (None, _vp),
    "wasmtime_error_message": (None, _vp, _vp),
    "wasmtime_error_wasm_trace": (None, _vp, _vp),
    "wasmtime_error_delete": (None, _vp),
    "wasm_trap_message": (None, _vp, _vp),
    "wasmtime_trap_code": (_b, _vp, _vp),
    "wasm_trap_trace": (None, _vp, _vp),
    "wasm_trap_delete": (None, _vp),
    "wasm_frame_vec_delete": (None, _vp),
    "wasm_frame_func_index": (_u32, _vp),
    "wasm_frame_module_offset": (_size, _vp),
    "wasmtime_frame_func_name": (_vp, _vp),
    "wasmtime_frame_module_name": (_vp, _vp),
}


class _Functions:
    """The functions of ``_SIGNATURES`` as attributes, each declared on its first use."""

    def __getattr__(self, name: str) -> Any:
        signature = _SIGNATURES.get(name)
        if signature is None:
            raise AttributeError(f"{name} is not among witkit's wasmtime declarations")
        function = _proto(name, *signature)
        setattr(self, name, function)
        return function


lib: Any = _Functions()


class Owned:
    """A C object with one Python owner: freed when the owner is collected.

    The destructor is bound at creation, so freeing late in interpreter shutdown
    looks nothing up.  wasmtime reference-counts what its objects share (a store
    keeps its engine alive), so the order of frees does not matter.
    """

    __slots__ = ("_delete", "address")

    def __init__(self, address: int, delete: Callable[[int], None]) -> None:
        self.address = address
        self._delete = delete

    def __del__(self) -> None:
        self._delete(self.address)


@contextlib.contextmanager
def filled_vec(fill: Any, *args: Any, delete: Any) -> Iterator[wasm_vec_t]:
    """A vector ``fill(*args, &vec)`` writes, freed with ``delete(&vec)`` afterwards."""
    vec = wasm_vec_t()
    fill(*args, ctypes.byref(vec))
    try:
        yield vec
    finally:
        delete(ctypes.byref(vec))


def vec_items(vec: wasm_vec_t) -> list[int]:
    """The pointers of a vector of pointers (``wasm_frame_vec_t``, ``wasm_importtype_vec_t``...)."""
    if not vec.size:
        return []
    items: ctypes.Array[c_void_p] = (c_void_p * vec.size).from_address(vec.data)
    return [address or 0 for address in items]


def vec_bytes(address: int) -> bytes:
    """The bytes of the ``wasm_byte_vec_t`` (or ``wasm_name_t``) at ``address``."""
    vec = wasm_vec_t.from_address(address)
    return ctypes.string_at(vec.data, vec.size) if vec.size else b""
