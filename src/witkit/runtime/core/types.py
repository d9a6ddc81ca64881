"""Core wasm types as plain immutable data, so nothing above this layer touches wasmtime's.

wasmtime's type objects own C pointers and must be freed; the component runtime
wants values it can hash, compare and keep in tables.  These records are that,
and the two helpers at the bottom convert in each direction (only here).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Literal, TypeAlias

import wasmtime
from wasmtime import _ffi as ffi

__all__ = [
    "CoreExport",
    "CoreExternType",
    "CoreFuncType",
    "CoreGlobalType",
    "CoreImport",
    "CoreMemoryType",
    "CoreTableType",
    "ValType",
]

#: A core value type.  Only the four numeric types can cross the fast call
#: boundary; the reference and vector types appear in signatures of functions
#: that are passed between instances but never called from Python.
ValType: TypeAlias = Literal["i32", "i64", "f32", "f64", "v128", "funcref", "externref"]

NUMERIC: frozenset[str] = frozenset({"i32", "i64", "f32", "f64"})


@dataclass(frozen=True, slots=True)
class CoreFuncType:
    """A core function signature: ``(param ...) (result ...)``."""

    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __str__(self) -> str:
        return f"(func (param {' '.join(self.params)}) (result {' '.join(self.results)}))"


@dataclass(frozen=True, slots=True)
class CoreMemoryType:
    """Limits in pages (64 KiB each unless the custom-page-sizes proposal says otherwise)."""

    minimum: int
    maximum: int | None = None
    memory64: bool = False
    shared: bool = False


@dataclass(frozen=True, slots=True)
class CoreGlobalType:
    content: ValType
    mutable: bool


@dataclass(frozen=True, slots=True)
class CoreTableType:
    element: ValType
    minimum: int
    maximum: int | None = None


CoreExternType: TypeAlias = CoreFuncType | CoreMemoryType | CoreGlobalType | CoreTableType


@dataclass(frozen=True, slots=True)
class CoreImport:
    module: str
    name: str
    type: CoreExternType


@dataclass(frozen=True, slots=True)
class CoreExport:
    name: str
    type: CoreExternType


# --- conversion from and to wasmtime's types ------------------------------------

_KIND_TO_VALTYPE: dict[int, ValType] = {
    0: "i32",
    1: "i64",
    2: "f32",
    3: "f64",
    4: "v128",
    128: "externref",  # wasm.h calls it WASM_EXTERNREF (wasmtime-py prints "anyref")
    129: "funcref",
}

_VALTYPE_TO_KIND: dict[str, int] = {name: kind for kind, name in _KIND_TO_VALTYPE.items()}


def valtype_from_wasmtime(ty: wasmtime.ValType) -> ValType:
    kind = int(ffi.wasm_valtype_kind(ty.ptr()))
    try:
        return _KIND_TO_VALTYPE[kind]
    except KeyError:
        raise TypeError(f"unsupported core value type (kind {kind})") from None


def valtype_to_wasmtime(ty: ValType) -> wasmtime.ValType:
    kind = _VALTYPE_TO_KIND[ty]
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
    ty: wasmtime.FuncType | wasmtime.MemoryType | wasmtime.GlobalType | wasmtime.TableType | object,
) -> CoreExternType:
    if isinstance(ty, wasmtime.FuncType):
        return functype_from_wasmtime(ty)
    if isinstance(ty, wasmtime.MemoryType):
        return CoreMemoryType(ty.limits.min, ty.limits.max, ty.is_64, ty.is_shared)
    if isinstance(ty, wasmtime.GlobalType):
        return CoreGlobalType(valtype_from_wasmtime(ty.content), ty.mutable)
    if isinstance(ty, wasmtime.TableType):
        return CoreTableType(valtype_from_wasmtime(ty.element), ty.limits.min, ty.limits.max)
    raise TypeError(f"unsupported core extern type {ty!r}")
