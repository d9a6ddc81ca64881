"""Core wasm types as plain immutable data, so nothing above this layer touches wasmtime's.

wasmtime's type objects are C pointers that must be freed; the component runtime
wants values it can hash, compare and keep in tables.  These records are that,
and the helpers at the bottom convert in each direction (only here).  They take
and return C pointers as ints and never free what they were given: the caller
knows who owns it.
"""

from __future__ import annotations

import ctypes
from typing import Literal, TypeAlias

from witkit._record import record
from witkit.runtime.core._capi import (
    Owned,
    lib,
    vec_items,
    wasm_limits_t,
    wasm_vec_t,
    wasmtime_valtype_t,
)
from witkit.types import CoreFuncType as CoreFuncType

__all__ = [
    "CoreExport",
    "CoreExternType",
    "CoreFuncType",
    "CoreGlobalType",
    "CoreImport",
    "CoreMemoryType",
    "CoreTableType",
    "CoreTagType",
    "ValType",
]

#: A core value type.  Only the four numeric types can cross the fast call
#: boundary; the reference and vector types appear in signatures of functions
#: that are passed between instances but never called from Python.
#: ``ref`` stands for any other reference type (typed function references, GC types).
ValType: TypeAlias = Literal["i32", "i64", "f32", "f64", "v128", "funcref", "externref", "ref"]

NUMERIC: frozenset[str] = frozenset({"i32", "i64", "f32", "f64"})


@record
class CoreMemoryType:
    """Limits in pages (64 KiB each unless the custom-page-sizes proposal says otherwise)."""

    minimum: int
    maximum: int | None = None
    memory64: bool = False
    shared: bool = False


@record
class CoreGlobalType:
    content: ValType
    mutable: bool


@record
class CoreTableType:
    element: ValType
    minimum: int
    maximum: int | None = None


@record
class CoreTagType:
    """An exception tag (exception-handling proposal): the payload a ``throw`` carries.

    Tags are generative per defining instance, so the runtime only ever passes
    them along from an export to an import; the payload is kept so the
    component validator's and the engine's idea of the import can be compared.
    """

    params: tuple[str, ...]


CoreExternType: TypeAlias = (
    CoreFuncType | CoreMemoryType | CoreGlobalType | CoreTableType | CoreTagType
)


@record
class CoreImport:
    module: str
    name: str
    type: CoreExternType


@record
class CoreExport:
    name: str
    type: CoreExternType


# --- conversion from and to wasmtime's types ------------------------------------

# wasmtime_valtype_t kinds (wasmtime/val.h); 5 is "a reference", refined by heap type.
_WASMTIME_KINDS: dict[int, ValType] = {0: "i32", 1: "i64", 2: "f32", 3: "f64", 4: "v128"}
_WASMTIME_REF = 5
_HEAP_EXTERN = 0
_HEAP_FUNC = 2

# wasm.h kinds, to build types (wasm.h has no v128 or typed references to build).
_VALTYPE_TO_KIND: dict[str, int] = {
    "i32": 0,
    "i64": 1,
    "f32": 2,
    "f64": 3,
    "externref": 128,
    "funcref": 129,
}

# wasm_externkind_t values (wasm.h)
_EXTERN_FUNC, _EXTERN_GLOBAL, _EXTERN_TABLE, _EXTERN_MEMORY, _EXTERN_TAG = range(5)
_WASM_VAR = 1  # wasm_mutability_t of a mutable global
_NO_TABLE_MAXIMUM = 0xFFFF_FFFF  # wasm_limits_t.max meaning "none"


def valtype_from_c(ptr: int) -> ValType:
    """Classify a ``wasm_valtype_t*`` through ``wasmtime_valtype_new``, which knows every type.

    (wasm.h's ``wasm_valtype_kind`` aborts the process on v128 and on typed
    references.)
    """
    out = wasmtime_valtype_t()
    lib.wasmtime_valtype_new(ptr, ctypes.byref(out))
    try:
        if out.kind != _WASMTIME_REF:
            return _WASMTIME_KINDS[out.kind]
        heap = out.reftype.heaptype.kind
        if out.reftype.nullable and heap == _HEAP_FUNC:
            return "funcref"
        if out.reftype.nullable and heap == _HEAP_EXTERN:
            return "externref"
        return "ref"
    finally:
        lib.wasmtime_valtype_delete(ctypes.byref(out))


