"""Generate specialised Python for lifting and lowering: one module of source per type.

The spec's ``lift_flat``/``lower_flat``/``load``/``store`` walk the type on every
call.  Here the walk happens once: ``Generator`` walks the type and *emits* the
straight-line Python that those functions would execute for it, with every
offset, mask, struct format and case table turned into a constant.  The methods
of ``Generator`` carry the spec's names (``lift_flat``, ``load_list_from_range``,
``store_variant``...) and emit, rather than perform, what the spec's functions do.

How the emitted code is fast:

* Several fields are read or written by one precompiled ``struct.Struct``
  (``unpack_from``/``pack_into``); a list of such records uses ``iter_unpack``.
  Variants (whose payload depends on the case) are read and written apart.
* ``list<u8>`` is one slice copy to or from ``bytes``; lists of other numbers go
  through ``memoryview.cast(...).tolist()`` and ``array`` (which range-checks
  in C); ``list<char>`` decodes as UTF-32.
* Strings are one ``str.encode``/``str(memoryview, codec)`` and one slice copy.
* A host value of the expected Python type costs one ``type(v) is`` test; the
  slow path (coercion, ``TypeError``, ``Trap``) is a call into ``_support``.

Rules of the generated code:

* ``mem`` is a local ``memoryview`` of linear memory; it is re-fetched with
  ``memory()`` after every ``realloc`` call, so writes never go to a stale view.
* Every check the spec makes with ``trap_if`` is emitted, in the spec's order,
  before the read it protects; lifting never trusts a guest length or pointer.
* Values coming from core wasm may be signed (wasmtime returns ``i32`` as
  signed); every read of a flat integer masks it first.
* The source depends only on the type's structure and the options (records,
  resources and other objects whose identity matters are referred to by name
  and supplied when the code is executed), so one structure always yields the
  same text (tested), and identical texts share one compiled code object.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from witkit.abi.layout import (
    MAX_LIST_BYTE_LENGTH,
    MAX_STRING_BYTE_LENGTH,
    REALLOC_I32_MAX,
    CoreValType,
    PtrType,
    alignment,
    despecialize,
    discriminant_type,
    elem_size,
    field_offsets,
    flag_words,
    flatten_type,
    payload_offset,
    ptr_size,
    utf16_tag,
)
from witkit.abi.values import Record, record_class
from witkit.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FutureType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    PrimType,
    RecordType,
    ResultType,
    StreamType,
    TupleType,
    ValType,
    VariantType,
    root,
)

__all__ = ["Flat", "Generator", "base_namespace", "flag_sets", "wit_text"]

#: an expression in the generated code, and the core type of the value it holds
Flat = tuple[str, CoreValType]

_INT_RANGE: dict[str, tuple[int, int, int]] = {
    # name: (lo, hi, bits)
    "s8": (-(2**7), 2**7 - 1, 8),
    "u8": (0, 2**8 - 1, 8),
    "s16": (-(2**15), 2**15 - 1, 16),
    "u16": (0, 2**16 - 1, 16),
    "s32": (-(2**31), 2**31 - 1, 32),
    "u32": (0, 2**32 - 1, 32),
    "s64": (-(2**63), 2**63 - 1, 64),
    "u64": (0, 2**64 - 1, 64),
}
#: struct codes ("<" standard sizes) of the fixed-size primitives
_CODE = {
    "bool": "B",
    "s8": "b",
    "u8": "B",
    "s16": "h",
    "u16": "H",
    "s32": "i",
    "u32": "I",
    "s64": "q",
    "u64": "Q",
    "f32": "f",
    "f64": "d",
    "char": "I",
    "error-context": "I",
}
_NUMERIC = ("s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64")
#: numbers whose lists are bulk-copied with memoryview.cast/array: needs the
#: native sizes to be the standard ones and the host to be little-endian, as wasm is
_BULK = sys.byteorder == "little" and all(
    struct.calcsize(_CODE[n]) == struct.calcsize("<" + _CODE[n]) for n in _NUMERIC
)
M32 = 0xFFFF_FFFF
M64 = 0xFFFF_FFFF_FFFF_FFFF
#: past this many nested loops (or indentation levels), list elements and
#: variant payloads move into helper functions: CPython allows 20 nested blocks
_MAX_BLOCKS = 8
_MAX_INDENT = 24
#: flat values of variants cannot move to helpers: refuse before CPython's 100 levels
_MAX_FLAT_INDENT = 90


def _peel(t: ValType) -> ValType:
    """A defined alias of a primitive is the primitive, for every purpose here."""
    while isinstance(t, PrimType):
        t = t.prim
    return t


def wit_text(t: ValType | None, depth: int = 0) -> str:
    """A short WIT-like spelling of a type, for messages (types carry no names)."""
    if t is None:
        return "_"
    t = _peel(t)
    if depth > 2:
        return "..."
    d = depth + 1
    match t:
        case str():
            return t
        case ListType(element=e, length=n):
            return f"list<{wit_text(e, d)}>" if n is None else f"list<{wit_text(e, d)}, {n}>"
        case MapType(key=k, value=v):
            return f"map<{wit_text(k, d)}, {wit_text(v, d)}>"
        case TupleType(types=ts):
            return f"tuple<{', '.join(wit_text(u, d) for u in ts)}>"
        case OptionType(value=v):
            return f"option<{wit_text(v, d)}>"
        case ResultType(ok=ok, err=err):
            if ok is None and err is None:
                return "result"
            return f"result<{wit_text(ok, d)}, {wit_text(err, d)}>"
        case RecordType(fields=fs):
            return f"record {{{', '.join(n for n, _ in fs)}}}"
        case VariantType(cases=cs):
            return f"variant {{{', '.join(n for n, _ in cs)}}}"
        case EnumType(names=ns):
            return f"enum {{{', '.join(ns)}}}"
        case FlagsType(names=ns):
            return f"flags {{{', '.join(ns)}}}"
        case OwnType(resource=r):
            return f"own<{root(r).name or 'resource'}>"
        case BorrowType(resource=r):
            return f"borrow<{root(r).name or 'resource'}>"
        case StreamType(element=e):
            return f"stream<{wit_text(e, d)}>"
        case FutureType(value=v):
            return f"future<{wit_text(v, d)}>"
    return repr(t)


def _cases(t: ValType) -> tuple[tuple[str, ValType | None], ...]:
    """The cases of a variant-like type (variant, enum, option, result), in order."""
    match t:
        case VariantType(cases=cs):
            return cs
        case EnumType(names=ns):
            return tuple((n, None) for n in ns)
        case OptionType(value=v):
            return (("none", None), ("some", v))
        case ResultType(ok=ok, err=err):
            return (("ok", ok), ("error", err))
    raise TypeError(f"not a variant type: {t!r}")


def _as_variant(t: ValType) -> VariantType:
    v = despecialize(t)
    assert isinstance(v, VariantType)
    return v


def _is_opaque(t: ValType) -> bool:
    """Variant-like types with payloads: read and written apart from a struct."""
    return isinstance(t, VariantType | OptionType | ResultType)


def _is_blob(t: ValType) -> bool:
    """A fixed-length list of numbers: one ``Ns`` bytes field of a struct."""
    return (
        _BULK and isinstance(t, ListType) and t.length is not None and _peel(t.element) in _NUMERIC
    )


@dataclass(slots=True)
class _Leaf:
    """One run of bytes of a value laid out in memory, read or written as a unit."""

    offset: int
    #: "scalar" (one code), "pair" (pointer + length), "words" (flags > 32),
    #: "blob" (fixed list of numbers), "opaque" (a variant, handled apart)
    kind: Literal["scalar", "pair", "words", "blob", "opaque"]
    t: ValType
    codes: str
    size: int


@dataclass(slots=True)
class _Fn:
    """One function being generated: its lines and its own namespace of locals."""

    header: str
    lines: list[str] = field(default_factory=list)
    indent: int = 1
    blocks: int = 0
    counter: int = 0

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    @contextmanager
    def block(self, header: str, loop: bool = False) -> Iterator[None]:
        self.emit(header)
        self.indent += 1
        self.blocks += loop
        try:
            yield
        finally:
            self.indent -= 1
            self.blocks -= loop

    def text(self) -> str:
        return "\n".join([self.header, *self.lines])


class Generator:
    """Emits the source of one module of lift/lower functions (see the module docstring).

    Use: make one, call ``function`` for each entry point (whose body is built by
    calling the emitting methods), then ``source()`` gives the text and
    ``namespace()`` the objects it refers to by name.
    """

    def __init__(self, string_encoding: str, addrtype: PtrType, title: str) -> None:
        self.encoding = string_encoding
        self.ptr: PtrType = addrtype
        self.psize = ptr_size(addrtype)
        self.pcode = "I" if addrtype == "i32" else "Q"
        self.pmask = M32 if addrtype == "i32" else M64
        self.title = title
        self._consts: dict[str, str] = {}  # source expression -> name
        self._const_lines: list[str] = []
        self._objects: dict[int, str] = {}  # id(object) -> name
        self._namespace: dict[str, object] = {}
        self._counters: dict[str, int] = {}
        self._fns: list[_Fn] = []
        self.fn = _Fn("")

    # ------------------------------------------------------------------ output

    def source(self) -> str:
        banner = [
            "# Generated by witkit.abi.codegen: do not edit.  It is regenerated from the type",
            f"# {self.title}",
            f"# string-encoding={self.encoding} addrtype={self.ptr}",
        ]
        body = [fn.text() for fn in self._fns]
        return "\n".join([*banner, "", *self._const_lines, "", *("\n" + b for b in body)]) + "\n"

    def namespace(self) -> dict[str, object]:
        """The objects the source names but cannot spell (record classes, resource types)."""
        return dict(self._namespace)

    @contextmanager
    def function(self, name: str, params: str) -> Iterator[_Fn]:
        """Emit ``def name(params):``; the body is whatever is emitted inside the ``with``."""
        outer = self.fn
        self.fn = _Fn(f"def {name}({params}):")
        self._fns.append(self.fn)
        try:
            yield self.fn
        finally:
            self.fn = outer

    def helper_name(self, stem: str) -> str:
        return self._name(stem)

    def _name(self, stem: str) -> str:
        n = self._counters.get(stem, 0)
        self._counters[stem] = n + 1
        return f"{stem}{n}"

    def const(self, stem: str, expr: str) -> str:
        """A module-level constant spelled in the source (deduplicated by its text)."""
        name = self._consts.get(expr)
        if name is None:
            name = self._consts[expr] = self._name(stem)
            self._const_lines.append(f"{name} = {expr}")
        return name

    def obj(self, stem: str, value: object) -> str:
        """A module-level name for an object supplied at execution (by identity)."""
        name = self._objects.get(id(value))
        if name is None:
            name = self._objects[id(value)] = self._name(stem)
            self._namespace[name] = value
        return name

    def struct(self, fmt: str) -> str:
        return self.const("_S", f"_Struct({fmt!r})")

    # ------------------------------------------------------------------ small emitters

    def emit(self, line: str) -> None:
        self.fn.emit(line)

    def local(self, expr: str, stem: str = "t") -> str:
        """``expr`` as a local name, assigning it first unless it already is one."""
        if expr.isidentifier():
            return expr
        name = self.fn.fresh(stem)
        self.emit(f"{name} = {expr}")
        return name

    def prologue_lift(self) -> None:
        self.emit("mem = cx.memory()")
        self.emit("memlen = len(mem)")

    def prologue_lower(self) -> None:
        self.emit("realloc = cx.realloc")
        self.emit("memory = cx.memory")
        self.emit("mem = memory()")

    def allocate(self, align: int, size: str) -> str:
        """Emit a checked ``realloc(0, 0, align, size)`` and the memory refresh after it."""
        p = self.fn.fresh("p")
        self.emit(f"{p} = realloc(0, 0, {align}, {size}) & {self.pmask:#x}")
        self.emit("mem = memory()")
        if align > 1:
            self.emit(f"if {p} & {align - 1}: _trap_realloc_misaligned({p}, {align})")
        self.emit(f"if {p} + {size} > len(mem): _trap_realloc_oob({p}, {size}, len(mem))")
        return p

    def check_range(self, what: str, p: str, size: str, align: int, memlen: str) -> None:
        """The spec's alignment and bounds checks of a guest pointer (lifting)."""
        if align > 1:
            self.emit(f"if {p} & {align - 1}: _trap_misaligned({what!r}, {p}, {align})")
        self.emit(f"if {p} + {size} > {memlen}: _trap_oob({what!r}, {p}, {size}, {memlen})")

    # ================================================================== lifting

    def lift_flat(self, t: ValType, flat: _FlatIn) -> str:
        """Emit the spec's ``lift_flat`` of ``t`` from the flat values; returns the value."""
        t = _peel(t)
        match t:
            case str():
                return self.lift_flat_prim(t, flat)
            case ListType(element=e, length=n) if n is not None:
                items = [self.lift_flat(e, flat) for _ in range(n)]
                if _peel(e) == "u8":
                    return self.local(f"bytes(({', '.join(items)},))", "b")
                return f"[{', '.join(items)}]"
            case ListType(element=e):
                p, length = flat.pointer(self), flat.pointer(self)
                return self.load_list_from_range(e, p, length, "memlen")
            case MapType():
                p, length = flat.pointer(self), flat.pointer(self)
                pairs = self.load_list_from_range(_map_entry(t), p, length, "memlen")
                return self.local(f"dict({pairs})", "d")
            case RecordType(fields=fs):
                cls = self.record_class(t)
                args = [self.lift_flat(ft, flat) for _, ft in fs]
                return f"{cls}({', '.join(args)})"
            case TupleType(types=ts):
                args = [self.lift_flat(u, flat) for u in ts]
                return f"({', '.join(args)},)"
            case FlagsType(names=labels):
                words = [flat.next(self, "i32") for _ in range(flag_words(labels))]
                bits = " | ".join(
                    f"(({w} & {M32:#x}) << {32 * i})" if i else f"({w} & {M32:#x})"
                    for i, w in enumerate(words)
                )
                return self.unpack_flags(labels, bits)
            case EnumType() | VariantType() | OptionType() | ResultType():
                return self.lift_flat_variant(t, flat)
            case OwnType(resource=r):
                i = flat.next(self, "i32")
                return self.local(f"cx.lift_own({self.obj('_RT', root(r))}, {i} & {M32:#x})", "h")
            case BorrowType(resource=r):
                i = flat.next(self, "i32")
                rt = self.obj("_RT", root(r))
                return self.local(f"cx.lift_borrow({rt}, {i} & {M32:#x})", "h")
            case StreamType(element=e):
                i = flat.next(self, "i32")
                return self.local(f"cx.lift_stream({self.obj('_T', e)}, {i} & {M32:#x})", "h")
            case FutureType(value=e):
                i = flat.next(self, "i32")
                return self.local(f"cx.lift_future({self.obj('_T', e)}, {i} & {M32:#x})", "h")
        raise TypeError(f"not a value type: {t!r}")

    def lift_flat_prim(self, t: str, flat: _FlatIn) -> str:
        if t == "string":
            p, n = flat.pointer(self), flat.pointer(self)
            return self.load_string_from_range(p, n, "memlen")
        if t == "bool":
            return f"({flat.next(self, 'i32')} & {M32:#x} != 0)"
        if t in _INT_RANGE:
            lo, _, bits = _INT_RANGE[t]
            x = flat.next(self, "i64" if bits == 64 else "i32")
            mask = (1 << bits) - 1
            if lo == 0:
                return f"({x} & {mask:#x})"
            half = 1 << (bits - 1)
            return self.local(f"(({x} & {mask:#x}) ^ {half:#x}) - {half:#x}", "i")
        if t in ("f32", "f64"):
            f = self.local(flat.next(self, "f32" if t == "f32" else "f64"), "f")
            self.emit(f"if {f} != {f}: {f} = _NAN")
            return f
        if t == "char":
            return self.char_from_int(f"{flat.next(self, 'i32')} & {M32:#x}")
        if t == "error-context":
            i = flat.next(self, "i32")
            return self.local(f"cx.lift_error_context({i} & {M32:#x})", "e")
        raise TypeError(f"not a value type: {t!r}")

    def char_from_int(self, expr: str) -> str:
        """The spec's ``convert_i32_to_char``: trap on surrogates and past 0x10FFFF."""
        c = self.local(expr, "c")
        self.emit(f"if {c} >= 0x110000 or 0xD800 <= {c} <= 0xDFFF: _trap_char({c})")
        return self.local(f"chr({c})", "c")

    def unpack_flags(self, labels: tuple[str, ...], bits: str) -> str:
        """A frozenset of the set flags; for up to 8 labels, one lookup in a table of sets."""
        if len(labels) <= 8:
            table = self.const("_FS", f"_flag_sets({labels!r})")
            return f"{table}[{bits} & {(1 << len(labels)) - 1:#x}]"
        return self.local(f"_unpack_flags({bits}, {self.const('_FL', repr(labels))})", "g")

    def wrap_case(self, t: ValType, index: int, value: str | None) -> str:
        """The Python value of case ``index`` of a variant-like type, given its payload."""
        match t:
            case OptionType(value=v):
                if index == 0:
                    return "None"
                assert value is not None
                return f"_Some({value})" if isinstance(_peel(v), OptionType) else value
            case ResultType():
                return f"{'_Ok' if index == 0 else '_Err'}({value or 'None'})"
            case VariantType(cases=cs):
                return f"_Variant({cs[index][0]!r}, {value or 'None'})"
        raise TypeError(f"not a variant type: {t!r}")

    def check_discriminant(self, t: ValType, d: str) -> None:
        n = len(_cases(t))
        self.emit(f"if {d} >= {n}: _trap_discriminant({d}, {n}, {wit_text(t)!r})")

    def lift_flat_variant(self, t: ValType, flat: _FlatIn) -> str:
        """The spec's ``lift_flat_variant``: one branch per case, payloads from joined slots."""
        self.check_flat_depth()
        cases = _cases(t)
        d = self.local(f"{flat.next(self, 'i32')} & {M32:#x}", "d")
        self.check_discriminant(t, d)
        joined = flatten_type(despecialize(t), self.ptr)[1:]
        slots = flat.take(len(joined))
        if isinstance(t, EnumType):
            return f"{self.const('_EN', repr(tuple(n for n, _ in cases)))}[{d}]"
        v = self.fn.fresh("v")
        for i, (_, ct) in enumerate(cases):
            with self.fn.block(_case_header(d, i, len(cases))):
                payload = None if ct is None else self.lift_flat(ct, _FlatIn(list(slots)))
                self.emit(f"{v} = {self.wrap_case(t, i, payload)}")
        return v

    # ------------------------------------------------------------------ loading

    def load(self, t: ValType, p: str) -> str:
        """Emit the spec's ``load`` of ``t`` at ``p`` (already checked); returns the value."""
        t = _peel(t)
        if _is_opaque(t):
            return self.load_variant(t, p)
        leaves = self.leaves(t, 0)
        if len(leaves) == 1 and leaves[0].codes == "B":
            raws = iter([f"mem[{p}]"])
        else:
            raws = iter(self.unpack_segments(leaves, p))
        return self.build_load(t, 0, p, raws)

    def unpack_segments(self, leaves: list[_Leaf], p: str) -> list[str]:
        """``unpack_from`` every run of struct-able leaves; returns the raw value names."""
        names: list[str] = []
        for seg in _segments(leaves):
            fmt = _struct_format(seg)
            raws = [self.fn.fresh("r") for _ in range(_count_codes(fmt))]
            at = p if seg[0].offset == 0 else f"{p} + {seg[0].offset}"
            target = ", ".join(raws) + ("," if len(raws) == 1 else "")
            self.emit(f"{target} = {self.struct(fmt)}.unpack_from(mem, {at})")
            names.extend(raws)
        return names

    def leaves(self, t: ValType, offset: int) -> list[_Leaf]:
        """The runs of bytes of ``t`` at ``offset``, in memory order (see ``_Leaf``)."""
        t = _peel(t)
        size = elem_size(t, self.ptr)
        match t:
            case "string":
                return [_Leaf(offset, "pair", t, self.pcode * 2, size)]
            case str():
                return [_Leaf(offset, "scalar", t, _CODE[t], size)]
            case ListType(length=None) | MapType():
                return [_Leaf(offset, "pair", t, self.pcode * 2, size)]
            case ListType(element=e, length=n) if n is not None:
                if _is_blob(t):
                    return [_Leaf(offset, "blob", t, f"{size}s", size)]
                es = elem_size(e, self.ptr)
                return [leaf for i in range(n) for leaf in self.leaves(e, offset + i * es)]
            case RecordType() | TupleType():
                r = despecialize(t)
                assert isinstance(r, RecordType)
                offsets = field_offsets(r, self.ptr)
                return [
                    leaf
                    for (_, ft), off in zip(r.fields, offsets, strict=True)
                    for leaf in self.leaves(ft, offset + off)
                ]
            case FlagsType(names=labels):
                if len(labels) > 32:
                    return [_Leaf(offset, "words", t, "I" * flag_words(labels), size)]
                return [_Leaf(offset, "scalar", t, {1: "B", 2: "H", 4: "I"}[size], size)]
            case EnumType():
                return [_Leaf(offset, "scalar", t, {1: "B", 2: "H", 4: "I"}[size], size)]
            case OwnType() | BorrowType() | StreamType() | FutureType():
                return [_Leaf(offset, "scalar", t, "I", 4)]
            case _:
                return [_Leaf(offset, "opaque", t, "", size)]

    def build_load(self, t: ValType, offset: int, base: str, raws: Iterator[str]) -> str:
        """The value of ``t`` from its raw struct fields (in leaf order); variants read apart."""
        t = _peel(t)
        match t:
            case "string":
                return self.load_string_from_range(next(raws), next(raws), "memlen")
            case "bool":
                return f"({next(raws)} != 0)"
            case "f32" | "f64":
                f = self.local(next(raws), "f")
                self.emit(f"if {f} != {f}: {f} = _NAN")
                return f
            case "char":
                return self.char_from_int(next(raws))
            case "error-context":
                return self.local(f"cx.lift_error_context({next(raws)})", "e")
            case str():
                return next(raws)
            case ListType(element=e, length=None):
                return self.load_list_from_range(e, next(raws), next(raws), "memlen")
            case MapType():
                pairs = self.load_list_from_range(_map_entry(t), next(raws), next(raws), "memlen")
                return self.local(f"dict({pairs})", "d")
            case ListType(element=e, length=n) if n is not None:
                if _is_blob(t):
                    return self.numbers_from_bytes(_peel(e), next(raws))
                es = elem_size(e, self.ptr)
                items = [self.build_load(e, offset + i * es, base, raws) for i in range(n)]
                return f"[{', '.join(items)}]"
            case RecordType(fields=fs):
                offsets = field_offsets(t, self.ptr)
                args = [
                    self.build_load(ft, offset + off, base, raws)
                    for (_, ft), off in zip(fs, offsets, strict=True)
                ]
                return f"{self.record_class(t)}({', '.join(args)})"
            case TupleType(types=ts):
                r = despecialize(t)
                assert isinstance(r, RecordType)
                offsets = field_offsets(r, self.ptr)
                args = [
                    self.build_load(u, offset + off, base, raws)
                    for u, off in zip(ts, offsets, strict=True)
                ]
                return f"({', '.join(args)},)"
            case FlagsType(names=labels):
                if len(labels) > 32:
                    words = [next(raws) for _ in range(flag_words(labels))]
                    bits = " | ".join(f"({w} << {32 * i})" for i, w in enumerate(words))
                    return self.unpack_flags(labels, f"({bits})")
                return self.unpack_flags(labels, next(raws))
            case EnumType(names=names):
                d = next(raws)
                self.check_discriminant(t, d)
                return f"{self.const('_EN', repr(names))}[{d}]"
            case OwnType(resource=r):
                return self.local(f"cx.lift_own({self.obj('_RT', root(r))}, {next(raws)})", "h")
            case BorrowType(resource=r):
                rt = self.obj("_RT", root(r))
                return self.local(f"cx.lift_borrow({rt}, {next(raws)})", "h")
            case StreamType(element=e):
                return self.local(f"cx.lift_stream({self.obj('_T', e)}, {next(raws)})", "h")
            case FutureType(value=e):
                return self.local(f"cx.lift_future({self.obj('_T', e)}, {next(raws)})", "h")
            case _:
                at = base if offset == 0 else f"{base} + {offset}"
                return self.load_variant(t, at)

    def numbers_from_bytes(self, prim: ValType, raw: str) -> str:
        """A fixed-length list of numbers from its bytes (a ``blob`` leaf)."""
        if prim == "u8":
            return raw
        values = self.local(f"memoryview({raw}).cast({_CODE[str(prim)]!r}).tolist()", "l")
        if prim in ("f32", "f64"):
            s = self.local(f"sum({values})", "s")
            self.emit(f"if {s} != {s}: {values} = _canon_floats({values})")
        return values

    def load_variant(self, t: ValType, p: str) -> str:
        """The spec's ``load_variant``: discriminant, bounds check, the case's payload."""
        cases = _cases(t)
        p = self.local(p, "q")
        disc_size = elem_size(discriminant_type(cases))
        if disc_size == 1:
            d = self.local(f"mem[{p}]", "d")
        else:
            code = {2: "<H", 4: "<I"}[disc_size]
            d = self.local(f"{self.struct(code)}.unpack_from(mem, {p})[0]", "d")
        self.check_discriminant(t, d)
        poff = payload_offset(_as_variant(t), self.ptr)
        v = self.fn.fresh("v")
        for i, (_, ct) in enumerate(cases):
            with self.fn.block(_case_header(d, i, len(cases))):
                payload = None
                if ct is not None:
                    at = f"{p} + {poff}"
                    payload = self.nested("load", ct, at) if self.deep() else self.load(ct, at)
                self.emit(f"{v} = {self.wrap_case(t, i, payload)}")
        return v

    def load_string_from_range(self, p: str, n: str, memlen: str) -> str:
        """The spec's ``load_string_from_range``: length limit, alignment, bounds, decoding."""
        s = self.fn.fresh("s")
        if self.encoding == "utf8":
            self.emit(f"if {n} > {MAX_STRING_BYTE_LENGTH}: _trap_string_too_long({n})")
            self.emit(f"if {p} + {n} > {memlen}: _trap_oob('string', {p}, {n}, {memlen})")
            self.emit(f"{s} = str(mem[{p}:{p} + {n}], 'utf-8')")
            return s
        if self.encoding == "utf16":
            bl = self.local(f"{n} << 1", "n")
            codec = "'utf-16-le'"
        else:
            tag = utf16_tag(self.ptr)
            bl, codec = self.fn.fresh("n"), self.fn.fresh("k")
            with self.fn.block(f"if {n} & {tag:#x}:"):
                self.emit(f"{bl} = ({n} ^ {tag:#x}) << 1")
                self.emit(f"{codec} = 'utf-16-le'")
            with self.fn.block("else:"):
                self.emit(f"{bl} = {n}")
                self.emit(f"{codec} = 'latin-1'")
        self.emit(f"if {bl} > {MAX_STRING_BYTE_LENGTH}: _trap_string_too_long({bl})")
        self.check_range("string", p, bl, 2, memlen)
        self.emit(f"{s} = str(mem[{p}:{p} + {bl}], {codec})")
        return s

    def load_list_from_range(self, e: ValType, p: str, n: str, memlen: str) -> str:
        """The spec's ``load_list_from_range``, with a bulk read for each kind of element."""
        e = _peel(e)
        es, al = elem_size(e, self.ptr), alignment(e, self.ptr)
        bl = n if es == 1 else self.local(f"{n} * {es}", "n")
        self.emit(f"if {bl} > {MAX_LIST_BYTE_LENGTH}: _trap_list_too_long({bl})")
        self.check_range("list", p, bl, al, memlen)
        block = f"mem[{p}:{p} + {bl}]"
        if e == "u8":
            return self.local(f"bytes({block})", "l")
        if e == "bool":
            return self.local(f"list(map(bool, {block}))", "l")
        if e == "char":
            return self.local(f"list(str({block}, 'utf-32-le'))", "l")
        if e in _NUMERIC and _BULK:
            return self.numbers_from_bytes(e, f"{block}")
        out, append = self.fn.fresh("l"), self.fn.fresh("append")
        self.emit(f"{out} = []")
        self.emit(f"{append} = {out}.append")
        leaves = self.leaves(e, 0)
        if any(leaf.kind == "opaque" for leaf in leaves) or self.deep():
            q = self.fn.fresh("q")
            self.emit(f"{q} = {p}")
            with self.fn.block(f"for _ in range({n}):", loop=True):
                v = self.nested("load", e, q) if self.deep() else self.load(e, q)
                self.emit(f"{append}({v})")
                self.emit(f"{q} += {es}")
            return out
        fmt = _struct_format(leaves, es)
        if _plain_ints(e):
            # Tuples and records of plain integers need no per-item Python code.
            rows = f"{self.struct(fmt)}.iter_unpack({block})"
            if isinstance(e, TupleType):
                self.emit(f"{out} = list({rows})")
            else:
                assert isinstance(e, RecordType)
                self.emit(f"{out} = list(_starmap({self.record_class(e)}, {rows}))")
            return out
        raws = [self.fn.fresh("r") for _ in range(_count_codes(fmt))]
        with self.fn.block(
            f"for {', '.join(raws)}{',' if len(raws) == 1 else ''} in "
            f"{self.struct(fmt)}.iter_unpack({block}):",
            loop=True,
        ):
            v = self.build_load(e, 0, "", iter(raws))
            self.emit(f"{append}({v})")
        return out

    # ================================================================== lowering

    def lower_flat(self, t: ValType, v: str, where: str) -> list[Flat]:
        """Emit the spec's ``lower_flat`` of the host value in local ``v``, with type checks."""
        t = _peel(t)
        match t:
            case str():
                return self.lower_flat_prim(t, v, where)
            case ListType(element=e, length=n) if n is not None:
                seq = self.fixed_list(t, v, where)
                out: list[Flat] = []
                for i in range(n):
                    out += self.lower_flat(e, self.local(f"{seq}[{i}]", "e"), f"{where}[{i}]")
                return out
            case ListType(element=e):
                p, length = self.store_list_into_range(e, v, where, wit_text(t))
                return [(p, self.ptr), (length, self.ptr)]
            case MapType():
                pairs = self.local(f"_map_items({v}, {where!r}, {wit_text(t)!r})", "m")
                p, length = self.store_list_into_range(_map_entry(t), pairs, where, wit_text(t))
                return [(p, self.ptr), (length, self.ptr)]
            case RecordType(fields=fs):
                out = []
                for (name, ft), fv in zip(fs, self.record_fields(t, v, where), strict=True):
                    out += self.lower_flat(ft, fv, f"{where}.{name}")
                return out
            case TupleType(types=ts):
                seq = self.local(f"_check_seq({v}, {len(ts)}, {where!r}, {wit_text(t)!r})", "u")
                out = []
                for i, u in enumerate(ts):
                    out += self.lower_flat(u, self.local(f"{seq}[{i}]", "e"), f"{where}[{i}]")
                return out
            case FlagsType(names=labels):
                bits = self.pack_flags(t, v, where)
                if len(labels) <= 32:
                    return [(bits, "i32")]
                return [
                    (f"({bits} >> {32 * i}) & {M32:#x}", "i32") for i in range(flag_words(labels))
                ]
            case EnumType() | VariantType() | OptionType() | ResultType():
                return self.lower_flat_variant(t, v, where)
            case OwnType(resource=r):
                rt = self.obj("_RT", root(r))
                return [(self.local(f"cx.lower_own({rt}, {v})", "h"), "i32")]
            case BorrowType(resource=r):
                rt = self.obj("_RT", root(r))
                return [(self.local(f"cx.lower_borrow({rt}, {v})", "h"), "i32")]
            case StreamType(element=e):
                return [(self.local(f"cx.lower_stream({self.obj('_T', e)}, {v})", "h"), "i32")]
            case FutureType(value=e):
                return [(self.local(f"cx.lower_future({self.obj('_T', e)}, {v})", "h"), "i32")]
        raise TypeError(f"not a value type: {t!r}")

    def lower_flat_prim(self, t: str, v: str, where: str) -> list[Flat]:
        if t == "string":
            p, n = self.store_string_into_range(v, where)
            return [(p, self.ptr), (n, self.ptr)]
        if t == "error-context":
            return [(self.local(f"cx.lower_error_context({v})", "e"), "i32")]
        raw = self.check_scalar(t, v, where)
        if t in ("f32", "f64"):
            return [(raw, "f32" if t == "f32" else "f64")]
        if t in ("s8", "s16", "s32"):
            return [(f"{raw} & {M32:#x}", "i32")]
        if t == "s64":
            return [(f"{raw} & {M64:#x}", "i64")]
        return [(raw, "i64" if t == "u64" else "i32")]

    def check_scalar(self, t: str, v: str, where: str) -> str:
        """Type-check a primitive host value; returns what goes into memory or a register.

        The expected Python type in range costs one test; anything else goes to
        the ``_support`` slow path, which coerces or raises ``TypeError``.
        """
        if t == "bool":
            b = self.fn.fresh("b")
            self.emit(
                f"{b} = 1 if {v} is True else 0 if {v} is False else _check_bool({v}, {where!r})"
            )
            return b
        if t in _INT_RANGE:
            lo, hi, _ = _INT_RANGE[t]
            self.emit(
                f"if type({v}) is not int or not {lo} <= {v} <= {hi}: "
                f"{v} = _check_int({v}, {lo}, {hi}, {t!r}, {where!r})"
            )
            return v
        if t == "f32":
            self.emit(f"if type({v}) is not float: {v} = _check_float({v}, 'f32', {where!r})")
            self.emit(f"if not -_F32_MAX <= {v} <= _F32_MAX: {v} = _round_f32({v})")
            return v
        if t == "f64":
            self.emit(f"if type({v}) is not float: {v} = _check_float({v}, 'f64', {where!r})")
            self.emit(f"if {v} != {v}: {v} = _NAN")
            return v
        if t == "char":
            self.emit(
                f"if type({v}) is not str or len({v}) != 1 or '\\ud800' <= {v} <= '\\udfff': "
                f"{v} = _check_char({v}, {where!r})"
            )
            return self.local(f"ord({v})", "c")
        raise TypeError(f"not a scalar type: {t!r}")

    def record_fields(self, t: RecordType, v: str, where: str) -> list[str]:
        """Locals holding the fields of a record value: attribute reads for our own class."""
        names = [self.fn.fresh("f") for _ in t.fields]
        cls = self._record(t)
        attrs = ", ".join(f"{v}.{attr}" for attr in cls._fields)
        wit_names = tuple(n for n, _ in t.fields)
        target = ", ".join(names) + ("," if len(names) == 1 else "")
        with self.fn.block(f"if type({v}) is {self.obj('_R', cls)}:"):
            self.emit(f"{target} = {attrs}" + ("," if len(names) == 1 else ""))
        with self.fn.block("else:"):
            self.emit(
                f"{target} = _record_fields({v}, {self.const('_FN', repr(wit_names))}, "
                f"{where!r}, {wit_text(t)!r})"
            )
        return names

    def fixed_list(self, t: ListType, v: str, where: str) -> str:
        assert t.length is not None
        wit = wit_text(t)
        if _peel(t.element) == "u8":
            return self.local(f"_check_fixed_bytes({v}, {t.length}, {where!r}, {wit!r})", "u")
        return self.local(f"_check_seq({v}, {t.length}, {where!r}, {wit!r})", "u")

    def pack_flags(self, t: FlagsType, v: str, where: str) -> str:
        bits = {label: 1 << i for i, label in enumerate(t.names)}
        bits.update({label.replace("-", "_"): 1 << i for i, label in enumerate(t.names)})
        table = self.const("_FB", repr(bits))
        return self.local(f"_pack_flags({v}, {table}, {where!r}, {wit_text(t)!r})", "g")

    def variant_case(self, t: ValType, v: str, where: str) -> tuple[str, str]:
        """Emit the choice of case for a variant-like host value: (index, payload) locals."""
        d, pv = self.fn.fresh("d"), self.fn.fresh("w")
        wit = wit_text(t)
        match t:
            case OptionType(value=inner):
                nested = isinstance(_peel(inner), OptionType)
                with self.fn.block(f"if {v} is None:"):
                    self.emit(f"{d} = 0")
                    self.emit(f"{pv} = None")
                with self.fn.block(f"elif type({v}) is _Some:"):
                    self.emit(f"{d} = 1")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block("else:"):
                    self.emit(f"{d} = 1")
                    if nested:
                        self.emit(f"{pv} = _nested_some({v}, {where!r}, {wit!r})")
                    else:
                        self.emit(f"{pv} = {v}")
            case ResultType():
                with self.fn.block(f"if type({v}) is _Ok:"):
                    self.emit(f"{d} = 0")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block(f"elif type({v}) is _Err:"):
                    self.emit(f"{d} = 1")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block("else:"):
                    self.emit(f"{d}, {pv} = _result_case({v}, {where!r}, {wit!r})")
            case EnumType(names=names):
                index = {n: i for i, n in enumerate(names)}
                index.update({n.replace("-", "_"): i for i, n in enumerate(names)})
                table = self.const("_EI", repr(index))
                self.emit(f"{d} = {table}.get({v}) if type({v}) is str else None")
                self.emit(f"if {d} is None: {d} = _enum_case({v}, {table}, {where!r}, {wit!r})")
                self.emit(f"{pv} = None")
            case VariantType(cases=cases):
                index = {n: i for i, (n, _) in enumerate(cases)}
                index.update({n.replace("-", "_"): i for i, (n, _) in enumerate(cases)})
                table = self.const("_VI", repr(index))
                payloads = self.const("_VP", repr(tuple(ct is not None for _, ct in cases)))
                with self.fn.block(f"if type({v}) is _Variant:"):
                    self.emit(f"{d} = {table}.get({v}.tag)")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block("else:"):
                    self.emit(f"{d} = None")
                with self.fn.block(f"if {d} is None:"):
                    self.emit(
                        f"{d}, {pv} = _variant_case({v}, {table}, {payloads}, {where!r}, {wit!r})"
                    )
        return d, pv

    def case_where(self, t: ValType, name: str, where: str) -> str:
        if isinstance(t, OptionType):
            return f"{where}(some)"
        return f"{where}({name})"

    def lower_flat_variant(self, t: ValType, v: str, where: str) -> list[Flat]:
        """The spec's ``lower_flat_variant``: the case index, then the payload in joined slots."""
        self.check_flat_depth()
        cases = _cases(t)
        d, pv = self.variant_case(t, v, where)
        joined = flatten_type(despecialize(t), self.ptr)[1:]
        outs = [self.fn.fresh("o") for _ in joined]
        if not outs:
            return [(d, "i32")]
        with_payload = [(i, n, ct) for i, (n, ct) in enumerate(cases) if ct is not None]
        for k, (i, name, ct) in enumerate(with_payload):
            assert ct is not None
            if len(with_payload) == len(cases):
                header = _case_header(d, k, len(cases))
            else:
                header = f"{'if' if k == 0 else 'elif'} {d} == {i}:"
            with self.fn.block(header):
                payload = self.lower_flat(ct, self.local(pv, "w"), self.case_where(t, name, where))
                for j, (o, want) in enumerate(zip(outs, joined, strict=True)):
                    if j < len(payload):
                        self.emit(f"{o} = {_coerce_out(*payload[j], want)}")
                    else:
                        self.emit(f"{o} = {_zero(want)}")
        if len(with_payload) < len(cases):
            with self.fn.block("else:"):
                for o, want in zip(outs, joined, strict=True):
                    self.emit(f"{o} = {_zero(want)}")
        return [(d, "i32"), *zip(outs, joined, strict=True)]

    # ------------------------------------------------------------------ storing

    def store(self, t: ValType, v: str, p: str, where: str) -> None:
        """Emit the spec's ``store`` of the host value in ``v`` at ``p`` (already checked)."""
        t = _peel(t)
        if _is_opaque(t):
            self.store_variant(t, v, p, where)
            return
        leaves = self.leaves(t, 0)
        raws: list[list[str]] = []
        self.build_store(t, v, 0, p, where, raws)
        self.pack_segments(leaves, raws, p)

    def pack_segments(self, leaves: list[_Leaf], raws: list[list[str]], p: str) -> None:
        """``pack_into`` every run of struct-able leaves; ``raws`` holds each leaf's values."""
        it = iter(raws)
        for seg in _segments(leaves):
            fmt = _struct_format(seg)
            values = [r for _ in seg for r in next(it)]
            at = p if seg[0].offset == 0 else f"{p} + {seg[0].offset}"
            self.emit(f"{self.struct(fmt)}.pack_into(mem, {at}, {', '.join(values)})")

    def build_store(
        self, t: ValType, v: str, offset: int, base: str, where: str, raws: list[list[str]]
    ) -> None:
        """Check and convert ``v``: one entry of raws per struct-able leaf; variants stored now."""
        t = _peel(t)
        match t:
            case "string":
                raws.append(list(self.store_string_into_range(v, where)))
            case "error-context":
                raws.append([self.local(f"cx.lower_error_context({v})", "e")])
            case str():
                raws.append([self.check_scalar(t, v, where)])
            case ListType(element=e, length=None):
                raws.append(list(self.store_list_into_range(e, v, where, wit_text(t))))
            case MapType():
                pairs = self.local(f"_map_items({v}, {where!r}, {wit_text(t)!r})", "m")
                raws.append(
                    list(self.store_list_into_range(_map_entry(t), pairs, where, wit_text(t)))
                )
            case ListType(element=e, length=n) if n is not None:
                if _is_blob(t):
                    raws.append([self.numbers_to_bytes(t, v, where)])
                    return
                seq = self.fixed_list(t, v, where)
                es = elem_size(e, self.ptr)
                for i in range(n):
                    item = self.local(f"{seq}[{i}]", "e")
                    self.build_store(e, item, offset + i * es, base, f"{where}[{i}]", raws)
            case RecordType(fields=fs):
                offsets = field_offsets(t, self.ptr)
                values = self.record_fields(t, v, where)
                for (name, ft), fv, off in zip(fs, values, offsets, strict=True):
                    self.build_store(ft, fv, offset + off, base, f"{where}.{name}", raws)
            case TupleType(types=ts):
                r = despecialize(t)
                assert isinstance(r, RecordType)
                offsets = field_offsets(r, self.ptr)
                seq = self.local(f"_check_seq({v}, {len(ts)}, {where!r}, {wit_text(t)!r})", "u")
                for i, (u, off) in enumerate(zip(ts, offsets, strict=True)):
                    item = self.local(f"{seq}[{i}]", "e")
                    self.build_store(u, item, offset + off, base, f"{where}[{i}]", raws)
            case FlagsType(names=labels):
                bits = self.pack_flags(t, v, where)
                if len(labels) <= 32:
                    raws.append([bits])
                else:
                    raws.append(
                        [f"({bits} >> {32 * i}) & {M32:#x}" for i in range(flag_words(labels))]
                    )
            case EnumType():
                d, _ = self.variant_case(t, v, where)
                raws.append([d])
            case OwnType(resource=r):
                raws.append([self.local(f"cx.lower_own({self.obj('_RT', root(r))}, {v})", "h")])
            case BorrowType(resource=r):
                raws.append([self.local(f"cx.lower_borrow({self.obj('_RT', root(r))}, {v})", "h")])
            case StreamType(element=e):
                raws.append([self.local(f"cx.lower_stream({self.obj('_T', e)}, {v})", "h")])
            case FutureType(value=e):
                raws.append([self.local(f"cx.lower_future({self.obj('_T', e)}, {v})", "h")])
            case _:
                at = base if offset == 0 else f"{base} + {offset}"
                self.store_variant(t, v, at, where)

    def numbers_to_bytes(self, t: ListType, v: str, where: str) -> str:
        """The bytes of a fixed-length list of numbers (a ``blob`` leaf), range-checked in bulk."""
        e = str(_peel(t.element))
        if e == "u8":
            return self.local(
                f"_check_fixed_bytes({v}, {t.length}, {where!r}, {wit_text(t)!r})", "b"
            )
        a = f"_pack_array({_CODE[e]!r}, {v}, {t.length}, {where!r}, {e!r})"
        return self.local(f"{a}.tobytes()", "b")

    def store_variant(self, t: ValType, v: str, p: str, where: str) -> None:
        """The spec's ``store_variant``: the discriminant, then the case's payload."""
        cases = _cases(t)
        p = self.local(p, "q")
        d, pv = self.variant_case(t, v, where)
        disc_size = elem_size(discriminant_type(cases))
        if disc_size == 1:
            self.emit(f"mem[{p}] = {d}")
        else:
            code = {2: "<H", 4: "<I"}[disc_size]
            self.emit(f"{self.struct(code)}.pack_into(mem, {p}, {d})")
        poff = payload_offset(_as_variant(t), self.ptr)
        with_payload = [(i, n, ct) for i, (n, ct) in enumerate(cases) if ct is not None]
        for k, (i, name, ct) in enumerate(with_payload):
            assert ct is not None
            with self.fn.block(f"{'if' if k == 0 else 'elif'} {d} == {i}:"):
                w = self.case_where(t, name, where)
                item = self.local(pv, "w")
                if self.deep():
                    self.nested("store", ct, f"{p} + {poff}", item, w)
                else:
                    self.store(ct, item, f"{p} + {poff}", w)

    def store_string_into_range(self, v: str, where: str) -> tuple[str, str]:
        """The spec's ``store_string_into_range`` for a host ``str``: (pointer, length) locals.

        UTF-8 is inlined (one exact allocation); the other encodings follow the
        spec's realloc protocol in ``witkit.abi.strings``.
        """
        self.emit(f"if type({v}) is not str: {v} = _check_str({v}, {where!r})")
        if self.encoding != "utf8":
            p, n = self.fn.fresh("p"), self.fn.fresh("n")
            self.emit(f"{p}, {n} = _store_host_string(cx, {v}, {where!r})")
            self.emit("mem = memory()")
            return p, n
        b = self.fn.fresh("b")
        self.emit(f"{b} = {v}.encode() if {v}.isascii() else _encode_utf8({v}, {where!r})")
        n = self.local(f"len({b})", "n")
        p = self.allocate(1, n)
        self.emit(f"mem[{p}:{p} + {n}] = {b}")
        return p, n

    def store_list_into_range(self, e: ValType, v: str, where: str, wit: str) -> tuple[str, str]:
        """The spec's ``store_list_into_range``: (pointer, length) locals, bulk where possible."""
        e = _peel(e)
        es, al = elem_size(e, self.ptr), alignment(e, self.ptr)
        if e == "u8":
            b = self.local(f"{v} if type({v}) is bytes else _check_bytes({v}, {where!r})", "b")
            n = self.local(f"len({b})", "n")
            p = self.allocate(1, n)
            self.emit(f"mem[{p}:{p} + {n}] = {b}")
            return p, n
        if e in _NUMERIC and _BULK:
            a = self.local(f"_pack_array({_CODE[str(e)]!r}, {v}, None, {where!r}, {e!r})", "a")
            n = self.local(f"len({a})", "n")
            bl = self.local(f"{n} * {es}", "n")
            self.check_list_size(bl)
            p = self.allocate(al, bl)
            self.emit(f"mem[{p}:{p} + {bl}] = memoryview({a}).cast('B')")
            return p, n
        if e == "bool":
            b = self.local(f"_pack_bools({v}, {where!r})", "b")
            n = self.local(f"len({b})", "n")
            p = self.allocate(1, n)
            self.emit(f"mem[{p}:{p} + {n}] = {b}")
            return p, n
        if e == "char":
            b = self.local(f"_pack_chars({v}, {where!r})", "b")
            n = self.local(f"len({b}) >> 2", "n")
            p = self.allocate(4, f"({n} << 2)")
            self.emit(f"mem[{p}:{p} + ({n} << 2)] = {b}")
            return p, n
        seq = self.local(f"_check_list({v}, {where!r}, {wit!r})", "l")
        n = self.local(f"len({seq})", "n")
        bl = self.local(f"{n} * {es}", "n")
        self.check_list_size(bl)
        p = self.allocate(al, bl)
        q = self.fn.fresh("q")
        self.emit(f"{q} = {p}")
        item = self.fn.fresh("e")
        leaves = self.leaves(e, 0)
        with self.fn.block(f"for {item} in {seq}:", loop=True):
            w = f"{where}[*]"
            if self.deep():
                self.nested("store", e, q, item, w)
            elif any(leaf.kind == "opaque" for leaf in leaves):
                self.store(e, item, q, w)
            else:
                raws: list[list[str]] = []
                self.build_store(e, item, 0, q, w, raws)
                self.pack_segments(leaves, raws, q)
            self.emit(f"{q} += {es}")
        return p, n

    def check_list_size(self, bl: str) -> None:
        if self.ptr == "i32":
            self.emit(f"if {bl} > {REALLOC_I32_MAX}: _too_big({bl})")

    # ------------------------------------------------------------------ helpers

    def check_flat_depth(self) -> None:
        """Flat values of variants nest branches without a helper to escape to.

        Functions never get here (more than 16 flat values go through memory,
        where helpers take over); only ``type_abi(t).lift_flat``/``lower_flat``
        of an absurdly nested type can.
        """
        if self.fn.indent >= _MAX_FLAT_INDENT:
            raise ValueError("the type nests variants too deeply to pass in flat values")

    def deep(self) -> bool:
        """Whether to continue in a helper function (CPython limits nesting; see ``_MAX_*``)."""
        return self.fn.blocks >= _MAX_BLOCKS or self.fn.indent >= _MAX_INDENT

    def nested(
        self, op: Literal["load", "store"], t: ValType, p: str, v: str = "", where: str = ""
    ) -> str:
        """Emit ``load``/``store`` of ``t`` as a helper function and a call to it."""
        name = self.helper_name(f"_{op}_")
        if op == "load":
            with self.function(name, "cx, mem, memlen, p"):
                self.emit(f"return {self.load(t, 'p')}")
            return self.local(f"{name}(cx, mem, memlen, {p})", "v")
        with self.function(name, "cx, mem, v, p"):
            self.emit("realloc = cx.realloc")
            self.emit("memory = cx.memory")
            self.store(t, "v", "p", where)
            self.emit("return mem")
        self.emit(f"mem = {name}(cx, mem, {v}, {p})")
        return ""

    def record_class(self, t: RecordType) -> str:
        return self.obj("_R", self._record(t))

    def _record(self, t: RecordType) -> type[Record]:
        return record_class(t)


