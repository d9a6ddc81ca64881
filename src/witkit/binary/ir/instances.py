"""Instance and alias definitions (Binary.md "Instance Definitions", "Alias Definitions").

Core instances (``core:instance``: instantiate a module, or bundle core items),
component instances (``instance``: instantiate a component, or bundle items),
and ``alias``es of an instance's export or an enclosing component's item; every
reference is an index of its sort, unresolved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from witkit._record import record

if TYPE_CHECKING:
    from witkit.binary.ir.component import ExternName, Sort

__all__ = [
    "Alias",
    "CoreInlineExport",
    "CoreInlineExports",
    "CoreInstance",
    "CoreInstantiate",
    "CoreInstantiateArg",
    "InlineExport",
    "InlineExports",
    "Instance",
    "Instantiate",
    "InstantiateArg",
]


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
