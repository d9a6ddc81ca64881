"""Static layout of component values: despecialization, alignment, size, flattening.

These are the spec's pure functions of a type (CanonicalABI.md, sections
"Despecialization" to "Element Size", and "Flattening"), in the spec's order and
under the spec's names.  They decide *where* bytes and core values go; the code
that moves values (``codegen``) consults them once per type, when it specialises,
and validation (``binary/validate``) checks ``canon`` definitions and type sizes
with the very same functions, so the two can never disagree.

Rules of this module:

* Pure functions of ``witkit.types`` values and the address type (``"i32"`` or
  ``"i64"`` for 64-bit memories); no memory, no context.
* The ABI's entry points (``alignment``, ``elem_size``, ``flatten_type`` ...) are
  memoised per (type object, address type): types compare by identity, so the
  caches stay small and never confuse two equal-looking types.  Validation sees
  hostile types, so its entry points (``size_and_alignment``, ``flatten_upto``,
  ``contains_ptr``) keep no global cache, take the caller's memo, visit each
  node of a type DAG once and stop flattening at the limit asked for.
* A type that validation should have rejected (empty record, flags without
  labels, a resource where a value type belongs) raises ``ValueError``: it is a
  host or validator bug, never a guest-controlled condition.

One deliberate extension: the spec caps ``flags`` at ``MAX_FLAGS`` (32) labels (validation
rejects more since 2024).  For hand-built types with more labels we keep the
spec's earlier encoding -- one ``i32`` per 32 labels, in memory and in flat
values -- instead of refusing them.  For up to 32 labels it is the spec exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

from witkit import types as wt
from witkit.abi.limits import MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS

__all__ = [
    "CoreValType",
    "PtrType",
    "SizeMemo",
    "align_to",
    "alignment",
    "contains",
    "contains_borrow",
    "contains_ptr",
    "despecialize",
    "discriminant_type",
    "elem_size",
    "field_offsets",
    "flag_words",
    "flatten_functype",
    "flatten_type",
    "flatten_types",
    "flatten_upto",
    "join",
    "max_case_alignment",
    "payload_offset",
    "ptr_size",
    "size_and_alignment",
    "utf16_tag",
]

#: the address type of a memory: 32-bit, or 64-bit with the memory64 proposal
PtrType: TypeAlias = Literal["i32", "i64"]
#: the four core value types that flat component values travel in
CoreValType: TypeAlias = Literal["i32", "i64", "f32", "f64"]

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
def despecialize(t: wt.ValType) -> wt.ValType:
    """Replace a specialised type by its expansion: the ABI of the two is the same.

    ``tuple`` becomes a record with fields "0", "1"...; ``enum``, ``option`` and
    ``result`` become variants; ``map<K, V>`` becomes ``list<tuple<K, V>>``; a
    defined alias of a primitive (``type id = u64``) becomes the primitive.
    ``string`` and ``flags`` keep their own representations.  The expansions are
    fresh type objects, cached so that repeated calls return the same object.
    """
    match t:
        case wt.PrimType(prim=prim):
            return prim
        case wt.TupleType(types=ts):
            return wt.RecordType(tuple((str(i), u) for i, u in enumerate(ts)))
        case wt.EnumType(names=labels):
            return wt.VariantType(tuple((label, None) for label in labels))
        case wt.OptionType(value=v):
            return wt.VariantType((("none", None), ("some", v)))
        case wt.ResultType(ok=ok, err=err):
            return wt.VariantType((("ok", ok), ("error", err)))
        case wt.MapType(key=k, value=v):
            return wt.ListType(despecialize(wt.TupleType((k, v))))
        case _:
            return t


def _cases(t: wt.VariantType) -> tuple[tuple[str, wt.ValType | None], ...]:
    if not t.cases:
        raise ValueError("a variant must have at least one case")
    return t.cases


def _fields(t: wt.RecordType) -> tuple[tuple[str, wt.ValType], ...]:
    if not t.fields:
        raise ValueError("a record must have at least one field")
    return t.fields


def _labels(t: wt.FlagsType) -> tuple[str, ...]:
    if not t.names:
        raise ValueError("flags must have at least one label")
    return t.names


# --------------------------------------------------------------------------- predicates


def contains(t: wt.ValType | None, p: Callable[[wt.ValType], bool]) -> bool:
    """Whether ``t`` or any type inside it satisfies ``p`` (the spec's ``contains``)."""
    if t is None:
        return False
    u = despecialize(t)
    if p(u):
        return True
    match u:
        case wt.ListType(element=e):
            return contains(e, p)
        case wt.StreamType(element=e):
            return contains(e, p)
        case wt.FutureType(value=e):
            return contains(e, p)
        case wt.RecordType(fields=fields):
            return any(contains(ft, p) for _, ft in fields)
        case wt.VariantType(cases=cases):
            return any(contains(ct, p) for _, ct in cases)
        case _:
            return False


def contains_borrow(t: wt.ValType | wt.FuncType | None) -> bool:
    """Whether a value of ``t`` (or a call of function type ``t``) can carry a ``borrow``."""
    if isinstance(t, wt.FuncType):
        ts: list[wt.ValType] = [pt for _, pt in t.params]
        if t.result is not None:
            ts.append(t.result)
        return any(contains_borrow(u) for u in ts)
    return contains(t, lambda u: isinstance(u, wt.BorrowType))


def contains_ptr(ty: wt.ValType | None, clean: set[int] | None = None) -> bool:
    """Whether lifting or lowering ``ty`` touches linear memory (strings, lists, maps).

    Handles (``own``, ``borrow``, ``stream``, ``future``) do not, whatever they carry.

    ``clean`` holds the composite types already found not to, so a DAG of tuples
    or records is walked once per node, not once per path (2**depth).
    """
    if ty is None:
        return False
    if isinstance(ty, str):
        return ty == "string"
    if isinstance(ty, wt.PrimType):
        return ty.prim == "string"
    if isinstance(ty, wt.MapType) or (isinstance(ty, wt.ListType) and ty.length is None):
        return True
    children: tuple[wt.ValType | None, ...]
    if isinstance(ty, wt.RecordType):
        children = tuple(t for _, t in ty.fields)
    elif isinstance(ty, wt.VariantType):
        children = tuple(t for _, t in ty.cases)
    elif isinstance(ty, wt.ListType):
        children = (ty.element,)
    elif isinstance(ty, wt.TupleType):
        children = ty.types
    elif isinstance(ty, wt.OptionType):
        children = (ty.value,)
    elif isinstance(ty, wt.ResultType):
        children = (ty.ok, ty.err)
    else:
        return False
    if clean is None:
        clean = set()
    elif id(ty) in clean:
        return False
    for child in children:
        if contains_ptr(child, clean):
            return True
    clean.add(id(ty))
    return False


# --------------------------------------------------------------------------- alignment and element size


def discriminant_type(cases: Sequence[object]) -> wt.PrimName:
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
    """How many ``i32`` words hold the flags (one, except past ``limits.MAX_FLAGS``: see above)."""
    return max(1, math.ceil(len(labels) / 32))


#: ``size_and_alignment``'s memo: ``id(type)`` -> (the type, kept alive; size; alignment)
SizeMemo: TypeAlias = dict[int, tuple[object, int, int]]


def size_and_alignment(t: wt.ValType | None, ptr_type: PtrType, memo: SizeMemo) -> tuple[int, int]:
    """``(elem_size(t), alignment(t))`` in one walk; ``None`` (no payload) is ``(0, 1)``.

    The spec's two functions, computed together over the specialised types
    directly (no ``despecialize``, so no global cache grows).  ``memo`` is the
    caller's, by type identity: validation passes one per component, so a type
    DAG costs one visit per node however many paths lead to a node.
    """
    if t is None:
        return 0, 1
    if isinstance(t, wt.PrimType):
        t = t.prim
    if isinstance(t, str):
        if t == "string":
            p = ptr_size(ptr_type)
            return 2 * p, p
        fixed = _FIXED.get(t)
        if fixed is None:
            raise ValueError(f"not a value type: {t!r}")
        return fixed[1], fixed[0]
    hit = memo.get(id(t))
    if hit is not None:
        return hit[1], hit[2]
    size: int
    align: int
    match t:
        case wt.ListType(element=e, length=n):
            if n is None:
                size = align = ptr_size(ptr_type)
                size *= 2
            else:
                es, align = size_and_alignment(e, ptr_type, memo)
                size = n * es
        case wt.MapType():
            align = ptr_size(ptr_type)
            size = 2 * align
        case wt.RecordType() | wt.TupleType():
            members = [ft for _, ft in _fields(t)] if isinstance(t, wt.RecordType) else t.types
            if not members:
                raise ValueError("a record must have at least one field")
            size, align = 0, 1
            for member in members:
                ms, ma = size_and_alignment(member, ptr_type, memo)
                size = align_to(size, ma) + ms
                align = max(align, ma)
            size = align_to(size, align)
        case wt.VariantType() | wt.OptionType() | wt.ResultType() | wt.EnumType():
            cases = _variant_payloads(t)
            disc = _FIXED[discriminant_type(cases)][1]
            case_align, case_size = 1, 0
            for case in cases:
                cs, ca = size_and_alignment(case, ptr_type, memo)
                case_align = max(case_align, ca)
                case_size = max(case_size, cs)
            align = max(disc, case_align)
            size = align_to(align_to(disc, case_align) + case_size, align)
        case wt.FlagsType():
            n = len(_labels(t))
            align = 1 if n <= 8 else 2 if n <= 16 else 4
            size = align if n <= 32 else 4 * flag_words(t.names)
        case wt.OwnType() | wt.BorrowType() | wt.StreamType() | wt.FutureType():
            size = align = 4
        case other:
            raise ValueError(f"not a value type: {other!r}")
    memo[id(t)] = (t, size, align)
    return size, align


def _variant_payloads(
    t: wt.VariantType | wt.OptionType | wt.ResultType | wt.EnumType,
) -> list[wt.ValType | None]:
    """The payload of each case of a variant-like type, in case order (``despecialize``'s)."""
    match t:
        case wt.VariantType():
            return [ct for _, ct in _cases(t)]
        case wt.OptionType(value=v):
            return [None, v]
        case wt.ResultType(ok=ok, err=err):
            return [ok, err]
        case wt.EnumType(names=labels):
            if not labels:
                raise ValueError("a variant must have at least one case")
            return [None] * len(labels)


@functools.cache
def alignment(t: wt.ValType, ptr_type: PtrType = "i32") -> int:
    """The alignment in bytes of a value of ``t`` in linear memory."""
    return size_and_alignment(t, ptr_type, {})[1]


def max_case_alignment(cases: Sequence[tuple[str, wt.ValType | None]], ptr_type: PtrType) -> int:
    """The alignment of a variant's payload: that of its most aligned case."""
    return max((alignment(ct, ptr_type) for _, ct in cases if ct is not None), default=1)


@functools.cache
def elem_size(t: wt.ValType, ptr_type: PtrType = "i32") -> int:
    """The size in bytes of a value of ``t`` stored in memory (its stride in a list)."""
    return size_and_alignment(t, ptr_type, {})[0]


@functools.cache
def field_offsets(t: wt.RecordType, ptr_type: PtrType = "i32") -> tuple[int, ...]:
    """The byte offset of each field of a record, from the record's start."""
    offsets: list[int] = []
    s = 0
    for _, ft in _fields(t):
        s = align_to(s, alignment(ft, ptr_type))
        offsets.append(s)
        s += elem_size(ft, ptr_type)
    return tuple(offsets)


@functools.cache
def payload_offset(t: wt.VariantType, ptr_type: PtrType = "i32") -> int:
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
def flatten_type(t: wt.ValType, ptr_type: PtrType = "i32") -> tuple[CoreValType, ...]:
    """The core values that carry a value of ``t`` in registers (parameters/results)."""
    flat = _flatten(t, ptr_type, None, {})
    assert flat is not None  # no limit
    return flat


def flatten_upto(t: wt.ValType, ptr_type: PtrType, limit: int) -> tuple[CoreValType, ...] | None:
    """``flatten_type(t)``, or ``None`` as soon as it is known to be longer than ``limit``.

    What validation asks (does a signature spill past ``MAX_FLAT_PARAMS``?): the
    work is bounded by ``limit``, whatever the type (``list<u8, 1000000>``), and
    nothing is cached beyond the call.
    """
    return _flatten(t, ptr_type, limit, {})


_FlatMemo: TypeAlias = dict[int, tuple[object, tuple[CoreValType, ...]]]


def _flatten(
    t: wt.ValType | None, ptr_type: PtrType, limit: int | None, memo: _FlatMemo
) -> tuple[CoreValType, ...] | None:
    """The flattening of ``t``, or ``None`` if longer than ``limit``; each node once (``memo``)."""
    if t is None:
        return ()
    if isinstance(t, wt.PrimType):
        t = t.prim
    if isinstance(t, str):
        if t == "string":
            flat: tuple[CoreValType, ...] = (ptr_type, ptr_type)
        else:
            found = _FLAT_PRIM.get(t)
            if found is None:
                raise ValueError(f"not a value type: {t!r}")
            flat = found
        return flat if limit is None or len(flat) <= limit else None
    hit = memo.get(id(t))
    if hit is not None:
        return hit[1] if limit is None or len(hit[1]) <= limit else None
    match t:
        case wt.RecordType() | wt.TupleType():
            members = [ft for _, ft in _fields(t)] if isinstance(t, wt.RecordType) else t.types
            if not members:
                raise ValueError("a record must have at least one field")
            out: list[CoreValType] = []
            for member in members:
                part = _flatten(member, ptr_type, None if limit is None else limit - len(out), memo)
                if part is None:
                    return None
                out.extend(part)
            flat = tuple(out)
        case wt.ListType(element=e, length=n) if n is not None:
            one = _flatten(e, ptr_type, limit, memo)
            if one is None or (limit is not None and len(one) * n > limit):
                return None
            flat = one * n
        case wt.ListType() | wt.MapType():
            flat = (ptr_type, ptr_type)
        case wt.VariantType() | wt.OptionType() | wt.ResultType() | wt.EnumType():
            cases = _variant_payloads(t)
            discriminant_type(cases)  # the number of cases is in range
            merged: list[CoreValType] = []
            for case in cases:
                part = _flatten(case, ptr_type, None if limit is None else limit - 1, memo)
                if part is None:
                    return None
                for i, ct in enumerate(part):
                    if i < len(merged):
                        merged[i] = join(merged[i], ct)
                    else:
                        merged.append(ct)
            flat = ("i32", *merged)
        case wt.FlagsType():
            word: tuple[CoreValType, ...] = ("i32",)
            flat = word * flag_words(_labels(t))
        case wt.OwnType() | wt.BorrowType() | wt.StreamType() | wt.FutureType():
            flat = ("i32",)
        case other:
            raise ValueError(f"not a value type: {other!r}")
    memo[id(t)] = (t, flat)
    return flat if limit is None or len(flat) <= limit else None


def flatten_types(ts: Sequence[wt.ValType], ptr_type: PtrType = "i32") -> list[CoreValType]:
    """The flat values of several types, one after the other."""
    return [ct for t in ts for ct in flatten_type(t, ptr_type)]


def flatten_functype(
    ft: wt.FuncType,
    context: Literal["lift", "lower"],
    *,
    ptr_type: PtrType = "i32",
    sync: bool = True,
    callback: bool = False,
) -> wt.CoreFuncType:
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
        return wt.CoreFuncType(tuple(flat_params), tuple(flat_results))
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
    return wt.CoreFuncType(tuple(flat_params), tuple(flat_results))
