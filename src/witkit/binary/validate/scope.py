"""A ``Scope``: the state of one component, component type or instance type being validated.

A ``Scope`` is wasmparser's ``ComponentState``: the index spaces built up
definition by definition (Binary.md: "The indices in sortidx are validated
according to their sort's index spaces, which are built incrementally as each
definition is validated"), the imports and exports so far, and the resource
bookkeeping that makes resources behave as abstract types.  Scopes nest: a
component body, a component type or an instance type pushes a new scope on the
stack, and outer aliases look up the stack.

This module holds the state and the index-space lookups only; each kind of
definition is checked by the module of its Binary.md section (``deftypes``,
``externs``, ``instances``, ``canon``, ``component``), as functions of a scope.

Rules: every lookup raises ``ValidationError`` with the offset of the definition
at fault, in wasmparser's words; every index resolves into ``witkit.types``
objects (identity is type identity, see that module); nothing here reads bytes.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from witkit import types as wt
from witkit.binary.validate.context import LEAF, Ctx, Features, Path, fail
from witkit.binary.validate.core import CoreTypeEntry
from witkit.binary.validate.resources import free_resources
from witkit.binary.validate.result import CanonOptions, Entry, Origin, ValidatedComponent
from witkit.binary.validate.subtype import Subtyper

__all__ = ["ExternKind", "Kind", "ResourceNames", "Scope", "check_max"]

Kind = Literal["component", "instance-type", "component-type"]
ExternKind = Literal["import", "export"]

_DEFINED = (
    wt.PrimType,
    wt.RecordType,
    wt.VariantType,
    wt.ListType,
    wt.TupleType,
    wt.FlagsType,
    wt.EnumType,
    wt.OptionType,
    wt.ResultType,
    wt.OwnType,
    wt.BorrowType,
    wt.StreamType,
    wt.FutureType,
    wt.MapType,
)


def check_max(length: int, added: int, limit: int, what: str, offset: int) -> None:
    """An index space (or the exports) of ``length`` items may take ``added`` more."""
    if length + added > limit:
        if limit == 1:
            raise fail(f"multiple {what}", offset)
        raise fail(f"{what} count exceeds limit of {limit}", offset)


_T = TypeVar("_T")


def _at(space: list[_T], idx: int, what: str, noun: str, offset: int) -> _T:
    """Item ``idx`` of an index space, in wasmparser's words when there is none."""
    if idx >= len(space):
        raise fail(f"unknown {what} {idx}: {noun} index out of bounds", offset)
    return space[idx]


def _typed(ty: object, cls: type[_T], idx: int, what: str, offset: int) -> _T:
    """A type index's type, which must be a ``cls`` (``what``: its name in the message)."""
    if not isinstance(ty, cls):
        raise fail(f"type index {idx} is not a {what} type", offset)
    return ty


class ResourceNames:
    """Names of the top-level resources of a scope, for ``[method]r.m``-style names."""

    __slots__ = ("by_id", "keep", "names")

    def __init__(self) -> None:
        self.by_id: dict[int, int] = {}
        self.names: list[str] = []
        self.keep: list[wt.ResourceType] = []

    def register(self, name: str, res: wt.ResourceType) -> None:
        self.by_id[id(res)] = len(self.names)
        self.names.append(name)
        self.keep.append(res)

    def check(self, res: wt.ResourceType, name: str, offset: int) -> None:
        idx = self.by_id.get(id(res))
        if idx is None:
            raise fail("resource used in function does not have a name in this context", offset)
        expected = self.names[idx]
        if name != expected:
            raise fail(f"function does not match expected resource name `{expected}`", offset)


