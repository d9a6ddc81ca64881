"""The output of translation: a component as a flat, name-free plan of instantiation steps.

These records are what ``witkit.runtime._translate`` produces and what
instantiation (``witkit.runtime.instance``) consumes; they live apart from the
translator so that a component loaded prepared (``witkit.runtime._prepared``
unpickles a ``Translation``) needs neither the binary reader nor the validator.
See ``translate``'s docstring for what each definition means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias

from witkit._record import record
from witkit.types import CoreFuncType, ExternItem, FuncType, ResourceType, ValType

if TYPE_CHECKING:
    from witkit.binary import ir

__all__ = [
    "Builtin",
    "CallStart",
    "CoreDef",
    "CoreExportDef",
    "DefinedResource",
    "ExportDef",
    "FuncDef",
    "ImportFuncDef",
    "ImportSpec",
    "ImportValueDef",
    "ImportedResource",
    "InstantiateModule",
    "Lift",
    "LiftedFuncDef",
    "Lower",
    "Options",
    "ResourceDef",
    "StartValueDef",
    "Step",
    "Trampoline",
    "Translation",
    "TrampolineDef",
    "Unsupported",
    "ValueDef",
]

# =========================================================================== definitions


@record
class CoreExportDef:
    """The export ``name`` of the core instance made by ``InstantiateModule`` number ``instance``."""

    instance: int
    name: str


@record
class TrampolineDef:
    """A core function the runtime makes: ``Translation.trampolines[index]``."""

    index: int


#: a core function, table, memory, global or tag at run time
CoreDef: TypeAlias = CoreExportDef | TrampolineDef


@record
class LiftedFuncDef:
    """A component function made by ``canon lift``: ``Translation.lifts[index]``."""

    index: int


@record
class ImportFuncDef:
    """A function of a root import: ``path`` leads into nested instances of import ``index``."""

    index: int
    path: tuple[str, ...]


FuncDef: TypeAlias = LiftedFuncDef | ImportFuncDef


@record
class ImportValueDef:
    """🪙 A value the host gives for root import ``index`` (at ``path`` inside it)."""

    index: int
    path: tuple[str, ...]


@record
class StartValueDef:
    """🪙 The result of the ``CallStart`` step number ``step``."""

    step: int


ValueDef: TypeAlias = ImportValueDef | StartValueDef


@record
class ResourceDef:
    """A resource type at run time: ``Translation.resources[rid]``."""

    rid: int


#: what a root export is, seen from the host
ExportDef: TypeAlias = "FuncDef | ValueDef | ResourceDef | dict[str, ExportDef] | None"

# =========================================================================== the output


@record
class Options:
    """The canonical options of one lift or lower, as definitions."""

    string_encoding: Literal["utf8", "utf16", "latin1+utf16"] = "utf8"
    memory: CoreDef | None = None
    realloc: CoreDef | None = None
    post_return: CoreDef | None = None
    #: the memory is 64-bit (🐘)
    memory64: bool = False


@record
class Lift:
    """``canon lift``: a core function made callable with component values."""

    core_func: CoreDef
    type: FuncType
    options: Options
    #: the runtime component instance the function belongs to
    instance: int
    #: index into ``Translation.resource_maps``: how the type's resources map to rids
    resources: int
    #: a name for messages (the export name when there is one)
    name: str
    #: why calling it is not supported, if it is not
    unsupported: str | None = None
    #: ``canon lift ... async``: the result comes through ``task.return``
    is_async: bool = False
    #: the ``callback`` option of an async lift (stackless), if any
    callback: CoreDef | None = None


@record
class Lower:
    """``canon lower``: a component function made callable from core wasm."""

    func: FuncDef
    type: FuncType
    core_type: CoreFuncType
    options: Options
    instance: int
    resources: int
    name: str
    #: ``canon lower ... async``: the core function returns a subtask status
    is_async: bool = False


@record
class Builtin:
    """A canonical built-in witkit runs synchronously.

    ``resource.new``/``resource.drop``/``resource.rep`` on resource ``rid``;
    ``context.get``/``context.set`` of storage ``slot`` of the current task;
    ``backpressure.inc``/``backpressure.dec`` (a counter with its traps: nothing
    waits in a synchronous runtime); ``task.return`` of a ``result`` type
    lifted with ``options`` (its resources seen through ``resources``).
    """

    name: str
    rid: int | None
    core_type: CoreFuncType
    instance: int
    slot: int = 0
    result: ValType | None = None
    options: Options | None = None
    resources: int = 0


@record
class Unsupported:
    """A canonical built-in witkit does not implement; calling it traps."""

    name: str
    core_type: CoreFuncType
    instance: int


Trampoline: TypeAlias = Lower | Builtin | Unsupported


@record
class DefinedResource:
    """A resource type defined by a component instance (generative: one per frame)."""

    instance: int
    dtor: CoreDef | None
    name: str


@record
class ImportedResource:
    """A resource type of the root imports, at ``path`` inside import ``index``."""

    index: int
    path: tuple[str, ...]
    name: str


@record
class InstantiateModule:
    """Step: instantiate ``modules[module]`` with these imports, in the module's order."""

    module: int
    imports: tuple[CoreDef, ...]


@record
class CallStart:
    """Step (🪙): call a component's start function with values; its result is a value."""

    func: FuncDef
    args: tuple[ValueDef, ...]
    has_result: bool


Step: TypeAlias = InstantiateModule | CallStart


@record
class ImportSpec:
    """A root import: its name and type, and what of it the component uses."""

    name: str
    item: ExternItem
    #: function paths used (by ``canon lower``, re-export or nested instantiation)
    funcs: tuple[tuple[str, ...], ...]
    #: resource paths used -> rid
    resources: tuple[tuple[tuple[str, ...], int], ...]


@record
class Translation:
    """Everything instantiation needs, with every name already resolved."""

    #: the core modules, by index, as their IR (bytes + light parse)
    modules: tuple[ir.CoreModule, ...]
    steps: tuple[Step, ...]
    trampolines: tuple[Trampoline, ...]
    lifts: tuple[Lift, ...]
    resources: tuple[DefinedResource | ImportedResource, ...]
    #: per runtime component instance: the index of its parent (None for the root)
    instances: tuple[int | None, ...]
    #: validation's resource types (roots) -> rid, one map per frame
    resource_maps: tuple[Mapping[ResourceType, int], ...]
    imports: tuple[ImportSpec, ...]
    exports: dict[str, ExportDef]
    #: runtime instances whose tasks need ``context.get``/``set`` storage
    context_instances: frozenset[int] = frozenset()
