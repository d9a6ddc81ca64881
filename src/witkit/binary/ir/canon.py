"""Canonical definitions (Binary.md "Canonical Definitions"): ``canon lift``, ``canon
lower`` and the built-ins, with their ``canonopt``s, as written (indices unresolved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from witkit._record import record

if TYPE_CHECKING:
    from witkit.binary.ir.types import ValTypeRef

__all__ = [
    "Canon",
    "CanonBuiltin",
    "CanonLift",
    "CanonLower",
    "CanonOpt",
]


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