def valtype_to_c(ty: str) -> int:
    """A new ``wasm_valtype_t*``; whatever it is given to takes ownership of it."""
    kind = _VALTYPE_TO_KIND.get(ty)
    if kind is None:
        raise TypeError(f"cannot build a {ty} type from Python")
    ptr: int = lib.wasm_valtype_new(kind)
    return ptr


def _valtypes(vec_ptr: int) -> tuple[ValType, ...]:
    return tuple(valtype_from_c(p) for p in vec_items(wasm_vec_t.from_address(vec_ptr)))


def functype_from_c(ptr: int) -> CoreFuncType:
    """The ``wasm_functype_t*`` at ``ptr`` as a record."""
    return CoreFuncType(
        _valtypes(lib.wasm_functype_params(ptr)), _valtypes(lib.wasm_functype_results(ptr))
    )


def _valtype_vec(types: tuple[str, ...]) -> wasm_vec_t:
    vec = wasm_vec_t()
    lib.wasm_valtype_vec_new_uninitialized(ctypes.byref(vec), len(types))
    if types:
        items = (ctypes.c_void_p * len(types)).from_address(vec.data)
        for index, ty in enumerate(types):
            items[index] = valtype_to_c(ty)
    return vec


def functype_to_c(ty: CoreFuncType) -> Owned:
    """A new ``wasm_functype_t*``, freed with its owner."""
    # Checked before anything is allocated, so an unsupported type leaks nothing.
    for kind in (*ty.params, *ty.results):
        if kind not in _VALTYPE_TO_KIND:
            raise TypeError(f"cannot build a {kind} type from Python")
    params = _valtype_vec(ty.params)
    results = _valtype_vec(ty.results)
    ptr = lib.wasm_functype_new(ctypes.byref(params), ctypes.byref(results))
    return Owned(ptr, lib.wasm_functype_delete)


def memorytype_from_c(ptr: int) -> CoreMemoryType:
    maximum = ctypes.c_uint64()
    has_maximum = lib.wasmtime_memorytype_maximum(ptr, ctypes.byref(maximum))
    return CoreMemoryType(
        int(lib.wasmtime_memorytype_minimum(ptr)),
        maximum.value if has_maximum else None,
        bool(lib.wasmtime_memorytype_is64(ptr)),
        bool(lib.wasmtime_memorytype_isshared(ptr)),
    )


def globaltype_from_c(ptr: int) -> CoreGlobalType:
    return CoreGlobalType(
        valtype_from_c(lib.wasm_globaltype_content(ptr)),
        lib.wasm_globaltype_mutability(ptr) == _WASM_VAR,
    )


def tabletype_from_c(ptr: int) -> CoreTableType:
    limits = wasm_limits_t.from_address(lib.wasm_tabletype_limits(ptr))
    maximum = None if limits.max == _NO_TABLE_MAXIMUM else int(limits.max)
    return CoreTableType(valtype_from_c(lib.wasm_tabletype_element(ptr)), int(limits.min), maximum)


def externtype_from_c(ptr: int) -> CoreExternType:
    """The ``wasm_externtype_t*`` at ``ptr`` (borrowed from an import or export type)."""
    kind = lib.wasm_externtype_kind(ptr)
    if kind == _EXTERN_FUNC:
        return functype_from_c(lib.wasm_externtype_as_functype_const(ptr))
    if kind == _EXTERN_GLOBAL:
        return globaltype_from_c(lib.wasm_externtype_as_globaltype_const(ptr))
    if kind == _EXTERN_TABLE:
        return tabletype_from_c(lib.wasm_externtype_as_tabletype_const(ptr))
    if kind == _EXTERN_MEMORY:
        return memorytype_from_c(lib.wasm_externtype_as_memorytype_const(ptr))
    if kind == _EXTERN_TAG:
        tag = lib.wasm_externtype_as_tagtype_const(ptr)
        return CoreTagType(functype_from_c(lib.wasm_tagtype_functype(tag)).params)
    raise TypeError(f"unsupported core extern type (kind {kind})")
