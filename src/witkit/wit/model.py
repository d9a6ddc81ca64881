"""The resolved WIT model: packages, interfaces, worlds and types, joined by ids.

Both roads into WIT end here: the text road (lexer -> parser -> resolver) and the
binary road (a component's types decoded by ``wit.decode``).  One printer turns the
model back into text, one encoder into a binary.

Rules:

* Everything is stored once, in the arenas of a ``Resolve`` (``types``,
  ``interfaces``, ``worlds``, ``packages``); references between items are integer
  ids into those arenas (``TypeId``, ``InterfaceId``...), never names.  Name lookup
  happens once, while building the model.
* Order is meaning: dicts keep the order items were declared in, and the printer
  prints in that order (as wasm-tools does).
* Models are built incrementally by the resolver and the decoder, so arena entries
  are plain (mutable) records; nothing outside a builder mutates them.
"""

from __future__ import annotations

from typing import Literal, NewType, TypeAlias, TypeVar

from witkit._record import field, record
from witkit.types import PrimName

__all__ = [
    "NO_OWNER",
    "Alias",
    "Docs",
    "Enum",
    "Flags",
    "Function",
    "FunctionKind",
    "Future",
    "Handle",
    "Interface",
    "InterfaceId",
    "ListOf",
    "MapOf",
    "OptionOf",
    "Package",
    "PackageId",
    "PackageName",
    "Record",
    "Resolve",
    "Resource",
    "ResultOf",
    "Stability",
    "Stream",
    "Tuple",
    "Type",
    "TypeDef",
    "TypeDefKind",
    "TypeId",
    "TypeOwner",
    "TypeRef",
    "Unknown",
    "Variant",
    "World",
    "WorldId",
    "WorldItem",
    "WorldKey",
    "kind_word",
]

_T = TypeVar("_T")

TypeId = NewType("TypeId", int)
InterfaceId = NewType("InterfaceId", int)
WorldId = NewType("WorldId", int)
PackageId = NewType("PackageId", int)


@record
class TypeRef:
    """A reference to a defined type in ``Resolve.types``."""

    id: TypeId


#: a WIT type: a primitive by name, or a reference to a ``TypeDef``
Type: TypeAlias = "PrimName | TypeRef"


@record
class Docs:
    """Doc comments of an item, joined with newlines, without the comment markers."""

    contents: str | None = None


@record
class Stability:
    """The feature gates of an item.

    ``kind`` is ``"unknown"`` (no gate), ``"stable"`` (``@since(version = since)``) or
    ``"unstable"`` (``@unstable(feature = feature)``); either may also carry
    ``@deprecated(version = deprecated)``.
    """

    kind: Literal["unknown", "stable", "unstable"] = "unknown"
    since: str | None = None
    feature: str | None = None
    deprecated: str | None = None


# --------------------------------------------------------------------------- type definitions


@record
class Record:
    fields: tuple[tuple[str, Type, Docs], ...]


@record
class Resource:
    pass


@record
class Handle:
    kind: Literal["own", "borrow"]
    resource: TypeId


@record
class Flags:
    names: tuple[tuple[str, Docs], ...]


@record
class Tuple:
    types: tuple[Type, ...]


@record
class Variant:
    cases: tuple[tuple[str, Type | None, Docs], ...]


@record
class Enum:
    cases: tuple[tuple[str, Docs], ...]


@record
class OptionOf:
    value: Type


@record
class ResultOf:
    ok: Type | None
    err: Type | None


@record
class ListOf:
    """``list<T>``, or ``list<T, N>`` when ``length`` is set."""

    element: Type
    length: int | None = None


@record
class MapOf:
    key: Type
    value: Type


@record
class Future:
    value: Type | None


@record
class Stream:
    element: Type | None


@record
class Alias:
    """``type x = T``: a name for another type (also what a ``use`` creates)."""

    target: Type


@record
class Unknown:
    """A type imported into a world whose definition is not known (decoding only)."""


TypeDefKind: TypeAlias = (
    Record
    | Resource
    | Handle
    | Flags
    | Tuple
    | Variant
    | Enum
    | OptionOf
    | ResultOf
    | ListOf
    | MapOf
    | Future
    | Stream
    | Alias
    | Unknown
)


def kind_word(kind: TypeDefKind) -> str:
    """The WIT word for a type definition's kind (``record``, ``tuple``...), for messages."""
    return _KIND_WORDS.get(type(kind), type(kind).__name__.lower())


_KIND_WORDS: dict[type, str] = {
    Record: "record",
    Variant: "variant",
    Enum: "enum",
    Flags: "flags",
    Resource: "resource",
}


@record
class TypeOwner:
    """Where a type is declared: an interface, a world, or nowhere (anonymous types)."""

    kind: Literal["interface", "world", "none"]
    id: int | None = None


NO_OWNER = TypeOwner("none")


