"""Core modules as a component sees them (Binary.md ``core:module``, ``core:type``).

A core module is kept as a byte range of the original buffer (``source`` is a
reference to it, never a copy) plus a light parse of what a component needs to
know about it: its types, imports, exports and the type of every function,
table, memory, global and tag.  Code and data are never parsed.  Core value
types are their text names (``i32``, ``funcref``, ``(ref null 3)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from witkit._record import field, record

if TYPE_CHECKING:
    from witkit.binary.ir.component import CustomSection

__all__ = [
    "ArrayType",
    "ContType",
    "CoreAliasDecl",
    "CoreExport",
    "CoreExportDecl",
    "CoreExternDesc",
    "CoreImport",
    "CoreKind",
    "CoreModule",
    "CoreModuleTypeDef",
    "CoreRecGroup",
    "CoreSubType",
    "CoreTypeDef",
    "GlobalDef",
    "MemoryDef",
    "ModuleDecl",
    "StructType",
    "TableDef",
]


@record
class CoreSubType:
    """One core type of a rec group: a func, struct, array or cont type with its supertypes.

    Value types are their text names (``i32``, ``funcref``, ``(ref null 3)``); a
    concrete heap type index is relative to the type index space it was read in.
    """

    offset: int
    kind: Literal["func", "struct", "array", "cont"]
    #: func: params; struct: field types; array: (element,); cont: (type index,)
    params: tuple[str, ...]
    results: tuple[str, ...] = ()
    #: struct/array: mutability of each field
    mutable: tuple[bool, ...] = ()
    final: bool = True
    supertypes: tuple[int, ...] = ()
    shared: bool = False


@record
class CoreRecGroup:
    """A core type definition: a rec group (a lone sub type is a group of one)."""

    offset: int
    types: tuple[CoreSubType, ...]
    explicit: bool = False


CoreKind: TypeAlias = Literal["func", "table", "memory", "global", "tag"]


@record
class CoreExternDesc:
    """``core:externtype``: what a core import or export is."""

    kind: CoreKind
    #: func/tag: type index; otherwise unused
    type_index: int = 0
    table: TableDef | None = None
    memory: MemoryDef | None = None
    global_: GlobalDef | None = None
    exact: bool = False


@record
class CoreImport:
    offset: int
    module: str
    name: str
    desc: CoreExternDesc


@record
class CoreExportDecl:
    offset: int
    name: str
    desc: CoreExternDesc


@record
class CoreExport:
    """A core module's export: ``index`` is in the index space of ``kind``."""

    offset: int
    name: str
    kind: CoreKind
    index: int


@record
class CoreAliasDecl:
    """``(alias outer ct idx (type))`` inside a module type."""

    offset: int
    count: int
    index: int


@record
class TableDef:
    element: str
    minimum: int
    maximum: int | None
    table64: bool = False
    shared: bool = False


@record
class MemoryDef:
    minimum: int
    maximum: int | None
    shared: bool = False
    memory64: bool = False
    page_size_log2: int = 16


@record
class GlobalDef:
    valtype: str
    mutable: bool
    shared: bool = False


@record
class StructType:
    fields: tuple[str, ...]


@record
class ArrayType:
    element: str


@record
class ContType:
    type_index: int


ModuleDecl: TypeAlias = "CoreImport | CoreRecGroup | CoreAliasDecl | CoreExportDecl"


@record
class CoreModuleTypeDef:
    """``(module md*)`` as a core type of a component."""

    offset: int
    decls: tuple[ModuleDecl, ...]


CoreTypeDef: TypeAlias = "CoreRecGroup | CoreModuleTypeDef"


class _ByteRange:
    """A core module's or component's place in its input: ``source[offset:end]``."""

    __slots__ = ()
    offset: int
    end: int
    source: bytes

    @property
    def data(self) -> memoryview:
        """The bytes (preamble included), without copying."""
        return memoryview(self.source)[self.offset : self.end]

    @property
    def size(self) -> int:
        return self.end - self.offset


@record
class CoreModule(_ByteRange):
    """A core wasm module: a byte range of ``source`` plus the light parse described above.

    ``funcs``, ``tables``... are the *whole* index spaces (imports first), so the
    type of core function ``i`` is ``types`` at ``funcs[i]``.
    """

    offset: int
    end: int
    source: bytes = field(repr=False)
    version: int
    types: tuple[CoreRecGroup, ...]
    imports: tuple[CoreImport, ...]
    exports: tuple[CoreExport, ...]
    #: the type index of every function (imported, then defined)
    funcs: tuple[int, ...]
    tables: tuple[TableDef, ...]
    memories: tuple[MemoryDef, ...]
    globals: tuple[GlobalDef, ...]
    #: the type index of every tag
    tags: tuple[int, ...]
    start: int | None
    #: the first ``MAX_KEPT_CUSTOM_SECTIONS``, contentless ones (empty name and payload) left out
    customs: tuple[CustomSection, ...]
    #: (section id, offset of its contents, size) of every section, in order (the
    #: custom sections only as far as ``customs`` keeps them)
    sections: tuple[tuple[int, int, int], ...]

    def func_type(self, index: int) -> CoreSubType:
        """The sub type of core function ``index`` (index spaces are validated by ``validate``)."""
        wanted = self.funcs[index]
        for group in self.types:
            if wanted < len(group.types):
                return group.types[wanted]
            wanted -= len(group.types)
        raise IndexError(index)

    @property
    def flat_types(self) -> tuple[CoreSubType, ...]:
        return tuple(t for group in self.types for t in group.types)