class _FlatIn:
    """A cursor over flat values (the spec's ``CoreValueIter``), coercing joined slots."""

    def __init__(self, items: list[Flat]) -> None:
        self.items = items
        self.i = 0

    def next(self, gen: Generator, want: CoreValType) -> str:
        """The next value as an expression holding a ``want`` (integers still need masking)."""
        expr, have = self.items[self.i]
        self.i += 1
        if have == want or (have == "i64" and want == "i32"):
            return expr
        if want == "f32":
            return gen.local(f"_f32_from_bits({expr})", "f")
        if want == "f64":
            return gen.local(f"_f64_from_bits({expr})", "f")
        raise AssertionError(f"flat value of type {have} cannot carry {want}")

    def pointer(self, gen: Generator) -> str:
        """The next value as a pointer or length: masked to the address width, in a local."""
        return gen.local(f"{self.next(gen, gen.ptr)} & {gen.pmask:#x}", "x")

    def take(self, n: int) -> list[Flat]:
        items = self.items[self.i : self.i + n]
        self.i += n
        return items


def _case_header(d: str, i: int, n: int) -> str:
    """The test of the ``i``-th of ``n`` exhaustive branches on the case index ``d``."""
    if i == 0:
        return f"if {d} == 0:"
    return "else:" if i == n - 1 else f"elif {d} == {i}:"


