"""``ComponentWriter``: a component binary, section by section.

The writer's counterpart of ``binary/parser.py`` (which reads the preamble and
the section loop).  Rules: sections are written in the order they are added,
as Binary.md allows any order and repetition; the writer keeps no index
spaces (a caller that needs them counts, as ``InstanceTypeWriter`` does inside
a type); each item is given already encoded by the ``write_*`` function of the
section's module, so the writer never decides bytes on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from witkit.binary.codes import (
    COMPONENT_PREAMBLE,
    SECTION_ALIAS,
    SECTION_EXPORT,
    SECTION_IMPORT,
    SECTION_TYPE,
)
from witkit.binary.encode.custom import write_custom_section
from witkit.binary.encode.writer import section, vec

__all__ = ["ComponentWriter"]


class ComponentWriter:
    """Appends sections after the component preamble; ``finish`` returns the bytes.

    w = ComponentWriter()
    w.type_section([component_type.encode()])
    w.export_section([write_export(write_extern_name("x"), "type", 0)])
    w.custom_section("producers", write_producers({"processed-by": [("me", "1")]}))
    data = w.finish()
    """

    __slots__ = ("_out",)

    def __init__(self) -> None:
        self._out = bytearray(COMPONENT_PREAMBLE)

    def section(self, section_id: int, payload: bytes) -> None:
        """Any section, its payload already encoded (``binary.codes.SECTION_*``)."""
        self._out += section(section_id, payload)

    def type_section(self, deftypes: Sequence[bytes]) -> None:
        self.section(SECTION_TYPE, vec(deftypes))

    def import_section(self, imports: Sequence[bytes]) -> None:
        self.section(SECTION_IMPORT, vec(imports))

    def export_section(self, exports: Sequence[bytes]) -> None:
        self.section(SECTION_EXPORT, vec(exports))

    def alias_section(self, aliases: Sequence[bytes]) -> None:
        self.section(SECTION_ALIAS, vec(aliases))

    def custom_section(self, section_name: str, data: bytes) -> None:
        self._out += write_custom_section(section_name, data)

    def finish(self) -> bytes:
        return bytes(self._out)
