"""The Python values of component values: what lifting returns and lowering accepts.

==========================  ==================================  ================================
WIT type                    lifted to                           lowering also accepts
==========================  ==================================  ================================
bool                        ``bool``                            ``0`` / ``1``
s8 ... u64                  ``int``                             any ``__index__`` integer
f32, f64                    ``float`` (one NaN: ``math.nan``)   ``int``
char                        ``str`` of length 1
string                      ``str``
list<u8>                    ``bytes``                           bytearray, memoryview, ints
list<T>, list<T, N>         ``list``                            any sized iterable
tuple<...>                  ``tuple``                           any sequence of that length
record                      a ``Record`` subclass (see below)   a mapping, or an object with
                                                                the fields as attributes
variant                     ``Variant(tag, value)``             a case name (payload-less cases)
enum                        the case name, a ``str``
flags                       ``frozenset[str]`` of set names     any iterable of names
option<T>                   ``None`` or the value (see below)   ``Some(value)``
result<T, E>                ``Ok(value)`` / ``Err(value)``
map<K, V>                   ``dict`` (the last duplicate wins)  any mapping, or (key, value) pairs
own<R>, borrow<R>           what the Context's resource hooks   what the hooks accept
                            return
==========================  ==================================  ================================

**Names.**  WIT names are kebab-case.  Record fields are attributes in snake case
(``first-name`` -> ``first_name``; a Python keyword gets a trailing underscore,
``from`` -> ``from_``) and items under either spelling (``r["first-name"]``).
Variant tags, enum cases and flag names are the WIT names; lowering accepts the
snake spelling too.

**Options.**  ``option<T>`` lifts ``none`` to ``None`` and ``some(v)`` to ``v``,
except when ``T`` is itself an ``option``: then ``some(v)`` lifts to ``Some(v)``,
so that ``some(none)`` (``Some(None)``) and ``none`` (``None``) stay apart.  Any
option lowers from ``Some(v)``; a nested option only from ``Some(v)`` or ``None``.

**Payload-less cases** (``result`` without ``ok`` type, a variant case without a
payload) lift with value ``None``; when lowering, the given value is ignored.

``Variant``, ``Some``, ``Ok`` and ``Err`` are immutable and hashable; records are
mutable (and so unhashable), like dataclasses.
"""

from __future__ import annotations

import keyword
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

from witkit.types import RecordType, root

__all__ = [
    "Err",
    "Ok",
    "Record",
    "Some",
    "UnwrapError",
    "Variant",
    "python_name",
    "record_class",
]

T = TypeVar("T")
E = TypeVar("E")


def python_name(wit_name: str) -> str:
    """The attribute name of a WIT name: snake case, keywords get a trailing underscore."""
    name = wit_name.replace("-", "_")
    return name + "_" if keyword.iskeyword(name) else name


def _frozen(self: object, name: str, value: object) -> NoReturn:
    raise AttributeError(f"{type(self).__name__} is immutable")


# --------------------------------------------------------------------------- variants


class Variant:
    """A case of a ``variant``: its WIT case name and its payload (``None`` if it has none)."""

    __slots__ = ("tag", "value")
    __match_args__ = ("tag", "value")
    tag: str
    value: Any

    def __init__(self, tag: str, value: Any = None) -> None:
        _set_tag(self, tag)
        _set_variant_value(self, value)

    __setattr__ = _frozen
    __delattr__ = _frozen  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not Variant:
            return NotImplemented
        return self.tag == other.tag and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash((Variant, self.tag, self.value))

    def __repr__(self) -> str:
        if self.value is None:
            return f"Variant({self.tag!r})"
        return f"Variant({self.tag!r}, {self.value!r})"


_set_tag = Variant.__dict__["tag"].__set__
_set_variant_value = Variant.__dict__["value"].__set__


