"""What validation produces: the component's type and its resolved index spaces.

The runtime translates a component into instantiation steps from this, never
from the bytes again: every index of every index space is an ``Entry`` holding
the resolved type and the ``ir`` record that defined it (an ``ir.Import``, an
``ir.Alias``, an ``ir.CanonLift``...), plus, where they apply, the validated
nested component and the resolved canonical options.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeAlias, TypeVar

from witkit._record import record
from witkit.binary import ir
from witkit.binary.validate.core import CoreTypeEntry
from witkit.types import (
    AnyType,
    ComponentType,
    CoreFuncType,
    CoreInstanceType,
    FuncType,
    GlobalType,
    InstanceType,
    MemoryType,
    ModuleType,
    TableType,
    TagType,
    ValType,
)

__all__ = ["CanonOptions", "Entry", "Origin", "ValidatedComponent"]

_T = TypeVar("_T")

#: the ``ir`` record that put an item into an index space
Origin: TypeAlias = (
    "ir.Import | ir.ImportDecl | ir.Export | ir.ExportDecl | ir.Alias | ir.CanonLift | ir.CanonLower | ir.CanonBuiltin"
    " | ir.CoreModule | ir.CoreInstantiate | ir.CoreInlineExports | ir.Component"
    " | ir.Instantiate | ir.InlineExports | ir.Value | ir.Start | ir.CoreRecGroup"
    " | ir.CoreModuleTypeDef | ir.TypeDef"
)


@record
class CanonOptions:
    """The ``canonopt``s of a ``canon`` definition, resolved and checked (Binary.md defaults).

    Indices are into the component's core func / core memory index spaces.
    """

    string_encoding: Literal["utf8", "utf16", "latin1+utf16"] = "utf8"
    memory: int | None = None
    realloc: int | None = None
    post_return: int | None = None
    is_async: bool = False
    callback: int | None = None
    core_type: int | None = None
    gc: bool = False


@record
class Entry(Generic[_T]):
    """One index of an index space: its type and where it came from."""

    ty: _T
    origin: Origin
    #: for a component defined in this one: the validation of its body
    nested: ValidatedComponent | None = None
    #: for ``canon`` definitions: their options
    options: CanonOptions | None = None


@record
class ValidatedComponent:
    """A validated component: its type and every index space, in index order.

    ``type.imports`` and ``type.exports`` are ordered as in the binary.  Core
    index spaces: ``core_funcs``... ``core_instances``; component index spaces:
    ``types``, ``funcs``, ``values``, ``instances``, ``components``.  Exports
    add to the index space of their sort, as the spec says.
    """

    ir: ir.Component
    type: ComponentType
    core_types: tuple[Entry[CoreTypeEntry], ...]
    core_funcs: tuple[Entry[CoreFuncType], ...]
    core_tables: tuple[Entry[TableType], ...]
    core_memories: tuple[Entry[MemoryType], ...]
    core_globals: tuple[Entry[GlobalType], ...]
    core_tags: tuple[Entry[TagType], ...]
    core_modules: tuple[Entry[ModuleType], ...]
    core_instances: tuple[Entry[CoreInstanceType], ...]
    types: tuple[Entry[AnyType], ...]
    funcs: tuple[Entry[FuncType], ...]
    values: tuple[Entry[ValType], ...]
    instances: tuple[Entry[InstanceType], ...]
    components: tuple[Entry[ComponentType], ...]
