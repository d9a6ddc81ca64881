"""Exports, written: an extern name, a sort index and an optional ascribed extern type.

The writer's counterpart of ``binary/sections/exports.py``.
"""

from __future__ import annotations

from witkit.binary.encode.sorts import write_sort
from witkit.binary.encode.writer import uleb

__all__ = ["write_export"]


def write_export(extern_name: bytes, sort: str, index: int, desc: bytes | None = None) -> bytes:
    """One ``export``: ``extern_name`` from ``write_extern_name``, ``desc`` from ``write_extern_desc``."""
    ascribed = b"\x00" if desc is None else b"\x01" + desc
    return extern_name + write_sort(sort) + uleb(index) + ascribed
