"""What one ``validate()`` call shares across scopes: features, type metadata, type sizes.

The objects of ``witkit.types`` carry only what later phases need.  Validation
needs more about some of them -- which resources an instance or component type
*defines* (to freshen them on import/instantiation), where they are exported
(their "path"), the size/depth/borrow summary of each type -- so that lives here,
in side tables keyed by object identity.  Each table entry keeps a reference to
its object, so an ``id()`` is never reused while the table lives.

These names follow wasmparser's ``component_types.rs`` (``defined_resources``,
``explicit_resources``, ``imported_resources``, ``TypeInfo``), whose semantics we
reproduce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, fields, replace
from typing import Any, TypeAlias

from witkit import types as wt
from witkit._record import record
from witkit.binary.limits import MAX_WASM_COMPONENT_TYPE_DEPTH, MAX_WASM_TYPE_SIZE
from witkit.errors import ValidationError

__all__ = [
    "COMPOSITE",
    "CoreValidator",
    "Ctx",
    "Features",
    "Info",
    "Path",
    "ResourceMeta",
    "fail",
    "value_children",
]

#: validates a core module's code: called with its bytes, raises (anything) to reject it
CoreValidator: TypeAlias = Callable[[memoryview], object]

#: a path to a resource: the index of an import/export, then indices of nested instance exports
Path = tuple[int, ...]


def fail(message: str, offset: int) -> ValidationError:
    """The error to raise: a person-readable message at a byte offset."""
    return ValidationError(message, offset)


@record
class Features:
    """Optional parts of the component model (Explainer.md "Gated Features").

    The defaults are ``wasm-tools validate``'s (those of wasm-tools 1.262, found
    by probing it: async, maps and ``implements`` on, the rest off), so witkit
    accepts what wasm-tools accepts.  ``Features.all()``
    enables every gate, ``Features.spec_tests()`` the set the component-model
    reference tests are run with.
    """

    #: 🔀 async lift/lower, streams, futures, the async built-ins
    cm_async: bool = True
    #: 🚟 async lift without a callback
    cm_async_stackful: bool = False
    #: 🚝 sync stream/future copies, async cancels
    cm_more_async_builtins: bool = False
    #: 🧵 threads
    cm_threading: bool = False
    #: 📝 error-context
    cm_error_context: bool = False
    #: 🔧 fixed-length lists
    cm_fixed_length_lists: bool = False
    #: 🗺️ maps
    cm_map: bool = True
    #: 🪙 values and start functions
    cm_values: bool = False
    #: 🪺 nested namespaces and packages in names
    cm_nested_names: bool = False
    #: 🛸 GC canon options
    cm_gc: bool = False
    #: 🐘 64-bit memories and i64 resources
    cm64: bool = False
    #: 🏷️ ``implements`` and ``external-id`` name attributes
    cm_implements: bool = True
    #: 🔗 ``versionsuffix`` name attributes
    cm_canon_names: bool = False
    #: core: exception handling (tags); on in wasm-tools' defaults
    exceptions: bool = True
    #: core: shared-everything threads (``thread.spawn-*``)
    shared_everything_threads: bool = False
    #: names compare with hyphens dropped (``a1`` clashes with ``a-1``), as wasm-tools 1.262
    #: does after component-model#704; the Explainer at the spec tests' revision only
    #: lowercases, and its ``kebab.wast`` accepts both names
    hyphen_insensitive_names: bool = True
    #: accept ``0x01`` (``cancellable``) in the byte Binary.md spells ``cancel?``;
    #: wasm-tools 1.262 reserves it as zero (component-model#716)
    legacy_cancellable: bool = False

    @classmethod
    def all(cls) -> Features:
        """Every feature gate on; the two rule-book switches stay as wasm-tools has them."""
        rules = ("hyphen_insensitive_names", "legacy_cancellable")
        return cls(**{f.name: True for f in fields(cls) if f.name not in rules})

    @classmethod
    def spec_tests(cls) -> Features:
        """The features the component-model ``test/`` README runs wasmtime with."""
        return cls(
            cm_async_stackful=True,
            cm_more_async_builtins=True,
            cm_threading=True,
            cm_error_context=True,
            cm_fixed_length_lists=True,
            hyphen_insensitive_names=False,
            legacy_cancellable=True,
        )


@record
class Info:
    """wasmparser's ``TypeInfo``: a type's size (nodes, with repetition), depth, borrows."""

    size: int = 1
    depth: int = 1
    borrow: bool = False

    def combine(self, other: Info, offset: int) -> Info:
        size = self.size + other.size
        if size >= MAX_WASM_TYPE_SIZE:
            raise fail(f"effective type size exceeds the limit of {MAX_WASM_TYPE_SIZE}", offset)
        depth = max(self.depth, other.depth + 1)
        if depth > MAX_WASM_COMPONENT_TYPE_DEPTH:
            raise fail("type nesting is too deep", offset)
        return Info(size, depth, self.borrow or other.borrow)


LEAF = Info()
BORROW = Info(borrow=True)


@record(frozen=False)
class ResourceMeta:
    """Resource bookkeeping of an instance or component type (wasmparser's fields).

    Keys are resources' roots (``root(r)``); paths index imports/exports.
    """

    #: instance/component types: resources this type introduces (freshened on use)
    defined: list[tuple[wt.ResourceType, Path]] = field(default_factory=list)
    #: component types: resources its imports introduce
    imported: list[tuple[wt.ResourceType, Path]] = field(default_factory=list)
    #: every resource exported by name somewhere, and where
    explicit: dict[int, tuple[wt.ResourceType, Path]] = field(default_factory=dict)


#: the value types made of other value types (``value_children``)
COMPOSITE = (
    wt.RecordType,
    wt.VariantType,
    wt.ListType,
    wt.OptionType,
    wt.TupleType,
    wt.ResultType,
    wt.StreamType,
    wt.FutureType,
    wt.MapType,
)


def value_children(ty: object) -> tuple[wt.ValType | None, ...]:
    """The value types a composite value type is made of, in order; ``()`` for any other.

    ``None`` stands for an absent payload (a variant case, a result side, a stream
    or future without one).  The one walk every check over a value type's structure
    shares: sizes and depths, free resources, named types.
    """
    if isinstance(ty, wt.RecordType):
        return tuple(t for _, t in ty.fields)
    if isinstance(ty, wt.VariantType):
        return tuple(t for _, t in ty.cases)
    if isinstance(ty, wt.TupleType):
        return ty.types
    if isinstance(ty, (wt.ListType, wt.StreamType)):
        return (ty.element,)
    if isinstance(ty, (wt.OptionType, wt.FutureType)):
        return (ty.value,)
    if isinstance(ty, wt.ResultType):
        return (ty.ok, ty.err)
    if isinstance(ty, wt.MapType):
        return (ty.key, ty.value)
    return ()


class Ctx:
    """State of one ``validate()`` call."""

    __slots__ = ("_info", "_meta", "core_validator", "features", "sizes")

    def __init__(self, features: Features, core_validator: CoreValidator | None = None) -> None:
        self.features = features
        self.core_validator = core_validator
        self._info: dict[int, tuple[object, Info]] = {}
        self._meta: dict[int, tuple[object, ResourceMeta]] = {}
        #: memo of ``abi.layout.size_and_alignment`` with 8-byte pointers
        self.sizes: dict[int, tuple[object, int, int]] = {}

    # ------------------------------------------------------------------ resource metadata

    def meta(self, ty: wt.InstanceType | wt.ComponentType) -> ResourceMeta:
        entry = self._meta.get(id(ty))
        if entry is None:
            meta = ResourceMeta()
            self._meta[id(ty)] = (ty, meta)
            return meta
        return entry[1]

    def set_meta(self, ty: wt.InstanceType | wt.ComponentType, meta: ResourceMeta) -> None:
        self._meta[id(ty)] = (ty, meta)

    def alias(self, ty: Any) -> Any:
        """``make_alias`` that carries this context's metadata over to the copy.

        An alias of an instance or component type is the same type under another
        index: it keeps the resources the original defines (so importing it
        freshens them, as wasmparser does for the very same type id).
        """
        copy = replace(ty, alias_of=ty)
        entry = self._meta.get(id(ty))
        if entry is not None:
            self._meta[id(copy)] = (copy, entry[1])
        info = self._info.get(id(ty))
        if info is not None:
            self._info[id(copy)] = (copy, info[1])
        return copy

    # ------------------------------------------------------------------ type info

    def set_info(self, ty: object, info: Info) -> None:
        self._info[id(ty)] = (ty, info)

    def info(self, ty: Any, offset: int = 0) -> Info:
        """The ``Info`` of a value type, defined type, func/instance/component type or extern."""
        if isinstance(ty, str) or ty is None:
            return LEAF
        entry = self._info.get(id(ty))
        if entry is not None:
            return entry[1]
        info = self._compute_info(ty, offset)
        self._info[id(ty)] = (ty, info)
        return info

    def _compute_info(self, ty: Any, offset: int) -> Info:
        if isinstance(
            ty, (wt.PrimType, wt.FlagsType, wt.EnumType, wt.OwnType, wt.ResourceType, wt.ModuleType)
        ):
            return LEAF
        if isinstance(ty, wt.BorrowType):
            return BORROW
        children: list[object]
        if isinstance(ty, COMPOSITE):
            children = [t for t in value_children(ty) if t is not None]
        elif isinstance(ty, wt.FuncType):
            children = [t for _, t in ty.params]
            if ty.result is not None:
                children.append(ty.result)
        elif isinstance(ty, wt.InstanceType):
            children = [item.ty for item in ty.exports.values()]
        elif isinstance(ty, wt.ComponentType):
            children = [item.ty for item in ty.imports.values()]
            children.extend(item.ty for item in ty.exports.values())
        elif isinstance(ty, wt.ExternItem):
            return self.info(ty.ty, offset)
        elif isinstance(ty, wt.TypeExtern):
            return self.info(ty.referenced, offset)
        elif isinstance(ty, wt.ValueExtern):
            return self.info(ty.ty, offset)
        else:
            return LEAF
        info = LEAF
        for child in children:
            info = info.combine(self.info(child, offset), offset)
        return info

    def valtype_info(self, ty: wt.ValType, offset: int) -> Info:
        return LEAF if isinstance(ty, str) else self.info(ty, offset)
