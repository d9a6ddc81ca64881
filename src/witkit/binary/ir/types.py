"""Type definitions (Binary.md "Type Definitions"): ``defvaltype``, ``functype``,
``resourcetype``, ``externdesc``, and the declarations of component and instance types.

Nothing is resolved: a value type is a ``ValTypeRef`` (a primitive's name or a
type index), every other reference an index into the index space of its sort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from witkit._record import record
from witkit.types import PrimName

if TYPE_CHECKING:
    from witkit.binary.ir.component import ExternName, Sort
    from witkit.binary.ir.core import CoreTypeDef
    from witkit.binary.ir.instances import Alias

__all__ = [
    "BorrowDef",
    "ComponentDecl",
    "ComponentTypeDef",
    "CoreTypeDecl",
    "DefValType",
    "EnumDef",
    "ExportDecl",
    "ExternDesc",
    "FlagsDef",
    "FuncDef",
    "FutureDef",
    "ImportDecl",
    "InstanceDecl",
    "InstanceTypeDef",
    "ListDef",
    "MapDef",
    "OptionDef",
    "OwnDef",
    "PrimDef",
    "RecordDef",
    "ResourceDef",
    "ResultDef",
    "StreamDef",
    "TupleDef",
    "TypeDecl",
    "TypeDef",
    "ValTypeRef",
    "VariantDef",
]


#: a component value type as written: a primitive's name or a type index
ValTypeRef: TypeAlias = "PrimName | int"


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
