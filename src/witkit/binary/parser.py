"""``read``: bytes to IR.  The preamble, the section loop, and dispatch to ``sections/*``.

Rules: sans-IO (bytes in, ``ir`` out); offsets are absolute in the input; the
input is never copied (core modules and nested components are ranges of it);
every failure is a ``BinaryError`` with an offset.  Component sections may come
in any order and repeat (Binary.md), so each section becomes one ``ir`` record in
binary order -- except a section with nothing in it (an empty vector, or a custom
section with an empty name and no payload), which declares nothing and gets no
record.  A nested component or module is read in place with the same reader,
bounded by its section size.

Cost on hostile input (issue 9): reading is linear in the input, and the input
cannot make us hold much more than it says.  Runs of contentless sections (a
15 MB file can hold 5 000 000 of them) are skipped by one regular expression
match, in C, without a Python step or an object per section.  The index-space
limits that a section's items alone can exceed (instances, types, functions,
exports: ``limits``) are counted here, while reading, so a component that
declares millions of items in millions of small sections is refused at the
first one over the limit instead of after all of them have become records; the
error is the one ``validate`` would give there (a ``ValidationError``).  Past
``MAX_KEPT_CUSTOM_SECTIONS`` custom sections in one component, further custom
sections are checked (their name must decode) but not kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from witkit.binary import ir
from witkit.binary.codes import COMPONENT_VERSION as COMPONENT_VERSION
from witkit.binary.codes import (
    LAYER_COMPONENT,
    LAYER_MODULE,
    MAGIC,
    SECTION_ALIAS,
    SECTION_CANON,
    SECTION_COMPONENT,
    SECTION_CORE_INSTANCE,
    SECTION_CORE_MODULE,
    SECTION_CORE_TYPE,
    SECTION_CUSTOM,
    SECTION_EXPORT,
    SECTION_IMPORT,
    SECTION_INSTANCE,
    SECTION_START,
    SECTION_TYPE,
    SECTION_VALUE,
)
from witkit.binary.limits import (
    MAX_KEPT_CUSTOM_SECTIONS,
    MAX_MODULES_AND_COMPONENTS,
    MAX_WASM_EXPORTS,
    MAX_WASM_FUNCTIONS,
    MAX_WASM_INSTANCES,
    MAX_WASM_TYPES,
)
from witkit.binary.reader import Reader
from witkit.binary.sections.aliases import read_alias_section
from witkit.binary.sections.canonicals import read_canon_section
from witkit.binary.sections.core import read_core_module
from witkit.binary.sections.custom import read_custom_section, skip_custom_section
from witkit.binary.sections.exports import read_export_section
from witkit.binary.sections.imports import read_import_section
from witkit.binary.sections.instances import read_core_instance_section, read_instance_section
from witkit.binary.sections.start import read_start_section
from witkit.binary.sections.types import read_core_type_section, read_type_section
from witkit.binary.sections.values import read_value_section
from witkit.errors import BinaryError, ValidationError

__all__ = ["COMPONENT_VERSION", "read", "read_file"]


#: ids of the sections that can be empty and then declare nothing: a custom section
#: (``00 01 00``: empty name, no payload) and every vector section but the value
#: section (``id 01 00``: no items; an empty value section still needs the value
#: feature, so it stays a record for ``validate`` to judge)
_CONTENTLESS_IDS = frozenset((0, 2, 3, 5, 6, 7, 8, 10, 11))
#: a run of contentless sections; possessive, so the match is one C loop (~6 ns a section)
_CONTENTLESS_RUN = re.compile(rb"(?:[\x00\x02\x03\x05-\x08\x0a\x0b]\x01\x00)++")
#: sorts whose aliases add to the type and the instance index spaces
_TYPE_SORTS = frozenset(("type", "core type"))
_INSTANCE_SORTS = frozenset(("instance", "core instance"))


def read(data: bytes | bytearray | memoryview) -> ir.Component | ir.CoreModule:
    """Decode a component (layer 1) or a core module (layer 0); raise ``BinaryError`` if malformed.

    Also raises ``ValidationError`` (a ``BinaryError``) for an index space or export
    list already over ``validate``'s limit (see the module docstring).
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    r = Reader(data)
    try:
        layer = _preamble_layer(r)
        if layer == LAYER_MODULE:
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
        if r.data[start : start + min(4, r.remaining())] != MAGIC[: min(4, r.remaining())]:
            raise BinaryError("magic header not detected: bad magic number", start)
        raise BinaryError("unexpected end of input while reading the preamble", r.end)
    if r.data[start : start + 4] != MAGIC:
        raise BinaryError("magic header not detected: bad magic number", start)
    version = int.from_bytes(r.data[start + 4 : start + 6], "little")
    layer = int.from_bytes(r.data[start + 6 : start + 8], "little")
    if layer == LAYER_MODULE:
        if version != 1:
            raise BinaryError(f"unknown binary version: 0x{version:x}", start + 4)
        return layer
    if layer == LAYER_COMPONENT:
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

    __slots__ = (
        "body",
        "customs",
        "exports",
        "functions",
        "header",
        "instances",
        "offset",
        "reader",
        "sections",
        "started",
        "types",
    )

    def __init__(self, reader: Reader, header: int, body: Reader | None) -> None:
        self.reader = reader
        self.offset = reader.pos
        self.header = header
        #: the section reader of the enclosing component (checked for leftovers at the end)
        self.body = body
        self.sections: list[ir.Section] = []
        self.started = False
        #: lower bounds of index spaces and lists ``validate`` limits (see the module docstring)
        self.instances = 0
        self.types = 0
        self.functions = 0
        self.exports = 0
        self.customs = 0