class Scope:
    """The state of one component, component type or instance type being validated."""

    def __init__(self, kind: Kind, ctx: Ctx) -> None:
        self.kind: Kind = kind
        self.ctx = ctx
        self.features: Features = ctx.features
        self.subtyper = Subtyper(ctx)
        # core index spaces
        self.core_types: list[CoreTypeEntry] = []
        self.core_funcs: list[wt.CoreFuncType] = []
        self.core_tables: list[wt.TableType] = []
        self.core_memories: list[wt.MemoryType] = []
        self.core_globals: list[wt.GlobalType] = []
        self.core_tags: list[wt.TagType] = []
        self.core_modules: list[wt.ModuleType] = []
        self.core_instances: list[wt.CoreInstanceType] = []
        # component index spaces
        self.types: list[wt.AnyType] = []
        self.funcs: list[wt.FuncType] = []
        self.values: list[wt.ValType] = []
        self.values_used: list[bool] = []
        self.instances: list[wt.InstanceType] = []
        self.components: list[wt.ComponentType] = []
        # where each index came from (only kept for components)
        self.origins: dict[
            str, list[tuple[Origin | None, ValidatedComponent | None, CanonOptions | None]]
        ] = {}
        self.record = kind == "component"
        self.origin: Origin | None = None
        # imports and exports
        self.imports: dict[str, wt.ExternItem] = {}
        self.import_keys: dict[tuple[str, ...], str] = {}
        self.exports: dict[str, wt.ExternItem] = {}
        self.export_keys: dict[tuple[str, ...], str] = {}
        # resource bookkeeping (keys: id(root(resource)))
        self.imported_resources: list[tuple[wt.ResourceType, Path]] = []
        self.defined_resources: dict[int, tuple[wt.ResourceType, str | None]] = {}
        self.explicit_resources: dict[int, tuple[wt.ResourceType, Path]] = {}
        self.exported_types: set[int] = set()
        self.imported_types: set[int] = set()
        self._keep: list[object] = []
        self.export_resource_names = ResourceNames()
        self.import_resource_names = ResourceNames()
        self.has_start = False
        self.context_type: str | None = None
        #: ``Info`` of the type this scope defines, so far (its imports and exports)
        self.type_info = LEAF

    # ================================================================== index spaces

    def push(
        self,
        space: str,
        ty: Any,
        nested: ValidatedComponent | None = None,
        options: CanonOptions | None = None,
    ) -> None:
        getattr(self, space).append(ty)
        if self.record:
            self.origins.setdefault(space, []).append((self.origin, nested, options))

    def type_count(self) -> int:
        return len(self.core_types) + len(self.types)

    def instance_count(self) -> int:
        return len(self.core_instances) + len(self.instances)

    def function_count(self) -> int:
        return len(self.core_funcs) + len(self.funcs)

    def core_type_at(self, idx: int, offset: int) -> CoreTypeEntry:
        return _at(self.core_types, idx, "type", "type", offset)

    def core_func_type_at(self, idx: int, offset: int) -> wt.CoreFuncType:
        return _typed(self.core_type_at(idx, offset), wt.CoreFuncType, idx, "function", offset)

    def type_at(self, idx: int, offset: int) -> wt.AnyType:
        return _at(self.types, idx, "type", "type", offset)

    def func_type_at(self, idx: int, offset: int) -> wt.FuncType:
        return _typed(self.type_at(idx, offset), wt.FuncType, idx, "function", offset)

    def defined_type_at(self, idx: int, offset: int) -> wt.DefinedType:
        ty = self.type_at(idx, offset)
        if not isinstance(ty, _DEFINED):
            raise fail(f"type index {idx} is not a defined type", offset)
        return ty

    def resource_at(self, idx: int, offset: int) -> wt.ResourceType:
        return _typed(self.type_at(idx, offset), wt.ResourceType, idx, "resource", offset)

    def function_at(self, idx: int, offset: int) -> wt.FuncType:
        return _at(self.funcs, idx, "function", "function", offset)

    def component_at(self, idx: int, offset: int) -> wt.ComponentType:
        return _at(self.components, idx, "component", "component", offset)

    def instance_at(self, idx: int, offset: int) -> wt.InstanceType:
        return _at(self.instances, idx, "instance", "instance", offset)

    def value_at(self, idx: int, offset: int) -> wt.ValType:
        """Use value ``idx`` (each value is consumed exactly once)."""
        ty = _at(self.values, idx, "value", "value", offset)
        if self.values_used[idx]:
            raise fail(f"value {idx} cannot be used more than once", offset)
        self.values_used[idx] = True
        return ty

    def core_function_at(self, idx: int, offset: int) -> wt.CoreFuncType:
        return _at(self.core_funcs, idx, "core function", "function", offset)

    def module_at(self, idx: int, offset: int) -> wt.ModuleType:
        return _at(self.core_modules, idx, "module", "module", offset)

    def core_instance_at(self, idx: int, offset: int) -> wt.CoreInstanceType:
        return _at(self.core_instances, idx, "core instance", "instance", offset)

    def table_at(self, idx: int, offset: int) -> wt.TableType:
        return _at(self.core_tables, idx, "table", "table", offset)

    def memory_at(self, idx: int, offset: int) -> wt.MemoryType:
        return _at(self.core_memories, idx, "memory", "memory", offset)

    def global_at(self, idx: int, offset: int) -> wt.GlobalType:
        return _at(self.core_globals, idx, "global", "global", offset)

    def tag_at(self, idx: int, offset: int) -> wt.TagType:
        return _at(self.core_tags, idx, "tag", "tag", offset)

    def require(self, enabled: bool, message: str, offset: int) -> None:
        if not enabled:
            raise fail(message, offset)

    def check_value_support(self, offset: int) -> None:
        self.require(
            self.features.cm_values, "support for component model `value`s is not enabled", offset
        )

    def valtype(self, ref: wt.PrimName | int, offset: int) -> wt.ValType:
        """Resolve a ``valtype`` as written: a primitive's name, or a defined type's index."""
        if isinstance(ref, str):
            if ref == "error-context":
                self.require(
                    self.features.cm_error_context,
                    "`error-context` requires the component model error-context feature",
                    offset,
                )
            return ref
        return self.defined_type_at(ref, offset)

    def opt_valtype(self, ref: wt.PrimName | int | None, offset: int) -> wt.ValType | None:
        return None if ref is None else self.valtype(ref, offset)

    # ================================================================== finishing

    def finish(self, offset: int) -> wt.ComponentType:
        """The type of this component or component type; checks resources don't escape."""
        ty = wt.ComponentType(dict(self.imports), dict(self.exports))
        meta = self.ctx.meta(ty)
        meta.imported = list(self.imported_resources)
        meta.explicit = dict(self.explicit_resources)
        free: dict[int, wt.ResourceType] = {}
        for item in ty.imports.values():
            free_resources(self.ctx, item, free)
        for key in self.defined_resources:
            if key in free:
                raise fail("local resource type found in imports", offset)
        free.clear()
        for item in ty.exports.values():
            free_resources(self.ctx, item, free)
        for key, (res, _rep) in self.defined_resources.items():
            if key not in free:
                continue
            explicit = self.explicit_resources.get(key)
            if explicit is None:
                raise fail("local resource type found in export but not exported itself", offset)
            meta.defined.append((res, explicit[1]))
        self.ctx.info(ty, offset)
        return ty

    def entries(self, space: str) -> tuple[Entry[Any], ...]:
        types = getattr(self, space)
        origins = self.origins.get(space, [])
        # every push in a component scope recorded its origin (set before each definition)
        return tuple(
            Entry(t, origin, nested, options)  # type: ignore[arg-type]
            for t, (origin, nested, options) in zip(types, origins, strict=True)
        )
