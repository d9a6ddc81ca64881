"""``record``: the shape of ``@dataclass(frozen=True, slots=True)`` at a fraction of the cost to define.

Why this exists: every command pays, at start-up, for each class its modules
define, and ``witkit wit`` imports some 140 record classes (IR, types, WIT model).
``dataclasses`` compiles six methods per class with one ``exec`` each and then
rebuilds the class for ``__slots__``; that alone was most of the import time,
as much as the work itself on an 18 MB component.  Here only ``__init__`` is
generated (it is hot, so it stays straight-line code), and only when the class
is first instantiated; equality, hashing,
``repr`` and pickling go field by field through shared functions, and the class
is built once, already slotted.

The result behaves like the dataclass it replaces where witkit relies on it:
frozen (or not), slotted, field-wise ``==``/``hash`` (or identity with
``eq=False``), ``__match_args__`` for ``match``, defaults and
``field(default_factory=...)``, and ``dataclasses.fields``/``replace``/``asdict``/
``is_dataclass`` (a ``__dataclass_fields__`` table is filled in).  Not supported,
on purpose: inheriting fields from another record, ``InitVar``, ``kw_only``,
``__post_init__``, ordering.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["field", "record", "replace"]

_C = TypeVar("_C", bound=type)
_T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class _Field:
    """What ``field(...)`` puts in a class body; read once by ``record``."""

    __slots__ = ("default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.repr = repr


def field(
    *, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING, repr: bool = True
) -> Any:
    """A field with a default, a default factory, or hidden from ``repr``.

    The ``dataclasses.field`` of records: importing ``dataclasses`` costs ~5 ms
    (it imports ``inspect``, ``ast``, ``dis``...), which every ``witkit run``
    would pay for three keyword arguments.
    """
    return _Field(default, default_factory, repr)


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace`` for records)."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}  # type: ignore[attr-defined]
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(obj)(**values)


class _DataclassFields:
    """``__dataclass_fields__``, built on first use so ``dataclasses`` is imported only then.

    ``dataclasses.fields``/``replace``/``asdict``/``is_dataclass`` find records
    through this attribute; whoever calls them has imported ``dataclasses``
    already, so building the table then costs nothing extra.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner

    def __get__(self, obj: object, owner: type | None = None) -> dict[str, Any]:
        import dataclasses

        cls = self.owner
        table: dict[str, Any] = {}
        specs: dict[str, _Field] = cls.__record_specs__  # type: ignore[attr-defined]
        for name in cls.__record_fields__:  # type: ignore[attr-defined]
            spec = specs[name]
            made: Any = dataclasses.field(
                default=spec.default if spec.default is not _MISSING else dataclasses.MISSING,
                default_factory=(
                    spec.default_factory
                    if spec.default_factory is not _MISSING
                    else dataclasses.MISSING
                ),
                repr=spec.repr,
            )
            made.name = name
            made.type = cls.__annotations__[name]
            made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
            table[name] = made
        type.__setattr__(cls, "__dataclass_fields__", table)
        return table


def _eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented  # type: ignore[no-any-return]
    return all(getattr(self, f) == getattr(other, f) for f in self.__record_fields__)


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, f) for f in self.__record_fields__))


def _repr(self: Any) -> str:
    shown = ", ".join(
        f"{f}={getattr(self, f)!r}" for f in self.__record_fields__ if f in self.__record_repr__
    )
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: object) -> None:
    import dataclasses  # the error dataclasses would raise, for code that catches it

    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    import dataclasses

    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> tuple[object, ...]:
    return tuple(getattr(self, f) for f in self.__record_fields__)


