"""The trap rules of the Canonical ABI: one name per ``trap_if`` of the spec.

Every condition a guest controls and the spec guards with ``trap_if`` raises
``witkit.errors.Trap`` whose ``rule`` is one of the ``Rule`` values below, so
callers and tests match on a stable name instead of on message text.  The
messages add the facts (the pointer, the length, the bad value).

Host mistakes (a Python value that does not fit the WIT type) are not traps:
they raise ``TypeError`` (see ``witkit.abi.values``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

from witkit.errors import Trap

__all__ = ["Rule", "trap", "trap_if"]


class Rule(StrEnum):
    """Why the guest trapped; kebab case, like the core traps of the runtime."""

    #: a pointer plus a byte length reaches past the end of linear memory
    OUT_OF_BOUNDS = "out-of-bounds"
    #: a pointer is not a multiple of the alignment of what it points at
    MISALIGNED = "misaligned-pointer"
    #: ``realloc`` returned a pointer that is not aligned as requested
    REALLOC_MISALIGNED = "realloc-misaligned"
    #: ``realloc`` returned a pointer whose allocation does not fit in memory
    REALLOC_OUT_OF_BOUNDS = "realloc-out-of-bounds"
    #: a string's byte length exceeds ``MAX_STRING_BYTE_LENGTH``
    STRING_TOO_LONG = "string-too-long"
    #: a list's byte length exceeds ``MAX_LIST_BYTE_LENGTH``
    LIST_TOO_LONG = "list-too-long"
    #: string bytes are not valid UTF-8
    INVALID_UTF8 = "invalid-utf8"
    #: string code units are not valid UTF-16 (an unpaired surrogate)
    INVALID_UTF16 = "invalid-utf16"
    #: a ``char`` is a surrogate or above 0x10FFFF
    INVALID_CHAR = "invalid-char"
    #: a variant, enum, option or result case index is out of range
    INVALID_DISCRIMINANT = "invalid-discriminant"
    #: a handle index names no live handle (never created, or already dropped)
    UNKNOWN_HANDLE = "unknown-handle"
    #: a handle index names a handle of another resource type (or no resource)
    WRONG_RESOURCE_TYPE = "wrong-resource-type"
    #: an ``own`` handle was expected but the index names a ``borrow``
    NOT_OWN = "not-own"
    #: an ``own`` handle is moved or dropped while borrows of it are live
    HANDLE_LENT = "handle-lent"
    #: a call returned while borrows it received are still live
    BORROW_OUTLIVES_CALL = "borrow-outlives-call"
    #: the handle table would exceed ``Table.MAX_LENGTH`` entries
    TABLE_FULL = "table-full"
    #: one operation copies more bytes of strings and lists than the context's ``max_copy``
    #: (not a rule of the spec: a host limit, as wasmtime's "too much data is being copied")
    COPY_LIMIT = "copy-limit"


def trap(rule: Rule, message: str) -> NoReturn:
    """Raise the trap for ``rule``; ``message`` carries the facts."""
    raise Trap(message, rule.value)


def trap_if(condition: bool, rule: Rule, message: str) -> None:
    """The spec's ``trap_if``: for conditions the guest controls (never ``assert``)."""
    if condition:
        raise Trap(message, rule.value)