def _coerce_out(expr: str, have: CoreValType, want: CoreValType) -> str:
    """A lowered payload value placed in a joined slot (the spec's ``lower_flat_variant``)."""
    if have == want or (have == "i32" and want == "i64"):
        return expr
    if have == "f32":
        return f"_f32_bits({expr})"
    if have == "f64":
        return f"_f64_bits({expr})"
    raise AssertionError(f"{have} does not join into {want}")


def _zero(t: CoreValType) -> str:
    return "0.0" if t in ("f32", "f64") else "0"


def _segments(leaves: list[_Leaf]) -> list[list[_Leaf]]:
    """Maximal runs of leaves that are not opaque (each becomes one struct)."""
    out: list[list[_Leaf]] = []
    run: list[_Leaf] = []
    for leaf in leaves:
        if leaf.kind == "opaque":
            if run:
                out.append(run)
            run = []
        else:
            run.append(leaf)
    if run:
        out.append(run)
    return out


def _struct_format(leaves: list[_Leaf], size: int | None = None) -> str:
    """The little-endian struct format of consecutive leaves, padded to ``size`` if given."""
    start = leaves[0].offset
    at = start
    fmt = "<"
    for leaf in leaves:
        if leaf.offset > at:
            fmt += f"{leaf.offset - at}x"
        fmt += leaf.codes
        at = leaf.offset + leaf.size
    if size is not None and start + size > at:
        fmt += f"{start + size - at}x"
    return fmt


