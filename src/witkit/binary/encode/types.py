"""Type definitions, written: every ``deftype`` of Binary.md "Type Definitions".

The writer's counterpart of ``binary/sections/types.py``; opcodes from
``binary.codes``.  Two kinds of thing live here:

* ``write_*`` functions return one ``deftype`` (a record, a function type ...),
  its value types given as ``ir.ValTypeRef`` (a primitive's name or an index);
* ``InstanceTypeWriter`` / ``ComponentTypeWriter`` build an instance or
  component type declaration by declaration and count the index spaces the
  declarations fill, so a caller learns the index of what it just declared.

Rules: nothing here decides *which* types to write or in what order (that is
the caller's job, e.g. ``witkit.wit.encode`` reproducing wit-component); the
bytes are exactly the production's, nothing normalised.
"""

from __future__ import annotations

from collections.abc import Sequence

from witkit.binary import codes, ir
from witkit.binary.encode.aliases import write_alias_export, write_alias_outer
from witkit.binary.encode.sorts import write_optional_valtype, write_valtype
from witkit.binary.encode.writer import name, uleb, vec

__all__ = [
    "ComponentTypeWriter",
    "InstanceTypeWriter",
    "write_borrow",
    "write_enum",
    "write_flags",
    "write_func_type",
    "write_future",
    "write_list",
    "write_map",
    "write_option",
    "write_own",
    "write_record",
    "write_resource",
    "write_result",
    "write_stream",
    "write_tuple",
    "write_variant",
]

#: ``i32``, the one representation a resource may have today
_REP_I32 = 0x7F

# --------------------------------------------------------------------------- defvaltype


def write_record(fields: Sequence[tuple[str, ir.ValTypeRef]]) -> bytes:
    return bytes((codes.RECORD,)) + vec([name(label) + write_valtype(ty) for label, ty in fields])


def write_variant(cases: Sequence[tuple[str, ir.ValTypeRef | None]]) -> bytes:
    """Each case: its label, its optional payload, and the zero byte Binary.md still requires."""
    return bytes((codes.VARIANT,)) + vec(
        [name(label) + write_optional_valtype(ty) + b"\x00" for label, ty in cases]
    )


def write_list(element: ir.ValTypeRef, length: int | None = None) -> bytes:
    """``list<T>``, or ``list<T, N>`` (a fixed-length list) when ``length`` is given."""
    if length is None:
        return bytes((codes.LIST,)) + write_valtype(element)
    return bytes((codes.FIXED_LIST,)) + write_valtype(element) + uleb(length)


def write_tuple(types: Sequence[ir.ValTypeRef]) -> bytes:
    return bytes((codes.TUPLE,)) + vec([write_valtype(ty) for ty in types])


def write_flags(labels: Sequence[str]) -> bytes:
    return bytes((codes.FLAGS,)) + vec([name(label) for label in labels])


def write_enum(labels: Sequence[str]) -> bytes:
    return bytes((codes.ENUM,)) + vec([name(label) for label in labels])


def write_option(ty: ir.ValTypeRef) -> bytes:
    return bytes((codes.OPTION,)) + write_valtype(ty)


def write_result(ok: ir.ValTypeRef | None, err: ir.ValTypeRef | None) -> bytes:
    return bytes((codes.RESULT,)) + write_optional_valtype(ok) + write_optional_valtype(err)


def write_own(resource: int) -> bytes:
    return bytes((codes.OWN,)) + uleb(resource)


def write_borrow(resource: int) -> bytes:
    return bytes((codes.BORROW,)) + uleb(resource)


def write_future(ty: ir.ValTypeRef | None) -> bytes:
    return bytes((codes.FUTURE,)) + write_optional_valtype(ty)


def write_stream(ty: ir.ValTypeRef | None) -> bytes:
    return bytes((codes.STREAM,)) + write_optional_valtype(ty)


