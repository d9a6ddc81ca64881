"""Core wasm types as plain immutable data, so nothing above this layer touches wasmtime's.

wasmtime's type objects own C pointers and must be freed; the component runtime
wants values it can hash, compare and keep in tables.  These records are that,
and the two helpers at the bottom convert in each direction (only here).
"""

from __future__ import annotations

import ctypes
from typing import Any, Literal, TypeAlias

import wasmtime
from wasmtime import _ffi as ffi

from witkit._record import record

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
class CoreFuncType:
    """A core function signature: ``(param ...) (result ...)``."""

    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __str__(self) -> str:
        return f"(func (param {' '.join(self.params)}) (result {' '.join(self.results)}))"


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

    params: tuple[ValType, ...]


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


def valtype_from_wasmtime(ty: wasmtime.ValType) -> ValType:
    """Classify through ``wasmtime_valtype_new``, which knows every type.

    (wasm.h's ``wasm_valtype_kind`` aborts the process on v128 and on typed
    references, and wasmtime-py's ``str(ValType)`` goes through it.)
    """
    out = ffi.wasmtime_valtype_t()
    ffi.wasmtime_valtype_new(ty.ptr(), ctypes.byref(out))
    try:
        kind: Any = out.kind
        if kind != _WASMTIME_REF:
            return _WASMTIME_KINDS[kind]
        heap: Any = out.reftype.heaptype.kind
        if out.reftype.nullable and heap == _HEAP_FUNC:
            return "funcref"
        if out.reftype.nullable and heap == _HEAP_EXTERN:
            return "externref"
        return "ref"
    finally:
        ffi.wasmtime_valtype_delete(ctypes.byref(out))


def valtype_to_wasmtime(ty: ValType) -> wasmtime.ValType:
    kind = _VALTYPE_TO_KIND.get(ty)
    if kind is None:
        raise TypeError(f"cannot build a {ty} type from Python")
    ptr = ffi.wasm_valtype_new(ctypes.c_uint8(kind))
    return wasmtime.ValType._from_ptr(ptr, None)


def functype_from_wasmtime(ty: wasmtime.FuncType) -> CoreFuncType:
    return CoreFuncType(
        tuple(valtype_from_wasmtime(p) for p in ty.params),
        tuple(valtype_from_wasmtime(r) for r in ty.results),
    )


def functype_to_wasmtime(ty: CoreFuncType) -> wasmtime.FuncType:
    return wasmtime.FuncType(
        [valtype_to_wasmtime(p) for p in ty.params],
        [valtype_to_wasmtime(r) for r in ty.results],
    )


def externtype_from_wasmtime(
    ty: wasmtime.FuncType
    | wasmtime.MemoryType
    | wasmtime.GlobalType
    | wasmtime.TableType
    | wasmtime.TagType
    | object,
) -> CoreExternType:
    if isinstance(ty, wasmtime.FuncType):
        return functype_from_wasmtime(ty)
    if isinstance(ty, wasmtime.MemoryType):
        return CoreMemoryType(ty.limits.min, ty.limits.max, ty.is_64, ty.is_shared)
    if isinstance(ty, wasmtime.GlobalType):
        return CoreGlobalType(valtype_from_wasmtime(ty.content), ty.mutable)
    if isinstance(ty, wasmtime.TableType):
        return CoreTableType(valtype_from_wasmtime(ty.element), ty.limits.min, ty.limits.max)
    if isinstance(ty, wasmtime.TagType):
        return CoreTagType(functype_from_wasmtime(ty.functype).params)
    raise TypeError(f"unsupported core extern type {ty!r}")
