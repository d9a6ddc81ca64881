"""Custom sections: the generic header, plus the ``component-name`` and ``producers`` payloads.

A custom section's name must decode (a malformed name makes the binary
malformed), but its payload is advisory: the spec says engines must not reject
a component for an invalid ``name`` section, so a payload that does not parse
is kept as raw bytes (``names``/``producers`` give ``None``), never an error.
``read`` only records where a payload is; ``ir.CustomSection.names`` and
``.producers`` parse it here when someone asks.
``component-type:*`` sections (WIT embedded by ``wit-bindgen``) are kept as byte
ranges; the WIT decoder reads them.  A component or module keeps at most
``MAX_KEPT_CUSTOM_SECTIONS`` custom sections (the first ones); the readers of the
later ones only check their names (``skip_custom_section``), so a file of
millions of tiny custom sections costs no object per section.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import CORE_SORTS, SORT_CORE, SORTS
from witkit.binary.reader import Reader
from witkit.errors import BinaryError

__all__ = [
    "parse_component_names",
    "parse_producers",
    "read_custom_section",
    "skip_custom_section",
]


def read_custom_section(body: Reader, header_offset: int) -> ir.CustomSection:
    """``body`` spans the section's contents; ``header_offset`` is where its id byte was."""
    name = body.name("a custom section name")
    data_offset = body.pos
    size = body.end - body.pos
    body.pos = body.end
    return ir.CustomSection(header_offset, name, data_offset, size, body.data)


def parse_component_names(data: bytes, offset: int, size: int) -> ir.ComponentNames | None:
    """The ``component-name`` payload at ``data[offset : offset + size]``; ``None`` if malformed."""
    try:
        return _read_component_names(Reader(data, offset, offset + size))
    except BinaryError:
        return None


def parse_producers(data: bytes, offset: int, size: int) -> ir.Producers | None:
    """The ``producers`` payload at ``data[offset : offset + size]``; ``None`` if malformed."""
    try:
        return _read_producers(Reader(data, offset, offset + size))
    except BinaryError:
        return None


def skip_custom_section(body: Reader) -> None:
    """Check a custom section's name, as ``read_custom_section`` does, and keep nothing.

    For the custom sections past ``MAX_KEPT_CUSTOM_SECTIONS``: the binary is as
    malformed with a bad name there as anywhere, but its payload is never parsed.
    """
    body.name("a custom section name")
    body.pos = body.end


def _read_name_map(r: Reader) -> tuple[tuple[int, str], ...]:
    return r.vec(
        1_000_000, "names", lambda r: (r.u32("an index"), r.name("a name", limit=r.remaining()))
    )


def _read_component_names(r: Reader) -> ir.ComponentNames:
    component: str | None = None
    sorts: dict[str, tuple[tuple[int, str], ...]] = {}
    while not r.eof():
        sub_id = r.u8("a name subsection id")
        size = r.u32("a name subsection size")
        sub = r.sub(size, "name subsection")
        if sub_id == 0:
            component = sub.name("the component name", limit=sub.remaining())
            sub.expect_end("component name subsection")
        elif sub_id == 1:
            byte = sub.u8("a sort")
            sort = CORE_SORTS.get(sub.u8("a core sort")) if byte == SORT_CORE else SORTS.get(byte)
            if sort is None:
                continue
            sorts[sort] = _read_name_map(sub)
            sub.expect_end("sort names subsection")
    return ir.ComponentNames(component, sorts)


def _read_producers(r: Reader) -> ir.Producers:
    fields: dict[str, tuple[tuple[str, str], ...]] = {}
    n = r.count(1_000_000, "producers fields")
    for _ in range(n):
        field = r.name("a producers field name", limit=r.remaining())
        fields[field] = r.vec(
            1_000_000,
            "producers values",
            lambda r: (
                r.name("a producer name", limit=r.remaining()),
                r.name("a producer version", limit=r.remaining()),
            ),
        )
    r.expect_end("producers section")
    return ir.Producers(fields)
