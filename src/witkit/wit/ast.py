"""The WIT syntax tree: what one ``.wit`` file says, before any name is looked up.

The parser builds these nodes and the resolver reads them; nothing else does.

Rules:

* Nodes are frozen, slotted dataclasses; sequences are tuples.
* Every node that can be the subject of a diagnostic carries a ``Loc``: a half-open
  range of *global* character offsets into the ``SourceMap`` the file was added to
  (as wasm-tools does), so a location is two ints and is turned into
  file/line/column only when an error is rendered.
* Doc comments are kept raw (``Docs.comments`` holds each comment's text with its
  markers); the resolver normalises them, because the normalisation rules are part
  of resolution in the reference implementation.
* ``Version`` is the one value type here: a semantic version with the ordering of
  semver 2.0, used for package versions and feature gates.
* Nodes are declared with ``witkit._record.record``, witkit's one record helper:
  the frozen, slotted, comparable classes of ``@dataclass(frozen=True, slots=True)``
  at a fraction of the cost to define (with ~50 node classes, ``dataclasses`` was
  the largest single cost of ``witkit wit``'s start-up).
"""

from __future__ import annotations

import re
from typing import Literal, TypeAlias

from witkit._record import record
from witkit.types import PrimName

__all__ = [
    "Attribute",
    "Deprecated",
    "Docs",
    "Enum",
    "EnumCase",
    "ExternFunc",
    "ExternInterface",
    "ExternKind",
    "ExternNamedPath",
    "ExternPath",
    "ExternalId",
    "Field",
    "Flag",
    "Flags",
    "ForeignPath",
    "Func",
    "Handle",
    "Id",
    "Include",
    "IncludeName",
    "Interface",
    "InterfaceItem",
    "LocalPath",
    "Loc",
    "NamedFunc",
    "NamedType",
    "PackageFile",
    "PackageItem",
    "PackageName",
    "Primitive",
    "Record",
    "Resource",
    "ResourceFunc",
    "Since",
    "ToplevelUse",
    "TypeBody",
    "TypeDef",
    "TypeExpr",
    "Unstable",
    "Use",
    "UseName",
    "UsePath",
    "Variant",
    "VariantCase",
    "Version",
    "VersionError",
    "World",
    "WorldExtern",
    "WorldItem",
]


@record
class Loc:
    """Where a node is: ``[start, end)`` global offsets into a ``SourceMap``."""

    start: int
    end: int


@record
class Id:
    """An identifier, without its ``%`` escape."""

    name: str
    loc: Loc


@record
class Docs:
    """The comments right before an item, raw; ``loc`` covers them all."""

    comments: tuple[str, ...] = ()
    loc: Loc | None = None


NO_DOCS = Docs()

# --------------------------------------------------------------------------- versions


class VersionError(ValueError):
    """Text that is not a semantic version; the message says which rule it breaks."""


_IDENT_CHARS = re.compile(r"[0-9A-Za-z-]+\Z")


def _numeric(part: str, what: str) -> int:
    if not part:
        raise VersionError(f"empty string, expected a semver version ({what} is missing)")
    if not part.isascii() or not part.isdigit():
        raise VersionError(f"unexpected character in {what} version number")
    if len(part) > 1 and part[0] == "0":
        raise VersionError(f"invalid leading zero in {what} version number")
    return int(part)


def _identifiers(text: str, what: str) -> tuple[str, ...]:
    parts = tuple(text.split("."))
    for part in parts:
        if not part:
            raise VersionError(f"empty identifier segment in {what}")
        if not _IDENT_CHARS.match(part):
            raise VersionError(f"unexpected character in {what}")
        if what == "pre-release" and part.isdigit() and len(part) > 1 and part[0] == "0":
            raise VersionError("invalid leading zero in pre-release identifier")
    return parts


