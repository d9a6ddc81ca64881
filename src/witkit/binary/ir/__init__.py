"""The decoded binary: immutable records, one per production of Binary.md, with byte offsets.

This is the output of ``read()`` and the input of ``validate()``.  It is a
faithful, index-based picture of the binary: nothing here is resolved (an index
is just an ``int``), nothing is checked beyond what decoding needs.  Every record
carries ``offset``, the absolute position in the file where it starts, so
validation errors can point at it.

One module per part of Binary.md, every name re-exported here (``ir.Component``...):

* ``component`` -- the component, its sections, imports, exports, start, values, custom sections
* ``core`` -- core modules (the light parse) and core types
* ``types`` -- type definitions and the declarations of component and instance types
* ``instances`` -- core and component instances, aliases
* ``canon`` -- canonical definitions

Rules of these modules:

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

from witkit.binary.ir.canon import Canon, CanonBuiltin, CanonLift, CanonLower, CanonOpt
from witkit.binary.ir.component import (
    AliasSection,
    CanonSection,
    Component,
    ComponentNames,
    ComponentSection,
    CoreInstanceSection,
    CoreModuleSection,
    CoreTypeSection,
    CustomSection,
    Export,
    ExportSection,
    ExternName,
    Import,
    ImportSection,
    InstanceSection,
    Producers,
    Section,
    Sort,
    Start,
    StartSection,
    TypeSection,
    Value,
    ValueSection,
)
from witkit.binary.ir.core import (
    ArrayType,
    ContType,
    CoreAliasDecl,
    CoreExport,
    CoreExportDecl,
    CoreExternDesc,
    CoreImport,
    CoreKind,
    CoreModule,
    CoreModuleTypeDef,
    CoreRecGroup,
    CoreSubType,
    CoreTypeDef,
    GlobalDef,
    MemoryDef,
    ModuleDecl,
    StructType,
    TableDef,
)
from witkit.binary.ir.instances import (
    Alias,
    CoreInlineExport,
    CoreInlineExports,
    CoreInstance,
    CoreInstantiate,
    CoreInstantiateArg,
    InlineExport,
    InlineExports,
    Instance,
    Instantiate,
    InstantiateArg,
)
from witkit.binary.ir.types import (
    BorrowDef,
    ComponentDecl,
    ComponentTypeDef,
    CoreTypeDecl,
    DefValType,
    EnumDef,
    ExportDecl,
    ExternDesc,
    FlagsDef,
    FuncDef,
    FutureDef,
    ImportDecl,
    InstanceDecl,
    InstanceTypeDef,
    ListDef,
    MapDef,
    OptionDef,
    OwnDef,
    PrimDef,
    RecordDef,
    ResourceDef,
    ResultDef,
    StreamDef,
    TupleDef,
    TypeDecl,
    TypeDef,
    ValTypeRef,
    VariantDef,
)

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
