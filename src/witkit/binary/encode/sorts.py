"""Sorts and component value types, written: the productions several sections share.

The writer's counterpart of ``binary/sections/sorts.py``; the byte tables are
``binary.codes``'s.  A value type is given as the reader returns it
(``ir.ValTypeRef``): a primitive's name or a type index.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import CORE_SORT_CODES, PRIM_CODES, SORT_CODES, SORT_CORE
from witkit.binary.encode.writer import sleb

__all__ = ["write_optional_valtype", "write_sort", "write_valtype"]


def write_sort(sort: str) -> bytes:
    """``sort``: ``"func"`` ... ``"instance"``, or a core sort (``"core module"``) after 0x00."""
    code = SORT_CODES.get(sort)
    if code is not None:
        return bytes((code,))
    return bytes((SORT_CORE, CORE_SORT_CODES[sort]))


def write_valtype(ty: ir.ValTypeRef) -> bytes:
    """``valtype``: a ``primvaltype`` byte, or a type index as an ``s33``."""
    if isinstance(ty, str):
        return bytes((PRIM_CODES[ty],))
    return sleb(ty)


def write_optional_valtype(ty: ir.ValTypeRef | None) -> bytes:
    """``0x00`` for none, else ``0x01`` and the ``valtype``."""
    return b"\x00" if ty is None else b"\x01" + write_valtype(ty)
