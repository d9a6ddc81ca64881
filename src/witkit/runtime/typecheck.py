"""Type equality across components, for the linker: structural, with resources by runtime identity.

Explainer.md, "Type Checking": value types are structural (names of fields,
cases, flags and parameters included); resource types are compared by the
runtime resource they stand for, which each side resolves through its own
mapping (the two components' validations made different ``ResourceType``
objects for the same runtime resource).  Function subtyping is equality.

``check_func`` returns ``None`` when the types agree, else the first
difference as a phrase for a ``LinkError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from witkit.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
    FutureType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    PrimType,
    RecordType,
    ResourceType,
    ResultType,
    StreamType,
    TupleType,
    ValType,
    VariantType,
    root,
)

__all__ = ["check_func"]

Resolver = Callable[[ResourceType], Any]


def _despecialize(t: ValType | None) -> ValType | None:
    while isinstance(t, PrimType):
        t = t.prim
    return t


def _name(t: ValType | None) -> str:
    if t is None:
        return "nothing"
    if isinstance(t, str):
        return t
    return type(t).__name__.removesuffix("Type").lower()


def check_func(a: FuncType, ra: Resolver, b: FuncType, rb: Resolver) -> str | None:
    """Whether a function of type ``a`` can serve an import of type ``b``."""
    if len(a.params) != len(b.params):
        return f"expected {len(b.params)} parameters, found {len(a.params)}"
    for (na, ta), (nb, tb) in zip(a.params, b.params, strict=True):
        if na != nb:
            return f"expected parameter named `{nb}`, found `{na}`"
        problem = _val(ta, ra, tb, rb)
        if problem is not None:
            return f"parameter `{nb}`: {problem}"
    problem = _val(a.result, ra, b.result, rb)
    if problem is not None:
        return f"result: {problem}"
    if a.is_async != b.is_async:
        return "async and sync functions differ"
    return None


def _val(a: ValType | None, ra: Resolver, b: ValType | None, rb: Resolver) -> str | None:
    a = _despecialize(a)
    b = _despecialize(b)
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return None if a == b else f"expected {_name(b)}, found {_name(a)}"
    if type(a) is not type(b):
        return f"expected {_name(b)}, found {_name(a)}"
    if isinstance(a, RecordType):
        assert isinstance(b, RecordType)
        return _labelled("field", a.fields, ra, b.fields, rb)
    if isinstance(a, VariantType):
        assert isinstance(b, VariantType)
        return _labelled("case", a.cases, ra, b.cases, rb)
    if isinstance(a, ListType):
        assert isinstance(b, ListType)
        if a.length != b.length:
            return "list lengths differ"
        return _val(a.element, ra, b.element, rb)
    if isinstance(a, TupleType):
        assert isinstance(b, TupleType)
        if len(a.types) != len(b.types):
            return "tuple lengths differ"
        for x, y in zip(a.types, b.types, strict=True):
            problem = _val(x, ra, y, rb)
            if problem is not None:
                return problem
        return None
    if isinstance(a, FlagsType | EnumType):
        assert isinstance(b, FlagsType | EnumType)
        return None if a.names == b.names else f"expected {_name(b)} {b.names}, found {a.names}"
    if isinstance(a, OptionType):
        assert isinstance(b, OptionType)
        return _val(a.value, ra, b.value, rb)
    if isinstance(a, ResultType):
        assert isinstance(b, ResultType)
        return _val(a.ok, ra, b.ok, rb) or _val(a.err, ra, b.err, rb)
    if isinstance(a, OwnType | BorrowType):
        assert isinstance(b, OwnType | BorrowType)
        x, y = ra(root(a.resource)), rb(root(b.resource))
        if x is None or y is None or x is not y:
            return f"resource types differ ({_res(x)} and {_res(y)})"
        return None
    if isinstance(a, StreamType):
        assert isinstance(b, StreamType)
        return _val(a.element, ra, b.element, rb)
    if isinstance(a, FutureType):
        assert isinstance(b, FutureType)
        return _val(a.value, ra, b.value, rb)
    if isinstance(a, MapType):
        assert isinstance(b, MapType)
        return _val(a.key, ra, b.key, rb) or _val(a.value, ra, b.value, rb)
    return None


def _res(x: Any) -> str:
    return "?" if x is None else f"`{getattr(x, 'name', x)}`"


def _labelled(
    what: str,
    a: tuple[tuple[str, Any], ...],
    ra: Resolver,
    b: tuple[tuple[str, Any], ...],
    rb: Resolver,
) -> str | None:
    if [n for n, _ in a] != [n for n, _ in b]:
        return f"{what}s differ: expected {[n for n, _ in b]}, found {[n for n, _ in a]}"
    for (n, x), (_, y) in zip(a, b, strict=True):
        problem = _val(x, ra, y, rb)
        if problem is not None:
            return f"{what} `{n}`: {problem}"
    return None
