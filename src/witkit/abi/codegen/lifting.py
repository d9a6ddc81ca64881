"""Emitters of lifting: the spec's ``lift_flat``, ``load`` and the ``load_*`` helpers.

Each method emits the code that the spec's function of the same name would
run for one type, into the function being written, and returns the Python
expression (usually a local name) holding the lifted value.  Every guest
pointer, length and discriminant is checked before it is used.
"""

from __future__ import annotations

from collections.abc import Iterator

from witkit import types as wt
from witkit.abi.codegen.emitter import (
    BULK,
    CODE,
    INT_RANGE,
    M32,
    NUMERIC,
    Emitter,
    Flat,
    Leaf,
    as_variant,
    case_header,
    count_codes,
    is_blob,
    is_opaque,
    map_entry,
    peel,
    plain_ints,
    segments,
    struct_format,
    variant_cases,
)
from witkit.abi.layout import (
    CoreValType,
    alignment,
    despecialize,
    discriminant_type,
    elem_size,
    field_offsets,
    flag_words,
    flatten_type,
    payload_offset,
    utf16_tag,
)
from witkit.abi.limits import MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH
from witkit.abi.strings import ASCII_SCAN_MIN

__all__ = ["FlatIn", "Lifting"]


class Lifting(Emitter):
    """The lifting half of the generator (guest values -> Python values)."""

    def lift_flat(self, t: wt.ValType, flat: FlatIn) -> str:
        """Emit the spec's ``lift_flat`` of ``t`` from the flat values; returns the value."""
        t = peel(t)
        match t:
            case str():
                return self.lift_flat_prim(t, flat)
            case wt.ListType(element=e, length=n) if n is not None:
                items = [self.lift_flat(e, flat) for _ in range(n)]
                if peel(e) == "u8":
                    return self.local(f"bytes(({', '.join(items)},))", "b")
                return f"[{', '.join(items)}]"
            case wt.ListType(element=e):
                p, length = flat.pointer(self), flat.pointer(self)
                return self.load_list_from_range(e, p, length, "memlen")
            case wt.MapType():
                p, length = flat.pointer(self), flat.pointer(self)
                pairs = self.load_list_from_range(map_entry(t), p, length, "memlen")
                return self.local(f"dict({pairs})", "d")
            case wt.RecordType(fields=fs):
                cls = self.record_class(t)
                args = [self.lift_flat(ft, flat) for _, ft in fs]
                return f"{cls}({', '.join(args)})"
            case wt.TupleType(types=ts):
                args = [self.lift_flat(u, flat) for u in ts]
                return f"({', '.join(args)},)"
            case wt.FlagsType(names=labels):
                words = [flat.next(self, "i32") for _ in range(flag_words(labels))]
                bits = " | ".join(
                    f"(({w} & {M32:#x}) << {32 * i})" if i else f"({w} & {M32:#x})"
                    for i, w in enumerate(words)
                )
                return self.unpack_flags(labels, bits)
            case wt.EnumType() | wt.VariantType() | wt.OptionType() | wt.ResultType():
                return self.lift_flat_variant(t, flat)
            case wt.OwnType(resource=r):
                i = flat.next(self, "i32")
                return self.local(
                    f"cx.lift_own({self.obj('_RT', wt.root(r))}, {i} & {M32:#x})", "h"
                )
            case wt.BorrowType(resource=r):
                i = flat.next(self, "i32")
                rt = self.obj("_RT", wt.root(r))
                return self.local(f"cx.lift_borrow({rt}, {i} & {M32:#x})", "h")
            case wt.StreamType(element=e):
                i = flat.next(self, "i32")
                return self.local(f"cx.lift_stream({self.obj('_T', e)}, {i} & {M32:#x})", "h")
            case wt.FutureType(value=e):
                i = flat.next(self, "i32")
                return self.local(f"cx.lift_future({self.obj('_T', e)}, {i} & {M32:#x})", "h")
        raise TypeError(f"not a value type: {t!r}")

    def lift_flat_prim(self, t: str, flat: FlatIn) -> str:
        if t == "string":
            p, n = flat.pointer(self), flat.pointer(self)
            return self.load_string_from_range(p, n, "memlen")
        if t == "bool":
            return f"({flat.next(self, 'i32')} & {M32:#x} != 0)"
        if t in INT_RANGE:
            lo, _, bits = INT_RANGE[t]
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

    def wrap_case(self, t: wt.ValType, index: int, value: str | None) -> str:
        """The Python value of case ``index`` of a variant-like type, given its payload."""
        match t:
            case wt.OptionType(value=v):
                if index == 0:
                    return "None"
                assert value is not None
                return f"_Some({value})" if isinstance(peel(v), wt.OptionType) else value
            case wt.ResultType():
                return f"{'_Ok' if index == 0 else '_Err'}({value or 'None'})"
            case wt.VariantType(cases=cs):
                return f"_Variant({cs[index][0]!r}, {value or 'None'})"
        raise TypeError(f"not a variant type: {t!r}")

    def lift_flat_variant(self, t: wt.ValType, flat: FlatIn) -> str:
        """The spec's ``lift_flat_variant``: one branch per case, payloads from joined slots."""
        self.check_flat_depth()
        cases = variant_cases(t)
        d = self.local(f"{flat.next(self, 'i32')} & {M32:#x}", "d")
        self.check_discriminant(t, d)
        joined = flatten_type(despecialize(t), self.ptr)[1:]
        slots = flat.take(len(joined))
        if isinstance(t, wt.EnumType):
            return f"{self.const('_EN', repr(tuple(n for n, _ in cases)))}[{d}]"
        v = self.fn.fresh("v")
        for i, (_, ct) in enumerate(cases):
            with self.fn.block(case_header(d, i, len(cases))):
                payload = None if ct is None else self.lift_flat(ct, FlatIn(list(slots)))
                self.emit(f"{v} = {self.wrap_case(t, i, payload)}")
        return v

    def load(self, t: wt.ValType, p: str) -> str:
        """Emit the spec's ``load`` of ``t`` at ``p`` (already checked); returns the value."""
        t = peel(t)
        if is_opaque(t):
            return self.load_variant(t, p)
        leaves = self.leaves(t, 0)
        if len(leaves) == 1 and leaves[0].codes == "B":
            raws = iter([f"mem[{p}]"])
        else:
            raws = iter(self.unpack_segments(leaves, p))
        return self.build_load(t, 0, p, raws)

    def unpack_segments(self, leaves: list[Leaf], p: str) -> list[str]:
        """``unpack_from`` every run of struct-able leaves; returns the raw value names."""
        names: list[str] = []
        for seg in segments(leaves):
            fmt = struct_format(seg)
            raws = [self.fn.fresh("r") for _ in range(count_codes(fmt))]
            at = p if seg[0].offset == 0 else f"{p} + {seg[0].offset}"
            target = ", ".join(raws) + ("," if len(raws) == 1 else "")
            self.emit(f"{target} = {self.struct(fmt)}.unpack_from(mem, {at})")
            names.extend(raws)
        return names

    def build_load(self, t: wt.ValType, offset: int, base: str, raws: Iterator[str]) -> str:
        """The value of ``t`` from its raw struct fields (in leaf order); variants read apart."""
        t = peel(t)
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
            case wt.ListType(element=e, length=None):
                return self.load_list_from_range(e, next(raws), next(raws), "memlen")
            case wt.MapType():
                pairs = self.load_list_from_range(map_entry(t), next(raws), next(raws), "memlen")
                return self.local(f"dict({pairs})", "d")
            case wt.ListType(element=e, length=n) if n is not None:
                if is_blob(t):
                    return self.numbers_from_bytes(peel(e), next(raws))
                es = elem_size(e, self.ptr)
                items = [self.build_load(e, offset + i * es, base, raws) for i in range(n)]
                return f"[{', '.join(items)}]"
            case wt.RecordType(fields=fs):
                offsets = field_offsets(t, self.ptr)
                args = [
                    self.build_load(ft, offset + off, base, raws)
                    for (_, ft), off in zip(fs, offsets, strict=True)
                ]
                return f"{self.record_class(t)}({', '.join(args)})"
            case wt.TupleType(types=ts):
                r = despecialize(t)
                assert isinstance(r, wt.RecordType)
                offsets = field_offsets(r, self.ptr)
                args = [
                    self.build_load(u, offset + off, base, raws)
                    for u, off in zip(ts, offsets, strict=True)
                ]
                return f"({', '.join(args)},)"
            case wt.FlagsType(names=labels):
                if len(labels) > 32:
                    words = [next(raws) for _ in range(flag_words(labels))]
                    bits = " | ".join(f"({w} << {32 * i})" for i, w in enumerate(words))
                    return self.unpack_flags(labels, f"({bits})")
                return self.unpack_flags(labels, next(raws))
            case wt.EnumType(names=names):
                d = next(raws)
                self.check_discriminant(t, d)
                return f"{self.const('_EN', repr(names))}[{d}]"
            case wt.OwnType(resource=r):
                return self.local(f"cx.lift_own({self.obj('_RT', wt.root(r))}, {next(raws)})", "h")
            case wt.BorrowType(resource=r):
                rt = self.obj("_RT", wt.root(r))
                return self.local(f"cx.lift_borrow({rt}, {next(raws)})", "h")
            case wt.StreamType(element=e):
                return self.local(f"cx.lift_stream({self.obj('_T', e)}, {next(raws)})", "h")
            case wt.FutureType(value=e):
                return self.local(f"cx.lift_future({self.obj('_T', e)}, {next(raws)})", "h")
            case _:
                at = base if offset == 0 else f"{base} + {offset}"
                return self.load_variant(t, at)

    def numbers_from_bytes(self, prim: wt.ValType, raw: str) -> str:
        """A fixed-length list of numbers from its bytes (a ``blob`` leaf)."""
        if prim == "u8":
            return raw
        values = self.local(f"memoryview({raw}).cast({CODE[str(prim)]!r}).tolist()", "l")
        if prim in ("f32", "f64"):
            s = self.local(f"sum({values})", "s")
            self.emit(f"if {s} != {s}: {values} = _canon_floats({values})")
        return values

    def load_variant(self, t: wt.ValType, p: str) -> str:
        """The spec's ``load_variant``: discriminant, bounds check, the case's payload."""
        cases = variant_cases(t)
        p = self.local(p, "q")
        disc_size = elem_size(discriminant_type(cases))
        if disc_size == 1:
            d = self.local(f"mem[{p}]", "d")
        else:
            code = {2: "<H", 4: "<I"}[disc_size]
            d = self.local(f"{self.struct(code)}.unpack_from(mem, {p})[0]", "d")
        self.check_discriminant(t, d)
        poff = payload_offset(as_variant(t), self.ptr)
        v = self.fn.fresh("v")
        for i, (_, ct) in enumerate(cases):
            with self.fn.block(case_header(d, i, len(cases))):
                payload = None
                if ct is not None:
                    at = f"{p} + {poff}"
                    payload = self.nested_load(ct, at) if self.deep() else self.load(ct, at)
                self.emit(f"{v} = {self.wrap_case(t, i, payload)}")
        return v

    def load_string_from_range(self, p: str, n: str, memlen: str) -> str:
        """The spec's ``load_string_from_range``: length limit, alignment, bounds, decoding."""
        s = self.fn.fresh("s")
        if self.encoding == "utf8":
            self.emit(f"if {n} > {MAX_STRING_BYTE_LENGTH}: _trap_string_too_long({n})")
            self.emit(f"if {p} + {n} > {memlen}: _trap_oob('string', {p}, {n}, {memlen})")
            self.spend(n)
            self.emit(
                f"{s} = str(mem[{p}:{p} + {n}], 'utf-8') if {n} < {ASCII_SCAN_MIN} "
                f"else _decode_large(cx, mem, {p}, {n}, 'utf-8')"
            )
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
        self.spend(bl)
        if self.encoding == "utf16":
            self.emit(f"{s} = str(mem[{p}:{p} + {bl}], {codec})")
        else:
            self.emit(
                f"{s} = str(mem[{p}:{p} + {bl}], {codec}) if {bl} < {ASCII_SCAN_MIN} "
                f"else _decode_large(cx, mem, {p}, {bl}, {codec})"
            )
        return s

    def load_list_from_range(self, e: wt.ValType, p: str, n: str, memlen: str) -> str:
        """The spec's ``load_list_from_range``, with a bulk read for each kind of element."""
        e = peel(e)
        es, al = elem_size(e, self.ptr), alignment(e, self.ptr)
        bl = n if es == 1 else self.local(f"{n} * {es}", "n")
        self.emit(f"if {bl} > {MAX_LIST_BYTE_LENGTH}: _trap_list_too_long({bl})")
        self.check_range("list", p, bl, al, memlen)
        self.spend(bl)
        block = f"mem[{p}:{p} + {bl}]"
        if e == "u8":
            return self.local(f"bytes({block})", "l")
        if e == "bool":
            return self.local(f"list(map(bool, {block}))", "l")
        if e == "char":
            return self.local(f"list(str({block}, 'utf-32-le'))", "l")
        if e in NUMERIC and BULK:
            return self.numbers_from_bytes(e, f"{block}")
        out, append = self.fn.fresh("l"), self.fn.fresh("append")
        self.emit(f"{out} = []")
        self.emit(f"{append} = {out}.append")
        leaves = self.leaves(e, 0)
        if any(leaf.kind == "opaque" for leaf in leaves) or self.deep():
            q = self.fn.fresh("q")
            self.emit(f"{q} = {p}")
            with self.fn.block(f"for _ in range({n}):", loop=True):
                v = self.nested_load(e, q) if self.deep() else self.load(e, q)
                self.emit(f"{append}({v})")
                self.emit(f"{q} += {es}")
            return out
        fmt = struct_format(leaves, es)
        if plain_ints(e):
            # Tuples and records of plain integers need no per-item Python code.
            rows = f"{self.struct(fmt)}.iter_unpack({block})"
            if isinstance(e, wt.TupleType):
                self.emit(f"{out} = list({rows})")
            else:
                assert isinstance(e, wt.RecordType)
                self.emit(f"{out} = list(_starmap({self.record_class(e)}, {rows}))")
            return out
        raws = [self.fn.fresh("r") for _ in range(count_codes(fmt))]
        with self.fn.block(
            f"for {', '.join(raws)}{',' if len(raws) == 1 else ''} in "
            f"{self.struct(fmt)}.iter_unpack({block}):",
            loop=True,
        ):
            v = self.build_load(e, 0, "", iter(raws))
            self.emit(f"{append}({v})")
        return out

    def nested_load(self, t: wt.ValType, p: str) -> str:
        """Emit ``load`` of ``t`` as a helper function (see ``deep``) and a call to it."""
        name = self.helper_name("_load_")
        with self.function(name, "cx, mem, memlen, p"):
            self.emit("left = cx.left")
            v = self.local(self.load(t, "p"), "v")
            self.emit("cx.left = left")
            self.emit(f"return {v}")
        self.emit("cx.left = left")
        v = self.local(f"{name}(cx, mem, memlen, {p})", "v")
        self.emit("left = cx.left")
        return v


class FlatIn:
    """A cursor over flat values (the spec's ``CoreValueIter``), coercing joined slots."""

    def __init__(self, items: list[Flat]) -> None:
        self.items = items
        self.i = 0

    def next(self, gen: Emitter, want: CoreValType) -> str:
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

    def pointer(self, gen: Emitter) -> str:
        """The next value as a pointer or length: masked to the address width, in a local."""
        return gen.local(f"{self.next(gen, gen.ptr)} & {gen.pmask:#x}", "x")

    def take(self, n: int) -> list[Flat]:
        items = self.items[self.i : self.i + n]
        self.i += n
        return items
