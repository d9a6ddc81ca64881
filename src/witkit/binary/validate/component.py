"""Validation of a component, a component type or an instance type: one ``Scope`` each.

A ``Scope`` is wasmparser's ``ComponentState``: the index spaces built up
definition by definition (Binary.md: "The indices in sortidx are validated
according to their sort's index spaces, which are built incrementally as each
definition is validated"), the imports and exports so far, and the resource
bookkeeping that makes resources behave as abstract types.  Scopes nest: a
component body, a component type or an instance type pushes a new scope on the
stack, and outer aliases look up the stack.

Rules: every check raises ``ValidationError`` with the offset of the definition
at fault; every definition resolves its indices into ``witkit.types`` objects
(identity is type identity, see that module); nothing here reads bytes.
"""

from __future__ import annotations

from typing import Any, Literal

from witkit._record import replace
from witkit.abi.layout import size_and_alignment
from witkit.abi.limits import MAX_ELEM_SIZE, MAX_FLAGS
from witkit.binary import ir
from witkit.binary.limits import (
    MAX_CORE_INDEX_SPACE_ITEMS,
    MAX_WASM_COMPONENT_TYPE_DEPTH,
    MAX_WASM_COMPONENTS,
    MAX_WASM_EXPORTS,
    MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS,
    MAX_WASM_FUNCTIONS,
    MAX_WASM_INSTANCES,
    MAX_WASM_MODULES,
    MAX_WASM_TYPES,
    MAX_WASM_VALUES,
)
from witkit.binary.validate.context import LEAF, Ctx, Features, Path, fail
from witkit.binary.validate.core import (
    CoreTypeEntry,
    entity_subtype,
    module_type_from_decls,
    module_type_of,
    sub_type,
)
from witkit.binary.validate.names import (
    NameError_,
    ParsedName,
    canonical_label,
    check_semver,
    is_kebab,
    parse_name,
)
from witkit.binary.validate.resources import Remap, all_named, free_resources, named_value
from witkit.binary.validate.result import CanonOptions, Entry, Origin, ValidatedComponent
from witkit.binary.validate.subtype import Subtyper, context
from witkit.errors import ValidationError
from witkit.semver import canonical_version
from witkit.types import (
    AnyType,
    BorrowType,
    ComponentType,
    CoreExtern,
    CoreFuncType,
    CoreInstanceType,
    DefinedType,
    EnumType,
    ExternItem,
    ExternType,
    FlagsType,
    FuncType,
    FutureType,
    GlobalType,
    InstanceType,
    ListType,
    MapType,
    MemoryType,
    ModuleType,
    OptionType,
    OwnType,
    PrimType,
    RecordType,
    ResourceType,
    ResultType,
    StreamType,
    TableType,
    TagType,
    TupleType,
    TypeExtern,
    ValType,
    ValueExtern,
    VariantType,
    root,
)

__all__ = ["Scope", "validate_component"]

Kind = Literal["component", "instance-type", "component-type"]
ExternKind = Literal["import", "export"]

_DEFINED = (
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
)

_SORT_DESC = {
    "core module": "module",
    "func": "func",
    "value": "value",
    "type": "type",
    "component": "component",
    "instance": "instance",
}


