"""Emitters of lowering: the spec's ``lower_flat``, ``store`` and the ``store_*`` helpers.

Each method emits, into the function being written, the code that the spec's
function of the same name would run for one type -- preceded by the type check
of the host value (one ``type(v) is`` test on the expected path, a call into
``_support`` otherwise).  ``realloc`` calls refresh ``mem``.
"""

from __future__ import annotations

from witkit import types as wt
from witkit.abi.codegen.emitter import (
    BULK,
    CODE,
    INT_RANGE,
    M32,
    M64,
    NUMERIC,
    Emitter,
    Flat,
    Leaf,
    as_variant,
    case_header,
    is_blob,
    is_opaque,
    map_entry,
    peel,
    segments,
    struct_format,
    variant_cases,
    wit_text,
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
from witkit.abi.limits import REALLOC_I32_MAX
from witkit.abi.strings import ASCII_DIRECT_MIN

__all__ = ["Lowering"]


class Lowering(Emitter):
    """The lowering half of the generator (Python values -> guest values), with type checks."""

    def lower_flat(self, t: wt.ValType, v: str, where: str) -> list[Flat]:
        """Emit the spec's ``lower_flat`` of the host value in local ``v``, with type checks."""
        t = peel(t)
        match t:
            case str():
                return self.lower_flat_prim(t, v, where)
            case wt.ListType(element=e, length=n) if n is not None:
                seq = self.fixed_list(t, v, where)
                out: list[Flat] = []
                for i in range(n):
                    out += self.lower_flat(e, self.local(f"{seq}[{i}]", "e"), f"{where}[{i}]")
                return out
            case wt.ListType(element=e):
                p, length = self.store_list_into_range(e, v, where, wit_text(t))
                return [(p, self.ptr), (length, self.ptr)]
            case wt.MapType():
                pairs = self.local(f"_map_items({v}, {where!r}, {wit_text(t)!r})", "m")
                p, length = self.store_list_into_range(map_entry(t), pairs, where, wit_text(t))
                return [(p, self.ptr), (length, self.ptr)]
            case wt.RecordType(fields=fs):
                out = []
                for (name, ft), fv in zip(fs, self.record_fields(t, v, where), strict=True):
                    out += self.lower_flat(ft, fv, f"{where}.{name}")
                return out
            case wt.TupleType(types=ts):
                seq = self.local(f"_check_seq({v}, {len(ts)}, {where!r}, {wit_text(t)!r})", "u")
                out = []
                for i, u in enumerate(ts):
                    out += self.lower_flat(u, self.local(f"{seq}[{i}]", "e"), f"{where}[{i}]")
                return out
            case wt.FlagsType(names=labels):
                bits = self.pack_flags(t, v, where)
                if len(labels) <= 32:
                    return [(bits, "i32")]
                return [
                    (f"({bits} >> {32 * i}) & {M32:#x}", "i32") for i in range(flag_words(labels))
                ]
            case wt.EnumType() | wt.VariantType() | wt.OptionType() | wt.ResultType():
                return self.lower_flat_variant(t, v, where)
            case wt.OwnType(resource=r):
                rt = self.obj("_RT", wt.root(r))
                return [(self.local(f"cx.lower_own({rt}, {v})", "h"), "i32")]
            case wt.BorrowType(resource=r):
                rt = self.obj("_RT", wt.root(r))
                return [(self.local(f"cx.lower_borrow({rt}, {v})", "h"), "i32")]
            case wt.StreamType(element=e):
                return [(self.local(f"cx.lower_stream({self.obj('_T', e)}, {v})", "h"), "i32")]
            case wt.FutureType(value=e):
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
        if t in INT_RANGE:
            lo, hi, _ = INT_RANGE[t]
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

    def record_fields(self, t: wt.RecordType, v: str, where: str) -> list[str]:
        """Locals holding the fields of a record value.

        Our own Record class is read by attribute and a plain ``dict`` keyed by
        the WIT names by subscript, both inline (a dict of snake-case keys or a
        missing field falls back to ``_record_fields``, which knows every form
        and names what is wrong).
        """
        names = [self.fn.fresh("f") for _ in t.fields]
        cls = self._record(t)
        comma = "," if len(names) == 1 else ""
        attrs = ", ".join(f"{v}.{attr}" for attr in cls._fields)
        wit_names = tuple(n for n, _ in t.fields)
        keys = ", ".join(f"{v}[{n!r}]" for n in wit_names)
        target = ", ".join(names) + comma
        general = (
            f"{target} = _record_fields({v}, {self.const('_FN', repr(wit_names))}, "
            f"{where!r}, {wit_text(t)!r})"
        )
        with self.fn.block(f"if type({v}) is {self.obj('_R', cls)}:"):
            self.emit(f"{target} = {attrs}{comma}")
        with self.fn.block(f"elif type({v}) is dict:"):
            with self.fn.block("try:"):
                self.emit(f"{target} = {keys}{comma}")
            with self.fn.block("except KeyError:"):
                self.emit(general)
        with self.fn.block("else:"):
            self.emit(general)
        return names

    def fixed_list(self, t: wt.ListType, v: str, where: str) -> str:
        assert t.length is not None
        wit = wit_text(t)
        if peel(t.element) == "u8":
            return self.local(f"_check_fixed_bytes({v}, {t.length}, {where!r}, {wit!r})", "u")
        return self.local(f"_check_seq({v}, {t.length}, {where!r}, {wit!r})", "u")

    def pack_flags(self, t: wt.FlagsType, v: str, where: str) -> str:
        bits = {label: 1 << i for i, label in enumerate(t.names)}
        bits.update({label.replace("-", "_"): 1 << i for i, label in enumerate(t.names)})
        table = self.const("_FB", repr(bits))
        return self.local(f"_pack_flags({v}, {table}, {where!r}, {wit_text(t)!r})", "g")

    def variant_case(self, t: wt.ValType, v: str, where: str) -> tuple[str, str]:
        """Emit the choice of case for a variant-like host value: (index, payload) locals."""
        d, pv = self.fn.fresh("d"), self.fn.fresh("w")
        wit = wit_text(t)
        match t:
            case wt.OptionType(value=inner):
                nested = isinstance(peel(inner), wt.OptionType)
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
            case wt.ResultType():
                with self.fn.block(f"if type({v}) is _Ok:"):
                    self.emit(f"{d} = 0")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block(f"elif type({v}) is _Err:"):
                    self.emit(f"{d} = 1")
                    self.emit(f"{pv} = {v}.value")
                with self.fn.block("else:"):
                    self.emit(f"{d}, {pv} = _result_case({v}, {where!r}, {wit!r})")
            case wt.EnumType(names=names):
                index = {n: i for i, n in enumerate(names)}
                index.update({n.replace("-", "_"): i for i, n in enumerate(names)})
                table = self.const("_EI", repr(index))
                self.emit(f"{d} = {table}.get({v}) if type({v}) is str else None")
                self.emit(f"if {d} is None: {d} = _enum_case({v}, {table}, {where!r}, {wit!r})")
                self.emit(f"{pv} = None")
            case wt.VariantType(cases=cases):
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

    def case_where(self, t: wt.ValType, name: str, where: str) -> str:
        if isinstance(t, wt.OptionType):
            return f"{where}(some)"
        return f"{where}({name})"

    def lower_flat_variant(self, t: wt.ValType, v: str, where: str) -> list[Flat]:
        """The spec's ``lower_flat_variant``: the case index, then the payload in joined slots."""
        self.check_flat_depth()
        cases = variant_cases(t)
        d, pv = self.variant_case(t, v, where)
        joined = flatten_type(despecialize(t), self.ptr)[1:]
        outs = [self.fn.fresh("o") for _ in joined]
        if not outs:
            return [(d, "i32")]
        with_payload = [(i, n, ct) for i, (n, ct) in enumerate(cases) if ct is not None]
        for k, (i, name, ct) in enumerate(with_payload):
            assert ct is not None
            if len(with_payload) == len(cases):
                header = case_header(d, k, len(cases))
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

    def store(self, t: wt.ValType, v: str, p: str, where: str) -> None:
        """Emit the spec's ``store`` of the host value in ``v`` at ``p`` (already checked)."""
        t = peel(t)
        if is_opaque(t):
            self.store_variant(t, v, p, where)
            return
        leaves = self.leaves(t, 0)
        raws: list[list[str]] = []
        self.build_store(t, v, 0, p, where, raws)
        self.pack_segments(leaves, raws, p)

    def pack_segments(self, leaves: list[Leaf], raws: list[list[str]], p: str) -> None:
        """``pack_into`` every run of struct-able leaves; ``raws`` holds each leaf's values."""
        it = iter(raws)
        for seg in segments(leaves):
            fmt = struct_format(seg)
            values = [r for _ in seg for r in next(it)]
            at = p if seg[0].offset == 0 else f"{p} + {seg[0].offset}"
            self.emit(f"{self.struct(fmt)}.pack_into(mem, {at}, {', '.join(values)})")

    def build_store(
        self, t: wt.ValType, v: str, offset: int, base: str, where: str, raws: list[list[str]]
    ) -> None:
        """Check and convert ``v``: one entry of raws per struct-able leaf; variants stored now."""
        t = peel(t)
        match t:
            case "string":
                raws.append(list(self.store_string_into_range(v, where)))
            case "error-context":
                raws.append([self.local(f"cx.lower_error_context({v})", "e")])
            case str():
                raws.append([self.check_scalar(t, v, where)])
            case wt.ListType(element=e, length=None):
                raws.append(list(self.store_list_into_range(e, v, where, wit_text(t))))
            case wt.MapType():
                pairs = self.local(f"_map_items({v}, {where!r}, {wit_text(t)!r})", "m")
                raws.append(
                    list(self.store_list_into_range(map_entry(t), pairs, where, wit_text(t)))
                )
            case wt.ListType(element=e, length=n) if n is not None:
                if is_blob(t):
                    raws.append([self.numbers_to_bytes(t, v, where)])
                    return
                seq = self.fixed_list(t, v, where)
                es = elem_size(e, self.ptr)
                for i in range(n):
                    item = self.local(f"{seq}[{i}]", "e")
                    self.build_store(e, item, offset + i * es, base, f"{where}[{i}]", raws)
            case wt.RecordType(fields=fs):
                offsets = field_offsets(t, self.ptr)
                values = self.record_fields(t, v, where)
                for (name, ft), fv, off in zip(fs, values, offsets, strict=True):
                    self.build_store(ft, fv, offset + off, base, f"{where}.{name}", raws)
            case wt.TupleType(types=ts):
                r = despecialize(t)
                assert isinstance(r, wt.RecordType)
                offsets = field_offsets(r, self.ptr)
                seq = self.local(f"_check_seq({v}, {len(ts)}, {where!r}, {wit_text(t)!r})", "u")
                for i, (u, off) in enumerate(zip(ts, offsets, strict=True)):
                    item = self.local(f"{seq}[{i}]", "e")
                    self.build_store(u, item, offset + off, base, f"{where}[{i}]", raws)
            case wt.FlagsType(names=labels):
                bits = self.pack_flags(t, v, where)
                if len(labels) <= 32:
                    raws.append([bits])
                else:
                    raws.append(
                        [f"({bits} >> {32 * i}) & {M32:#x}" for i in range(flag_words(labels))]
                    )
            case wt.EnumType():
                d, _ = self.variant_case(t, v, where)
                raws.append([d])
            case wt.OwnType(resource=r):
                raws.append([self.local(f"cx.lower_own({self.obj('_RT', wt.root(r))}, {v})", "h")])
            case wt.BorrowType(resource=r):
                raws.append(
                    [self.local(f"cx.lower_borrow({self.obj('_RT', wt.root(r))}, {v})", "h")]
                )
            case wt.StreamType(element=e):
                raws.append([self.local(f"cx.lower_stream({self.obj('_T', e)}, {v})", "h")])
            case wt.FutureType(value=e):
                raws.append([self.local(f"cx.lower_future({self.obj('_T', e)}, {v})", "h")])
            case _:
                at = base if offset == 0 else f"{base} + {offset}"
                self.store_variant(t, v, at, where)

    def numbers_to_bytes(self, t: wt.ListType, v: str, where: str) -> str:
        """The bytes of a fixed-length list of numbers (a ``blob`` leaf), range-checked in bulk."""
        e = str(peel(t.element))
        if e == "u8":
            return self.local(
                f"_check_fixed_bytes({v}, {t.length}, {where!r}, {wit_text(t)!r})", "b"
            )
        a = f"_pack_array({CODE[e]!r}, {v}, {t.length}, {where!r}, {e!r})"
        return self.local(f"{a}.tobytes()", "b")

    def store_variant(self, t: wt.ValType, v: str, p: str, where: str) -> None:
        """The spec's ``store_variant``: the discriminant, then the case's payload."""
        cases = variant_cases(t)
        p = self.local(p, "q")
        d, pv = self.variant_case(t, v, where)
        disc_size = elem_size(discriminant_type(cases))
        if disc_size == 1:
            self.emit(f"mem[{p}] = {d}")
        else:
            code = {2: "<H", 4: "<I"}[disc_size]
            self.emit(f"{self.struct(code)}.pack_into(mem, {p}, {d})")
        poff = payload_offset(as_variant(t), self.ptr)
        with_payload = [(i, n, ct) for i, (n, ct) in enumerate(cases) if ct is not None]
        for k, (i, name, ct) in enumerate(with_payload):
            assert ct is not None
            with self.fn.block(f"{'if' if k == 0 else 'elif'} {d} == {i}:"):
                w = self.case_where(t, name, where)
                item = self.local(pv, "w")
                if self.deep():
                    self.nested_store(ct, f"{p} + {poff}", item, w)
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
            # code units (the UTF-16 tag of latin1+utf16 masked off): close enough a count
            self.spend(f"({n} & {utf16_tag(self.ptr) - 1:#x})")
            return p, n
        # An ASCII str is its own UTF-8: a long one is copied straight from its
        # characters (b is None), a short one through encode() (cheaper to set up).
        b, n = self.fn.fresh("b"), self.fn.fresh("n")
        with self.fn.block(f"if {v}.isascii():"):
            self.emit(f"{n} = len({v})")
            self.emit(f"{b} = {v}.encode() if {n} < {ASCII_DIRECT_MIN} else None")
        with self.fn.block("else:"):
            self.emit(f"{b} = _encode_utf8({v}, {where!r})")
            self.emit(f"{n} = len({b})")
        self.spend(n)
        p = self.allocate(1, n)
        self.emit(f"if {b} is None: _copy_ascii(mem, {p}, {v}, {n})")
        self.emit(f"else: mem[{p}:{p} + {n}] = {b}")
        return p, n

    def store_list_into_range(self, e: wt.ValType, v: str, where: str, wit: str) -> tuple[str, str]:
        """The spec's ``store_list_into_range``: (pointer, length) locals, bulk where possible."""
        e = peel(e)
        es, al = elem_size(e, self.ptr), alignment(e, self.ptr)
        if e == "u8":
            b = self.local(f"{v} if type({v}) is bytes else _check_bytes({v}, {where!r})", "b")
            n = self.local(f"len({b})", "n")
            self.spend(n)
            p = self.allocate(1, n)
            self.emit(f"mem[{p}:{p} + {n}] = {b}")
            return p, n
        if e in NUMERIC and BULK:
            a = self.local(f"_pack_array({CODE[str(e)]!r}, {v}, None, {where!r}, {e!r})", "a")
            n = self.local(f"len({a})", "n")
            bl = self.local(f"{n} * {es}", "n")
            self.check_list_size(bl)
            self.spend(bl)
            p = self.allocate(al, bl)
            self.emit(f"mem[{p}:{p} + {bl}] = memoryview({a}).cast('B')")
            return p, n
        if e == "bool":
            b = self.local(f"_pack_bools({v}, {where!r})", "b")
            n = self.local(f"len({b})", "n")
            self.spend(n)
            p = self.allocate(1, n)
            self.emit(f"mem[{p}:{p} + {n}] = {b}")
            return p, n
        if e == "char":
            b = self.local(f"_pack_chars({v}, {where!r})", "b")
            n = self.local(f"len({b}) >> 2", "n")
            self.spend(f"({n} << 2)")
            p = self.allocate(4, f"({n} << 2)")
            self.emit(f"mem[{p}:{p} + ({n} << 2)] = {b}")
            return p, n
        seq = self.local(f"_check_list({v}, {where!r}, {wit!r})", "l")
        n = self.local(f"len({seq})", "n")
        bl = self.local(f"{n} * {es}", "n")
        self.check_list_size(bl)
        self.spend(bl)
        p = self.allocate(al, bl)
        q = self.fn.fresh("q")
        self.emit(f"{q} = {p}")
        item = self.fn.fresh("e")
        leaves = self.leaves(e, 0)
        with self.fn.block(f"for {item} in {seq}:", loop=True):
            w = f"{where}[*]"
            if self.deep():
                self.nested_store(e, q, item, w)
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

    def nested_store(self, t: wt.ValType, p: str, v: str, where: str) -> None:
        """Emit ``store`` of ``t`` as a helper function (see ``deep``) and a call to it."""
        name = self.helper_name("_store_")
        with self.function(name, "cx, mem, v, p"):
            self.emit("realloc = cx.realloc")
            self.emit("memory = cx.memory")
            self.emit("left = cx.left")
            self.store(t, "v", "p", where)
            self.emit("cx.left = left")
            self.emit("return mem")
        self.emit("cx.left = left")
        self.emit(f"mem = {name}(cx, mem, {v}, {p})")
        self.emit("left = cx.left")


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
