"""The decoded binary: immutable records, one per production of Binary.md, with byte offsets.

This is the output of ``read()`` and the input of ``validate()``.  It is a
faithful, index-based picture of the binary: nothing here is resolved (an index
is just an ``int``), nothing is checked beyond what decoding needs.  Every record
carries ``offset``, the absolute position in the file where it starts, so
validation errors can point at it.

Rules of this module:

* Frozen, slotted dataclasses; sequences are tuples.
* A core module is kept as a byte range of the original buffer (``source`` is a
  reference to it, never a copy) plus a light parse of what a component needs to
  know about it: its types, imports, exports and the type of every function,
  table, memory, global and tag.  Code and data are never parsed.
* Value types of the component level are ``ValTypeRef``: a primitive's name
  (``"u32"``) or a type index (``int``).
* Sorts are strings: component sorts ``"func" "value" "type" "component"
  "instance"`` and core sorts ``"core func" "core table" "core memory"
  "core global" "core tag" "core type" "core module" "core instance"``.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from witkit._record import field, record
from witkit.types import PrimName

__all__ = [
    "Alias",
    "ArrayType",
    "CanonBuiltin",
    "CanonLift",
    "CanonLower",
    "CanonOpt",
    "Canon",
    "Component",
    "ComponentDecl",
    "ComponentNames",
    "ComponentSection",
    "ComponentTypeDef",
    "ContType",
    "CoreAliasDecl",
    "CoreExport",
    "CoreExportDecl",
    "CoreKind",
    "CoreExternDesc",
    "CoreImport",
    "CoreInlineExport",
    "CoreInlineExports",
    "CoreInstance",
    "CoreInstanceSection",
    "CoreInstantiate",
    "CoreInstantiateArg",
    "CoreModule",
    "CoreModuleSection",
    "CoreModuleTypeDef",
    "CoreRecGroup",
    "CoreSubType",
    "CoreTypeDef",
    "CoreTypeDecl",
    "CoreTypeSection",
    "CustomSection",
    "DefValType",
    "EnumDef",
    "Export",
    "ExportDecl",
    "ExportSection",
    "ExternDesc",
    "ExternName",
    "FlagsDef",
    "FuncDef",
    "FutureDef",
    "GlobalDef",
    "Import",
    "ImportDecl",
    "ImportSection",
    "Instance",
    "InstanceDecl",
    "InstanceSection",
    "InstanceTypeDef",
    "InlineExport",
    "InlineExports",
    "Instantiate",
    "InstantiateArg",
    "ListDef",
    "MapDef",
    "MemoryDef",
    "ModuleDecl",
    "OptionDef",
    "OwnDef",
    "BorrowDef",
    "PrimDef",
    "Producers",
    "RecordDef",
    "ResourceDef",
    "ResultDef",
    "AliasSection",
    "CanonSection",
    "Section",
    "Sort",
    "Start",
    "StartSection",
    "StreamDef",
    "StructType",
    "TableDef",
    "TupleDef",
    "TypeDecl",
    "TypeDef",
    "TypeSection",
    "ValTypeRef",
    "Value",
    "ValueSection",
    "VariantDef",
]

Sort: TypeAlias = str

#: a component value type as written: a primitive's name or a type index
ValTypeRef: TypeAlias = "PrimName | int"


# =========================================================================== core


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


@record
class CoreModule:
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

    @property
    def data(self) -> memoryview:
        """The module's bytes (preamble included), without copying."""
        return memoryview(self.source)[self.offset : self.end]

    @property
    def size(self) -> int:
        return self.end - self.offset

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


# =========================================================================== component: sections


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
class CoreInstantiateArg:
    name: str
    index: int
    sort: Sort = "core instance"


@record
class CoreInstantiate:
    offset: int
    module: int
    args: tuple[CoreInstantiateArg, ...]


@record
class CoreInlineExport:
    name: str
    sort: Sort
    index: int


@record
class CoreInlineExports:
    offset: int
    exports: tuple[CoreInlineExport, ...]


CoreInstance: TypeAlias = "CoreInstantiate | CoreInlineExports"


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
class InstantiateArg:
    name: str
    sort: Sort
    index: int


@record
class Instantiate:
    offset: int
    component: int
    args: tuple[InstantiateArg, ...]


@record
class InlineExport:
    name: ExternName
    sort: Sort
    index: int


@record
class InlineExports:
    offset: int
    exports: tuple[InlineExport, ...]


Instance: TypeAlias = "Instantiate | InlineExports"


@record
class Alias:
    """``alias``: ``target`` is ``"export"``, ``"core export"`` or ``"outer"``.

    export / core export: ``instance`` and ``name``; outer: ``count`` and ``index``.
    """

    offset: int
    sort: Sort
    target: Literal["export", "core export", "outer"]
    instance: int = 0
    name: str = ""
    count: int = 0
    index: int = 0


# --------------------------------------------------------------------------- types


@record
class PrimDef:
    offset: int
    prim: PrimName


@record
class RecordDef:
    offset: int
    fields: tuple[tuple[str, ValTypeRef], ...]


@record
class VariantDef:
    offset: int
    cases: tuple[tuple[str, ValTypeRef | None], ...]


