"""Turn wasmtime's traps and errors into ``witkit.errors.Trap``, once, at the call boundary.

wasmtime reports a trap as one Debug-formatted text: a "wasm backtrace" block,
then a "Caused by" chain whose last line is the root cause ("wasm trap: integer
divide by zero").  We keep that root cause as the message (so callers and tests
can match on it), the intermediate causes as ``context``, the backtrace as text
and as structured frames, and the trap code as ``rule`` in kebab case.

Everything here runs only after a call failed, so clarity beats speed.
"""

from __future__ import annotations

import ctypes
import re

from witkit._record import record
from witkit.errors import Trap
from witkit.runtime.core._capi import filled_vec, lib, vec_bytes, vec_items, wasm_vec_t

__all__ = ["CoreTrap", "TrapFrame"]


@record
class TrapFrame:
    """One guest frame of a trap's backtrace, innermost first."""

    func_index: int
    func_name: str | None
    module_name: str | None
    module_offset: int


class CoreTrap(Trap):
    """A core wasm trap (or engine error during a guest call) with wasmtime's facts attached.

    ``message`` is wasmtime's root cause, or a witkit limit description followed by
    it in parentheses ("fuel exhausted (wasm trap: all fuel consumed by WebAssembly)").
    ``rule`` is the trap code in kebab case ("integer-division-by-zero", "out-of-fuel",
    "interrupt", "memory-limit"), or None when wasmtime gave no code.
    """

    def __init__(
        self,
        message: str,
        rule: str | None = None,
        *,
        context: tuple[str, ...] = (),
        backtrace: str = "",
        frames: tuple[TrapFrame, ...] = (),
        wasmtime_message: str = "",
    ) -> None:
        super().__init__(message, rule)
        self.context = context
        self.backtrace = backtrace
        self.frames = frames
        #: the text exactly as wasmtime produced it (backtrace and cause chain)
        self.wasmtime_message = wasmtime_message or message

    def __str__(self) -> str:
        if not self.context:
            return self.message
        return f"{self.message} ({'; '.join(self.context)})"

    def render(self) -> str:
        """The message plus the guest backtrace, for a person reading a crash report."""
        if not self.backtrace:
            return str(self)
        return f"{self}\nwasm backtrace:\n{self.backtrace}"

    def with_limit(self, description: str, rule: str) -> CoreTrap:
        """The same trap re-described as a resource limit, keeping wasmtime's words."""
        return CoreTrap(
            f"{description} ({self.message})",
            rule,
            context=self.context,
            backtrace=self.backtrace,
            frames=self.frames,
            wasmtime_message=self.wasmtime_message,
        )


def _split(text: str) -> tuple[str, tuple[str, ...], str]:
    """(root cause, intermediate causes outermost first, backtrace block) of wasmtime's text.

    anyhow's Debug format: an optional head (for traps, "error while executing at
    wasm backtrace:" and the frames), then "Caused by:" and either one cause or
    causes numbered "0: ", "1: "...; a cause's own line breaks are kept, indented.
    """
    text = text.rstrip("\n")
    head, sep, causes_text = text.partition("\n\nCaused by:\n")
    backtrace = head.split("wasm backtrace:\n", 1)[1] if "wasm backtrace:\n" in head else ""
    if not sep:
        return " ".join(text.split()), (), ""
    causes: list[str] = []
    numbered = re.match(r" {4}\d+: ", causes_text) is not None
    for line in causes_text.splitlines():
        start = re.match(r" {4}\d+: ", line) if numbered else None
        if start is not None or not causes:
            causes.append(line[start.end() :] if start else line)
        else:
            causes[-1] += "\n" + line
    causes = [" ".join(cause.split()) for cause in causes]
    return causes[-1], tuple(causes[:-1]), backtrace


def root_cause(text: str) -> str:
    """The innermost cause of a wasmtime error text, on one line."""
    return _split(text)[0]