#: Explainer.md ``keytype``: written inline (wasm-tools rejects a type index, even of a primitive)
_MAP_KEYS = frozenset(
    ("bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "char", "string")
)

#: core export alias sort -> (index space, type class, description, limit, plural)
_CORE_ALIAS_SPACES: dict[str, tuple[str, type, str, int, str]] = {
    "core func": ("core_funcs", CoreFuncType, "function", MAX_WASM_FUNCTIONS, "functions"),
    "core table": ("core_tables", TableType, "table", MAX_CORE_INDEX_SPACE_ITEMS, "tables"),
    "core memory": ("core_memories", MemoryType, "memory", MAX_CORE_INDEX_SPACE_ITEMS, "memories"),
    "core global": ("core_globals", GlobalType, "global", MAX_CORE_INDEX_SPACE_ITEMS, "globals"),
    "core tag": ("core_tags", TagType, "tag", MAX_CORE_INDEX_SPACE_ITEMS, "tags"),
}


def _check_max(length: int, added: int, limit: int, what: str, offset: int) -> None:
    if length + added > limit:
        if limit == 1:
            raise fail(f"multiple {what}", offset)
        raise fail(f"{what} count exceeds limit of {limit}", offset)


def _kebab(name: str, what: str, offset: int) -> str:
    if is_kebab(name):
        return name
    if not name:
        raise fail(f"{what} name cannot be empty", offset)
    raise fail(f"{what} name `{name}` is not in kebab case", offset)


def _extern_kind_desc(ty: ExternType) -> str:
    if isinstance(ty, ModuleType):
        return "module"
    if isinstance(ty, FuncType):
        return "func"
    if isinstance(ty, ValueExtern):
        return "value"
    if isinstance(ty, TypeExtern):
        return "type"
    if isinstance(ty, InstanceType):
        return "instance"
    return "component"


class _ResourceNames:
    """Names of the top-level resources of a scope, for ``[method]r.m``-style names."""

    __slots__ = ("by_id", "keep", "names")

    def __init__(self) -> None:
        self.by_id: dict[int, int] = {}
        self.names: list[str] = []
        self.keep: list[ResourceType] = []

    def register(self, name: str, res: ResourceType) -> None:
        self.by_id[id(res)] = len(self.names)
        self.names.append(name)
        self.keep.append(res)

    def check(self, res: ResourceType, name: str, offset: int) -> None:
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
        self.core_funcs: list[CoreFuncType] = []
        self.core_tables: list[TableType] = []
        self.core_memories: list[MemoryType] = []
        self.core_globals: list[GlobalType] = []
        self.core_tags: list[TagType] = []
        self.core_modules: list[ModuleType] = []
        self.core_instances: list[CoreInstanceType] = []
        # component index spaces
        self.types: list[AnyType] = []
        self.funcs: list[FuncType] = []
        self.values: list[ValType] = []
        self.values_used: list[bool] = []
        self.instances: list[InstanceType] = []
        self.components: list[ComponentType] = []
        # where each index came from (only kept for components)
        self.origins: dict[
            str, list[tuple[Origin | None, ValidatedComponent | None, CanonOptions | None]]
        ] = {}
        self.record = kind == "component"
        self.origin: Origin | None = None
        # imports and exports
        self.imports: dict[str, ExternItem] = {}
        self.import_keys: dict[tuple[str, ...], str] = {}
        self.exports: dict[str, ExternItem] = {}
        self.export_keys: dict[tuple[str, ...], str] = {}
        # resource bookkeeping (keys: id(root(resource)))
        self.imported_resources: list[tuple[ResourceType, Path]] = []
        self.defined_resources: dict[int, tuple[ResourceType, str | None]] = {}
        self.explicit_resources: dict[int, tuple[ResourceType, Path]] = {}
        self.exported_types: set[int] = set()
        self.imported_types: set[int] = set()
        self._keep: list[object] = []
        self.export_resource_names = _ResourceNames()
        self.import_resource_names = _ResourceNames()
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
        if idx >= len(self.core_types):
            raise fail(f"unknown type {idx}: type index out of bounds", offset)
        return self.core_types[idx]

    def core_func_type_at(self, idx: int, offset: int) -> CoreFuncType:
        ty = self.core_type_at(idx, offset)
        if not isinstance(ty, CoreFuncType):
            raise fail(f"type index {idx} is not a function type", offset)
        return ty

    def type_at(self, idx: int, offset: int) -> AnyType:
        if idx >= len(self.types):
            raise fail(f"unknown type {idx}: type index out of bounds", offset)
        return self.types[idx]

    def func_type_at(self, idx: int, offset: int) -> FuncType:
        ty = self.type_at(idx, offset)
        if not isinstance(ty, FuncType):
            raise fail(f"type index {idx} is not a function type", offset)
        return ty

    def defined_type_at(self, idx: int, offset: int) -> DefinedType:
        ty = self.type_at(idx, offset)
        if not isinstance(ty, _DEFINED):
            raise fail(f"type index {idx} is not a defined type", offset)
        return ty

    def resource_at(self, idx: int, offset: int) -> ResourceType:
        ty = self.type_at(idx, offset)
        if not isinstance(ty, ResourceType):
            raise fail(f"type index {idx} is not a resource type", offset)
        return ty

    def function_at(self, idx: int, offset: int) -> FuncType:
        if idx >= len(self.funcs):
            raise fail(f"unknown function {idx}: function index out of bounds", offset)
        return self.funcs[idx]

    def component_at(self, idx: int, offset: int) -> ComponentType:
        if idx >= len(self.components):
            raise fail(f"unknown component {idx}: component index out of bounds", offset)
        return self.components[idx]

    def instance_at(self, idx: int, offset: int) -> InstanceType:
        if idx >= len(self.instances):
            raise fail(f"unknown instance {idx}: instance index out of bounds", offset)
        return self.instances[idx]

    def value_at(self, idx: int, offset: int) -> ValType:
        """Use value ``idx`` (each value is consumed exactly once)."""
        if idx >= len(self.values):
            raise fail(f"unknown value {idx}: value index out of bounds", offset)
        if self.values_used[idx]:
            raise fail(f"value {idx} cannot be used more than once", offset)
        self.values_used[idx] = True
        return self.values[idx]

    def core_function_at(self, idx: int, offset: int) -> CoreFuncType:
        if idx >= len(self.core_funcs):
            raise fail(f"unknown core function {idx}: function index out of bounds", offset)
        return self.core_funcs[idx]

    def module_at(self, idx: int, offset: int) -> ModuleType:
        if idx >= len(self.core_modules):
            raise fail(f"unknown module {idx}: module index out of bounds", offset)
        return self.core_modules[idx]

    def core_instance_at(self, idx: int, offset: int) -> CoreInstanceType:
        if idx >= len(self.core_instances):
            raise fail(f"unknown core instance {idx}: instance index out of bounds", offset)
        return self.core_instances[idx]

    def table_at(self, idx: int, offset: int) -> TableType:
        if idx >= len(self.core_tables):
            raise fail(f"unknown table {idx}: table index out of bounds", offset)
        return self.core_tables[idx]

    def memory_at(self, idx: int, offset: int) -> MemoryType:
        if idx >= len(self.core_memories):
            raise fail(f"unknown memory {idx}: memory index out of bounds", offset)
        return self.core_memories[idx]

    def require(self, enabled: bool, message: str, offset: int) -> None:
        if not enabled:
            raise fail(message, offset)

    def check_value_support(self, offset: int) -> None:
        self.require(
            self.features.cm_values, "support for component model `value`s is not enabled", offset
        )

    # ================================================================== core definitions

    def add_core_module(self, module: ir.CoreModule) -> None:
        _check_max(len(self.core_modules), 1, MAX_WASM_MODULES, "modules", module.offset)
        self.origin = module
        ty = module_type_of(module, self.ctx)
        if self.ctx.core_validator is not None:
            try:
                self.ctx.core_validator(module.data)
            except Exception as exc:  # the hook's own error type is unknown to us
                raise fail(f"core module failed to validate: {exc}", module.offset) from None
        self.push("core_modules", ty)

    def add_core_instance(self, inst: ir.CoreInstance) -> None:
        self.origin = inst
        if isinstance(inst, ir.CoreInstantiate):
            ty = self.instantiate_core_module(inst)
        else:
            ty = self.instantiate_core_exports(inst)
        self.push("core_instances", ty)

    def instantiate_core_module(self, inst: ir.CoreInstantiate) -> CoreInstanceType:
        offset = inst.offset
        module = self.module_at(inst.module, offset)
        args: dict[str, CoreInstanceType] = {}
        for arg in inst.args:
            instance = self.core_instance_at(arg.index, offset)
            if arg.name in args:
                raise fail(f"duplicate module instantiation argument named `{arg.name}`", offset)
            args[arg.name] = instance
        for mod_name, name, expected in module.imports:
            supplied = args.get(mod_name)
            if supplied is None:
                raise fail(f"missing module instantiation argument named `{mod_name}`", offset)
            actual = supplied.exports.get(name)
            if actual is None:
                raise fail(
                    f"module instantiation argument `{mod_name}` does not export an item "
                    f"named `{name}`",
                    offset,
                )
            try:
                entity_subtype(actual, expected, offset)
            except ValidationError as exc:
                raise context(
                    exc,
                    f"type mismatch for export `{name}` of module instantiation argument "
                    f"`{mod_name}`",
                ) from None
        return CoreInstanceType(dict(module.exports))

    def instantiate_core_exports(self, inst: ir.CoreInlineExports) -> CoreInstanceType:
        offset = inst.offset
        exports: dict[str, CoreExtern] = {}
        for exp in inst.exports:
            ty: CoreExtern
            if exp.sort == "core func":
                ty = self.core_function_at(exp.index, offset)
            elif exp.sort == "core table":
                ty = self.table_at(exp.index, offset)
            elif exp.sort == "core memory":
                ty = self.memory_at(exp.index, offset)
            elif exp.sort == "core global":
                if exp.index >= len(self.core_globals):
                    raise fail(f"unknown global {exp.index}: global index out of bounds", offset)
                ty = self.core_globals[exp.index]
            else:
                self.require(self.features.exceptions, "exceptions proposal not enabled", offset)
                if exp.index >= len(self.core_tags):
                    raise fail(f"unknown tag {exp.index}: tag index out of bounds", offset)
                ty = self.core_tags[exp.index]
            if exp.name in exports:
                raise fail(
                    f"duplicate instantiation export name `{exp.name}` already defined", offset
                )
            exports[exp.name] = ty
        return CoreInstanceType(exports)

    def add_core_type(self, stack: list[Scope], ty: ir.CoreTypeDef) -> None:
        _check_max(self.type_count(), 1, MAX_WASM_TYPES, "types", ty.offset)
        self.origin = ty
        if isinstance(ty, ir.CoreRecGroup):
            base = len(self.core_types)
            for sub in ty.types:
                for sup in sub.supertypes:
                    if sup >= base + len(ty.types):
                        raise fail(f"unknown type {sup}: type index out of bounds", sub.offset)
                self.push("core_types", sub_type(sub))
            return
        outer = [s.core_types for s in stack]
        self.push("core_types", module_type_from_decls(ty, outer, self.ctx))

    # ================================================================== types

    def valtype(self, ref: ir.ValTypeRef, offset: int) -> ValType:
        if isinstance(ref, str):
            if ref == "error-context":
                self.require(
                    self.features.cm_error_context,
                    "`error-context` requires the component model error-context feature",
                    offset,
                )
            return ref
        return self.defined_type_at(ref, offset)

    def _opt_valtype(self, ref: ir.ValTypeRef | None, offset: int) -> ValType | None:
        return None if ref is None else self.valtype(ref, offset)

    def create_defined_type(self, d: ir.DefValType) -> DefinedType:
        offset = d.offset
        f = self.features
        if isinstance(d, ir.PrimDef):
            self.valtype(d.prim, offset)
            return PrimType(d.prim)
        if isinstance(d, ir.RecordDef):
            if not d.fields:
                raise fail("record type must have at least one field", offset)
            seen: dict[str, str] = {}
            fields = []
            for name, ref in d.fields:
                _kebab(name, "record field", offset)
                vt = self.valtype(ref, offset)
                prev = seen.get(canonical_label(name, self.features.hyphen_insensitive_names))
                if prev is not None:
                    raise fail(
                        f"record field name `{name}` conflicts with previous field name `{prev}`",
                        offset,
                    )
                seen[canonical_label(name, self.features.hyphen_insensitive_names)] = name
                fields.append((name, vt))
            return RecordType(tuple(fields))
        if isinstance(d, ir.VariantDef):
            if not d.cases:
                raise fail("variant type must have at least one case", offset)
            seen = {}
            cases = []
            for name, ref2 in d.cases:
                _kebab(name, "variant case", offset)
                vt2 = self._opt_valtype(ref2, offset)
                prev = seen.get(canonical_label(name, self.features.hyphen_insensitive_names))
                if prev is not None:
                    raise fail(
                        f"variant case name `{name}` conflicts with previous case name `{prev}`",
                        offset,
                    )
                seen[canonical_label(name, self.features.hyphen_insensitive_names)] = name
                cases.append((name, vt2))
            return VariantType(tuple(cases))
        if isinstance(d, ir.ListDef):
            if d.length is None:
                return ListType(self.valtype(d.element, offset))
            self.require(
                f.cm_fixed_length_lists,
                "Fixed-length lists require the component model fixed-length lists feature",
                offset,
            )
            if d.length < 1:
                raise fail("Fixed-length lists must have more than zero elements", offset)
            if d.length > MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS:
                raise fail(
                    "fixed-length list element count exceeds limit of "
                    f"{MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS}",
                    offset,
                )
            return ListType(self.valtype(d.element, offset), d.length)
        if isinstance(d, ir.TupleDef):
            if not d.types:
                raise fail("tuple type must have at least one type", offset)
            return TupleType(tuple(self.valtype(t, offset) for t in d.types))
        if isinstance(d, (ir.FlagsDef, ir.EnumDef)):
            is_flags = isinstance(d, ir.FlagsDef)
            if not d.names:
                raise fail(
                    "flags must have at least one entry"
                    if is_flags
                    else "enum type must have at least one variant",
                    offset,
                )
            if is_flags and len(d.names) > MAX_FLAGS:
                raise fail(f"cannot have more than {MAX_FLAGS} flags", offset)
            seen = {}
            for name in d.names:
                _kebab(name, "flag" if is_flags else "enum tag", offset)
                prev = seen.get(canonical_label(name, self.features.hyphen_insensitive_names))
                if prev is not None:
                    if is_flags:
                        raise fail(
                            f"flag name `{name}` conflicts with previous flag name `{prev}`",
                            offset,
                        )
                    raise fail(
                        f"enum tag name `{name}` conflicts with previous tag name `{prev}`",
                        offset,
                    )
                seen[canonical_label(name, self.features.hyphen_insensitive_names)] = name
            return FlagsType(d.names) if is_flags else EnumType(d.names)
        if isinstance(d, ir.OptionDef):
            return OptionType(self.valtype(d.value, offset))
        if isinstance(d, ir.ResultDef):
            ok = self._opt_valtype(d.ok, offset)
            return ResultType(ok, self._opt_valtype(d.err, offset))
        if isinstance(d, ir.OwnDef):
            return OwnType(self.resource_at(d.index, offset))
        if isinstance(d, ir.BorrowDef):
            return BorrowType(self.resource_at(d.index, offset))
        if isinstance(d, ir.FutureDef):
            self.require(f.cm_async, "`future` requires the component model async feature", offset)
            value = self._opt_valtype(d.value, offset)
            if value is not None and self.ctx.info(value, offset).borrow:
                raise fail("`future` payload cannot contain a `borrow` type", offset)
            return FutureType(value)
        if isinstance(d, ir.StreamDef):
            self.require(f.cm_async, "`stream` requires the component model async feature", offset)
            el = self._opt_valtype(d.element, offset)
            if el is not None and self.ctx.info(el, offset).borrow:
                raise fail("`stream` payload cannot contain a `borrow` type", offset)
            prim = el.prim if isinstance(el, PrimType) else el
            if prim == "char":
                raise fail(
                    "`stream<char>` is not valid at this time, use `stream<u8>` with a defined "
                    "by encoding instead for now",
                    offset,
                )
            return StreamType(el)
        self.require(f.cm_map, "Maps require the component model map feature", offset)
        key = self.valtype(d.key, offset)
        if key not in _MAP_KEYS:
            raise fail("invalid map key type", offset)
        return MapType(key, self.valtype(d.value, offset))

    def create_function_type(self, d: ir.FuncDef) -> FuncType:
        offset = d.offset
        if d.is_async:
            self.require(
                self.features.cm_async,
                "async component functions require the component model async feature",
                offset,
            )
        seen: dict[str, str] = {}
        params = []
        for name, ref in d.params:
            _kebab(name, "function parameter", offset)
            prev = seen.get(canonical_label(name, self.features.hyphen_insensitive_names))
            if prev is not None:
                raise fail(
                    f"function parameter name `{name}` conflicts with previous parameter name "
                    f"`{prev}`",
                    offset,
                )
            seen[canonical_label(name, self.features.hyphen_insensitive_names)] = name
            params.append((name, self.valtype(ref, offset)))
        result = self._opt_valtype(d.result, offset)
        if result is not None and self.ctx.info(result, offset).borrow:
            raise fail("function result cannot contain a `borrow` type", offset)
        ft = FuncType(tuple(params), result, d.is_async)
        self.ctx.info(ft, offset)
        return ft

    def add_type(self, stack: list[Scope], d: ir.TypeDef) -> None:
        offset = d.offset
        self.origin = d
        ty: AnyType
        if isinstance(d, ir.FuncDef):
            ty = self.create_function_type(d)
        elif isinstance(d, ir.ComponentTypeDef):
            ty = create_component_type(stack, d)
        elif isinstance(d, ir.InstanceTypeDef):
            ty = create_instance_type(stack, d)
        elif isinstance(d, ir.ResourceDef):
            if self.kind != "component":
                raise fail("resources can only be defined within a concrete component", offset)
            if d.rep == "i64":
                self.require(
                    self.features.cm64,
                    "resources with `i64` require the `cm64` feature to be enabled",
                    offset,
                )
            elif d.rep != "i32":
                raise fail("resources can only be represented by `i32` or `i64`", offset)
            if d.dtor is not None:
                dtor = self.core_function_at(d.dtor, offset)
                if dtor.params != (d.rep,) or dtor.results:
                    raise fail(
                        f"core function {d.dtor} has wrong signature for a destructor", offset
                    )
            res = ResourceType(None, True, d.rep, d.dtor)
            self.defined_resources[id(res)] = (res, d.rep)
            ty = res
        else:
            ty = self.create_defined_type(d)
            if self.ctx.info(ty, offset).depth > MAX_WASM_COMPONENT_TYPE_DEPTH:
                raise fail("type nesting is too deep", offset)
            if size_and_alignment(ty, "i64", self.ctx.sizes)[0] >= MAX_ELEM_SIZE:
                raise fail("value type's maximum in-memory size exceeds maximum byte size", offset)
        self.origin = d
        _check_max(self.type_count(), 1, MAX_WASM_TYPES, "types", offset)
        self.push("types", ty)

    # ================================================================== imports and exports

    def check_type_ref(self, desc: ir.ExternDesc, offset: int) -> ExternType:
        """Resolve an ``externtype`` (``name`` hints fresh resources)."""
        sort = desc.sort
        index = desc.index
        if sort == "core module":
            assert index is not None
            core = self.core_type_at(index, offset)
            if not isinstance(core, ModuleType):
                raise fail(f"core type index {index} is not a module type", offset)
            return core
        if sort == "func":
            assert index is not None
            return self.func_type_at(index, offset)
        if sort == "value":
            self.check_value_support(offset)
            assert desc.valtype is not None
            return ValueExtern(self.valtype(desc.valtype, offset))
        if sort == "type":
            if index is None:
                res = ResourceType()
                return TypeExtern(res, res)
            referenced = self.type_at(index, offset)
            return TypeExtern(referenced, self.ctx.alias(referenced))
        assert index is not None
        ty = self.type_at(index, offset)
        if sort == "instance":
            if not isinstance(ty, InstanceType):
                raise fail(f"type index {index} is not an instance type", offset)
            return ty
        if not isinstance(ty, ComponentType):
            raise fail(f"type index {index} is not a component type", offset)
        return ty

    def add_import(self, imp: ir.Import | ir.ImportDecl) -> None:
        self.origin = imp
        ty = self.check_type_ref(imp.desc, imp.offset)
        ty = self.add_entity(ty, imp.name.name, "import", imp.offset)
        self.validate_extern(imp.name, "import", ty, imp.offset, self.import_resource_names)

    def add_export(self, name: ir.ExternName, ty: ExternType, offset: int) -> None:
        _check_max(len(self.exports), 1, MAX_WASM_EXPORTS, "exports", offset)
        ty = self.add_entity(ty, name.name, "export", offset)
        self.validate_extern(name, "export", ty, offset, self.export_resource_names)

    def export_to_entity_type(self, exp: ir.Export) -> ExternType:
        offset = exp.offset
        sort = exp.sort
        actual: ExternType
        if sort == "core module":
            actual = self.module_at(exp.index, offset)
        elif sort == "func":
            actual = self.function_at(exp.index, offset)
        elif sort == "value":
            self.check_value_support(offset)
            actual = ValueExtern(self.value_at(exp.index, offset))
        elif sort == "type":
            referenced = self.type_at(exp.index, offset)
            actual = TypeExtern(referenced, self.ctx.alias(referenced))
        elif sort == "instance":
            actual = self.instance_at(exp.index, offset)
        else:
            actual = self.component_at(exp.index, offset)
        if exp.desc is None:
            return actual
        ascribed = self.check_type_ref(exp.desc, offset)
        try:
            self.subtyper.entity(actual, ascribed, offset)
        except ValidationError as exc:
            raise context(
                exc, "ascribed type of export is not compatible with item's type"
            ) from None
        return ascribed

    def add_entity(
        self, ty: ExternType, name: str | None, kind: ExternKind | None, offset: int
    ) -> ExternType:
        """Put an imported/exported/aliased item in its index space; return its (final) type."""
        if isinstance(ty, ModuleType):
            self.push("core_modules", ty)
            length, limit, what = len(self.core_modules), MAX_WASM_MODULES, "modules"
        elif isinstance(ty, ComponentType):
            self.push("components", ty)
            length, limit, what = len(self.components), MAX_WASM_COMPONENTS, "components"
        elif isinstance(ty, InstanceType):
            if kind == "import":
                ty = self.prepare_instance_import(ty)
            elif kind == "export":
                ty = self.prepare_instance_export(ty)
            self.push("instances", ty)
            length, limit, what = self.instance_count(), MAX_WASM_INSTANCES, "instances"
        elif isinstance(ty, FuncType):
            self.push("funcs", ty)
            length, limit, what = self.function_count(), MAX_WASM_FUNCTIONS, "functions"
        elif isinstance(ty, ValueExtern):
            self.check_value_support(offset)
            self.push("values", ty.ty)
            self.values_used.append(kind == "export")
            length, limit, what = len(self.values), MAX_WASM_VALUES, "values"
        else:
            created = ty.created
            self.push("types", created)
            if isinstance(created, ResourceType):
                if name is not None and created.name is None:
                    created.name = name
                r = root(created)
                if name is not None and r.name is None:
                    r.name = name
                if kind == "import":
                    if created is ty.referenced:
                        self.imported_resources.append((created, (len(self.imports),)))
                elif kind == "export":
                    if created is ty.referenced:
                        self.defined_resources[id(r)] = (r, None)
                    self.explicit_resources[id(r)] = (created, (len(self.exports),))
            length, limit, what = len(self.types), MAX_WASM_TYPES, "types"
        if length > limit:
            raise fail(f"{what} count exceeds limit of {limit}", offset)
        if kind is not None:
            # the type of this component (or instance/component type) grows by this item:
            # check its size now, as wasmparser does, not only at the end, so that a
            # component cannot make every later item pay for a type already too big
            self.type_info = self.type_info.combine(self.ctx.info(ty, offset), offset)
        if kind is not None and not self.register_named_types(name, kind, ty):
            raise fail(f"{_extern_kind_desc(ty)} not valid to be used as {kind}", offset)
        return ty

    def register_named_types(self, name: str | None, kind: ExternKind, ty: ExternType) -> bool:
        """wasmparser's ``validate_and_register_named_types``."""
        if isinstance(ty, TypeExtern) and name is not None and isinstance(ty.created, ResourceType):
            names = self.import_resource_names if kind == "import" else self.export_resource_names
            names.register(name, ty.created)
        if self.kind == "instance-type":
            return True
        named = self.imported_types if kind == "import" else self.exported_types
        if isinstance(ty, TypeExtern):
            if not all_named(ty.referenced, named):
                return False
            self._keep.append(ty.created)
            if kind == "import":
                self.imported_types.add(id(ty.created))
            self.exported_types.add(id(ty.created))
            return True
        if isinstance(ty, InstanceType):
            return all(self.register_named_types(None, kind, i.ty) for i in ty.exports.values())
        if isinstance(ty, FuncType):
            return all_named(ty, named)
        if isinstance(ty, ValueExtern):
            return named_value(ty.ty, named)
        return True

    def prepare_instance_import(self, ty: InstanceType) -> InstanceType:
        """Importing an instance type gives its declared resources fresh identities."""
        meta = self.ctx.meta(ty)
        if not meta.defined:
            return ty
        mapping = Remap(self.ctx)
        for old, _ in meta.defined:
            new = ResourceType(root(old).name)
            mapping.add(old, new)
            path = meta.explicit[id(root(old))][1]
            self.imported_resources.append((new, (len(self.imports), *path)))
        new_ty = InstanceType(dict(mapping._items(ty.exports)))
        new_meta = self.ctx.meta(new_ty)
        for r, path in meta.explicit.values():
            nr = mapping.resources.get(id(root(r)), r)
            new_meta.explicit[id(root(nr))] = (nr, path)
        self.ctx.set_info(new_ty, self.ctx.info(ty))
        return new_ty

    def prepare_instance_export(self, ty: InstanceType) -> InstanceType:
        """Exporting an instance (type) makes this scope define its resources."""
        meta = self.ctx.meta(ty)
        if meta.defined:
            mapping = Remap(self.ctx)
            for old, _ in meta.defined:
                new = ResourceType(root(old).name)
                mapping.add(old, new)
                self.defined_resources[id(new)] = (new, None)
            new_ty = InstanceType(dict(mapping._items(ty.exports)))
            new_meta = self.ctx.meta(new_ty)
            for r, path in meta.explicit.values():
                nr = mapping.resources.get(id(root(r)), r)
                new_meta.explicit[id(root(nr))] = (nr, path)
            self.ctx.set_info(new_ty, self.ctx.info(ty))
            ty, meta = new_ty, new_meta
        for r, path in meta.explicit.values():
            self.explicit_resources[id(root(r))] = (r, (len(self.exports), *path))
        return ty

    def validate_extern(
        self,
        name: ir.ExternName,
        kind: ExternKind,
        ty: ExternType,
        offset: int,
        resource_names: _ResourceNames,
    ) -> None:
        items = self.imports if kind == "import" else self.exports
        keys = self.import_keys if kind == "import" else self.export_keys
        add_extern(self.ctx, name, kind, ty, offset, resource_names, keys, items)

    # ================================================================== aliases

    def add_alias(self, stack: list[Scope], alias: ir.Alias) -> None:
        offset = alias.offset
        self.origin = alias
        if self.kind != "component":
            ok = (alias.target == "export" and alias.sort in ("type", "instance")) or (
                alias.target == "outer" and alias.sort in ("type", "core type")
            )
            if not ok:
                raise fail(
                    "aliases in a component or instance type may only refer to types or instances",
                    offset,
                )
        if alias.target == "export":
            self.alias_instance_export(alias)
        elif alias.target == "core export":
            self.alias_core_instance_export(alias)
        else:
            alias_outer(stack, alias)

    def alias_core_instance_export(self, alias: ir.Alias) -> None:
        offset = alias.offset
        instance = self.core_instance_at(alias.instance, offset)
        sort = alias.sort
        space, cls, desc, limit, what = _CORE_ALIAS_SPACES[sort]
        if sort == "core tag":
            self.require(self.features.exceptions, "exceptions proposal not enabled", offset)
        current = self.function_count() if sort == "core func" else len(getattr(self, space))
        _check_max(current, 1, limit, what, offset)
        export = instance.exports.get(alias.name)
        if export is None:
            raise fail(f"core instance {alias.instance} has no export named `{alias.name}`", offset)
        if not isinstance(export, cls):
            raise fail(
                f"export `{alias.name}` for core instance {alias.instance} is not a {desc}",
                offset,
            )
        self.push(space, export)

    def alias_instance_export(self, alias: ir.Alias) -> None:
        offset = alias.offset
        if alias.sort == "value":
            self.check_value_support(offset)
        instance = self.instance_at(alias.instance, offset)
        item = instance.exports.get(alias.name)
        if item is None:
            raise fail(f"instance {alias.instance} has no export named `{alias.name}`", offset)
        ty = item.ty
        if _extern_kind_desc(ty) != _SORT_DESC.get(alias.sort):
            raise fail(
                f"export `{alias.name}` for instance {alias.instance} is not a "
                f"{_SORT_DESC.get(alias.sort, alias.sort)}",
                offset,
            )
        self.add_entity(ty, None, None, offset)

    # ================================================================== instances

    def add_instance(self, inst: ir.Instance) -> None:
        self.origin = inst
        if isinstance(inst, ir.Instantiate):
            ty = self.instantiate_component(inst)
        else:
            ty = self.instantiate_component_exports(inst)
        self.push("instances", ty)

    def _arg_type(self, sort: str, index: int, offset: int) -> ExternType:
        if sort == "core module":
            return self.module_at(index, offset)
        if sort == "component":
            return self.component_at(index, offset)
        if sort == "instance":
            return self.instance_at(index, offset)
        if sort == "func":
            return self.function_at(index, offset)
        if sort == "value":
            self.check_value_support(offset)
            return ValueExtern(self.value_at(index, offset))
        ty = self.type_at(index, offset)
        return TypeExtern(ty, ty)

    def instantiate_component(self, inst: ir.Instantiate) -> InstanceType:
        offset = inst.offset
        ctype = self.component_at(inst.component, offset)
        args: dict[str, ExternType] = {}
        for arg in inst.args:
            ty = self._arg_type(arg.sort, arg.index, offset)
            if arg.name in args:
                raise fail(
                    f"instantiation argument `{arg.name}` conflicts with previous argument "
                    f"`{arg.name}`",
                    offset,
                )
            args[arg.name] = ty
        mapping = self.subtyper.open_instance_type(args, ctype, "import", offset)
        meta = self.ctx.meta(ctype)
        fresh: list[ResourceType] = []
        for old, _path in meta.defined:
            new = ResourceType(root(old).name)
            mapping.add(old, new)
            fresh.append(new)
        exports = {
            name: replace(item, ty=mapping.extern(item.ty)) for name, item in ctype.exports.items()
        }
        new_ty = InstanceType(exports)
        new_meta = self.ctx.meta(new_ty)
        for r, path in meta.explicit.values():
            nr = mapping.resources.get(id(root(r)), r)
            new_meta.explicit[id(root(nr))] = (nr, path)
        for r in fresh:
            self.defined_resources[id(r)] = (r, None)
        self.ctx.info(new_ty, offset)
        return new_ty

    def instantiate_component_exports(self, inst: ir.InlineExports) -> InstanceType:
        offset = inst.offset
        items: dict[str, ExternItem] = {}
        keys: dict[tuple[str, ...], str] = {}
        explicit: dict[int, tuple[ResourceType, Path]] = {}
        names = _ResourceNames()
        for exp in inst.exports:
            ty: ExternType
            if exp.sort == "instance":
                inner = self.instance_at(exp.index, offset)
                for r, path in self.ctx.meta(inner).explicit.values():
                    explicit[id(root(r))] = (r, (len(items), *path))
                ty = inner
            elif exp.sort == "type":
                t = self.type_at(exp.index, offset)
                if isinstance(t, ResourceType):
                    explicit[id(root(t))] = (t, (len(items),))
                ty = TypeExtern(t, t)
            else:
                ty = self._arg_type(exp.sort, exp.index, offset)
            add_extern(self.ctx, exp.name, "export", ty, offset, names, keys, items)
        new_ty = InstanceType(items)
        self.ctx.meta(new_ty).explicit.update(explicit)
        return new_ty

    # ================================================================== start and values

    def add_start(self, start: ir.Start) -> None:
        offset = start.offset
        self.origin = start
        self.check_value_support(offset)
        if self.has_start:
            raise fail("component cannot have more than one start function", offset)
        ft = self.function_at(start.func, offset)
        if len(ft.params) != len(start.args):
            raise fail(
                f"component start function requires {len(ft.params)} arguments but was given "
                f"{len(start.args)}",
                offset,
            )
        expected_results = 0 if ft.result is None else 1
        if expected_results != start.results:
            raise fail(
                f"component start function has a result count of {start.results} but the "
                f"function type has a result count of {expected_results}",
                offset,
            )
        for i, ((_, pty), arg) in enumerate(zip(ft.params, start.args, strict=True)):
            try:
                self.subtyper.val(self.value_at(arg, offset), pty, offset)
            except ValidationError as exc:
                raise context(
                    exc, f"value type mismatch for component start function argument {i}"
                ) from None
        if ft.result is not None:
            self.push("values", ft.result)
            self.values_used.append(False)
        self.has_start = True

    def add_value(self, value: ir.Value) -> None:
        self.origin = value
        self.check_value_support(value.offset)
        ty = self.valtype(value.valtype, value.offset)
        from witkit.binary.validate.values import check_value

        check_value(self, ty, value)
        _check_max(len(self.values), 1, MAX_WASM_VALUES, "values", value.offset)
        self.push("values", ty)
        self.values_used.append(False)

    # ================================================================== finishing

    def finish(self, offset: int) -> ComponentType:
        """The type of this component or component type; checks resources don't escape."""
        ty = ComponentType(dict(self.imports), dict(self.exports))
        meta = self.ctx.meta(ty)
        meta.imported = list(self.imported_resources)
        meta.explicit = dict(self.explicit_resources)
        free: dict[int, ResourceType] = {}
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


# ====================================================================== extern names


def add_extern(
    ctx: Ctx,
    name: ir.ExternName,
    kind: ExternKind,
    ty: ExternType,
    offset: int,
    resource_names: _ResourceNames,
    keys: dict[tuple[str, ...], str],
    items: dict[str, ExternItem],
) -> None:
    """wasmparser's ``validate_extern``: the name's syntax, its rules, its uniqueness."""
    features = ctx.features
    raw = name.name
    implements_version: str | None = None
    if name.form == 0x02 and not (features.cm_implements or features.cm_canon_names):
        raise fail("the `cm-implements` feature is not active", offset)
    try:
        parsed = parse_name(raw, features)
    except NameError_ as exc:
        raise fail(f"{kind} name `{raw}` is not a valid extern name\n{exc}", offset) from None
    if name.implements is not None:
        if not features.cm_implements:
            raise fail("the `cm-implements` feature is not active", offset)
        if parsed.kind != "label":
            raise fail(f"name `{raw}` is not valid with `implements`", offset)
        if not isinstance(ty, InstanceType):
            raise fail("only instances can have an `implements`", offset)
        try:
            implements = parse_name(name.implements, features)
        except NameError_ as exc:
            raise fail(f"`{name.implements}` is not a valid name\n{exc}", offset) from None
        if implements.kind != "interface":
            raise fail(f"name `{name.implements}` must be an interface", offset)
        implements_version = implements.second
    if name.version_suffix is not None:
        if not features.cm_canon_names:
            raise fail("the `cm-canon-names` feature is not active", offset)
        if not isinstance(ty, InstanceType):
            raise fail("only instances can have a `version-suffix`", offset)
        if not name.version_suffix:
            raise fail("version suffix cannot be empty", offset)
        if parsed.kind != "interface":
            if name.implements is None:
                raise fail("`version-suffix` requires an interface name or `implements`", offset)
            _check_version(implements_version, name.version_suffix, offset)
    if name.external_id is not None and not features.cm_implements:
        raise fail("the `cm-implements` feature is not active", offset)
    try:
        _check_name_rules(parsed, name.version_suffix, ty, resource_names, offset)
    except ValidationError as exc:
        raise context(exc, f"{kind} name `{raw}` is not valid") from None
    key = parsed.unique_key(features.hyphen_insensitive_names)
    prev = keys.get(key)
    if prev is not None:
        raise fail(f"{kind} name `{raw}` conflicts with previous name `{prev}`", offset)
    keys[key] = raw
    if raw in items:
        raise fail(f"{kind} name `{raw}` conflicts with previous name `{raw}`", offset)
    items[raw] = ExternItem(ty, name.implements, name.version_suffix, name.external_id)
    ctx.info(ty, offset)


def _check_version(version: str | None, suffix: str, offset: int) -> None:
    """🔗 ``canonversion`` + ``versionsuffix`` must be a semver whose canonical form is the former."""
    if version is None:
        raise fail(
            "invalid interface version: a version suffix requires the name to have a version",
            offset,
        )
    full = version + suffix
    try:
        check_semver(full)
    except NameError_ as exc:
        raise fail(f"invalid interface version: {exc}", offset) from None
    canonical = canonical_version(full)
    if version != canonical:
        raise fail(
            f"invalid interface version: `{version}` is not the canonical version of `{full}`",
            offset,
        )


def _check_name_rules(
    parsed: ParsedName,
    version_suffix: str | None,
    ty: ExternType,
    names: _ResourceNames,
    offset: int,
) -> None:
    kind = parsed.kind
    if kind == "interface":
        if version_suffix is not None:
            _check_version(parsed.second, version_suffix, offset)
        elif parsed.second is not None:
            try:
                check_semver(parsed.second)
            except NameError_ as exc:
                raise fail(f"invalid interface version: {exc}", offset) from None
        return
    if kind not in ("constructor", "method", "static"):
        return
    if not isinstance(ty, FuncType):
        raise fail("item is not a func", offset)
    if kind == "constructor":
        if ty.is_async:
            raise fail("constructor function cannot be async", offset)
        if ty.result is None:
            raise fail("function should return one value", offset)
        result = ty.result
        resource: ResourceType | None = None
        if isinstance(result, OwnType):
            resource = result.resource
        elif isinstance(result, ResultType) and isinstance(result.ok, OwnType):
            resource = result.ok.resource
        if resource is None:
            raise fail("function should return `(own $T)` or `(result (own $T))`", offset)
        names.check(resource, parsed.first, offset)
    elif kind == "method":
        if not ty.params:
            raise fail("function should have at least one argument", offset)
        pname, pty = ty.params[0]
        if pname != "self":
            raise fail("function should have a first argument called `self`", offset)
        if not isinstance(pty, BorrowType):
            raise fail("function should take a first argument of `(borrow $T)`", offset)
        names.check(pty.resource, parsed.first, offset)
    elif parsed.first not in names.names:
        raise fail("static resource name is not known in this context", offset)


# ====================================================================== scopes


def _check_alias_count(stack: list[Scope], count: int, offset: int) -> Scope:
    if count >= len(stack):
        raise fail(f"invalid outer alias count of {count}", offset)
    return stack[len(stack) - count - 1]


def alias_outer(stack: list[Scope], alias: ir.Alias) -> None:
    offset = alias.offset
    target = _check_alias_count(stack, alias.count, offset)
    current = stack[-1]
    idx = alias.index
    if alias.sort == "core module":
        ty_m = target.module_at(idx, offset)
        _check_max(len(current.core_modules), 1, MAX_WASM_MODULES, "modules", offset)
        current.push("core_modules", ty_m)
    elif alias.sort == "component":
        ty_c = target.component_at(idx, offset)
        _check_max(len(current.components), 1, MAX_WASM_COMPONENTS, "components", offset)
        current.push("components", ty_c)
    elif alias.sort == "core type":
        ty_ct = target.core_type_at(idx, offset)
        _check_max(current.type_count(), 1, MAX_WASM_TYPES, "types", offset)
        current.push("core_types", ty_ct)
    else:
        ty = target.type_at(idx, offset)
        pos = len(stack) - alias.count
        if alias.count > 0 and pos < len(stack) and stack[pos].kind == "component":
            free: dict[int, ResourceType] = {}
            free_resources(current.ctx, ty, free)
            if free:
                raise fail(
                    "cannot alias outer type which transitively refers to resources not "
                    "defined in the current component",
                    offset,
                )
        _check_max(current.type_count(), 1, MAX_WASM_TYPES, "types", offset)
        current.push("types", ty)


def _type_decls(stack: list[Scope], decls: tuple[Any, ...]) -> None:
    scope = stack[-1]
    for decl in decls:
        if isinstance(decl, ir.CoreTypeDecl):
            scope.add_core_type(stack, decl.ty)
        elif isinstance(decl, ir.TypeDecl):
            scope.add_type(stack, decl.ty)
        elif isinstance(decl, ir.ExportDecl):
            ty = scope.check_type_ref(decl.desc, decl.offset)
            scope.add_export(decl.name, ty, decl.offset)
        elif isinstance(decl, ir.ImportDecl):
            scope.add_import(decl)
        else:
            scope.add_alias(stack, decl)


def create_instance_type(stack: list[Scope], d: ir.InstanceTypeDef) -> InstanceType:
    scope = Scope("instance-type", stack[-1].ctx)
    stack.append(scope)
    try:
        _type_decls(stack, d.decls)
    finally:
        stack.pop()
    ty = InstanceType(dict(scope.exports))
    meta = scope.ctx.meta(ty)
    meta.defined = [
        (r, scope.explicit_resources[k][1]) for k, (r, _) in scope.defined_resources.items()
    ]
    meta.explicit = dict(scope.explicit_resources)
    scope.ctx.info(ty, d.offset)
    return ty


def create_component_type(stack: list[Scope], d: ir.ComponentTypeDef) -> ComponentType:
    scope = Scope("component-type", stack[-1].ctx)
    stack.append(scope)
    try:
        _type_decls(stack, d.decls)
    finally:
        stack.pop()
    return scope.finish(d.offset)


# ====================================================================== components


def _validate_section(scope: Scope, stack: list[Scope], section: ir.Section) -> None:
    """One section of a component body (nested components are handled by the caller)."""
    from witkit.binary.validate.canon import canonical_function

    if isinstance(section, ir.CoreModuleSection):
        scope.add_core_module(section.module)
    elif isinstance(section, ir.CoreInstanceSection):
        _check_max(
            scope.instance_count(),
            len(section.items),
            MAX_WASM_INSTANCES,
            "instances",
            section.offset,
        )
        for ci in section.items:
            scope.add_core_instance(ci)
    elif isinstance(section, ir.CoreTypeSection):
        _check_max(scope.type_count(), len(section.items), MAX_WASM_TYPES, "types", section.offset)
        for ct in section.items:
            scope.add_core_type(stack, ct)
    elif isinstance(section, ir.InstanceSection):
        _check_max(
            scope.instance_count(),
            len(section.items),
            MAX_WASM_INSTANCES,
            "instances",
            section.offset,
        )
        for inst in section.items:
            scope.add_instance(inst)
    elif isinstance(section, ir.AliasSection):
        for alias in section.items:
            scope.add_alias(stack, alias)
    elif isinstance(section, ir.TypeSection):
        _check_max(scope.type_count(), len(section.items), MAX_WASM_TYPES, "types", section.offset)
        for td in section.items:
            scope.add_type(stack, td)
    elif isinstance(section, ir.CanonSection):
        _check_max(
            scope.function_count(),
            len(section.items),
            MAX_WASM_FUNCTIONS,
            "functions",
            section.offset,
        )
        for canon in section.items:
            canonical_function(scope, canon)
    elif isinstance(section, ir.StartSection):
        scope.add_start(section.start)
    elif isinstance(section, ir.ImportSection):
        for imp in section.items:
            scope.add_import(imp)
    elif isinstance(section, ir.ExportSection):
        _check_max(
            len(scope.exports), len(section.items), MAX_WASM_EXPORTS, "exports", section.offset
        )
        for exp in section.items:
            scope.origin = exp
            ty = scope.export_to_entity_type(exp)
            scope.add_export(exp.name, ty, exp.offset)
    elif isinstance(section, ir.ValueSection):
        # judged even when empty: without the feature the section itself is an error
        scope.check_value_support(section.offset)
        for value in section.items:
            scope.add_value(value)


def _finish_component(scope: Scope, component: ir.Component) -> ValidatedComponent:
    for index, used in enumerate(scope.values_used):
        if not used:
            raise fail(
                f"value index {index} was not used as part of an instantiation, start "
                "function, or export",
                component.end,
            )
    ty = scope.finish(component.end)
    return ValidatedComponent(
        ir=component,
        type=ty,
        core_types=scope.entries("core_types"),
        core_funcs=scope.entries("core_funcs"),
        core_tables=scope.entries("core_tables"),
        core_memories=scope.entries("core_memories"),
        core_globals=scope.entries("core_globals"),
        core_tags=scope.entries("core_tags"),
        core_modules=scope.entries("core_modules"),
        core_instances=scope.entries("core_instances"),
        types=scope.entries("types"),
        funcs=scope.entries("funcs"),
        values=scope.entries("values"),
        instances=scope.entries("instances"),
        components=scope.entries("components"),
    )


def validate_component(component: ir.Component, stack: list[Scope], ctx: Ctx) -> ValidatedComponent:
    """Validate ``component`` and the components nested in it (``stack``: enclosing scopes).

    Nested components are validated with an explicit work list rather than by
    recursion, so the 999 levels of nesting wasm-tools accepts stay far from
    Python's recursion limit.
    """
    base = len(stack)
    work: list[tuple[ir.Component, list[int]]] = [(component, [0])]
    stack.append(Scope("component", ctx))
    try:
        while True:
            current, position = work[-1]
            scope = stack[-1]
            sections = current.sections
            nested: ir.Component | None = None
            while position[0] < len(sections):
                section = sections[position[0]]
                position[0] += 1
                if isinstance(section, ir.CustomSection):
                    continue
                if isinstance(section, ir.ComponentSection):
                    _check_max(
                        len(scope.components), 1, MAX_WASM_COMPONENTS, "components", section.offset
                    )
                    nested = section.component
                    break
                _validate_section(scope, stack, section)
            if nested is not None:
                work.append((nested, [0]))
                stack.append(Scope("component", ctx))
                continue
            vc = _finish_component(scope, current)
            stack.pop()
            work.pop()
            if not work:
                return vc
            parent = stack[-1]
            parent.origin = current
            parent.push("components", vc.type, nested=vc)
    finally:
        del stack[base:]