def _ident_key(part: str) -> tuple[int, int, str]:
    # Numeric identifiers sort before alphanumeric ones, numerically among themselves.
    if part.isdigit():
        return (0, int(part), part)
    return (1, 0, part)


@record
class Version:
    """A semver 2.0 version; ``text`` is its canonical spelling (as written)."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse strictly, as the reference's semver crate does (no leading zeros...)."""
        core, plus, build = text.partition("+")
        core, dash, pre = core.partition("-")
        parts = core.split(".")
        if len(parts) != 3:
            raise VersionError(f"unexpected end of input while parsing version `{text}`")
        major = _numeric(parts[0], "major")
        minor = _numeric(parts[1], "minor")
        patch = _numeric(parts[2], "patch")
        pre_ids = _identifiers(pre, "pre-release") if dash else ()
        build_ids = _identifiers(build, "build metadata") if plus else ()
        return cls(major, minor, patch, pre_ids, build_ids)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def sort_key(self) -> tuple[object, ...]:
        """Semver precedence (a release sorts after its pre-releases), then build metadata."""
        pre_key: tuple[object, ...] = (
            (1,) if not self.pre else (0, tuple(_ident_key(p) for p in self.pre))
        )
        return (
            self.major,
            self.minor,
            self.patch,
            pre_key,
            tuple(_ident_key(b) for b in self.build),
        )

    def __lt__(self, other: Version) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Version) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: Version) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: Version) -> bool:
        return self.sort_key() >= other.sort_key()


# --------------------------------------------------------------------------- attributes (gates)


@record
class Since:
    """``@since(version = V)``."""

    version: Version
    loc: Loc


@record
class Unstable:
    """``@unstable(feature = F)``."""

    feature: Id
    loc: Loc


@record
class Deprecated:
    """``@deprecated(version = V)``."""

    version: Version
    loc: Loc


@record
class ExternalId:
    """``@external-id("...")``: a name for the world outside, any string."""

    value: str
    loc: Loc


Attribute: TypeAlias = Since | Unstable | Deprecated | ExternalId

# --------------------------------------------------------------------------- paths and names


@record
class PackageName:
    """``ns:name@version``; ``docs`` are the comments before a ``package`` line."""

    namespace: Id
    name: Id
    version: Version | None
    loc: Loc
    docs: Docs = NO_DOCS

    def key(self) -> tuple[str, str, str | None]:
        """The identity of the package, independent of where it was written."""
        return (
            self.namespace.name,
            self.name.name,
            None if self.version is None else str(self.version),
        )


@record
class LocalPath:
    """A bare name: an interface or world of this package (or a top-level ``use``)."""

    name: Id


@record
class ForeignPath:
    """``ns:pkg/name@version``: an interface or world of another package."""

    package: PackageName
    name: Id


UsePath: TypeAlias = LocalPath | ForeignPath

# --------------------------------------------------------------------------- type expressions


@record
class Primitive:
    name: PrimName
    loc: Loc


@record
class NamedType:
    """A reference by name to a type in scope (an owned handle, if it is a resource)."""

    name: Id


@record
class ListOf:
    element: TypeExpr
    loc: Loc
    length: int | None = None


@record
class MapOf:
    key: TypeExpr
    value: TypeExpr
    loc: Loc


@record
class OptionOf:
    value: TypeExpr
    loc: Loc


@record
class ResultOf:
    ok: TypeExpr | None
    err: TypeExpr | None
    loc: Loc


@record
class TupleOf:
    types: tuple[TypeExpr, ...]
    loc: Loc


@record
class FutureOf:
    value: TypeExpr | None
    loc: Loc


@record
class StreamOf:
    element: TypeExpr | None
    loc: Loc


@record
class Handle:
    """``own<r>`` or ``borrow<r>``."""

    kind: Literal["own", "borrow"]
    resource: Id


TypeExpr: TypeAlias = (
    Primitive
    | NamedType
    | ListOf
    | MapOf
    | OptionOf
    | ResultOf
    | TupleOf
    | FutureOf
    | StreamOf
    | Handle
)


