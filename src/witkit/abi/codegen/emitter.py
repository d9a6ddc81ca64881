"""The machinery under the generator: functions being written, names, constants, memory plans.

``Emitter`` is the part of the generator that knows nothing of lifting or
lowering: it collects the generated functions (``function``), gives out fresh
local names and module-level constants, emits the checks shared by both
directions, and plans how a value's bytes split into runs that one
``struct.Struct`` can read or write (``leaves``, ``segments``,
``struct_format``).  The spec-named emitters are in ``lifting`` and ``lowering``.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from witkit import types as wt
from witkit._record import field, record
from witkit.abi._namespace import flag_sets
from witkit.abi.context import COPY_OVERHEAD
from witkit.abi.layout import (
    CoreValType,
    PtrType,
    despecialize,
    elem_size,
    field_offsets,
    flag_words,
    ptr_size,
)
from witkit.abi.values import Record, record_class

__all__ = [
    "BULK",
    "CODE",
    "INT_RANGE",
    "M32",
    "M64",
    "NUMERIC",
    "Emitter",
    "Flat",
    "Leaf",
    "as_variant",
    "case_header",
    "count_codes",
    "flag_sets",
    "is_blob",
    "is_opaque",
    "map_entry",
    "peel",
    "plain_ints",
    "segments",
    "struct_format",
    "variant_cases",
    "wit_text",
]

#: an expression in the generated code, and the core type of the value it holds
Flat = tuple[str, CoreValType]

INT_RANGE: dict[str, tuple[int, int, int]] = {
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
CODE = {
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
NUMERIC = ("s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64")
#: numbers whose lists are bulk-copied with memoryview.cast/array: needs the
#: native sizes to be the standard ones and the host to be little-endian, as wasm is
BULK = sys.byteorder == "little" and all(
    struct.calcsize(CODE[n]) == struct.calcsize("<" + CODE[n]) for n in NUMERIC
)
M32 = 0xFFFF_FFFF
M64 = 0xFFFF_FFFF_FFFF_FFFF
#: past this many nested loops (or indentation levels), list elements and
#: variant payloads move into helper functions: CPython allows 20 nested blocks
_MAX_BLOCKS = 8
_MAX_INDENT = 24
#: flat values of variants cannot move to helpers: refuse before CPython's 100 levels
_MAX_FLAT_INDENT = 90


def peel(t: wt.ValType) -> wt.ValType:
    """A defined alias of a primitive is the primitive, for every purpose here."""
    while isinstance(t, wt.PrimType):
        t = t.prim
    return t


def wit_text(t: wt.ValType | None, depth: int = 0) -> str:
    """A short WIT-like spelling of a type, for messages (types carry no names)."""
    if t is None:
        return "_"
    t = peel(t)
    if depth > 2:
        return "..."
    d = depth + 1
    match t:
        case str():
            return t
        case wt.ListType(element=e, length=n):
            return f"list<{wit_text(e, d)}>" if n is None else f"list<{wit_text(e, d)}, {n}>"
        case wt.MapType(key=k, value=v):
            return f"map<{wit_text(k, d)}, {wit_text(v, d)}>"
        case wt.TupleType(types=ts):
            return f"tuple<{', '.join(wit_text(u, d) for u in ts)}>"
        case wt.OptionType(value=v):
            return f"option<{wit_text(v, d)}>"
        case wt.ResultType(ok=ok, err=err):
            if ok is None and err is None:
                return "result"
            return f"result<{wit_text(ok, d)}, {wit_text(err, d)}>"
        case wt.RecordType(fields=fs):
            return f"record {{{', '.join(n for n, _ in fs)}}}"
        case wt.VariantType(cases=cs):
            return f"variant {{{', '.join(n for n, _ in cs)}}}"
        case wt.EnumType(names=ns):
            return f"enum {{{', '.join(ns)}}}"
        case wt.FlagsType(names=ns):
            return f"flags {{{', '.join(ns)}}}"
        case wt.OwnType(resource=r):
            return f"own<{wt.root(r).name or 'resource'}>"
        case wt.BorrowType(resource=r):
            return f"borrow<{wt.root(r).name or 'resource'}>"
        case wt.StreamType(element=e):
            return f"stream<{wit_text(e, d)}>"
        case wt.FutureType(value=v):
            return f"future<{wit_text(v, d)}>"
    return repr(t)


def variant_cases(t: wt.ValType) -> tuple[tuple[str, wt.ValType | None], ...]:
    """The cases of a variant-like type (variant, enum, option, result), in order."""
    match t:
        case wt.VariantType(cases=cs):
            return cs
        case wt.EnumType(names=ns):
            return tuple((n, None) for n in ns)
        case wt.OptionType(value=v):
            return (("none", None), ("some", v))
        case wt.ResultType(ok=ok, err=err):
            return (("ok", ok), ("error", err))
    raise TypeError(f"not a variant type: {t!r}")


def as_variant(t: wt.ValType) -> wt.VariantType:
    v = despecialize(t)
    assert isinstance(v, wt.VariantType)
    return v


def is_opaque(t: wt.ValType) -> bool:
    """Variant-like types with payloads: read and written apart from a struct."""
    return isinstance(t, wt.VariantType | wt.OptionType | wt.ResultType)


def is_blob(t: wt.ValType) -> bool:
    """A fixed-length list of numbers: one ``Ns`` bytes field of a struct."""
    return (
        BULK and isinstance(t, wt.ListType) and t.length is not None and peel(t.element) in NUMERIC
    )


@record(frozen=False)
class Leaf:
    """One run of bytes of a value laid out in memory, read or written as a unit."""

    offset: int
    #: "scalar" (one code), "pair" (pointer + length), "words" (flags > 32),
    #: "blob" (fixed list of numbers), "opaque" (a variant, handled apart)
    kind: Literal["scalar", "pair", "words", "blob", "opaque"]
    t: wt.ValType
    codes: str
    size: int


@record(frozen=False)
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


class Emitter:
    """Writes the source of one module of functions; ``Generator`` adds what to write.

    Use: call ``function`` for each entry point (its body is whatever is emitted
    inside the ``with``), then ``source()`` gives the text and ``namespace()``
    the objects it refers to by name.
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
        self.emit("left = cx.max_copy")

    def spend(self, n: str) -> None:
        """Count ``n`` bytes copied against the operation's budget (``Context.max_copy``).

        ``left`` is a local of every function that copies; helpers share it
        through ``cx.left`` (see ``nested_load``/``nested_store``).
        """
        self.emit(f"left -= {n} + {COPY_OVERHEAD}")
        self.emit("if left < 0: _trap_copy(cx.max_copy)")

    def prologue_lower(self, *, view: bool = True) -> None:
        """Bind ``realloc`` and ``memory``, and fetch ``mem`` unless ``view`` is false.

        Lowering flat values writes only into memory it has just allocated, and
        every ``allocate`` fetches ``mem`` again: there a view fetched up front is
        never read, and leaving it out saves a ``memory()`` call (~0.3 us) on
        every call that passes a string or a list.
        """
        self.emit("realloc = cx.realloc")
        self.emit("memory = cx.memory")
        self.emit("left = cx.max_copy")
        if view:
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

    def leaves(self, t: wt.ValType, offset: int) -> list[Leaf]:
        """The runs of bytes of ``t`` at ``offset``, in memory order (see ``Leaf``)."""
        t = peel(t)
        size = elem_size(t, self.ptr)
        match t:
            case "string":
                return [Leaf(offset, "pair", t, self.pcode * 2, size)]
            case str():
                return [Leaf(offset, "scalar", t, CODE[t], size)]
            case wt.ListType(length=None) | wt.MapType():
                return [Leaf(offset, "pair", t, self.pcode * 2, size)]
            case wt.ListType(element=e, length=n) if n is not None:
                if is_blob(t):
                    return [Leaf(offset, "blob", t, f"{size}s", size)]
                es = elem_size(e, self.ptr)
                return [leaf for i in range(n) for leaf in self.leaves(e, offset + i * es)]
            case wt.RecordType() | wt.TupleType():
                r = despecialize(t)
                assert isinstance(r, wt.RecordType)
                offsets = field_offsets(r, self.ptr)
                return [
                    leaf
                    for (_, ft), off in zip(r.fields, offsets, strict=True)
                    for leaf in self.leaves(ft, offset + off)
                ]
            case wt.FlagsType(names=labels):
                if len(labels) > 32:
                    return [Leaf(offset, "words", t, "I" * flag_words(labels), size)]
                return [Leaf(offset, "scalar", t, {1: "B", 2: "H", 4: "I"}[size], size)]
            case wt.EnumType():
                return [Leaf(offset, "scalar", t, {1: "B", 2: "H", 4: "I"}[size], size)]
            case wt.OwnType() | wt.BorrowType() | wt.StreamType() | wt.FutureType():
                return [Leaf(offset, "scalar", t, "I", 4)]
            case _:
                return [Leaf(offset, "opaque", t, "", size)]

    def check_discriminant(self, t: wt.ValType, d: str) -> None:
        n = len(variant_cases(t))
        self.emit(f"if {d} >= {n}: _trap_discriminant({d}, {n}, {wit_text(t)!r})")

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

    def record_class(self, t: wt.RecordType) -> str:
        return self.obj("_R", self._record(t))

    def _record(self, t: wt.RecordType) -> type[Record]:
        return record_class(t)