#: wasmtime_trap_code_t values (wasmtime/trap.h), as ``rule`` spells them: the names of
#: wasmtime-py's ``TrapCode`` in kebab case (checked by the tests).
TRAP_CODES = (
    "stack-overflow",
    "memory-out-of-bounds",
    "heap-misaligned",
    "table-out-of-bounds",
    "indirect-call-to-null",
    "bad-signature",
    "integer-overflow",
    "integer-division-by-zero",
    "bad-conversion-to-integer",
    "unreachable",
    "interrupt",
    "out-of-fuel",
    "atomic-wait-non-shared-memory",
    "null-reference",
    "array-out-of-bounds",
    "allocation-too-large",
    "cast-failure",
    "cannot-enter-component",
    "no-async-result",
    "unhandled-tag",
    "continuation-already-consumed",
    "disabled-opcode",
    "async-deadlock",
    "cannot-leave-component",
    "cannot-block-sync-task",
    "invalid-char",
    "debug-assert-string-encoding-finished",
    "debug-assert-equal-code-units",
    "debug-assert-pointer-aligned",
    "debug-assert-upper-bits-unset",
    "string-out-of-bounds",
    "list-out-of-bounds",
    "invalid-discriminant",
    "unaligned-pointer",
    "task-cancel-not-cancelled",
    "task-cancel-or-return-twice",
    "subtask-cancel-after-terminal",
    "task-return-invalid",
    "waitable-set-drop-has-waiters",
    "subtask-drop-not-resolved",
    "thread-new-indirect-invalid-type",
    "thread-new-indirect-uninitialized",
    "backpressure-overflow",
    "unsupported-callback-code",
    "cannot-resume-thread",
    "concurrent-future-stream-op",
    "reference-count-overflow",
    "stream-op-too-big",
    "waitable-sync-and-async",
    "uncaught-exception",
)


def _name(address: int | None) -> str | None:
    return vec_bytes(address).decode("utf-8") if address else None


def _frames(vec: wasm_vec_t) -> tuple[TrapFrame, ...]:
    """The frames of a ``wasm_frame_vec_t``, which the caller then frees."""
    return tuple(
        TrapFrame(
            func_index=int(lib.wasm_frame_func_index(frame)),
            func_name=_name(lib.wasmtime_frame_func_name(frame)),
            module_name=_name(lib.wasmtime_frame_module_name(frame)),
            module_offset=int(lib.wasm_frame_module_offset(frame)),
        )
        for frame in vec_items(vec)
    )


def _take_bytes(vec: wasm_vec_t) -> str:
    """The text of a ``wasm_byte_vec_t`` that wasmtime filled, freeing it."""
    text = ctypes.string_at(vec.data, vec.size).rstrip(b"\0") if vec.size else b""
    lib.wasm_byte_vec_delete(ctypes.byref(vec))
    return text.decode("utf-8", "replace")


def trap_from_trap_ptr(address: int) -> CoreTrap:
    """Decode and free a ``wasm_trap_t*`` that a call wrote into its trap slot."""
    try:
        message = wasm_vec_t()
        lib.wasm_trap_message(address, ctypes.byref(message))
        full = _take_bytes(message)
        code = ctypes.c_uint8()
        rule = None
        if lib.wasmtime_trap_code(address, ctypes.byref(code)) and code.value < len(TRAP_CODES):
            rule = TRAP_CODES[code.value]
        with filled_vec(lib.wasm_trap_trace, address, delete=lib.wasm_frame_vec_delete) as vec:
            frames = _frames(vec)
    finally:
        lib.wasm_trap_delete(address)
    message_text, context, backtrace = _split(full)
    return CoreTrap(
        message_text,
        rule,
        context=context,
        backtrace=backtrace,
        frames=frames,
        wasmtime_message=full,
    )


def error_text(address: int) -> str:
    """The message of a ``wasmtime_error_t*``, freeing it."""
    try:
        vec = wasm_vec_t()
        lib.wasmtime_error_message(address, ctypes.byref(vec))
        return _take_bytes(vec)
    finally:
        lib.wasmtime_error_delete(address)


def trap_from_error_ptr(address: int) -> CoreTrap:
    """Decode and free a ``wasmtime_error_t*`` returned by a call (a non-code trap)."""
    with filled_vec(
        lib.wasmtime_error_wasm_trace, address, delete=lib.wasm_frame_vec_delete
    ) as vec:
        frames = _frames(vec)
    full = error_text(address)
    message, context, backtrace = _split(full)
    return CoreTrap(
        message, None, context=context, backtrace=backtrace, frames=frames, wasmtime_message=full
    )