def write_map(key: ir.ValTypeRef, value: ir.ValTypeRef) -> bytes:
    return bytes((codes.MAP,)) + write_valtype(key) + write_valtype(value)


# --------------------------------------------------------------------------- other deftypes


def write_resource(destructor: int | None = None) -> bytes:
    """``(resource (rep i32) (dtor? f))``: ``destructor`` is a core function index."""
    dtor = b"\x00" if destructor is None else b"\x01" + uleb(destructor)
    return bytes((codes.RESOURCE, _REP_I32)) + dtor


def write_func_type(
    params: Sequence[tuple[str, ir.ValTypeRef]],
    result: ir.ValTypeRef | None,
    *,
    is_async: bool = False,
) -> bytes:
    """A component function type; no result is written as an empty result list (``01 00``)."""
    head = bytes((codes.ASYNC_FUNC_TYPE if is_async else codes.FUNC_TYPE,))
    body = vec([name(label) + write_valtype(ty) for label, ty in params])
    results = b"\x01\x00" if result is None else b"\x00" + write_valtype(result)
    return head + body + results


class InstanceTypeWriter:
    """An instance type under construction: its ``instancedecl``s, and index spaces they fill.

    Each declaring method returns the index the declared item got in its
    space (the scope's own, starting at 0); ``encode`` gives the ``deftype``.
    """

    _OPCODE = codes.INSTANCE_TYPE

    __slots__ = ("_counts", "decls")

    def __init__(self) -> None:
        self.decls: list[bytes] = []
        self._counts: dict[str, int] = {}

    def count(self, sort: str) -> int:
        """How many items of ``sort`` this scope has declared so far."""
        return self._counts.get(sort, 0)

    @property
    def types(self) -> int:
        return self._counts.get("type", 0)

    @property
    def instances(self) -> int:
        return self._counts.get("instance", 0)

    def _add(self, sort: str) -> int:
        index = self._counts.get(sort, 0)
        self._counts[sort] = index + 1
        return index

    def _add_desc(self, desc: bytes) -> int:
        sort = codes.CORE_SORTS[desc[1]] if desc[0] == codes.SORT_CORE else codes.SORTS[desc[0]]
        return self._add(sort)

    def ty(self, deftype: bytes) -> int:
        """Declare a type (a ``write_*`` result or a nested type writer's ``encode()``)."""
        self.decls.append(bytes((codes.DECL_TYPE,)) + deftype)
        return self._add("type")

    def export(self, extern_name: bytes, desc: bytes) -> int:
        """Declare an export: a ``write_extern_name`` and a ``write_extern_desc``."""
        self.decls.append(bytes((codes.DECL_EXPORT,)) + extern_name + desc)
        return self._add_desc(desc)

    def alias_export(self, sort: str, instance: int, export: str) -> int:
        """Declare an alias of an export of (outer-scope) instance ``instance``."""
        self.decls.append(bytes((codes.DECL_ALIAS,)) + write_alias_export(sort, instance, export))
        return self._add(sort)

    def alias_outer(self, sort: str, count: int, index: int) -> int:
        """Declare an alias of item ``index`` of the type scope ``count`` levels out."""
        self.decls.append(bytes((codes.DECL_ALIAS,)) + write_alias_outer(sort, count, index))
        return self._add(sort)

    def encode(self) -> bytes:
        """The finished ``deftype``: the opcode, then the declarations."""
        return bytes((self._OPCODE,)) + vec(self.decls)


class ComponentTypeWriter(InstanceTypeWriter):
    """A component type under construction: an instance type's declarations plus imports."""

    _OPCODE = codes.COMPONENT_TYPE

    __slots__ = ()

    def import_(self, extern_name: bytes, desc: bytes) -> int:
        """Declare an import: a ``write_extern_name`` and a ``write_extern_desc``."""
        self.decls.append(bytes((codes.DECL_IMPORT,)) + extern_name + desc)
        return self._add_desc(desc)