@record
class ListDef:
    offset: int
    element: ValTypeRef
    length: int | None = None


@record
class TupleDef:
    offset: int
    types: tuple[ValTypeRef, ...]


@record
class FlagsDef:
    offset: int
    names: tuple[str, ...]


@record
class EnumDef:
    offset: int
    names: tuple[str, ...]


@record
class OptionDef:
    offset: int
    value: ValTypeRef


@record
class ResultDef:
    offset: int
    ok: ValTypeRef | None
    err: ValTypeRef | None


@record
class OwnDef:
    offset: int
    index: int


@record
class BorrowDef:
    offset: int
    index: int


@record
class StreamDef:
    offset: int
    element: ValTypeRef | None


@record
class FutureDef:
    offset: int
    value: ValTypeRef | None


@record
class MapDef:
    offset: int
    key: ValTypeRef
    value: ValTypeRef


DefValType: TypeAlias = (
    "PrimDef | RecordDef | VariantDef | ListDef | TupleDef | FlagsDef | EnumDef | OptionDef"
    " | ResultDef | OwnDef | BorrowDef | StreamDef | FutureDef | MapDef"
)


@record
class FuncDef:
    offset: int
    params: tuple[tuple[str, ValTypeRef], ...]
    result: ValTypeRef | None
    is_async: bool = False


@record
class ResourceDef:
    offset: int
    rep: str
    dtor: int | None


@record
class ExternDesc:
    """``externtype``: the sort of an import/export and how its type is given.

    * ``core module``, ``func``, ``component``, ``instance``: ``index`` is a type index.
    * ``type``: ``index`` is the ``(eq i)`` bound, or ``None`` for ``(sub resource)``.
    * ``value``: ``index`` is the ``(eq i)`` value index, else ``valtype`` is the type.
    """

    sort: Sort
    index: int | None = None
    valtype: ValTypeRef | None = None


@record
class CoreTypeDecl:
    offset: int
    ty: CoreTypeDef


@record
class TypeDecl:
    offset: int
    ty: TypeDef


@record
class ImportDecl:
    offset: int
    name: ExternName
    desc: ExternDesc


@record
class ExportDecl:
    offset: int
    name: ExternName
    desc: ExternDesc


InstanceDecl: TypeAlias = "CoreTypeDecl | TypeDecl | Alias | ExportDecl"
ComponentDecl: TypeAlias = "CoreTypeDecl | TypeDecl | Alias | ExportDecl | ImportDecl"


@record
class ComponentTypeDef:
    offset: int
    decls: tuple[ComponentDecl, ...]


@record
class InstanceTypeDef:
    offset: int
    decls: tuple[InstanceDecl, ...]


TypeDef: TypeAlias = "DefValType | FuncDef | ComponentTypeDef | InstanceTypeDef | ResourceDef"


# --------------------------------------------------------------------------- canon


@record
class CanonOpt:
    """A ``canonopt``: ``kind`` is utf8, utf16, latin1+utf16, memory, realloc,
    post-return, async, callback, core-type or gc; ``index`` for those that take one."""

    kind: str
    index: int | None = None


@record
class CanonLift:
    offset: int
    core_func: int
    opts: tuple[CanonOpt, ...]
    type_index: int


@record
class CanonLower:
    offset: int
    func: int
    opts: tuple[CanonOpt, ...]


@record
class CanonBuiltin:
    """Every other ``canon``: ``name`` is the spec's (``resource.new``, ``stream.read``...).

    Fields are set as the builtin's immediates require: ``type_index`` (resource,
    stream, future or core func type), ``opts``, ``flag`` (``async``,
    ``cancellable`` or ``shared``), ``valtype`` and ``slot`` (``context.*``),
    ``memory``, ``table``, ``result`` (``task.return``).
    """

    offset: int
    name: str
    type_index: int | None = None
    opts: tuple[CanonOpt, ...] = ()
    flag: bool = False
    valtype: str | None = None
    slot: int | None = None
    memory: int | None = None
    table: int | None = None
    result: ValTypeRef | None = None


Canon: TypeAlias = "CanonLift | CanonLower | CanonBuiltin"


@record
class Start:
    offset: int
    func: int
    args: tuple[int, ...]
    results: int


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
class Value:
    """A 🪙 value definition: its type and the byte range of its encoding (decoded by validation)."""

    offset: int
    valtype: ValTypeRef
    data_offset: int
    size: int
    source: bytes = field(repr=False, default=b"")


# --------------------------------------------------------------------------- sections


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
class Component:
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
    def data(self) -> memoryview:
        return memoryview(self.source)[self.offset : self.end]

    @property
    def size(self) -> int:
        return self.end - self.offset

    @property
    def imports(self) -> tuple[Import, ...]:
        return tuple(i for s in self.sections if isinstance(s, ImportSection) for i in s.items)

    @property
    def exports(self) -> tuple[Export, ...]:
        return tuple(e for s in self.sections if isinstance(s, ExportSection) for e in s.items)

    @property
    def customs(self) -> tuple[CustomSection, ...]:
        return tuple(s for s in self.sections if isinstance(s, CustomSection))
