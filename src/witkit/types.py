"""Component-level types after validation: the type model shared by binary/, wit/ and abi/.

The binary reader produces raw definitions full of indices; validation resolves
those indices into the objects below, so every later phase (WIT decoding, the
Canonical ABI, linking) works on types, never on index spaces.

Rules of this module:

* **Identity is type identity.**  Every class here compares and hashes by object
  identity (``eq=False``).  Two structurally equal records defined twice are two
  types; one type referenced twice is the same object.  Structural comparison,
  where the spec asks for it (subtyping), is a function, not ``==``.
* **Aliases are copies that remember their origin.**  Where the spec introduces a
  new type index that *is* an existing type -- an import or export of
  ``(type (eq i))`` (in a component, component type or instance type), or the
  export of a type definition -- validation creates a shallow copy with
  ``alias_of`` pointing at the original (wasmparser's ``with_unique``).  The copy
  has the same contents, so code that only needs the structure (the ABI) uses it
  as is; code that needs names (the WIT decoder, which turns an alias of another
  interface's type into a ``use``) follows ``alias_of``.  ``root()`` peels every
  alias.  Alias *definitions* (``alias export``, ``alias outer``) do not copy:
  they put the very same object into another index space, so in
  ``(alias export $i "t" (type $t))`` + ``(alias outer 1 $t (type))`` +
  ``(export "t" (type (eq 0)))`` the exported type's ``alias_of`` is exactly the
  object ``$i`` exports (wasmparser's ``peel_alias`` gives the same answer).
* **Freshening keeps alias chains.**  When an instance type that declares
  resources is imported (or a component instantiated), its resources are
  replaced by fresh ones and every type mentioning them is rebuilt; a rebuilt
  alias copy is again an alias copy of the rebuilt original.
* **Resources are nominal.**  A ``ResourceType`` is a fresh identity; aliases of a
  resource share its ``root()``, and two handle types refer to the same resource
  exactly when the roots are the same object.
* Primitive value types are plain strings (``"u32"``, ``"string"`` ...).

Nothing here knows about bytes, WIT text or running code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias, TypeVar, get_args

from witkit._record import field, record, replace

__all__ = [
    "PRIMITIVES",
    "AnyType",
    "BorrowType",
    "ComponentType",
    "CoreExtern",
    "CoreFuncType",
    "CoreInstanceType",
    "DefinedType",
    "EnumType",
    "ExternItem",
    "ExternType",
    "FlagsType",
    "FuncType",
    "FutureType",
    "GlobalType",
    "InstanceType",
    "ListType",
    "MapType",
    "MemoryType",
    "ModuleType",
    "OptionType",
    "OwnType",
    "PrimName",
    "PrimType",
    "RecordType",
    "ResourceType",
    "ResultType",
    "StreamType",
    "TableType",
    "TagType",
    "TupleType",
    "TypeExtern",
    "TypeNames",
    "ValType",
    "ValueExtern",
    "VariantType",
    "extern_text",
    "func_text",
    "make_alias",
    "root",
    "wit_text",
]

#: the primitive value types, in the order of their binary opcodes (0x7f downwards;
#: error-context 0x64): the one list, for binary/, wit/ and abi/ alike
PrimName = Literal[
    "bool",
    "s8",
    "u8",
    "s16",
    "u16",
    "s32",
    "u32",
    "s64",
    "u64",
    "f32",
    "f64",
    "char",
    "string",
    "error-context",
]

#: the same names as a tuple, in that order
PRIMITIVES: tuple[PrimName, ...] = get_args(PrimName)


# --------------------------------------------------------------------------- resources


@record(frozen=False, eq=False)
class ResourceType:
    """A resource type: a fresh nominal identity.

    ``name`` is only a hint for messages (the name it was imported, exported or
    first aliased under).  ``defined`` is true for ``(type (resource ...))`` in a
    component body (the component owns its representation); ``rep`` is the core
    type of the representation and ``dtor`` the core function index of the
    destructor in the defining component, if any.
    """

    name: str | None = None
    defined: bool = False
    rep: str = "i32"
    dtor: int | None = None
    alias_of: ResourceType | None = None


# --------------------------------------------------------------------------- value types


@record(frozen=False, eq=False)
class PrimType:
    """``(type u32)``: a defined type that is just a primitive (WIT ``type x = u32``)."""

    prim: PrimName
    alias_of: PrimType | None = None


@record(frozen=False, eq=False)
class RecordType:
    fields: tuple[tuple[str, ValType], ...]
    alias_of: RecordType | None = None


@record(frozen=False, eq=False)
class VariantType:
    cases: tuple[tuple[str, ValType | None], ...]
    alias_of: VariantType | None = None


@record(frozen=False, eq=False)
class ListType:
    """``list<T>``, or ``list<T, N>`` when ``length`` is set (fixed-length list)."""

    element: ValType
    length: int | None = None
    alias_of: ListType | None = None


@record(frozen=False, eq=False)
class TupleType:
    types: tuple[ValType, ...]
    alias_of: TupleType | None = None


@record(frozen=False, eq=False)
class FlagsType:
    names: tuple[str, ...]
    alias_of: FlagsType | None = None


@record(frozen=False, eq=False)
class EnumType:
    names: tuple[str, ...]
    alias_of: EnumType | None = None


@record(frozen=False, eq=False)
class OptionType:
    value: ValType
    alias_of: OptionType | None = None


@record(frozen=False, eq=False)
class ResultType:
    ok: ValType | None
    err: ValType | None
    alias_of: ResultType | None = None


@record(frozen=False, eq=False)
class OwnType:
    resource: ResourceType
    alias_of: OwnType | None = None


@record(frozen=False, eq=False)
class BorrowType:
    resource: ResourceType
    alias_of: BorrowType | None = None


@record(frozen=False, eq=False)
class StreamType:
    element: ValType | None
    alias_of: StreamType | None = None


@record(frozen=False, eq=False)
class FutureType:
    value: ValType | None
    alias_of: FutureType | None = None


@record(frozen=False, eq=False)
class MapType:
    key: ValType
    value: ValType
    alias_of: MapType | None = None


DefinedType: TypeAlias = (
    PrimType
    | RecordType
    | VariantType
    | ListType
    | TupleType
    | FlagsType
    | EnumType
    | OptionType
    | ResultType
    | OwnType
    | BorrowType
    | StreamType
    | FutureType
    | MapType
)

#: a value type: a primitive by name, or a defined type object
ValType: TypeAlias = "PrimName | DefinedType"


# --------------------------------------------------------------------------- core types


@record
class CoreFuncType:
    """A core function type: ``(param ...) (result ...)``, value types by their text names.

    The one core signature of witkit: validation computes it (``canon lift``'s
    flattening, a core module's types), translation keeps it in the plan, and
    the engine layer (``witkit.runtime.core``) builds wasmtime's from it and
    keys its cache of those by it, hence comparable and hashable.
    """

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"(func (param {' '.join(self.params)}) (result {' '.join(self.results)}))"


@record
class TableType:
    element: str
    minimum: int
    maximum: int | None
    table64: bool = False


@record
class MemoryType:
    minimum: int
    maximum: int | None
    shared: bool = False
    memory64: bool = False
    page_size_log2: int = 16


@record
class GlobalType:
    valtype: str
    mutable: bool


@record
class TagType:
    func: CoreFuncType


CoreExtern: TypeAlias = CoreFuncType | TableType | MemoryType | GlobalType | TagType


@record(frozen=False, eq=False)
class ModuleType:
    """A core module's type: imports ``(module, name, type)`` in order, exports by name."""

    imports: tuple[tuple[str, str, CoreExtern], ...]
    exports: dict[str, CoreExtern]


@record(frozen=False, eq=False)
class CoreInstanceType:
    exports: dict[str, CoreExtern]


# --------------------------------------------------------------------------- component-level types


@record(frozen=False, eq=False)
class FuncType:
    params: tuple[tuple[str, ValType], ...]
    result: ValType | None
    is_async: bool = False
    alias_of: FuncType | None = None


@record(frozen=False, eq=False)
class ExternItem:
    """One import or export: its type plus the name attributes of the binary."""

    ty: ExternType
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None


@record(frozen=False, eq=False)
class InstanceType:
    exports: dict[str, ExternItem] = field(default_factory=dict)
    alias_of: InstanceType | None = None


@record(frozen=False, eq=False)
class ComponentType:
    imports: dict[str, ExternItem] = field(default_factory=dict)
    exports: dict[str, ExternItem] = field(default_factory=dict)
    alias_of: ComponentType | None = None


#: anything the component-level ``type`` sort can hold
AnyType: TypeAlias = "DefinedType | ResourceType | FuncType | InstanceType | ComponentType"


@record(frozen=False, eq=False)
class TypeExtern:
    """A ``(type ...)`` import or export.

    ``referenced`` is the type the bound names (for ``(sub resource)`` a fresh
    resource); ``created`` is the new type the import/export introduces into the
    index space -- an alias copy of ``referenced`` for ``(eq i)``, the resource
    itself for ``(sub resource)``.  Later definitions refer to ``created``.
    """

    referenced: AnyType
    created: AnyType


@record(frozen=False, eq=False)
class ValueExtern:
    """A ``(value ...)`` import or export (the 🪙 value extension)."""

    ty: ValType


ExternType: TypeAlias = (
    "ModuleType | FuncType | ValueExtern | TypeExtern | InstanceType | ComponentType"
)


# --------------------------------------------------------------------------- helpers

_T = TypeVar(
    "_T",
    PrimType,
    RecordType,
    VariantType,
    ListType,
    TupleType,
    FlagsType,
    EnumType,
    OptionType,
    ResultType,
    OwnType,
    BorrowType,
    StreamType,
    FutureType,
    MapType,
    ResourceType,
    FuncType,
    InstanceType,
    ComponentType,
)


def make_alias(ty: _T) -> _T:
    """A new type identity that is ``ty`` under another index (see the module rules)."""
    return replace(ty, alias_of=ty)


def root(ty: _T) -> _T:
    """Peel every alias: the type as first defined."""
    while ty.alias_of is not None:
        ty = ty.alias_of
    return ty


# --------------------------------------------------------------------------- types in WIT syntax


class TypeNames:
    """Names for types, learned from the type exports of the instances and components seen.

    Types carry no names (a record is its fields; the name belongs to the export
    that introduced it), so a message or a ``repr`` that should read as WIT
    (``func(p: point) -> point``) needs the names of the interface around it:
    ``learn`` its exports first.  A type is found by itself or any type it is an
    alias of, so the alias copies validation makes share their original's name.
    """

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        #: keeps the named objects alive, so their ids stay theirs
        self._keep: list[object] = []

    def learn(self, exports: Mapping[str, ExternItem], *, deep: bool = False) -> None:
        """The type exports of one instance or component; ``deep``: of its instances too."""
        for name, item in exports.items():
            ty = item.ty
            if isinstance(ty, TypeExtern):
                for named in (ty.created, ty.referenced):
                    if id(named) not in self._names:
                        self._names[id(named)] = name
                        self._keep.append(named)
            elif deep and isinstance(ty, InstanceType):
                self.learn(ty.exports, deep=True)

    def of(self, ty: object) -> str | None:
        """The name of ``ty`` (or of a type it is an alias of), if one was learned."""
        seen = ty
        while seen is not None:
            name = self._names.get(id(seen))
            if name is not None:
                return name
            seen = getattr(seen, "alias_of", None)
        return None


_NO_NAMES = TypeNames()


def wit_text(ty: ValType, names: TypeNames | None = None, *, top: bool = True) -> str:
    """A value type in WIT syntax; named types by their name unless at the top."""
    if isinstance(ty, str):
        return ty
    names = names or _NO_NAMES
    if not top:
        name = names.of(ty)
        if name is not None:
            return name

    def sub(inner: ValType) -> str:
        return wit_text(inner, names, top=False)

    match ty:
        case PrimType(prim=prim):
            return prim
        case RecordType(fields=fields):
            return "record { " + ", ".join(f"{n}: {sub(v)}" for n, v in fields) + " }"
        case VariantType(cases=cases):
            parts = [n if v is None else f"{n}({sub(v)})" for n, v in cases]
            return "variant { " + ", ".join(parts) + " }"
        case ListType(element=element, length=None):
            return f"list<{sub(element)}>"
        case ListType(element=element, length=length):
            return f"list<{sub(element)}, {length}>"
        case TupleType(types=types):
            return "tuple<" + ", ".join(sub(x) for x in types) + ">"
        case FlagsType(names=labels):
            return "flags { " + ", ".join(labels) + " }"
        case EnumType(names=labels):
            return "enum { " + ", ".join(labels) + " }"
        case OptionType(value=value):
            return f"option<{sub(value)}>"
        case ResultType(ok=None, err=None):
            return "result"
        case ResultType(ok=ok, err=None):
            return f"result<{sub(ok)}>" if ok is not None else "result"
        case ResultType(ok=ok, err=err):
            left = "_" if ok is None else sub(ok)
            return f"result<{left}, {sub(err) if err is not None else '_'}>"
        case OwnType(resource=resource):
            return _resource_text(resource, names)
        case BorrowType(resource=resource):
            return f"borrow<{_resource_text(resource, names)}>"
        case StreamType(element=element):
            return "stream" if element is None else f"stream<{sub(element)}>"
        case FutureType(value=value):
            return "future" if value is None else f"future<{sub(value)}>"
        case MapType(key=key, value=value):
            return f"map<{sub(key)}, {sub(value)}>"
    return type(ty).__name__  # pragma: no cover - every defined type is matched above


def _resource_text(resource: ResourceType, names: TypeNames) -> str:
    return names.of(resource) or root(resource).name or resource.name or "resource"


def func_text(func: FuncType, names: TypeNames | None = None) -> str:
    """``func(a: u32, p: point) -> option<point>``: a function type in WIT syntax."""
    params = ", ".join(f"{n}: {wit_text(v, names, top=False)}" for n, v in func.params)
    head = "async func" if func.is_async else "func"
    if func.result is None:
        return f"{head}({params})"
    return f"{head}({params}) -> {wit_text(func.result, names, top=False)}"


def extern_text(ty: ExternType, names: TypeNames | None = None) -> str:
    """An import's or export's type in WIT syntax (an instance as its functions and types)."""
    match ty:
        case FuncType():
            return func_text(ty, names)
        case InstanceType(exports=exports):
            inner = TypeNames()
            inner._names.update((names or _NO_NAMES)._names)
            inner.learn(exports)
            lines = [_item_text(n, item.ty, inner) for n, item in exports.items()]
            return "interface {" + "".join(f"\n  {line}" for line in lines) + "\n}"
        case ValueExtern(ty=value):
            return wit_text(value, names, top=False)
        case TypeExtern(referenced=ResourceType()):
            return "resource"
        case TypeExtern(referenced=FuncType() as func):
            return func_text(func, names)
        case TypeExtern(referenced=InstanceType() | ComponentType() as inner_ty):
            return extern_text(inner_ty, names)
        case TypeExtern(referenced=referenced):
            return "type " + wit_text(referenced, names)  # type: ignore[arg-type]
        case ComponentType(imports=imports, exports=exports):
            return f"component ({len(imports)} imports, {len(exports)} exports)"
        case ModuleType(imports=imports, exports=exports):
            return f"core module ({len(imports)} imports, {len(exports)} exports)"
    return type(ty).__name__  # pragma: no cover


def _item_text(name: str, ty: ExternType, names: TypeNames) -> str:
    """One item of an interface as WIT writes it: ``record point { ... }``, ``f: func();``."""
    if isinstance(ty, TypeExtern):
        referenced = ty.referenced
        if isinstance(referenced, ResourceType):
            return f"resource {name};"
        if isinstance(referenced, RecordType | VariantType | EnumType | FlagsType):
            text = wit_text(referenced, names)
            if names.of(referenced) == name:  # defined here, not a `use` of another's
                kind, _, body = text.partition(" ")
                return f"{kind} {name} {body}"
            return f"type {name} = {wit_text(referenced, names, top=False)};"
        if not isinstance(referenced, FuncType | InstanceType | ComponentType):
            own = names.of(referenced) == name  # defined here: spell out what it is
            return f"type {name} = {wit_text(referenced, names, top=own)};"
    return f"{name}: {extern_text(ty, names)};"


def _str_value(self: DefinedType) -> str:
    return wit_text(self)


def _str_func(self: FuncType) -> str:
    return func_text(self)


def _str_extern(self: InstanceType | ComponentType) -> str:
    return extern_text(self)


# ``str()`` of a type is its WIT text (``repr`` stays the structure, for debugging)
for _cls in get_args(DefinedType):
    _cls.__str__ = _str_value
FuncType.__str__ = _str_func  # type: ignore[assignment,method-assign]
InstanceType.__str__ = _str_extern  # type: ignore[assignment,method-assign]
ComponentType.__str__ = _str_extern  # type: ignore[assignment,method-assign]
