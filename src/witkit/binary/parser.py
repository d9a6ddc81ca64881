"""``read``: bytes to IR.  The preamble, the section loop, and dispatch to ``sections/*``.

Rules: sans-IO (bytes in, ``ir`` out); offsets are absolute in the input; the
input is never copied (core modules and nested components are ranges of it);
every failure is a ``BinaryError`` with an offset.  Component sections may come
in any order and repeat (Binary.md), so each section becomes one ``ir`` record in
binary order.  A nested component or module is read in place with the same
reader, bounded by its section size.
"""

from __future__ import annotations

from pathlib import Path

from witkit.binary import ir
from witkit.binary.limits import MAX_MODULES_AND_COMPONENTS
from witkit.binary.reader import Reader
from witkit.binary.sections.aliases import read_alias_section
from witkit.binary.sections.canonicals import read_canon_section
from witkit.binary.sections.core import CORE_MAGIC, read_core_module
from witkit.binary.sections.custom import read_custom_section
from witkit.binary.sections.exports import read_export_section
from witkit.binary.sections.imports import read_import_section
from witkit.binary.sections.instances import read_core_instance_section, read_instance_section
from witkit.binary.sections.start import read_start_section
from witkit.binary.sections.types import read_core_type_section, read_type_section
from witkit.binary.sections.values import read_value_section
from witkit.errors import BinaryError

__all__ = ["COMPONENT_VERSION", "read", "read_file"]

#: the pre-standard component version this reader understands (Binary.md "preamble")
COMPONENT_VERSION = 0x0D
_LAYER_MODULE = 0
_LAYER_COMPONENT = 1

_CORE_MODULE, _CORE_INSTANCE, _CORE_TYPE, _COMPONENT = 1, 2, 3, 4
_INSTANCE, _ALIAS, _TYPE, _CANON, _START, _IMPORT, _EXPORT, _VALUE = 5, 6, 7, 8, 9, 10, 11, 12


def read(data: bytes | bytearray | memoryview) -> ir.Component | ir.CoreModule:
    """Decode a component (layer 1) or a core module (layer 0); raise ``BinaryError`` if malformed."""
    if not isinstance(data, bytes):
        data = bytes(data)
    r = Reader(data)
    try:
        layer = _preamble_layer(r)
        if layer == _LAYER_MODULE:
            return read_core_module(r)
        return _read_component(r, 0)
    except RecursionError:  # a last line of defence: every nesting has its own limit
        raise BinaryError("the binary nests too deeply", r.pos) from None


def read_file(path: str | Path) -> ir.Component | ir.CoreModule:
    """``read`` the contents of a file (the one place this package touches the filesystem)."""
    return read(Path(path).read_bytes())


def _preamble_layer(r: Reader) -> int:
    """Check magic and version without consuming them; return the layer."""
    start = r.pos
    if r.remaining() < 8:
        if r.data[start : start + min(4, r.remaining())] != CORE_MAGIC[: min(4, r.remaining())]:
            raise BinaryError("magic header not detected: bad magic number", start)
        raise BinaryError("unexpected end of input while reading the preamble", r.end)
    if r.data[start : start + 4] != CORE_MAGIC:
        raise BinaryError("magic header not detected: bad magic number", start)
    version = int.from_bytes(r.data[start + 4 : start + 6], "little")
    layer = int.from_bytes(r.data[start + 6 : start + 8], "little")
    if layer == _LAYER_MODULE:
        if version != 1:
            raise BinaryError(f"unknown binary version: 0x{version:x}", start + 4)
        return layer
    if layer == _LAYER_COMPONENT:
        if version < COMPONENT_VERSION:
            raise BinaryError(f"unsupported component version: 0x{version:x}", start + 4)
        if version > COMPONENT_VERSION:
            raise BinaryError(f"unknown component version: 0x{version:x}", start + 4)
        return layer
    raise BinaryError(
        f"unknown binary version and encoding combination: 0x{version:x} and 0x{layer:x}",
        start + 4,
    )


class _Frame:
    """A component being read: its reader, where it started, its sections so far."""

    __slots__ = ("body", "header", "offset", "reader", "sections", "started")

    def __init__(self, reader: Reader, header: int, body: Reader | None) -> None:
        self.reader = reader
        self.offset = reader.pos
        self.header = header
        #: the section reader of the enclosing component (checked for leftovers at the end)
        self.body = body
        self.sections: list[ir.Section] = []
        self.started = False


def _read_component(r: Reader, depth: int) -> ir.Component:
    """Read a component and every component nested in it.

    Nesting is handled with an explicit stack, not recursion: wasm-tools accepts
    up to 999 nested components, far more than Python's call stack allows.
    """
    del depth
    stack = [_Frame(r, r.pos, None)]
    nested_count = 0
    while True:
        frame = stack[-1]
        r = frame.reader
        if not frame.started:
            r.skip(8, "the preamble")
            frame.started = True
        sections = frame.sections
        append = sections.append
        child: _Frame | None = None
        while not r.eof():
            header = r.pos
            sid = r.u8("a section id")
            size = r.u32("a section size")
            body = r.sub(size, "section")
            start = body.pos
            if sid == 0:
                append(read_custom_section(body, header))
            elif sid in (_CORE_MODULE, _COMPONENT):
                nested_count += 1
                if nested_count >= MAX_MODULES_AND_COMPONENTS:
                    raise BinaryError(
                        "modules and components count exceeds limit of "
                        f"{MAX_MODULES_AND_COMPONENTS}",
                        start,
                    )
                layer = _preamble_layer(body)
                if sid == _CORE_MODULE:
                    if layer != _LAYER_MODULE:
                        raise BinaryError("expected a version header for a module", start + 4)
                    append(ir.CoreModuleSection(header, read_core_module(body)))
                else:
                    if layer != _LAYER_COMPONENT:
                        raise BinaryError("expected a version header for a component", start + 4)
                    child = _Frame(body, header, body)
                    break
            elif sid == _CORE_INSTANCE:
                append(read_core_instance_section(body, header))
            elif sid == _CORE_TYPE:
                append(read_core_type_section(body, header))
            elif sid == _INSTANCE:
                append(read_instance_section(body, header))
            elif sid == _ALIAS:
                append(read_alias_section(body, header))
            elif sid == _TYPE:
                append(read_type_section(body, header))
            elif sid == _CANON:
                append(read_canon_section(body, header))
            elif sid == _START:
                if any(isinstance(s, ir.StartSection) for s in sections):
                    raise BinaryError("component cannot have more than one start function", header)
                append(read_start_section(body, header))
            elif sid == _IMPORT:
                append(read_import_section(body, header))
            elif sid == _EXPORT:
                append(read_export_section(body, header))
            elif sid == _VALUE:
                append(read_value_section(body, header))
            else:
                raise BinaryError(f"malformed section id: {sid}", header)
            body.expect_end("section")
        if child is not None:
            stack.append(child)
            continue
        component = ir.Component(frame.offset, r.end, r.data, COMPONENT_VERSION, tuple(sections))
        stack.pop()
        if not stack:
            return component
        stack[-1].sections.append(ir.ComponentSection(frame.header, component))
