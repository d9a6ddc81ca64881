"""Translation: a validated component becomes a flat list of instantiation steps.

This is the one place where names and index spaces are walked.  The walk is a
symbolic run of the component (Explainer.md, "Instance Definitions"): every
index of every index space is bound to a *definition* saying where its value
will come from at run time -- an export of the core instance made by step 3, a
trampoline, a lifted function, a host import at a path, a resource type -- and
nested components are instantiated by walking their bodies again in a child
frame whose imports are bound to the parent's arguments (static inlining, as
wasmtime's ``inline.rs`` does).  What comes out (``Translation``) has no names
left except the root imports and exports: instantiating is running ``steps`` in
order with list indexing, and a call is an index lookup.

Rules of this module:

* **Input is the validated model only** (``binary.ValidatedComponent``): each
  IR item is processed through the ``Entry`` objects it created, so the types
  are validation's, never re-derived.  What validation accepted but the runtime
  cannot run fails as late as it can, with a clear message: an async built-in
  becomes a trampoline that traps when called; instantiating an imported core
  module or component, or a start function taking a 🪙 value definition, is a
  ``LinkError`` here (the component can never be instantiated).
* **Runtime component instances.**  Each frame (the root, and each
  instantiation of a nested component) is one runtime component instance with
  its own handle table and ``may_enter``/``may_leave`` flags; its parent is the
  frame that instantiated it (CanonicalABI.md, "Component Instances").
* **Resources.**  Every resource the running component can see gets a runtime
  index (``rid``): one per ``(type (resource ...))`` per frame (generativity:
  a component instantiated twice defines two resources), one per resource of
  the root imports.  Each frame maps validation's ``ResourceType`` objects
  (roots) to rids, so the ABI's handle hooks -- which receive validation's
  types -- find the runtime resource with one dict lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from witkit._record import field, record
from witkit.binary import ir
from witkit.binary.validate import CanonOptions, ValidatedComponent
from witkit.errors import LinkError
from witkit.types import (
    CoreFuncType,
    ExternItem,
    FuncType,
    InstanceType,
    ResourceType,
    TypeExtern,
    ValType,
    ValueExtern,
    root,
)

# The records it produces live in ``witkit.runtime.plan`` (see that module).
__all__ = ["translate"]

from witkit.runtime.plan import (
    Builtin,
    CallStart,
    CoreDef,
    CoreExportDef,
    DefinedResource,
    ExportDef,
    FuncDef,
    ImportedResource,
    ImportFuncDef,
    ImportSpec,
    ImportValueDef,
    InstantiateModule,
    Lift,
    LiftedFuncDef,
    Lower,
    Options,
    ResourceDef,
    StartValueDef,
    Step,
    Trampoline,
    TrampolineDef,
    Translation,
    Unsupported,
    ValueDef,
)


@record
class _ModuleDef:
    """A core module defined in the binary: ``Translation.modules[index]``."""

    index: int


@record
class _ComponentDef:
    """A component defined in the binary, closed over the frame it was defined in."""

    validated: ValidatedComponent
    enclosing: _Frame


@record
class _ImportInstanceDef:
    """A root import instance (or an instance nested in one), known by its type."""

    index: int
    path: tuple[str, ...]
    type: InstanceType


@record
class _Unavailable:
    """Something the runtime cannot provide (an imported module or component, a 🪙 value)."""

    what: str


@record
class _OtherType:
    """A type that is not a resource: nothing exists for it at run time."""


#: an instance: its exports by name, or an import known by type
_InstanceDef: TypeAlias = "dict[str, _Def] | _ImportInstanceDef"
_Def: TypeAlias = (
    "CoreDef | FuncDef | ValueDef | ResourceDef | _ModuleDef | _ComponentDef | _InstanceDef"
    " | _Unavailable | _OtherType"
)
_CoreInstanceDef: TypeAlias = "int | dict[str, CoreDef]"


# =========================================================================== frames


@record(frozen=False, eq=False)
class _Frame:
    """The symbolic index spaces of one component instantiation."""

    validated: ValidatedComponent
    instance: int
    resource_map: int
    parent: _Frame | None
    #: the frame the component was defined in (what ``alias outer 1`` reaches)
    enclosing: _Frame | None
    args: Mapping[str, _Def]
    #: func index -> a name for messages (its first export name)
    func_names: dict[int, str] = field(default_factory=dict)
    core_funcs: list[CoreDef] = field(default_factory=list)
    core_tables: list[CoreDef] = field(default_factory=list)
    core_memories: list[CoreDef] = field(default_factory=list)
    core_globals: list[CoreDef] = field(default_factory=list)
    core_tags: list[CoreDef] = field(default_factory=list)
    core_modules: list[_ModuleDef | _Unavailable] = field(default_factory=list)
    core_instances: list[_CoreInstanceDef] = field(default_factory=list)
    types: list[ResourceDef | _OtherType] = field(default_factory=list)
    funcs: list[FuncDef | _Unavailable] = field(default_factory=list)
    values: list[ValueDef | _Unavailable] = field(default_factory=list)
    instances: list[_InstanceDef] = field(default_factory=list)
    components: list[_ComponentDef | _Unavailable] = field(default_factory=list)
    exports: dict[str, _Def] = field(default_factory=dict)


_CORE_SPACES = {
    "core func": "core_funcs",
    "core table": "core_tables",
    "core memory": "core_memories",
    "core global": "core_globals",
    "core tag": "core_tags",
}
_SPACES = {
    **_CORE_SPACES,
    "core module": "core_modules",
    "core instance": "core_instances",
    "type": "types",
    "func": "funcs",
    "value": "values",
    "instance": "instances",
    "component": "components",
}


# =========================================================================== the translator


class _Translator:
    def __init__(self) -> None:
        self.modules: list[ir.CoreModule] = []
        self.module_ids: dict[int, int] = {}
        self.steps: list[Step] = []
        self.trampolines: list[Trampoline] = []
        self.lifts: list[Lift] = []
        self.resources: list[DefinedResource | ImportedResource] = []
        self.instances: list[int | None] = []
        self.resource_maps: list[dict[ResourceType, int]] = []
        #: root imports: name, item, and the paths used
        self.imports: list[tuple[str, ExternItem]] = []
        self.import_funcs: list[dict[tuple[str, ...], None]] = []
        self.import_resources: list[dict[tuple[str, ...], int]] = []
        #: resources of root import types (roots) -> rid, shared by every frame
        self.import_rids: dict[ResourceType, int] = {}
        #: rid -> (a name it was exported or imported under, whether exported), for messages
        self.resource_names: dict[int, tuple[str, bool]] = {}
        #: runtime instances that use ``context.get``/``context.set`` (they keep task storage)
        self.context_instances: set[int] = set()

    # ------------------------------------------------------------------ frames

    def new_frame(
        self,
        vc: ValidatedComponent,
        parent: _Frame | None,
        enclosing: _Frame | None,
        args: Mapping[str, _Def],
    ) -> _Frame:
        instance = len(self.instances)
        self.instances.append(None if parent is None else parent.instance)
        self.resource_maps.append({})
        frame = _Frame(vc, instance, len(self.resource_maps) - 1, parent, enclosing, args)
        for entry in vc.funcs:
            origin = entry.origin
            if isinstance(origin, ir.Export) and origin.sort == "func":
                frame.func_names.setdefault(origin.index, origin.name.name)
        return frame

    def run(self, frame: _Frame) -> None:
        """Walk the component body in binary order, binding every index it defines."""
        vc = frame.validated
        by_origin: dict[int, list[tuple[str, int]]] = {}
        for space in (
            "core_funcs",
            "core_tables",
            "core_memories",
            "core_globals",
            "core_tags",
            "core_modules",
            "core_instances",
            "types",
            "funcs",
            "values",
            "instances",
            "components",
        ):
            for index, entry in enumerate(getattr(vc, space)):
                by_origin.setdefault(id(entry.origin), []).append((space, index))
        for section in vc.ir.sections:
            for item in _items(section):
                for space, index in by_origin.get(id(item), ()):
                    self.define(frame, space, index, item)

    def define(self, f: _Frame, space: str, index: int, item: object) -> None:
        entry = getattr(f.validated, space)[index]
        target: list[object] = getattr(f, space)
        assert len(target) == index, f"{space} out of step at {index}"
        value: object
        if isinstance(item, ir.Import):
            value = self.import_(f, item, entry.ty, space)
        elif isinstance(item, ir.Export):
            value = getattr(f, _SPACES[item.sort])[item.index]
            f.exports[item.name.name] = value  # type: ignore[assignment]
        elif isinstance(item, ir.Alias):
            value = self.alias(f, item)
        elif space == "core_modules":
            assert isinstance(item, ir.CoreModule)
            value = _ModuleDef(self.module_id(item))
        elif space == "core_instances":
            value = self.core_instance(f, item)
        elif space == "types":
            value = self.type_(f, entry.ty)
        elif space == "funcs":
            assert isinstance(item, ir.CanonLift) and entry.options is not None
            value = self.lift(f, index, item, entry.ty, entry.options)
        elif space == "core_funcs":
            value = self.canon(f, item, entry.ty, entry.options)
        elif space == "instances":
            value = self.instance(f, item)
        elif space == "components":
            assert entry.nested is not None
            value = _ComponentDef(entry.nested, f)
        elif isinstance(item, ir.Start):
            value = self.start(f, item)
        else:  # 🪙 value definitions: validation checks them, nothing here decodes them
            value = _Unavailable("component value definitions (🪙)")
        target.append(value)
        if isinstance(value, ResourceDef) and isinstance(item, ir.Import | ir.Export):
            # a defined resource is named after its first export (else its first import)
            known = self.resource_names.get(value.rid)
            if known is None or (isinstance(item, ir.Export) and not known[1]):
                self.resource_names[value.rid] = (item.name.name, isinstance(item, ir.Export))
        # Bind validation's resource types to rids as they enter the index spaces.
        if space == "types" and isinstance(value, ResourceDef):
            self.bind(f, entry.ty, value.rid)
        elif space == "instances" and isinstance(entry.ty, InstanceType):
            self.bind_instance(f, entry.ty, value)

    # ------------------------------------------------------------------ resources

    def bind(self, f: _Frame, ty: object, rid: int) -> None:
        if isinstance(ty, ResourceType):
            self.resource_maps[f.resource_map].setdefault(root(ty), rid)

    def bind_instance(self, f: _Frame, ty: InstanceType, inst: object) -> None:
        """Map the resources an instance type mentions to the rids its value exports."""
        for name, item in ty.exports.items():
            t = item.ty
            if isinstance(t, TypeExtern) and isinstance(t.created, ResourceType):
                found = self.export_of(inst, name)  # type: ignore[arg-type]
                if isinstance(found, ResourceDef):
                    self.bind(f, t.created, found.rid)
                    self.bind(f, t.referenced, found.rid)
            elif isinstance(t, InstanceType):
                self.bind_instance(f, t, self.export_of(inst, name))  # type: ignore[arg-type]

    def new_resource(self, resource: DefinedResource | ImportedResource) -> ResourceDef:
        self.resources.append(resource)
        return ResourceDef(len(self.resources) - 1)

    def import_resource(self, index: int, path: tuple[str, ...], ty: ResourceType) -> ResourceDef:
        key = root(ty)
        rid = self.import_rids.get(key)
        if rid is None:
            name = "/".join((self.imports[index][0], *path))
            rid = self.new_resource(ImportedResource(index, path, name)).rid
            self.import_rids[key] = rid
        self.import_resources[index].setdefault(path, rid)
        return ResourceDef(rid)

    # ------------------------------------------------------------------ imports

    def import_(self, f: _Frame, item: ir.Import, ty: object, space: str) -> object:
        name = item.name.name
        if f.parent is not None:
            if name not in f.args:
                raise LinkError(f"nested instantiation: missing argument `{name}`")
            return f.args[name]
        index = len(self.imports)
        extern: ExternItem = f.validated.type.imports[name]
        self.imports.append((name, extern))
        self.import_funcs.append({})
        self.import_resources.append({})
        if space == "funcs":
            self.import_funcs[index][()] = None
            return ImportFuncDef(index, ())
        if space == "instances":
            assert isinstance(ty, InstanceType)
            self.walk_import_instance(index, (), ty)
            return _ImportInstanceDef(index, (), ty)
        if space == "types":
            if isinstance(ty, ResourceType):
                return self.import_resource(index, (), ty)
            return _OtherType()
        if space == "core_modules":
            return _Unavailable(f"core module import `{name}`")
        if space == "components":
            return _Unavailable(f"component import `{name}`")
        return ImportValueDef(index, ())

    def walk_import_instance(self, index: int, path: tuple[str, ...], ty: InstanceType) -> None:
        """Give every resource a root import instance declares a rid, eagerly.

        Eagerly, because a resource the component only names (never aliases) can
        still appear in the types of functions it lowers or re-exports.
        """
        for name, item in ty.exports.items():
            t = item.ty
            if isinstance(t, TypeExtern) and isinstance(t.created, ResourceType):
                self.import_resource(index, (*path, name), t.created)
            elif isinstance(t, InstanceType):
                self.walk_import_instance(index, (*path, name), t)

    def export_of(self, inst: _InstanceDef | _Unavailable, name: str) -> _Def:
        """What export ``name`` of an instance is."""
        if isinstance(inst, _Unavailable):
            return inst
        if isinstance(inst, dict):
            if name not in inst:
                raise LinkError(f"instance has no export `{name}`")
            return inst[name]
        item = inst.type.exports[name]
        path = (*inst.path, name)
        t = item.ty
        if isinstance(t, FuncType):
            self.import_funcs[inst.index][path] = None
            return ImportFuncDef(inst.index, path)
        if isinstance(t, InstanceType):
            return _ImportInstanceDef(inst.index, path, t)
        if isinstance(t, TypeExtern):
            if isinstance(t.created, ResourceType):
                return self.import_resource(inst.index, path, t.created)
            return _OtherType()
        if isinstance(t, ValueExtern):
            return ImportValueDef(inst.index, path)
        return _Unavailable(f"import `{self.imports[inst.index][0]}` export `{name}`")

    # ------------------------------------------------------------------ aliases

    def alias(self, f: _Frame, alias: ir.Alias) -> object:
        if alias.target == "outer":
            scope: _Frame | None = f
            for _ in range(alias.count):
                scope = None if scope is None else scope.enclosing
            if scope is None:
                raise LinkError("outer alias reaches past the root component")
            if alias.sort == "core type":
                return None
            return getattr(scope, _SPACES[alias.sort])[alias.index]
        if alias.target == "core export":
            inst = f.core_instances[alias.instance]
            return self.core_export(inst, alias.name)
        found = self.export_of(f.instances[alias.instance], alias.name)
        if alias.sort == "func" and isinstance(found, ImportFuncDef):
            self.import_funcs[found.index][found.path] = None
        return found

    # ------------------------------------------------------------------ core

    def module_id(self, module: ir.CoreModule) -> int:
        key = id(module)
        index = self.module_ids.get(key)
        if index is None:
            index = self.module_ids[key] = len(self.modules)
            self.modules.append(module)
        return index

    def core_export(self, inst: _CoreInstanceDef, name: str) -> CoreDef:
        if isinstance(inst, int):
            return CoreExportDef(inst, name)
        return inst[name]

    def core_instance(self, f: _Frame, item: object) -> _CoreInstanceDef:
        if isinstance(item, ir.CoreInlineExports):
            return {
                export.name: getattr(f, _CORE_SPACES[export.sort])[export.index]
                for export in item.exports
            }
        assert isinstance(item, ir.CoreInstantiate)
        module = f.core_modules[item.module]
        if isinstance(module, _Unavailable):
            raise LinkError(f"cannot instantiate a core module: {module.what} is not supported")
        args = {arg.name: f.core_instances[arg.index] for arg in item.args}
        ir_module = self.modules[module.index]
        imports = tuple(self.core_export(args[imp.module], imp.name) for imp in ir_module.imports)
        self.steps.append(InstantiateModule(module.index, imports))
        return len(self.steps) - 1

    # ------------------------------------------------------------------ types

    def type_(self, f: _Frame, ty: object) -> ResourceDef | _OtherType:
        if not isinstance(ty, ResourceType) or not ty.defined:
            return _OtherType()
        dtor = None if ty.dtor is None else f.core_funcs[ty.dtor]
        return self.new_resource(DefinedResource(f.instance, dtor, ty.name or "resource"))

    # ------------------------------------------------------------------ canon

    def options(self, f: _Frame, o: CanonOptions) -> Options:
        memory = None if o.memory is None else f.core_memories[o.memory]
        memory64 = False
        if o.memory is not None:
            mem_ty = f.validated.core_memories[o.memory].ty
            memory64 = bool(getattr(mem_ty, "memory64", False))
        return Options(
            o.string_encoding,
            memory,
            None if o.realloc is None else f.core_funcs[o.realloc],
            None if o.post_return is None else f.core_funcs[o.post_return],
            memory64,
        )

    def lift(
        self, f: _Frame, index: int, item: ir.CanonLift, ty: FuncType, o: CanonOptions
    ) -> FuncDef:
        name = f.func_names.get(index, f"function {index}")
        self.lifts.append(
            Lift(
                f.core_funcs[item.core_func],
                ty,
                self.options(f, o),
                f.instance,
                f.resource_map,
                name,
                None,
                o.is_async,
                None if o.callback is None else f.core_funcs[o.callback],
            )
        )
        return LiftedFuncDef(len(self.lifts) - 1)

    def canon(self, f: _Frame, item: object, ty: object, o: CanonOptions | None) -> CoreDef:
        assert isinstance(ty, CoreFuncType)
        trampoline: Trampoline
        if isinstance(item, ir.CanonLower):
            assert o is not None
            target = f.funcs[item.func]
            ft = f.validated.funcs[item.func].ty
            if isinstance(target, _Unavailable):
                trampoline = Unsupported(target.what, ty, f.instance)
            else:
                name = f.func_names.get(item.func) or _func_name(f.validated, item.func)
                trampoline = Lower(
                    target,
                    ft,
                    ty,
                    self.options(f, o),
                    f.instance,
                    f.resource_map,
                    name,
                    o.is_async,
                )
        else:
            assert isinstance(item, ir.CanonBuiltin)
            rid = None
            if item.name in ("resource.new", "resource.drop", "resource.rep"):
                assert item.type_index is not None
                rdef = f.types[item.type_index]
                if isinstance(rdef, ResourceDef):
                    rid = rdef.rid
            if rid is not None and not (item.name == "resource.drop" and item.flag):
                trampoline = Builtin(item.name, rid, ty, f.instance)
            elif item.name in ("context.get", "context.set"):
                self.context_instances.add(f.instance)
                trampoline = Builtin(item.name, None, ty, f.instance, item.slot or 0)
            elif item.name in ("backpressure.inc", "backpressure.dec"):
                trampoline = Builtin(item.name, None, ty, f.instance)
            elif item.name == "task.return" and o is not None:
                result: ValType | None = None
                if isinstance(item.result, str):
                    result = item.result
                elif item.result is not None:
                    result = f.validated.types[item.result].ty  # type: ignore[assignment]
                trampoline = Builtin(
                    item.name,
                    None,
                    ty,
                    f.instance,
                    result=result,
                    options=self.options(f, o),
                    resources=f.resource_map,
                )
            else:
                trampoline = Unsupported(f"canon {item.name}", ty, f.instance)
        self.trampolines.append(trampoline)
        return TrampolineDef(len(self.trampolines) - 1)

    # ------------------------------------------------------------------ start

    def start(self, f: _Frame, item: ir.Start) -> ValueDef | _Unavailable:
        func = f.funcs[item.func]
        if isinstance(func, _Unavailable):
            raise LinkError(f"start function: {func.what} is not supported")
        args: list[ValueDef] = []
        for index in item.args:
            arg = f.values[index]
            if isinstance(arg, _Unavailable):
                raise LinkError(f"start function argument: {arg.what} is not supported")
            args.append(arg)
        self.steps.append(CallStart(func, tuple(args), item.results > 0))
        return StartValueDef(len(self.steps) - 1)

    # ------------------------------------------------------------------ instances

    def instance(self, f: _Frame, item: object) -> _InstanceDef:
        if isinstance(item, ir.InlineExports):
            return {
                export.name.name: getattr(f, _SPACES[export.sort])[export.index]
                for export in item.exports
            }
        assert isinstance(item, ir.Instantiate)
        component = f.components[item.component]
        if isinstance(component, _Unavailable):
            raise LinkError(f"cannot instantiate {component.what}: not supported")
        args: dict[str, _Def] = {
            arg.name: getattr(f, _SPACES[arg.sort])[arg.index] for arg in item.args
        }
        child = self.new_frame(component.validated, f, component.enclosing, args)
        self.bind_child_imports(child)
        self.run(child)
        return dict(child.exports)

    def bind_child_imports(self, child: _Frame) -> None:
        """Map the child's view of its imported resources to the rids of the arguments."""
        for name, item in child.validated.type.imports.items():
            arg = child.args.get(name)
            t = item.ty
            if isinstance(t, TypeExtern) and isinstance(arg, ResourceDef):
                self.bind(child, t.created, arg.rid)
                self.bind(child, t.referenced, arg.rid)
            elif isinstance(t, InstanceType) and arg is not None:
                self.bind_instance(child, t, arg)

    # ------------------------------------------------------------------ finish

    def finish(self, root_frame: _Frame) -> Translation:
        for rid, (name, _) in self.resource_names.items():
            resource = self.resources[rid]
            if isinstance(resource, DefinedResource) and resource.name == "resource":
                self.resources[rid] = DefinedResource(resource.instance, resource.dtor, name)
        specs = tuple(
            ImportSpec(
                name,
                item,
                tuple(self.import_funcs[i]),
                tuple(self.import_resources[i].items()),
            )
            for i, (name, item) in enumerate(self.imports)
        )
        return Translation(
            tuple(self.modules),
            tuple(self.steps),
            tuple(self.trampolines),
            tuple(self.lifts),
            tuple(self.resources),
            tuple(self.instances),
            tuple(self.resource_maps),
            specs,
            {name: _export_def(value) for name, value in root_frame.exports.items()},
            frozenset(self.context_instances),
        )


def _export_def(value: object) -> ExportDef:
    if isinstance(value, LiftedFuncDef | ImportFuncDef | ResourceDef):
        return value
    if isinstance(value, ImportValueDef | StartValueDef):
        return value
    if isinstance(value, dict):
        return {name: _export_def(v) for name, v in value.items()}
    return None


def _items(section: object) -> tuple[object, ...]:
    """The definitions of a section, in order (sections of one item are their item)."""
    if isinstance(section, ir.CoreModuleSection):
        return (section.module,)
    if isinstance(section, ir.ComponentSection):
        return (section.component,)
    if isinstance(section, ir.StartSection):
        return (section.start,)
    items = getattr(section, "items", ())
    return tuple(items)


def _func_name(vc: ValidatedComponent, index: int) -> str:
    origin = vc.funcs[index].origin
    if isinstance(origin, ir.Import):
        return origin.name.name
    if isinstance(origin, ir.Alias) and origin.target == "export":
        return origin.name
    return f"function {index}"


def translate(vc: ValidatedComponent) -> Translation:
    """The flat instantiation plan of a validated component (see the module docstring)."""
    translator = _Translator()
    frame = translator.new_frame(vc, None, None, {})
    translator.run(frame)
    return translator.finish(frame)
