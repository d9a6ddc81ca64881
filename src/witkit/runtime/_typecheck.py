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

from witkit import types as wt

__all__ = ["check_func"]

Resolver = Callable[[wt.ResourceType], Any]


def _despecialize(t: wt.ValType | None) -> wt.ValType | None:
    while isinstance(t, wt.PrimType):
        t = t.prim
    return t


def _name(t: wt.ValType | None) -> str:
    if t is None:
        return "nothing"
    if isinstance(t, str):
        return t
    return type(t).__name__.removesuffix("Type").lower()


def check_func(a: wt.FuncType, ra: Resolver, b: wt.FuncType, rb: Resolver) -> str | None:
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


def _val(a: wt.ValType | None, ra: Resolver, b: wt.ValType | None, rb: Resolver) -> str | None:
    a = _despecialize(a)
    b = _despecialize(b)
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return None if a == b else f"expected {_name(b)}, found {_name(a)}"
    if type(a) is not type(b):
        return f"expected {_name(b)}, found {_name(a)}"
    if isinstance(a, wt.RecordType):
        assert isinstance(b, wt.RecordType)
        return _labelled("field", a.fields, ra, b.fields, rb)
    if isinstance(a, wt.VariantType):
        assert isinstance(b, wt.VariantType)
        return _labelled("case", a.cases, ra, b.cases, rb)
    if isinstance(a, wt.ListType):
        assert isinstance(b, wt.ListType)
        if a.length != b.length:
            return "list lengths differ"
        return _val(a.element, ra, b.element, rb)
    if isinstance(a, wt.TupleType):
        assert isinstance(b, wt.TupleType)
        if len(a.types) != len(b.types):
            return "tuple lengths differ"
        for x, y in zip(a.types, b.types, strict=True):
            problem = _val(x, ra, y, rb)
            if problem is not None:
                return problem
        return None
    if isinstance(a, wt.FlagsType | wt.EnumType):
        assert isinstance(b, wt.FlagsType | wt.EnumType)
        return None if a.names == b.names else f"expected {_name(b)} {b.names}, found {a.names}"
    if isinstance(a, wt.OptionType | wt.FutureType):  # one payload, compared as it is
        assert isinstance(b, wt.OptionType | wt.FutureType)
        return _val(a.value, ra, b.value, rb)
    if isinstance(a, wt.ResultType):
        assert isinstance(b, wt.ResultType)
        return _val(a.ok, ra, b.ok, rb) or _val(a.err, ra, b.err, rb)
    if isinstance(a, wt.OwnType | wt.BorrowType):
        assert isinstance(b, wt.OwnType | wt.BorrowType)
        x, y = ra(wt.root(a.resource)), rb(wt.root(b.resource))
        if x is None or y is None or x is not y:
            return f"resource types differ ({_res(x)} and {_res(y)})"
        return None
    if isinstance(a, wt.StreamType):
        assert isinstance(b, wt.StreamType)
        return _val(a.element, ra, b.element, rb)
    if isinstance(a, wt.MapType):
        assert isinstance(b, wt.MapType)
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
