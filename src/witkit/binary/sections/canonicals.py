"""The canon section: ``canon lift``/``lower`` and every built-in of Binary.md "Canonical Definitions".

Async (🔀), error-context (📝) and thread (🧵) built-ins all decode; whether a
feature is enabled is a question for validation, not for the reader.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.limits import MAX_WASM_CANONICAL_OPTIONS, MAX_WASM_FUNCTIONS
from witkit.binary.reader import Reader
from witkit.binary.sections.core import read_core_valtype
from witkit.binary.sections.types import read_resultlist

__all__ = ["read_canon", "read_canon_section"]

_SIMPLE_OPTS = {0x00: "utf8", 0x01: "utf16", 0x02: "latin1+utf16", 0x06: "async", 0x09: "gc"}
_INDEX_OPTS = {
    0x03: "memory",
    0x04: "realloc",
    0x05: "post-return",
    0x07: "callback",
    0x08: "core-type",
}

#: built-ins that take no immediates
_NULLARY = {
    0x05: "task.cancel",
    0x0D: "subtask.drop",
    0x1E: "error-context.drop",
    0x1F: "waitable-set.new",
    0x22: "waitable-set.drop",
    0x23: "waitable.join",
    0x24: "backpressure.inc",
    0x25: "backpressure.dec",
    0x26: "thread.index",
    0x28: "thread.resume-later",
}
#: built-ins that take a type index
_TYPED = {
    0x02: "resource.new",
    0x03: "resource.drop",
    0x04: "resource.rep",
    0x0E: "stream.new",
    0x13: "stream.drop-readable",
    0x14: "stream.drop-writable",
    0x15: "future.new",
    0x1A: "future.drop-readable",
    0x1B: "future.drop-writable",
}
#: built-ins that take a type index and options
_TYPED_OPTS = {0x0F: "stream.read", 0x10: "stream.write", 0x16: "future.read", 0x17: "future.write"}
#: built-ins that take a type index and an ``async?`` flag
_TYPED_ASYNC = {
    0x11: "stream.cancel-read",
    0x12: "stream.cancel-write",
    0x18: "future.cancel-read",
    0x19: "future.cancel-write",
}
#: built-ins that took a ``cancel?`` flag, now a reserved zero byte
_CANCEL = {
    0x0C: "thread.yield",
    0x29: "thread.suspend",
    0x2A: "thread.suspend-then-resume",
    0x2B: "thread.yield-then-resume",
    0x2C: "thread.suspend-then-promote",
    0x2D: "thread.yield-then-promote",
}


def _read_opt(r: Reader) -> ir.CanonOpt:
    byte = r.u8("a canonical option")
    kind = _SIMPLE_OPTS.get(byte)
    if kind is not None:
        return ir.CanonOpt(kind)
    kind = _INDEX_OPTS.get(byte)
    if kind is not None:
        return ir.CanonOpt(kind, r.u32(f"the `{kind}` option's index"))
    raise r.bad_byte(byte, "canonical option")


def _read_opts(r: Reader) -> tuple[ir.CanonOpt, ...]:
    return r.vec(MAX_WASM_CANONICAL_OPTIONS, "canonical options", _read_opt)


def _read_flag(r: Reader, what: str) -> bool:
    byte = r.u8(f"an {what} flag")
    if byte > 1:
        raise r.bad_byte(byte, f"{what} flag")
    return byte == 1


def _read_reserved_zero(r: Reader) -> bool:
    """The byte Binary.md still spells ``cancel?`` and component-model#716 made a reserved zero.

    0x01 (``cancellable``) is read and returned as True; whether it is allowed is a
    validation question (``Features.legacy_cancellable``), so the reader need not
    know which rule book the caller follows.
    """
    byte = r.u8("a reserved zero byte")
    if byte > 0x01:
        raise r.bad_byte(byte, "zero byte")
    return byte == 0x01


def read_canon(r: Reader) -> ir.Canon:
    offset = r.pos
    op = r.u8("a canonical function")
    if op == 0x00:
        sub = r.u8("a canonical function lift")
        if sub != 0x00:
            raise r.bad_byte(sub, "canonical function lift")
        core_func = r.u32("a core function index")
        opts = _read_opts(r)
        return ir.CanonLift(offset, core_func, opts, r.u32("a type index"))
    if op == 0x01:
        sub = r.u8("a canonical function lower")
        if sub != 0x00:
            raise r.bad_byte(sub, "canonical function lower")
        func = r.u32("a function index")
        return ir.CanonLower(offset, func, _read_opts(r))
    name = _NULLARY.get(op)
    if name is not None:
        return ir.CanonBuiltin(offset, name)
    name = _TYPED.get(op)
    if name is not None:
        return ir.CanonBuiltin(offset, name, type_index=r.u32("a type index"))
    name = _TYPED_OPTS.get(op)
    if name is not None:
        index = r.u32("a type index")
        return ir.CanonBuiltin(offset, name, type_index=index, opts=_read_opts(r))
    name = _TYPED_ASYNC.get(op)
    if name is not None:
        index = r.u32("a type index")
        return ir.CanonBuiltin(offset, name, type_index=index, flag=_read_flag(r, "async"))
    name = _CANCEL.get(op)
    if name is not None:
        return ir.CanonBuiltin(offset, name, flag=_read_reserved_zero(r))
    if op == 0x09:
        result = read_resultlist(r)
        return ir.CanonBuiltin(offset, "task.return", opts=_read_opts(r), result=result)
    if op in (0x0A, 0x0B):
        name = "context.get" if op == 0x0A else "context.set"
        valtype = read_core_valtype(r)
        return ir.CanonBuiltin(offset, name, valtype=valtype, slot=r.u32("a context slot"))
    if op == 0x06:
        return ir.CanonBuiltin(offset, "subtask.cancel", flag=_read_flag(r, "async"))
    if op in (0x1C, 0x1D):
        name = "error-context.new" if op == 0x1C else "error-context.debug-message"
        return ir.CanonBuiltin(offset, name, opts=_read_opts(r))
    if op in (0x20, 0x21):
        name = "waitable-set.wait" if op == 0x20 else "waitable-set.poll"
        flag = _read_reserved_zero(r)
        return ir.CanonBuiltin(offset, name, flag=flag, memory=r.u32("a memory index"))
    if op == 0x27:
        index = r.u32("a core type index")
        return ir.CanonBuiltin(
            offset, "thread.new-indirect", type_index=index, table=r.u32("a table index")
        )
    if op == 0x40:
        return ir.CanonBuiltin(offset, "thread.spawn-ref", type_index=r.u32("a core type index"))
    if op == 0x41:
        index = r.u32("a core type index")
        return ir.CanonBuiltin(
            offset, "thread.spawn-indirect", type_index=index, table=r.u32("a table index")
        )
    if op == 0x42:
        return ir.CanonBuiltin(offset, "thread.available-parallelism")
    raise r.bad_byte(op, "canonical function")


def read_canon_section(r: Reader, offset: int) -> ir.CanonSection:
    return ir.CanonSection(offset, r.vec(MAX_WASM_FUNCTIONS, "canonical functions", read_canon))