def case_header(d: str, i: int, n: int) -> str:
    """The test of the ``i``-th of ``n`` exhaustive branches on the case index ``d``."""
    if i == 0:
        return f"if {d} == 0:"
    return "else:" if i == n - 1 else f"elif {d} == {i}:"


def segments(leaves: list[Leaf]) -> list[list[Leaf]]:
    """Maximal runs of leaves that are not opaque (each becomes one struct)."""
    out: list[list[Leaf]] = []
    run: list[Leaf] = []
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


def struct_format(leaves: list[Leaf], size: int | None = None) -> str:
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


def count_codes(fmt: str) -> int:
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


def plain_ints(t: wt.ValType) -> bool:
    """A tuple or record whose fields are all integers: rows of ``iter_unpack`` as they are."""
    match t:
        case wt.TupleType(types=ts):
            return all(peel(u) in INT_RANGE for u in ts)
        case wt.RecordType(fields=fs):
            return all(peel(u) in INT_RANGE for _, u in fs)
    return False


_map_entries: dict[wt.MapType, wt.TupleType] = {}


def map_entry(t: wt.MapType) -> wt.TupleType:
    """The ``tuple<K, V>`` whose list a map is, one object per map type."""
    entry = _map_entries.get(t)
    if entry is None:
        entry = _map_entries[t] = wt.TupleType((t.key, t.value))
    return entry