class _Box(Generic[T]):
    """Shared body of the one-value wrappers: immutable, compared by class and value."""

    __slots__ = ("value",)
    __match_args__ = ("value",)
    value: T

    def __init__(self, value: T) -> None:
        _set_box_value(self, value)

    __setattr__ = _frozen
    __delattr__ = _frozen  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.value == other.value)  # type: ignore[attr-defined,unused-ignore]

    def __hash__(self) -> int:
        return hash((type(self), self.value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


_set_box_value = _Box.__dict__["value"].__set__


class Some(_Box[T]):
    """``some(value)`` of an ``option`` whose payload is itself an ``option``."""

    __slots__ = ()


class UnwrapError(Exception):
    """``Err(e).unwrap()``: the error value of a ``result`` is ``.error``."""

    def __init__(self, error: Any) -> None:
        super().__init__(error)
        self.error = error


class Ok(_Box[T]):
    """The ``ok`` case of a ``result``."""

    __slots__ = ()

    def __init__(self, value: T = None) -> None:  # type: ignore[assignment]
        _set_box_value(self, value)

    def unwrap(self) -> T:
        """The value: an ``Ok`` always has one (``None`` when the type has no ok payload)."""
        return self.value


class Err(_Box[E]):
    """The ``error`` case of a ``result``."""

    __slots__ = ()

    def __init__(self, value: E = None) -> None:  # type: ignore[assignment]
        _set_box_value(self, value)

    def unwrap(self) -> NoReturn:
        """An error has no ok value: raise ``UnwrapError`` carrying the error value."""
        raise UnwrapError(self.value)


# --------------------------------------------------------------------------- records


class Record:
    """Base of the record classes: one subclass per record type, made by ``record_class``.

    Subclasses have one slot per field (snake-case attribute names), an
    ``__init__`` taking the fields by position or keyword, and class attributes
    ``_fields`` (attribute names, in order) and ``_wit_names`` (WIT names).
    Two records are equal when they have the same fields with equal values,
    whatever record type made them.
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _wit_names: ClassVar[tuple[str, ...]] = ()
    #: WIT name or attribute name -> attribute name, for item access
    _index: ClassVar[dict[str, str]] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            attr = self._index[key]
        except (KeyError, TypeError):
            raise KeyError(key) from None
        return getattr(self, attr)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other._fields != self._fields:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        body = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({body})"

    def _asdict(self) -> dict[str, Any]:
        """The fields by WIT name, in order."""
        return {w: getattr(self, f) for w, f in zip(self._wit_names, self._fields, strict=True)}


_record_classes: dict[RecordType, type[Record]] = {}


def _class_name(name: str | None) -> str:
    if not name:
        return "Record"
    return "".join(part[:1].upper() + part[1:] for part in name.split("-")) or "Record"


def record_class(t: RecordType, name: str | None = None) -> type[Record]:
    """The Python class of values of the record type ``t`` (one per type, aliases share it).

    ``name`` (the WIT name, e.g. ``"http-request"``) names the class
    (``HttpRequest``) for ``repr``; it can be given on any call, the latest wins.
    """
    key = root(t)
    cls = _record_classes.get(key)
    if cls is None:
        wit_names = tuple(n for n, _ in key.fields)
        attrs = tuple(python_name(n) for n in wit_names)
        if len(set(attrs)) != len(attrs):
            raise ValueError(f"record fields collide in snake case: {wit_names}")
        params = ", ".join(attrs)
        body = "".join(f"\n    _rec.{a} = {a}" for a in attrs) or "\n    pass"
        # The initialiser is generated so that it takes exactly the fields (a
        # generic *args/**kwargs one is three times slower); ``_rec`` cannot
        # collide with a field, as WIT names never start with an underscore.
        namespace: dict[str, Any] = {}
        exec(f"def __init__(_rec, {params}):{body}", namespace)
        index = {w: a for w, a in zip(wit_names, attrs, strict=True)}
        index.update({a: a for a in attrs})
        cls = type(
            _class_name(name),
            (Record,),
            {
                "__slots__": attrs,
                "__init__": namespace["__init__"],
                "_fields": attrs,
                "_wit_names": wit_names,
                "_index": index,
            },
        )
        _record_classes[key] = cls
    if name is not None:
        cls.__name__ = cls.__qualname__ = _class_name(name)
    return cls