def type_loc(ty: TypeExpr) -> Loc:
    """Where a type expression starts, for diagnostics about it."""
    if isinstance(ty, NamedType):
        return ty.name.loc
    if isinstance(ty, Handle):
        return ty.resource.loc
    return ty.loc


# --------------------------------------------------------------------------- type definitions


@record
class Field:
    docs: Docs
    name: Id
    type: TypeExpr


@record
class Record:
    fields: tuple[Field, ...]
    loc: Loc


@record
class Flag:
    docs: Docs
    name: Id


@record
class Flags:
    flags: tuple[Flag, ...]
    loc: Loc


@record
class VariantCase:
    docs: Docs
    name: Id
    type: TypeExpr | None


@record
class Variant:
    cases: tuple[VariantCase, ...]
    loc: Loc


@record
class EnumCase:
    docs: Docs
    name: Id


@record
class Enum:
    cases: tuple[EnumCase, ...]
    loc: Loc


@record
class Func:
    """A function signature; ``loc`` is the ``func`` (or ``constructor``) keyword."""

    loc: Loc
    is_async: bool
    params: tuple[tuple[Id, TypeExpr], ...]
    result: TypeExpr | None


@record
class NamedFunc:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    func: Func


@record
class ResourceFunc:
    kind: Literal["method", "static", "constructor"]
    func: NamedFunc


@record
class Resource:
    funcs: tuple[ResourceFunc, ...]
    loc: Loc


TypeBody: TypeAlias = Record | Flags | Variant | Enum | Resource | TypeExpr


@record
class TypeDef:
    """A named type: ``type x = ...``, ``record x {...}``, ``resource x {...}`` ..."""

    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    body: TypeBody


# --------------------------------------------------------------------------- interfaces and worlds


@record
class UseName:
    name: Id
    as_: Id | None = None


@record
class Use:
    """``use path.{a, b as c};`` inside an interface or world."""

    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[UseName, ...]
    loc: Loc


InterfaceItem: TypeAlias = TypeDef | NamedFunc | Use


@record
class Interface:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[InterfaceItem, ...]


@record
class ExternInterface:
    """``import name: interface { ... }``."""

    name: Id
    items: tuple[InterfaceItem, ...]


@record
class ExternPath:
    """``import path;``."""

    path: UsePath


@record
class ExternFunc:
    """``import name: func(...);``."""

    name: Id
    func: Func


@record
class ExternNamedPath:
    """``import label: path;``: a plain-named import implementing an interface."""

    name: Id
    path: UsePath


ExternKind: TypeAlias = ExternInterface | ExternPath | ExternFunc | ExternNamedPath


def extern_loc(kind: ExternKind) -> Loc:
    """The location diagnostics about an import or export point at."""
    if isinstance(kind, ExternPath):
        path = kind.path
        return path.name.loc if isinstance(path, LocalPath) else path.package.loc
    return kind.name.loc


@record
class WorldExtern:
    """An ``import`` or ``export`` of a world."""

    direction: Literal["import", "export"]
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind


@record
class IncludeName:
    name: Id
    as_: Id


@record
class Include:
    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[IncludeName, ...]


WorldItem: TypeAlias = WorldExtern | Use | TypeDef | Include


@record
class World:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[WorldItem, ...]


@record
class ToplevelUse:
    """``use ns:pkg/iface@v as name;`` at the top of a file: a file-local alias."""

    loc: Loc
    attributes: tuple[Attribute, ...]
    path: UsePath
    as_: Id | None

    def local_name(self) -> Id:
        return self.as_ if self.as_ is not None else self.path.name


PackageItem: TypeAlias = "Interface | World | ToplevelUse | PackageFile"


@record
class PackageFile:
    """A file, or a nested ``package ns:name { ... }`` block of one."""

    package: PackageName | None
    items: tuple[PackageItem, ...]