#: sections whose every item enters one index space the reader counts (``_Frame``'s
#: attribute of that name): the section's reader, the space, ``validate``'s limit on it
_COUNTED: dict[int, tuple[Callable[[Reader, int], Any], str, int]] = {
    SECTION_CORE_INSTANCE: (read_core_instance_section, "instances", MAX_WASM_INSTANCES),
    SECTION_CORE_TYPE: (read_core_type_section, "types", MAX_WASM_TYPES),
    SECTION_INSTANCE: (read_instance_section, "instances", MAX_WASM_INSTANCES),
    SECTION_TYPE: (read_type_section, "types", MAX_WASM_TYPES),
    SECTION_CANON: (read_canon_section, "functions", MAX_WASM_FUNCTIONS),
    SECTION_EXPORT: (read_export_section, "exports", MAX_WASM_EXPORTS),
}


def _tally(count: int, added: int, limit: int, what: str, offset: int) -> int:
    """``count + added``, or the ``ValidationError`` ``validate`` would raise when it passes ``limit``.

    The counts kept while reading are lower bounds of ``validate``'s (which also
    counts imported, exported and aliased items), so this never refuses what
    ``validate`` would accept; it only refuses sooner.
    """
    count += added
    if count > limit:
        raise ValidationError(f"{what} count exceeds limit of {limit}", offset)
    return count


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
        data = r.data
        while not r.eof():
            header = r.pos
            if (
                header + 2 < r.end
                and data[header + 1] == 1
                and data[header + 2] == 0
                and data[header] in _CONTENTLESS_IDS
            ):
                match = _CONTENTLESS_RUN.match(data, header, r.end)
                assert match is not None  # the three bytes just checked are one
                r.pos = match.end()
                continue
            sid = r.u8("a section id")
            size = r.u32("a section size")
            body = r.sub(size, "section")
            start = body.pos
            if sid == SECTION_CUSTOM:
                if frame.customs < MAX_KEPT_CUSTOM_SECTIONS:
                    frame.customs += 1
                    append(read_custom_section(body, header))
                else:
                    skip_custom_section(body)
            elif sid in (SECTION_CORE_MODULE, SECTION_COMPONENT):
                nested_count += 1
                if nested_count >= MAX_MODULES_AND_COMPONENTS:
                    raise BinaryError(
                        "modules and components count exceeds limit of "
                        f"{MAX_MODULES_AND_COMPONENTS}",
                        start,
                    )
                layer = _preamble_layer(body)
                if sid == SECTION_CORE_MODULE:
                    if layer != LAYER_MODULE:
                        raise BinaryError("expected a version header for a module", start + 4)
                    append(ir.CoreModuleSection(header, read_core_module(body)))
                else:
                    if layer != LAYER_COMPONENT:
                        raise BinaryError("expected a version header for a component", start + 4)
                    child = _Frame(body, header, body)
                    break
            elif (counted := _COUNTED.get(sid)) is not None:
                read_section, space, limit = counted
                section = read_section(body, header)
                added = len(section.items)
                setattr(frame, space, _tally(getattr(frame, space), added, limit, space, header))
                append(section)
            elif sid == SECTION_ALIAS:
                aliases = read_alias_section(body, header)
                for alias in aliases.items:
                    if alias.sort in _TYPE_SORTS:
                        frame.types = _tally(frame.types, 1, MAX_WASM_TYPES, "types", alias.offset)
                    elif alias.sort in _INSTANCE_SORTS:
                        frame.instances = _tally(
                            frame.instances, 1, MAX_WASM_INSTANCES, "instances", alias.offset
                        )
                append(aliases)
            elif sid == SECTION_START:
                if any(isinstance(s, ir.StartSection) for s in sections):
                    raise BinaryError("component cannot have more than one start function", header)
                append(read_start_section(body, header))
            elif sid == SECTION_IMPORT:
                append(read_import_section(body, header))
            elif sid == SECTION_VALUE:
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