def _count_codes(fmt: str) -> int:
    """How many values a struct format packs or unpacks."""
    n = 0
    count = ""
    for ch in fmt[1:]:
        if ch.isdigit():
            count += ch
            continue
        if ch != "x":
            n += 1 if ch == "s" else int(count or 1)
        count = ""
    return n


def _plain_ints(t: ValType) -> bool:
    """A tuple or record whose fields are all integers: rows of ``iter_unpack`` as they are."""
    match t:
        case TupleType(types=ts):
            return all(_peel(u) in _INT_RANGE for u in ts)
        case RecordType(fields=fs):
            return all(_peel(u) in _INT_RANGE for _, u in fs)
    return False


_map_entries: dict[MapType, TupleType] = {}


def _map_entry(t: MapType) -> TupleType:
    """The ``tuple<K, V>`` whose list a map is, one object per map type."""
    entry = _map_entries.get(t)
    if entry is None:
        entry = _map_entries[t] = TupleType((t.key, t.value))
    return entry


def flag_sets(labels: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Every set of up to 8 flags, indexed by its bits: lifting small flags is one lookup."""
    n = len(labels)
    return tuple(
        frozenset(label for i, label in enumerate(labels) if bits >> i & 1)
        for bits in range(1 << n)
    )


def base_namespace() -> dict[str, Any]:
    """The names every generated module may use (helpers and value classes)."""
    from itertools import starmap

    from witkit.abi import _support as s
    from witkit.abi.strings import store_host_string
    from witkit.abi.values import Err, Ok, Some, Variant

    return {
        "_Struct": struct.Struct,
        "_starmap": starmap,
        "_flag_sets": flag_sets,
        "_NAN": s.NAN,
        "_F32_MAX": s.F32_MAX,
        "_Some": Some,
        "_Ok": Ok,
        "_Err": Err,
        "_Variant": Variant,
        "_check_int": s.check_int,
        "_check_bool": s.check_bool,
        "_check_float": s.check_float,
        "_round_f32": s.round_f32,
        "_check_char": s.check_char,
        "_check_str": s.check_str,
        "_encode_utf8": s.encode_utf8,
        "_check_bytes": s.check_bytes,
        "_check_list": s.check_list,
        "_check_seq": s.check_seq,
        "_check_fixed_bytes": s.check_fixed_bytes,
        "_pack_array": s.pack_array,
        "_pack_bools": s.pack_bools,
        "_pack_chars": s.pack_chars,
        "_canon_floats": s.canon_floats,
        "_record_fields": s.record_fields,
        "_variant_case": s.variant_case,
        "_enum_case": s.enum_case,
        "_result_case": s.result_case,
        "_nested_some": s.nested_some,
        "_pack_flags": s.pack_flags,
        "_unpack_flags": s.unpack_flags,
        "_map_items": s.map_items,
        "_f32_bits": s.f32_bits,
        "_f64_bits": s.f64_bits,
        "_f32_from_bits": s.f32_from_bits,
        "_f64_from_bits": s.f64_from_bits,
        "_too_big": s.too_big,
        "_arity": s.arity,
        "_trap_oob": s.trap_oob,
        "_trap_misaligned": s.trap_misaligned,
        "_trap_realloc_misaligned": s.trap_realloc_misaligned,
        "_trap_realloc_oob": s.trap_realloc_oob,
        "_trap_string_too_long": s.trap_string_too_long,
        "_trap_list_too_long": s.trap_list_too_long,
        "_trap_char": s.trap_char,
        "_trap_discriminant": s.trap_discriminant,
        "_trap_decode": s.trap_decode,
        "_store_host_string": store_host_string,
    }
