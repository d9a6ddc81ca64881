"""Aliases, written: export, core export and outer aliases.

The writer's counterpart of ``binary/sections/aliases.py``; codes from ``binary.codes``.
"""

from __future__ import annotations

from witkit.binary.codes import ALIAS_CORE_EXPORT, ALIAS_EXPORT, ALIAS_OUTER
from witkit.binary.encode.sorts import write_sort
from witkit.binary.encode.writer import name, uleb

__all__ = ["write_alias_core_export", "write_alias_export", "write_alias_outer"]


def write_alias_export(sort: str, instance: int, export: str) -> bytes:
    """``(alias export instance "name" (sort))``: an export of a component instance."""
    return write_sort(sort) + bytes((ALIAS_EXPORT,)) + uleb(instance) + name(export)


def write_alias_core_export(sort: str, instance: int, export: str) -> bytes:
    """``(alias core export instance "name" (core sort))``: an export of a core instance."""
    return write_sort(sort) + bytes((ALIAS_CORE_EXPORT,)) + uleb(instance) + name(export)


def write_alias_outer(sort: str, count: int, index: int) -> bytes:
    """``(alias outer count index (sort))``: an item ``count`` components/types out."""
    return write_sort(sort) + bytes((ALIAS_OUTER,)) + uleb(count) + uleb(index)