def _setstate(self: Any, state: tuple[object, ...]) -> None:
    for name, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, name, value)


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    """Every record's ``__init__`` until its first call, which compiles the real one.

    Compiling ``__init__`` is most of what defining a record costs (~60 us of
    ~90), and a command uses few of the classes it imports: a prepared
    component's types are unpickled, which never calls ``__init__``.  So the
    straight-line ``__init__`` is made when first needed and replaces this one.
    """
    for cls in type(self).__mro__:
        pending = cls.__dict__.get("__record_init__")
        if pending is not None:
            break
    else:  # pragma: no cover - only records get this function
        raise TypeError(f"{type(self).__name__} is not a record")
    init = cls.__dict__["__init__"]
    if init is _first_init:
        source, scope = pending
        filename = f"<record {cls.__qualname__}>"
        # Through the ABI's code cache when it is loaded (its disk level is on
        # in witkit run): ~150 us of compile per class, a dozen classes a start.
        cache = sys.modules.get("witkit.abi._codecache")
        if cache is not None:
            exec(cache.compile_source(source, filename), scope)
        else:
            exec(compile(source, filename, "exec"), scope)
        init = scope["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        type.__setattr__(cls, "__init__", init)
    init(self, *args, **kwargs)


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _build(cls: type, frozen: bool, eq: bool) -> type:
    for base in cls.__mro__[1:]:
        if "__record_fields__" in base.__dict__:
            raise TypeError(f"{cls.__name__}: records do not inherit fields")
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs ~4 ms to import
    names = [n for n, a in annotations.items() if not _is_classvar(a)]
    namespace = {
        k: v
        for k, v in cls.__dict__.items()
        if k not in names and k not in ("__dict__", "__weakref__")
    }
    scope: dict[str, Any] = {"_set": object.__setattr__ if frozen else None}
    params: list[str] = []
    body: list[str] = []
    specs: dict[str, _Field] = {}
    shown: set[str] = set()
    foreign = sys.modules.get("dataclasses")
    for name in names:
        raw = cls.__dict__.get(name, _MISSING)
        if foreign is not None and isinstance(raw, foreign.Field):
            raw = _Field(
                _MISSING if raw.default is foreign.MISSING else raw.default,
                _MISSING if raw.default_factory is foreign.MISSING else raw.default_factory,
                raw.repr,
            )
        spec = raw if isinstance(raw, _Field) else _Field(raw, _MISSING, True)
        specs[name] = spec
        if spec.repr:
            shown.add(name)
        if spec.default is not _MISSING:
            scope[f"_d_{name}"] = spec.default
            params.append(f"{name}=_d_{name}")
            value = name
        elif spec.default_factory is not _MISSING:
            scope[f"_d_{name}"] = _MISSING
            scope[f"_f_{name}"] = spec.default_factory
            params.append(f"{name}=_d_{name}")
            value = f"_f_{name}() if {name} is _d_{name} else {name}"
        else:
            if any("=" in p for p in params):
                raise TypeError(
                    f"{cls.__name__}: field {name!r} without a default follows one with"
                )
            params.append(name)
            value = name
        body.append(
            f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}"
        )
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    namespace["__record_init__"] = (source, scope)
    namespace["__init__"] = _first_init
    namespace["__slots__"] = tuple(names)
    namespace["__match_args__"] = tuple(names)
    namespace["__record_fields__"] = tuple(names)
    namespace["__record_repr__"] = frozenset(shown)
    namespace["__record_specs__"] = specs
    namespace["__dataclass_fields__"] = _DataclassFields()
    namespace.setdefault("__repr__", _repr)
    if eq:
        namespace.setdefault("__eq__", _eq)
        namespace["__hash__"] = _hash if frozen else None
    if frozen:
        namespace["__setattr__"] = _frozen_setattr
        namespace["__delattr__"] = _frozen_delattr
        namespace["__getstate__"] = _getstate
        namespace["__setstate__"] = _setstate
    return type(cls)(cls.__name__, cls.__bases__, namespace)


@overload
def record(cls: _C, /) -> _C: ...
@overload
def record(*, frozen: bool = True, eq: bool = True) -> Callable[[_C], _C]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: Any = None, /, *, frozen: bool = True, eq: bool = True) -> Any:
    """Make ``cls`` a slotted record of its annotated fields (see the module docs)."""
    if cls is None:
        return lambda c: _build(c, frozen, eq)
    return _build(cls, frozen, eq)
