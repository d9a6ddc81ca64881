"""Static layout of component values: despecialization, alignment, size, flattening.

These are the spec's pure functions of a type (CanonicalABI.md, sections
"Despecialization" to "Element Size", and "Flattening"), in the spec's order and
under the spec's names.  They decide *where* bytes and core values go; the code
that moves values (``codegen``) consults them once per type, when it specialises.

Rules of this module:

* Pure functions of ``witkit.types`` values and the address type (``"i32"`` or
  ``"i64"`` for 64-bit memories); no memory, no context.
* Results are memoised per (type object, address type): types compare by
  identity, so the caches stay small and never confuse two equal-looking types.
* A type that validation should have rejected (empty record, flags without
  labels, a resource where a value type belongs) raises ``ValueError``: it is a
  host or validator bug, never a guest-controlled condition.

One deliberate extension: the spec caps ``flags`` at 32 labels (validation
rejects more since 2024).  For hand-built types with more labels we keep the
spec's earlier encoding -- one ``i32`` per 32 labels, in memory and in flat
values -- instead of refusing them.  For up to 32 labels it is the spec exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

from witkit.types import (
    BorrowType,
    CoreFuncType,
    EnumType,
    FlagsType,
    FuncType,
    FutureType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    PrimName,
    PrimType,
    RecordType,
    ResultType,
    StreamType,
    TupleType,
    ValType,
    VariantType,
)

__all__ = [
    "MAX_FLAGS",
    "MAX_FLAT_ASYNC_PARAMS",
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "MAX_LIST_BYTE_LENGTH",
    "MAX_STRING_BYTE_LENGTH",
    "REALLOC_I32_MAX",
    "CoreValType",
    "PtrType",
    "align_to",
    "alignment",
    "contains",
    "contains_borrow",
    "despecialize",
    "discriminant_type",
    "elem_size",
    "field_offsets",
    "flag_words",
    "flatten_functype",
    "flatten_type",
    "flatten_types",
    "join",
    "max_case_alignment",
    "payload_offset",
    "ptr_size",
    "utf16_tag",
]

#: the address type of a memory: 32-bit, or 64-bit with the memory64 proposal
PtrType: TypeAlias = Literal["i32", "i64"]
#: the four core value types that flat component values travel in
CoreValType: TypeAlias = Literal["i32", "i64", "f32", "f64"]

#: most core parameters before all parameters go through memory (spec limit)
MAX_FLAT_PARAMS = 16
#: most core parameters of an async-lowered import before they go through memory
MAX_FLAT_ASYNC_PARAMS = 4
#: most core results before the result goes through memory (C ABIs return one value)
MAX_FLAT_RESULTS = 1
#: largest string, in bytes, that may be lifted: transcoding it at most doubles it,
#: which keeps every allocation of it below ``REALLOC_I32_MAX``
MAX_STRING_BYTE_LENGTH = (1 << 28) - 1
#: largest list, in bytes, that may be lifted (the same reasoning as for strings)
MAX_LIST_BYTE_LENGTH = (1 << 28) - 1
#: largest size a 32-bit ``realloc`` can be asked for
REALLOC_I32_MAX = 2**32 - 1
#: most flags the spec allows; more use the pre-2024 multi-word encoding (see above)
MAX_FLAGS = 32

_FIXED: dict[str, tuple[int, int]] = {
    # name: (alignment, size)
    "bool": (1, 1),
    "s8": (1, 1),
    "u8": (1, 1),
    "s16": (2, 2),
    "u16": (2, 2),
    "s32": (4, 4),
    "u32": (4, 4),
    "s64": (8, 8),
    "u64": (8, 8),
    "f32": (4, 4),
    "f64": (8, 8),
    "char": (4, 4),
    "error-context": (4, 4),
}

_FLAT_PRIM: dict[str, tuple[CoreValType, ...]] = {
    "bool": ("i32",),
    "s8": ("i32",),
    "u8": ("i32",),
    "s16": ("i32",),
    "u16": ("i32",),
    "s32": ("i32",),
    "u32": ("i32",),
    "s64": ("i64",),
    "u64": ("i64",),
    "f32": ("f32",),
    "f64": ("f64",),
    "char": ("i32",),
    "error-context": ("i32",),
}


def ptr_size(ptr_type: PtrType) -> int:
    """Bytes in a pointer (and in a length) of a memory with this address type."""
    return 4 if ptr_type == "i32" else 8


def utf16_tag(ptr_type: PtrType) -> int:
    """The top bit of a ``latin1+utf16`` length: set when the string is UTF-16."""
    return 1 << (ptr_size(ptr_type) * 8 - 1)


def align_to(ptr: int, alignment: int) -> int:
    """``ptr`` rounded up to a multiple of ``alignment`` (a power of two)."""
    return (ptr + alignment - 1) & -alignment


# --------------------------------------------------------------------------- despecialization


@functools.cache
def despecialize(t: ValType) -> ValType:
    """Replace a specialised type by its expansion: the ABI of the two is the same.

    ``tuple`` becomes a record with fields "0", "1"...; ``enum``, ``option`` and
    ``result`` become variants; ``map<K, V>`` becomes ``list<tuple<K, V>>``; a
    defined alias of a primitive (``type id = u64``) becomes the primitive.
    ``string`` and ``flags`` keep their own representations.  The expansions are
    fresh type objects, cached so that repeated calls return the same object.
    """
    match t:
        case PrimType(prim=prim):
            return prim
        case TupleType(types=ts):
            return RecordType(tuple((str(i), u) for i, u in enumerate(ts)))
        case EnumType(names=labels):
            return VariantType(tuple((label, None) for label in labels))
        case OptionType(value=v):
            return VariantType((("none", None), ("some", v)))
        case ResultType(ok=ok, err=err):
            return VariantType((("ok", ok), ("error", err)))
        case MapType(key=k, value=v):
            return ListType(despecialize(TupleType((k, v))))
        case _:
            return t


def _cases(t: VariantType) -> tuple[tuple[str, ValType | None], ...]:
    if not t.cases:
        raise ValueError("a variant must have at least one case")
    return t.cases


def _fields(t: RecordType) -> tuple[tuple[str, ValType], ...]:
    if not t.fields:
        raise ValueError("a record must have at least one field")
    return t.fields


def _labels(t: FlagsType) -> tuple[str, ...]:
    if not t.names:
        raise ValueError("flags must have at least one label")
    return t.names


# --------------------------------------------------------------------------- predicates


def contains(t: ValType | None, p: Callable[[ValType], bool]) -> bool:
    """Whether ``t`` or any type inside it satisfies ``p`` (the spec's ``contains``)."""
    if t is None:
        return False
    u = despecialize(t)
    if p(u):
        return True
    match u:
        case ListType(element=e):
            return contains(e, p)
        case StreamType(element=e):
            return contains(e, p)
        case FutureType(value=e):
            return contains(e, p)
        case RecordType(fields=fields):
            return any(contains(ft, p) for _, ft in fields)
        case VariantType(cases=cases):
            return any(contains(ct, p) for _, ct in cases)
        case _:
            return False


def contains_borrow(t: ValType | FuncType | None) -> bool:
    """Whether a value of ``t`` (or a call of function type ``t``) can carry a ``borrow``."""
    if isinstance(t, FuncType):
        ts: list[ValType] = [pt for _, pt in t.params]
        if t.result is not None:
            ts.append(t.result)
        return any(contains_borrow(u) for u in ts)
    return contains(t, lambda u: isinstance(u, BorrowType))


# --------------------------------------------------------------------------- alignment


def discriminant_type(cases: Sequence[object]) -> PrimName:
    """The smallest unsigned integer type numbering every case of a variant."""
    n = len(cases)
    if not 0 < n < (1 << 32):
        raise ValueError(f"a variant must have between 1 and 2**32-1 cases, not {n}")
    match math.ceil(math.log2(n) / 8):
        case 0 | 1:
            return "u8"
        case 2:
            return "u16"
        case _:
            return "u32"


def flag_words(labels: Sequence[str]) -> int:
    """How many ``i32`` words hold the flags (one, except past ``MAX_FLAGS``: see above)."""
    return max(1, math.ceil(len(labels) / 32))


@functools.cache
def alignment(t: ValType, ptr_type: PtrType = "i32") -> int:
    """The alignment in bytes of a value of ``t`` in linear memory."""
    match despecialize(t):
        case str() as prim:
            if prim == "string":
                return ptr_size(ptr_type)
            return _FIXED[prim][0]
        case ListType(element=e, length=n):
            return alignment(e, ptr_type) if n is not None else ptr_size(ptr_type)
        case RecordType() as r:
            return max(alignment(ft, ptr_type) for _, ft in _fields(r))
        case VariantType() as v:
            cases = _cases(v)
            return max(alignment(discriminant_type(cases)), max_case_alignment(cases, ptr_type))
        case FlagsType() as f:
            n = len(_labels(f))
            return 1 if n <= 8 else 2 if n <= 16 else 4
        case OwnType() | BorrowType() | StreamType() | FutureType():
            return 4
        case other:
            raise ValueError(f"not a value type: {other!r}")


def max_case_alignment(cases: Sequence[tuple[str, ValType | None]], ptr_type: PtrType) -> int:
    """The alignment of a variant's payload: that of its most aligned case."""
    return max((alignment(ct, ptr_type) for _, ct in cases if ct is not None), default=1)


# --------------------------------------------------------------------------- element size


@functools.cache
def elem_size(t: ValType, ptr_type: PtrType = "i32") -> int:
    """The size in bytes of a value of ``t`` stored in memory (its stride in a list)."""
    match despecialize(t):
        case str() as prim:
            if prim == "string":
                return 2 * ptr_size(ptr_type)
            return _FIXED[prim][1]
        case ListType(element=e, length=n):
            return n * elem_size(e, ptr_type) if n is not None else 2 * ptr_size(ptr_type)
        case RecordType() as r:
            offsets = field_offsets(r, ptr_type)
            end = offsets[-1] + elem_size(r.fields[-1][1], ptr_type)
            return align_to(end, alignment(r, ptr_type))
        case VariantType() as v:
            cases = _cases(v)
            payload = max((elem_size(ct, ptr_type) for _, ct in cases if ct is not None), default=0)
            return align_to(payload_offset(v, ptr_type) + payload, alignment(v, ptr_type))
        case FlagsType() as f:
            n = len(_labels(f))
            return 1 if n <= 8 else 2 if n <= 16 else 4 * flag_words(f.names)
        case OwnType() | BorrowType() | StreamType() | FutureType():
            return 4
        case other:
            raise ValueError(f"not a value type: {other!r}")


@functools.cache
def field_offsets(t: RecordType, ptr_type: PtrType = "i32") -> tuple[int, ...]:
    """The byte offset of each field of a record, from the record's start."""
    offsets: list[int] = []
    s = 0
    for _, ft in _fields(t):
        s = align_to(s, alignment(ft, ptr_type))
        offsets.append(s)
        s += elem_size(ft, ptr_type)
    return tuple(offsets)


@functools.cache
def payload_offset(t: VariantType, ptr_type: PtrType = "i32") -> int:
    """The byte offset of a variant's payload: past the discriminant, aligned for every case."""
    cases = _cases(t)
    return align_to(elem_size(discriminant_type(cases)), max_case_alignment(cases, ptr_type))


# --------------------------------------------------------------------------- flattening


def join(a: CoreValType, b: CoreValType) -> CoreValType:
    """The core type that can carry both ``a`` and ``b`` (bit-cast or zero-extended)."""
    if a == b:
        return a
    if {a, b} == {"i32", "f32"}:
        return "i32"
    return "i64"


@functools.cache
def flatten_type(t: ValType, ptr_type: PtrType = "i32") -> tuple[CoreValType, ...]:
    """The core values that carry a value of ``t`` in registers (parameters/results)."""
    match despecialize(t):
        case str() as prim:
            if prim == "string":
                return (ptr_type, ptr_type)
            return _FLAT_PRIM[prim]
        case ListType(element=e, length=n):
            if n is not None:
                return flatten_type(e, ptr_type) * n
            return (ptr_type, ptr_type)
        case RecordType() as r:
            return tuple(ct for _, ft in _fields(r) for ct in flatten_type(ft, ptr_type))
        case VariantType() as v:
            cases = _cases(v)
            flat: list[CoreValType] = []
            for _, ct in cases:
                if ct is None:
                    continue
                for i, ft in enumerate(flatten_type(ct, ptr_type)):
                    if i < len(flat):
                        flat[i] = join(flat[i], ft)
                    else:
                        flat.append(ft)
            return (*flatten_type(discriminant_type(cases), ptr_type), *flat)
        case FlagsType() as f:
            word: tuple[CoreValType, ...] = ("i32",)
            return word * flag_words(_labels(f))
        case OwnType() | BorrowType() | StreamType() | FutureType():
            return ("i32",)
        case other:
            raise ValueError(f"not a value type: {other!r}")


def flatten_types(ts: Sequence[ValType], ptr_type: PtrType = "i32") -> list[CoreValType]:
    """The flat values of several types, one after the other."""
    return [ct for t in ts for ct in flatten_type(t, ptr_type)]


def flatten_functype(
    ft: FuncType,
    context: Literal["lift", "lower"],
    *,
    ptr_type: PtrType = "i32",
    sync: bool = True,
    callback: bool = False,
) -> CoreFuncType:
    """The core function type of ``canon lift`` (context "lift") or ``canon lower``.

    Too many flat parameters become one pointer to a tuple in memory.  Too many
    flat results become a pointer too: returned by a lifted callee, or passed as
    an extra last parameter (caller-allocated space) to a lowered import.
    """
    flat_params = flatten_types([t for _, t in ft.params], ptr_type)
    flat_results = flatten_types([] if ft.result is None else [ft.result], ptr_type)
    if sync:
        if len(flat_params) > MAX_FLAT_PARAMS:
            flat_params = [ptr_type]
        if len(flat_results) > MAX_FLAT_RESULTS:
            if context == "lift":
                flat_results = [ptr_type]
            else:
                flat_params = [*flat_params, ptr_type]
                flat_results = []
        return CoreFuncType(tuple(flat_params), tuple(flat_results))
    if context == "lift":
        if len(flat_params) > MAX_FLAT_PARAMS:
            flat_params = [ptr_type]
        flat_results = ["i32"] if callback else []
    else:
        if len(flat_params) > MAX_FLAT_ASYNC_PARAMS:
            flat_params = [ptr_type]
        if flat_results:
            flat_params = [*flat_params, ptr_type]
        flat_results = ["i32"]
    return CoreFuncType(tuple(flat_params), tuple(flat_results))
