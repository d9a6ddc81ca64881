"""Custom sections, written: the generic header and the ``producers`` payload.

The writer's counterpart of ``binary/sections/custom.py``.  Payloads that
belong to another layer are written there and passed in as bytes (the WIT
``package-docs`` payload by ``witkit.wit.metadata``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from witkit.binary.codes import SECTION_CUSTOM
from witkit.binary.encode.writer import name, section, uleb

__all__ = ["write_custom_section", "write_producers"]


def write_custom_section(section_name: str, data: bytes) -> bytes:
    """A whole custom section: id 0, size, the name, then ``data`` as it is."""
    return section(SECTION_CUSTOM, name(section_name) + data)


def write_producers(fields: Mapping[str, Sequence[tuple[str, str]]]) -> bytes:
    """The ``producers`` payload: per field (``language``, ``processed-by``, ``sdk``), names and versions.

    Fields and values are written in the order given.
    """
    out = bytearray(uleb(len(fields)))
    for field_name, values in fields.items():
        out += name(field_name) + uleb(len(values))
        for value_name, version in values:
            out += name(value_name) + name(version)
    return bytes(out)
