"""Host functions that ask for typed values: WIT enums and flags as Python ``enum`` classes.

By default a host function gets an ``enum`` case as its name (a ``str``) and a
``flags`` value as a ``frozenset`` of names (``witkit.abi.values``).  A host
that defines a function with ``typed=True`` (``Linker.define_func``,
``define_instance``) gets, for each parameter annotated with an ``enum.Enum``
or ``enum.Flag`` subclass, a member of that class instead, and may return one
for an enum or flags result.

Rules:

* **Asked for, checked once.**  The annotations are read (``typing.get_type_hints``)
  at link time, only for functions defined with ``typed=True``; each class must
  have a member for every WIT case or flag, matched by name (``hot-pink`` is
  ``hot_pink`` or ``HOT_PINK``), else the ``LinkError`` says which is missing.
  Annotations resolve in the function's module, as ``typing.get_type_hints``
  does: a class defined inside a function is not found (the error says so).
* **Only where asked.**  Functions without such annotations are served as they
  are (no wrapper, no cost); the others get one small wrapper converting the
  annotated parameters and the result: the top-level values, not values nested
  in records or lists.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from witkit.abi.values import python_name
from witkit.types import EnumType, FlagsType, FuncType, PrimType, ValType

__all__ = ["typed_host_func"]


def _labels(t: ValType | None) -> tuple[str, tuple[str, ...]] | None:
    """("enum" | "flags", WIT names) of an enum or flags type, else None."""
    while isinstance(t, PrimType):
        t = t.prim
    if isinstance(t, EnumType):
        return "enum", t.names
    if isinstance(t, FlagsType):
        return "flags", t.names
    return None


def _members(cls: type[enum.Enum], names: tuple[str, ...]) -> dict[str, enum.Enum] | str:
    """WIT name -> member of ``cls``, or the first WIT name it lacks."""
    found: dict[str, enum.Enum] = {}
    by_name = cls.__members__
    for name in names:
        attr = python_name(name)
        member = by_name.get(attr) or by_name.get(attr.upper())
        if member is None:
            return name
        found[name] = member
    return found


def typed_host_func(fn: Callable[..., Any], ty: FuncType) -> Callable[..., Any] | str:
    """``fn`` wrapped to take and give the enum classes its annotations ask for.

    Returns ``fn`` itself when it asks for none, or the problem as a phrase.
    """
    import typing

    target = fn.__init__ if isinstance(fn, type) else fn  # type: ignore[misc]
    try:
        hints = typing.get_type_hints(target)
    except Exception as e:  # an annotation that does not resolve: say so at link time
        return f"its annotations do not resolve ({e})"
    params = [p for p in _parameter_names(target)]
    if isinstance(fn, type) or getattr(target, "__self__", None) is not None:
        params = params[1:]
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, ((wit_name, t), name) in enumerate(zip(ty.params, params, strict=False)):
        cls = hints.get(name)
        shape = _labels(t)
        if shape is None or not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
            continue
        table = _members(cls, shape[1])
        if isinstance(table, str):
            return f"parameter `{wit_name}`: {cls.__name__} has no member for `{table}`"
        converters.append((index, _lift(shape[0], cls, table)))
    result = hints.get("return")
    lower: Callable[[Any], Any] | None = None
    shape = _labels(ty.result)
    if shape is not None and isinstance(result, type) and issubclass(result, enum.Enum):
        table = _members(result, shape[1])
        if isinstance(table, str):
            return f"result: {result.__name__} has no member for `{table}`"
        lower = _lower(shape[0], table)
    if not converters and lower is None:
        return fn

    def typed(*args: Any) -> Any:
        values = list(args)
        for index, convert in converters:
            values[index] = convert(values[index])
        out = fn(*values)
        return out if lower is None else lower(out)

    typed.__name__ = typed.__qualname__ = getattr(fn, "__name__", "typed")
    typed.__wrapped__ = fn  # type: ignore[attr-defined]
    return typed


def _parameter_names(fn: Any) -> tuple[str, ...]:
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return ()
    return tuple(code.co_varnames[: code.co_argcount])


def _lift(kind: str, cls: type[enum.Enum], table: dict[str, enum.Enum]) -> Callable[[Any], Any]:
    if kind == "enum":
        return table.__getitem__
    empty = cls(0)

    def flags(names: frozenset[str]) -> Any:
        value: Any = empty
        for name in names:
            value |= table[name]
        return value

    return flags


def _lower(kind: str, table: dict[str, enum.Enum]) -> Callable[[Any], Any]:
    back = {member: name for name, member in table.items()}
    if kind == "enum":
        return lambda value: back.get(value, value)

    def flags(value: Any) -> Any:
        if not isinstance(value, enum.Flag):
            return value
        return frozenset(name for member, name in back.items() if member in value)  # type: ignore[operator]

    return flags
