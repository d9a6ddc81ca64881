"""Turn wasmtime's traps and errors into ``witkit.errors.Trap``, once, at the call boundary.

wasmtime reports a trap as one Debug-formatted text: a "wasm backtrace" block,
then a "Caused by" chain whose last line is the root cause ("wasm trap: integer
divide by zero").  We keep that root cause as the message (so callers and tests
can match on it), the intermediate causes as ``context``, the backtrace as text
and as structured frames, and the trap code as ``rule`` in kebab case.

Everything here runs only after a call failed, so clarity beats speed.

A backtrace names places in the guest as wasmtime prints them.  The engine
compiles each core module of a component on its own, so its frames give offsets
within that module; ``wasmtime run`` gives them in the coordinates of the
component *file*, where a person looks them up (``wasm-tools objdump``,
``witkit inspect``).  A trap that knows its component (``in_component``) is
rendered the same way: the component is read again at that moment, never before,
so start-up and calls pay nothing for it.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from witkit._record import record
from witkit.errors import Trap
from witkit.runtime.core._capi import filled_vec, lib, vec_bytes, vec_items, wasm_vec_t

if TYPE_CHECKING:
    from witkit.binary import ir

__all__ = ["CoreTrap", "TrapFrame"]

#: a backtrace line as wasmtime writes it: index, offset, then `` - module!function``
_FRAME_LINE = re.compile(r"^( *)(\d+):( +)(0x[0-9a-f]+)( - .*)$")


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
        #: the bytes of the component the frames ran in, read only when rendering
        self._component: Callable[[], bytes] | None = None

    def in_component(self, source: Callable[[], bytes]) -> CoreTrap:
        """Say which component's code trapped, so ``render`` gives offsets in its file.

        ``source`` gives the component's bytes; it is called only if the trap is
        rendered.  Returns the trap itself.
        """
        self._component = source
        return self

    def __str__(self) -> str:
        if not self.context:
            return self.message
        return f"{self.message} ({'; '.join(self.context)})"

    def render(self) -> str:
        """The message plus the guest backtrace, for a person reading a crash report."""
        if not self.backtrace:
            return str(self)
        return f"{self}\nwasm backtrace:\n{self.file_backtrace()}"

    def file_backtrace(self) -> str:
        """The backtrace with offsets in the component file, as ``wasmtime run`` prints it.

        Without a component (a plain core module, or a trap nobody placed) the
        module's offsets are the file's and the text is wasmtime's own.  A frame
        whose module cannot be told for certain keeps its module offset.
        """
        if self._component is None or not self.frames:
            return self.backtrace
        try:
            bases = _module_bases(self.frames, self._component())
        except Exception:  # a crash report must never crash itself
            return self.backtrace
        lines = []
        for line in self.backtrace.splitlines():
            match = _FRAME_LINE.match(line)
            if match is not None:
                index = int(match[2])
                base = bases[index] if index < len(bases) else None
                if base is not None:
                    offset = f"{int(match[4], 16) + base:#x}"
                    width = len(match[3]) + len(match[4])
                    line = f"{match[1]}{index}:{offset:>{width}}{match[5]}"
            lines.append(line)
        return "\n".join(lines)

    def with_limit(self, description: str, rule: str) -> CoreTrap:
        """The same trap re-described as a resource limit, keeping wasmtime's words."""
        return CoreTrap(
            f"{description} ({self.message})",
            rule,
            context=self.context,
            backtrace=self.backtrace,
            frames=self.frames,
            wasmtime_message=self.wasmtime_message,
        ).in_component_of(self)

    def in_component_of(self, other: CoreTrap) -> CoreTrap:
        """Place this trap in the component ``other`` was placed in (if any)."""
        self._component = other._component
        return self


def _core_modules(component: ir.Component) -> list[ir.CoreModule]:
    """Every core module of ``component``, nested components' included, in file order."""
    from witkit.binary import ir

    found: list[ir.CoreModule] = []
    for section in component.sections:
        if isinstance(section, ir.CoreModuleSection):
            found.append(section.module)
        elif isinstance(section, ir.ComponentSection):
            found.extend(_core_modules(section.component))
    return found


#: the code section's id in a core module (the core spec's binary format)
_CODE_SECTION = 10


def _module_bases(frames: tuple[TrapFrame, ...], data: bytes) -> list[int | None]:
    """For each frame, where its core module starts in the component file, if known for sure.

    The engine does not say which module a frame is in, only the module's own
    name (if it has one), the function index and the offset within the module.
    A module fits a frame when that offset lies in its code section and the index
    in its function space; of several that fit, those whose name section holds
    the frame's module name are kept; still several (or none), the frame is left
    as the engine gave it.
    """
    from witkit.binary import ir, read

    parsed = read(data)
    if not isinstance(parsed, ir.Component):
        return [None] * len(frames)
    modules = _core_modules(parsed)
    bases: list[int | None] = []
    for frame in frames:
        fits = [m for m in modules if _holds(m, frame)]
        if len(fits) > 1 and frame.module_name:
            wanted = frame.module_name.encode()
            fits = [
                m
                for m in fits
                if any(c.name == "name" and wanted in bytes(c.data) for c in m.customs)
            ]
        bases.append(fits[0].offset if len(fits) == 1 else None)
    return bases


def _holds(module: ir.CoreModule, frame: TrapFrame) -> bool:
    """Whether ``frame`` could be in ``module``: its function exists and its offset is code."""
    if frame.func_index >= len(module.funcs):
        return False
    at = module.offset + frame.module_offset
    return any(
        section == _CODE_SECTION and start <= at < start + size
        for section, start, size in module.sections
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