@record(frozen=False)
class TypeDef:
    """A defined type.  Anonymous types (``list<u8>`` in a signature) have ``name=None``."""

    kind: TypeDefKind
    name: str | None = None
    owner: TypeOwner = NO_OWNER
    docs: Docs = Docs()
    stability: Stability = Stability()
    #: ``@external-id("...")``: an opaque id a host may key the item by (binary: ``(external-id ...)``)
    external_id: str | None = None


# --------------------------------------------------------------------------- functions


@record
class FunctionKind:
    """``freestanding``, or a resource function (``method``/``static``/``constructor``) of ``resource``.

    ``is_async`` marks ``async func`` (WASI 0.3 / the async extension).
    """

    kind: Literal["freestanding", "method", "static", "constructor"] = "freestanding"
    resource: TypeId | None = None
    is_async: bool = False


@record(frozen=False)
class Function:
    """A function.  ``name`` is the full component-level name, e.g. ``[method]file.read``."""

    name: str
    kind: FunctionKind
    params: list[tuple[str, Type]]
    result: Type | None
    docs: Docs = Docs()
    stability: Stability = Stability()
    #: ``@external-id("...")``, as on ``TypeDef``
    external_id: str | None = None

    def item_name(self) -> str:
        """The name as written in WIT: ``read`` for ``[method]file.read``, ``constructor`` ..."""
        if self.kind.kind == "constructor":
            return "constructor"
        if self.kind.kind in ("method", "static"):
            return self.name.split(".", 1)[1]
        return self.name


# --------------------------------------------------------------------------- interfaces, worlds, packages


@record(frozen=False)
class Interface:
    """An interface; ``name`` is None for an interface defined inline in a world."""

    name: str | None
    types: dict[str, TypeId] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    docs: Docs = Docs()
    stability: Stability = Stability()
    package: PackageId | None = None
    #: the interface this one is a copy of (an inline interface duplicated by a world ``include``)
    clone_of: InterfaceId | None = None


@record
class WorldKey:
    """How an item is keyed in a world: by plain name, or by the interface it is."""

    name: str | None = None
    interface: InterfaceId | None = None


@record
class WorldItem:
    """``kind`` tells which of ``interface``/``function``/``type`` is set.

    ``stability``, ``docs`` and ``external_id`` belong to an *interface* item's
    ``import``/``export`` statement; a function item keeps its own on the
    ``Function`` and a type item on its ``TypeDef`` (as wit-parser does).
    """

    kind: Literal["interface", "function", "type"]
    interface: InterfaceId | None = None
    function: Function | None = None
    type: TypeId | None = None
    stability: Stability = Stability()
    docs: Docs = Docs()
    external_id: str | None = None


@record(frozen=False)
class World:
    name: str
    imports: dict[WorldKey, WorldItem] = field(default_factory=dict)
    exports: dict[WorldKey, WorldItem] = field(default_factory=dict)
    package: PackageId | None = None
    docs: Docs = Docs()
    stability: Stability = Stability()


@record
class PackageName:
    namespace: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        base = f"{self.namespace}:{self.name}"
        return base if self.version is None else f"{base}@{self.version}"


@record(frozen=False)
class Package:
    name: PackageName
    docs: Docs = Docs()
    interfaces: dict[str, InterfaceId] = field(default_factory=dict)
    worlds: dict[str, WorldId] = field(default_factory=dict)


def _push(arena: list[_T], item: _T) -> int:
    """Add ``item`` to one of a resolve's arenas: its index there is its id."""
    arena.append(item)
    return len(arena) - 1


@record(frozen=False)
class Resolve:
    """All packages known to one resolution, in dependency order (dependencies first)."""

    types: list[TypeDef] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    worlds: list[World] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)

    def add_type(self, typedef: TypeDef) -> TypeId:
        return TypeId(_push(self.types, typedef))

    def add_interface(self, interface: Interface) -> InterfaceId:
        return InterfaceId(_push(self.interfaces, interface))

    def add_world(self, world: World) -> WorldId:
        return WorldId(_push(self.worlds, world))

    def add_package(self, package: Package) -> PackageId:
        return PackageId(_push(self.packages, package))

    def id_of(self, interface: InterfaceId) -> str | None:
        """The full name of a named interface, e.g. ``wasi:io/streams@0.2.0``."""
        iface = self.interfaces[interface]
        if iface.name is None or iface.package is None:
            return None
        return self.id_of_name(iface.package, iface.name)

    def id_of_name(self, package: PackageId, item: str) -> str:
        """The full name of ``item`` (an interface or world) of ``package``: ``ns:pkg/item@v``."""
        pkg = self.packages[package].name
        base = f"{pkg.namespace}:{pkg.name}/{item}"
        return base if pkg.version is None else f"{base}@{pkg.version}"

    def name_world_key(self, key: WorldKey) -> str:
        """The name a world item is imported/exported under: its own, or its interface's id."""
        if key.name is not None:
            return key.name
        assert key.interface is not None
        return self.id_of(key.interface) or ""
