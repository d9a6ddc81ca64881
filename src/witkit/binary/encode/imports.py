"""Extern names and extern types, written: the productions imports, exports and declarations share.

The writer's counterpart of ``binary/sections/imports.py``; codes from
``binary.codes``.  An extern name is written in its plain form (0x00) unless it
has attributes, which is what wasm-tools writes.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.codes import (
    BOUND_EQ,
    BOUND_SUB_RESOURCE,
    NAME_ATTR_EXTERNAL_ID,
    NAME_ATTR_IMPLEMENTS,
    NAME_ATTR_VERSION_SUFFIX,
    NAME_PLAIN,
    NAME_WITH_ATTRS,
)
from witkit.binary.encode.sorts import write_sort, write_valtype
from witkit.binary.encode.writer import name, uleb

__all__ = ["write_extern_desc", "write_extern_name", "write_import"]


def write_extern_name(
    text: str,
    implements: str | None = None,
    external_id: str | None = None,
    version_suffix: str | None = None,
) -> bytes:
    """``nameattributes``: a plain name, or the name and its attributes in tag order."""
    attrs: list[bytes] = []
    if implements is not None:
        attrs.append(bytes((NAME_ATTR_IMPLEMENTS,)) + name(implements))
    if version_suffix is not None:
        attrs.append(bytes((NAME_ATTR_VERSION_SUFFIX,)) + name(version_suffix))
    if external_id is not None:
        attrs.append(bytes((NAME_ATTR_EXTERNAL_ID,)) + name(external_id))
    if not attrs:
        return bytes((NAME_PLAIN,)) + name(text)
    return bytes((NAME_WITH_ATTRS,)) + name(text) + uleb(len(attrs)) + b"".join(attrs)


def write_extern_desc(
    sort: ir.Sort, index: int | None = None, valtype: ir.ValTypeRef | None = None
) -> bytes:
    """``externtype``, with ``read_extern_desc``'s meaning of ``index``/``valtype`` (``ir.ExternDesc``).

    ``type``: ``index`` is the ``(eq i)`` bound, ``None`` is ``(sub resource)``;
    ``value``: ``valtype`` is the type; every other sort: ``index`` is a type index.
    """
    head = write_sort(sort)
    if sort == "type":
        if index is None:
            return head + bytes((BOUND_SUB_RESOURCE,))
        return head + bytes((BOUND_EQ,)) + uleb(index)
    if sort == "value":
        assert valtype is not None, "a value extern needs its valtype"
        return head + write_valtype(valtype)
    assert index is not None, f"a {sort} extern needs a type index"
    return head + uleb(index)


def write_import(extern_name: bytes, desc: bytes) -> bytes:
    """One ``import`` of the import section: a written extern name and extern type."""
    return extern_name + desc
