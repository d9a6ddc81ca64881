"""A component and its sections (Binary.md "Component Definitions"), with the definitions
that have no section of their own kind: imports, exports and their names, start, values,
custom sections.

``Component.sections`` keeps the binary's order, custom sections included; a
section record holds its items in order, each with its offset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from witkit._record import field, record
from witkit.binary.ir.core import _ByteRange

if TYPE_CHECKING:
    from witkit.binary.ir.canon import Canon
    from witkit.binary.ir.core import CoreModule, CoreTypeDef
    from witkit.binary.ir.instances import Alias, CoreInstance, Instance
    from witkit.binary.ir.types import ExternDesc, TypeDef, ValTypeRef

__all__ = [
    "AliasSection",
    "CanonSection",
    "Component",
    "ComponentNames",
    "ComponentSection",
    "CoreInstanceSection",
    "CoreModuleSection",
    "CoreTypeSection",
    "CustomSection",
    "Export",
    "ExportSection",
    "ExternName",
    "Import",
    "ImportSection",
    "InstanceSection",
    "Producers",
    "Section",
    "Sort",
    "Start",
    "StartSection",
    "TypeSection",
    "Value",
    "ValueSection",
]


#: a sort as written: ``"func"``, ``"core module"``... (see the package's docstring)
Sort: TypeAlias = str


@record
class ExternName:
    """``nameattributes``: the extern name plus its optional attributes."""

    name: str
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None
    #: the discriminant byte (0x00, 0x01 or 0x02)
    form: int = 0


@record
class Import:
    offset: int
    name: ExternName
    desc: ExternDesc


@record
class Export:
    offset: int
    name: ExternName
    sort: Sort
    index: int
    desc: ExternDesc | None


@record
class Start:
    offset: int
    func: int
    args: tuple[int, ...]
    results: int


@record
class Value:
    """A 🪙 value definition: its type and the byte range of its encoding (decoded by validation)."""

    offset: int
    valtype: ValTypeRef
    data_offset: int
    size: int
    source: bytes = field(repr=False, default=b"")


@record
class CustomSection:
    """A custom section: its name and where its payload is.

    ``names`` and ``producers`` parse the payload when asked, each time: names are
    advisory and no validation needs them, so ``read`` does not pay for them (a
    15 MB ``component-name`` section took 2.3 s and 350 MB to parse up front).
    """

    offset: int
    name: str
    #: absolute offset of the payload (after the name) and its size
    data_offset: int
    size: int
    #: the input the offsets are in (a reference, never a copy)
    source: bytes = field(repr=False)

    @property
    def data(self) -> memoryview:
        """The payload, without copying."""
        return memoryview(self.source)[self.data_offset : self.data_offset + self.size]

    @property
    def names(self) -> ComponentNames | None:
        """The parsed ``component-name`` section, or ``None`` (another name; did not parse)."""
        if self.name != "component-name":
            return None
        from witkit.binary.sections.custom import parse_component_names

        return parse_component_names(self.source, self.data_offset, self.size)

    @property
    def producers(self) -> Producers | None:
        """The parsed ``producers`` section, or ``None`` (another name; did not parse)."""
        if self.name != "producers":
            return None
        from witkit.binary.sections.custom import parse_producers

        return parse_producers(self.source, self.data_offset, self.size)


@record
class ComponentNames:
    """The component ``name`` custom section: a name per index, per sort."""

    component: str | None
    #: sort -> ((index, name), ...)
    sorts: dict[Sort, tuple[tuple[int, str], ...]]


@record
class Producers:
    """The ``producers`` custom section: field -> ((name, version), ...)."""

    fields: dict[str, tuple[tuple[str, str], ...]]


@record
class CoreModuleSection:
    offset: int
    module: CoreModule


@record
class CoreInstanceSection:
    offset: int
    items: tuple[CoreInstance, ...]


@record
class CoreTypeSection:
    offset: int
    items: tuple[CoreTypeDef, ...]


@record
class ComponentSection:
    offset: int
    component: Component


@record
class InstanceSection:
    offset: int
    items: tuple[Instance, ...]


@record
class AliasSection:
    offset: int
    items: tuple[Alias, ...]


@record
class TypeSection:
    offset: int
    items: tuple[TypeDef, ...]


@record
class CanonSection:
    offset: int
    items: tuple[Canon, ...]


@record
class StartSection:
    offset: int
    start: Start


@record
class ImportSection:
    offset: int
    items: tuple[Import, ...]


@record
class ExportSection:
    offset: int
    items: tuple[Export, ...]


@record
class ValueSection:
    offset: int
    items: tuple[Value, ...]


Section: TypeAlias = (
    "CustomSection | CoreModuleSection | CoreInstanceSection | CoreTypeSection"
    " | ComponentSection | InstanceSection | AliasSection | TypeSection | CanonSection"
    " | StartSection | ImportSection | ExportSection | ValueSection"
)


@record
class Component(_ByteRange):
    """A component: its sections in binary order (custom sections included).

    Sections that declare nothing (an empty vector; a custom section with an
    empty name and no payload) have no record, and custom sections past the
    first ``MAX_KEPT_CUSTOM_SECTIONS`` are not kept (``witkit.binary.limits``).
    """

    offset: int
    end: int
    source: bytes = field(repr=False)
    version: int
    sections: tuple[Section, ...]

    @property
    def imports(self) -> tuple[Import, ...]:
        return tuple(i for s in self.sections if isinstance(s, ImportSection) for i in s.items)

    @property
    def exports(self) -> tuple[Export, ...]:
        return tuple(e for s in self.sections if isinstance(s, ExportSection) for e in s.items)

    @property
    def customs(self) -> tuple[CustomSection, ...]:
        return tuple(s for s in self.sections if isinstance(s, CustomSection))
