"""A live component instance: the translation's steps run in one store.

``Instance`` is what ``Linker.instantiate`` returns.  Building it is the last
phase: run ``Translation.steps`` in order (each a core instantiation whose
imports are already resolved to positions), make trampolines and lifted
functions on first use, and expose the root exports.

Rules of this module:

* Slots, not names: core instances, trampolines, lifted functions and resource
  types live in lists indexed by the translation; nothing is looked up by name
  here except the export names the host asks for.
* ``RuntimeInstance`` is the spec's ``ComponentInstance`` (CanonicalABI.md,
  "Component Instances"): a handle table and the ``may_enter``/``may_leave``
  flags, one per frame of the translation, with its parent for the entering sets.
* Limits live here too: the instance's ``max_copy`` (the ABI's copy budget per
  operation) and its store's ``CallDepth`` (``MAX_CALL_DEPTH``), shared by every
  instance of the store, so a chain through many instances is counted once.
* Generated code is cached by the store's engine: the steps, and the first
  call of each lifted function or lowering, run inside its code cache's scope
  (``witkit.abi._codecache.compiling_with``; none when its cache is off), so
  nothing is cached for the process as a whole.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from witkit import semver
from witkit._record import field, record
from witkit._spare import reserve, with_spare
from witkit.abi._codecache import compiling_with
from witkit.abi.context import DEFAULT_MAX_COPY, CanonicalOptions
from witkit.abi.values import python_name, record_class
from witkit.errors import LinkError, Trap
from witkit.runtime import plan
from witkit.runtime._adapt import maps_as_lists
from witkit.runtime.canon import (
    AsyncTask,
    CallDepth,
    Func,
    Hooks,
    canon_lift,
    canon_lower,
    canon_resource_drop,
    canon_resource_new,
    canon_resource_rep,
    canon_task_return,
    resource_dtor,
    task_builtin,
)
from witkit.runtime.core import CoreFunc, CoreMemory, Store
from witkit.runtime.resources import GuestResourceType, HandleTable, ResourceType
from witkit.types import FuncType, RecordType, TypeNames, extern_text, func_text

if TYPE_CHECKING:
    from witkit.runtime.component import Component

__all__ = ["Exports", "Instance", "ResolvedImports", "RuntimeInstance"]

T = TypeVar("T")


class RuntimeInstance:
    """The spec's ``ComponentInstance``: handles and the enter/leave flags."""

    __slots__ = (
        "_entering",
        "ancestry",
        "backpressure",
        "depth",
        "handles",
        "max_copy",
        "may_enter",
        "may_leave",
        "parent",
        "poisoned",
        "storage",
        "task",
    )

    def __init__(
        self,
        parent: RuntimeInstance | None,
        uses_context: bool = False,
        depth: CallDepth | None = None,
        max_copy: int = DEFAULT_MAX_COPY,
    ) -> None:
        self.parent = parent
        #: calls into instances of this store now on the stack (``MAX_CALL_DEPTH``)
        self.depth = depth if depth is not None else CallDepth()
        #: bytes of strings and lists one lift or lower may copy (``Context.max_copy``)
        self.max_copy = max_copy
        self.handles = HandleTable()
        self.may_enter = True
        self.may_leave = True
        self.poisoned = False
        self.backpressure = 0
        #: the current task's ``context.get``/``set`` slots (None: the instance has no such
        #: built-ins, so calls need not keep any)
        self.storage: list[int] | None = [0, 0] if uses_context else None
        #: the async-lifted call running in this instance, for ``task.return``
        self.task: AsyncTask | None = None
        chain: list[RuntimeInstance] = [self]
        while chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        #: self, then each ancestor
        self.ancestry: tuple[RuntimeInstance, ...] = tuple(chain)
        self._entering: dict[int, tuple[RuntimeInstance, ...]] = {}

    def entering(self, caller: RuntimeInstance | None) -> tuple[RuntimeInstance, ...]:
        """The spec's ``entering_set``: self and ancestors, minus the caller's (cached)."""
        if caller is None:
            return self.ancestry
        key = id(caller)
        found = self._entering.get(key)
        if found is None:
            theirs = set(map(id, caller.ancestry))
            found = self._entering[key] = tuple(i for i in self.ancestry if id(i) not in theirs)
        return found


@record(frozen=False)
class ResolvedImports:
    """What the linker found for the root imports, by position."""

    #: per import: function path -> the callable that implements it
    funcs: list[dict[tuple[str, ...], Callable[..., Any]]]
    #: rid -> runtime resource type, for the imported resources
    resources: dict[int, ResourceType]
    #: per import: value path -> the Python value given for it (🪙)
    values: list[dict[tuple[str, ...], Any]] = field(default_factory=list)


#: one call-depth counter per store (a store is used by one thread at a time)
_depths: weakref.WeakKeyDictionary[Store, CallDepth] = weakref.WeakKeyDictionary()


class Instance:
    """An instantiated component: call its exports through ``exports``.

    ``max_copy``: bytes of strings and lists one call may copy between host and
    guest, in each direction (default ``DEFAULT_MAX_COPY``, see ``witkit.abi.context``).
    """

    def __init__(
        self,
        component: Component,
        store: Store,
        imports: ResolvedImports,
        max_copy: int | None = None,
    ) -> None:
        if max_copy is None:
            max_copy = DEFAULT_MAX_COPY
        elif max_copy < 0:
            raise ValueError("max_copy must not be negative")
        depth = _depths.get(store)
        if depth is None:
            depth = _depths[store] = CallDepth()
        # lifts and lowerings are generated on first call, maybe after the guest used up
        # every descriptor: keep one for that work (witkit._spare)
        reserve()
        t: plan.Translation = component.translation
        self.component = component
        self.store = store
        self._t = t
        self._imports = imports
        rinsts: list[RuntimeInstance] = []
        for index, parent in enumerate(t.instances):
            rinsts.append(
                RuntimeInstance(
                    None if parent is None else rinsts[parent],
                    index in t.context_instances,
                    depth,
                    max_copy,
                )
            )
        self._rinsts = rinsts
        rtypes: list[ResourceType] = []
        for rid, resource in enumerate(t.resources):
            if isinstance(resource, plan.DefinedResource):
                impl = rinsts[resource.instance]
                dtor = None if resource.dtor is None else self._lazy_core(resource.dtor)
                rtypes.append(GuestResourceType(resource.name, impl, resource_dtor(impl, dtor)))
            else:
                rtypes.append(imports.resources[rid])
        self._rtypes = rtypes
        #: per step: a core instance, or a start function's result (🪙)
        self._core: list[Any] = []
        self._trampolines: list[CoreFunc | None] = [None] * len(t.trampolines)
        self._funcs: list[Func | None] = [None] * len(t.lifts)
        #: where the code generated for this instance is cached: its engine's, or nowhere
        self._code_cache = store.engine.code_cache
        #: names of the component's types, for messages (made on first need)
        self._names: TypeNames | None = None
        compiling_with(self._code_cache, self._run_steps)
        self.exports = Exports(self, t.exports, "")
        _bind_resources(self.exports, t.exports)

    def _run_steps(self) -> None:
        """Instantiate the core modules and run the start functions, in the plan's order."""
        t, store = self._t, self.store
        for step in t.steps:
            if isinstance(step, plan.CallStart):
                func = self._func_def(step.func)
                result = func(*(self._value(v) for v in step.args))
                self._core.append(result)
                continue
            externs = [self._core_def(d) for d in step.imports]
            module = self.component.modules[step.module]
            self._core.append(store.instantiate(module, externs))

    def _generating(self, work: Callable[[], T]) -> T:
        """``work()`` that generates code: with a spare descriptor (``witkit._spare``) and
        this instance's engine's code cache (``witkit.abi._codecache``)."""
        return compiling_with(self._code_cache, lambda: with_spare(work))

    def __repr__(self) -> str:
        return f"<witkit.Instance of {self.component.name or 'component'}>"

    # ------------------------------------------------------------------ core definitions

    def _core_def(self, d: plan.CoreDef) -> Any:
        if isinstance(d, plan.CoreExportDef):
            return self._core[d.instance].export(d.name)
        return self._trampoline(d.index)

    def _lazy_core(self, d: plan.CoreDef) -> Callable[..., Any]:
        """A core function resolved on first call (it may live in a later core instance)."""
        resolved: list[Callable[..., Any]] = []

        def call(*args: Any) -> Any:
            if not resolved:
                resolved.append(self._core_def(d).call)
            return resolved[0](*args)

        return call

    def _options(self, o: plan.Options, inst: RuntimeInstance) -> CanonicalOptions:
        memory = None
        if o.memory is not None:
            mem = self._core_def(o.memory)
            if not isinstance(mem, CoreMemory):
                raise LinkError("canonical option `memory` is not a memory")
            memory = mem.view
        realloc = None
        if o.realloc is not None:
            core_realloc = self._core_def(o.realloc).call

            def realloc(old: int, old_size: int, align: int, new_size: int) -> int:
                # No try/finally: if realloc fails, the call that needed it fails and
                # poisons the instance, so the flag is never looked at again.
                inst.may_leave = False
                ptr: int = core_realloc(old, old_size, align, new_size)
                inst.may_leave = True
                return ptr

        post_return = None if o.post_return is None else self._core_def(o.post_return).call
        return CanonicalOptions(
            o.string_encoding,
            memory,
            realloc,
            post_return,
            addrtype="i64" if o.memory64 else "i32",
        )

    def _hooks(self, inst: RuntimeInstance, resources: int) -> Hooks:
        return Hooks(inst, self._t.resource_maps[resources], self._rtypes)

    # ------------------------------------------------------------------ lifted functions

    def _func(self, index: int) -> Func:
        func = self._funcs[index]
        if func is None:
            func = self._funcs[index] = self._generating(lambda: self._make_func(index))
        return func

    def _make_func(self, index: int) -> Func:
        """Build lifted function ``index`` (its ABI code is generated or found now)."""
        lift = self._t.lifts[index]
        inst = self._rinsts[lift.instance]
        core = self._core_def(lift.core_func)
        if not isinstance(core, CoreFunc):
            raise LinkError(f"`{lift.name}`: canon lift of something that is not a function")
        func = canon_lift(
            lift.name,
            lift.type,
            inst,
            core.call,
            len(core.type.results),
            self._options(lift.options, inst),
            self._hooks(inst, lift.resources),
            lift.unsupported,
            lift.is_async,
            None if lift.callback is None else self._core_def(lift.callback).call,
            lift.options.memory,
        )
        return func

    def _host_func(self, d: plan.ImportFuncDef) -> Callable[..., Any]:
        return self._imports.funcs[d.index][d.path]

    def _type_names(self) -> TypeNames:
        """Names of the component's imported and exported types (made on first need)."""
        if self._names is None:
            self._names = TypeNames()
            self._names.learn(self.component.type.exports, deep=True)
            self._names.learn(self.component.type.imports, deep=True)
        return self._names

    def _name_records(self, ty: FuncType, declared: FuncType) -> None:
        """Give the record classes of ``ty`` their WIT names, so lifted records say what
        they are in ``repr`` (``Person(id=1, ...)``, not ``Record(...)``).

        The names belong to the types the component declares for its imports and
        exports (``declared``), which validation made apart from the types its
        canonical functions use (``ty``); both have the same shape, so they are
        walked side by side.
        """
        pairs = _record_pairs(ty, declared)
        if pairs:
            names = self._type_names()
            for actual, named in pairs:
                name = names.of(named)
                if name is not None:
                    record_class(actual, name)

    def _import_type(self, d: plan.ImportFuncDef) -> FuncType:
        """The type the component declares for the imported function ``d``."""
        ty: Any = self._t.imports[d.index].item.ty
        for step in d.path:
            ty = ty.exports[step].ty
        assert isinstance(ty, FuncType)
        return ty

    def _describe_import(self, d: plan.ImportFuncDef) -> Callable[[], str]:
        """What a message about the host function of ``d`` calls it: the import and its
        WIT type (computed on first use: only failures need it)."""

        def describe() -> str:
            spec = self._t.imports[d.index]
            ty = self._import_type(d)
            where = f"`{'/'.join(d.path)}` of " if d.path else "for "
            where += f"import `{spec.name}`"
            return f"{where} ({func_text(ty, self._type_names())})"

        return describe

    def _func_def(self, d: plan.LiftedFuncDef | plan.ImportFuncDef) -> Callable[..., Any]:
        return self._host_func(d) if isinstance(d, plan.ImportFuncDef) else self._func(d.index)

    def _value(self, d: plan.ImportValueDef | plan.StartValueDef) -> Any:
        """🪙 A component-level value: given by the host, or a start function's result."""
        if isinstance(d, plan.ImportValueDef):
            return self._imports.values[d.index][d.path]
        return self._core[d.step]

    # ------------------------------------------------------------------ trampolines

    def _trampoline(self, index: int) -> CoreFunc:
        found = self._trampolines[index]
        if found is not None:
            return found
        tr = self._t.trampolines[index]
        inst = self._rinsts[tr.instance]
        ty = tr.core_type  # the engine builds its function type from this very record
        fn: Callable[..., Any]
        if isinstance(tr, plan.Lower):
            # Linking errors surface now; the lowering itself is generated on first call.
            lower_args = (
                tr.name,
                tr.type if isinstance(tr.func, plan.ImportFuncDef) else maps_as_lists(tr.type),
                inst,
                self._target(tr.func, inst),
                self._options(tr.options, inst),
                self._hooks(inst, tr.resources),
                len(tr.core_type.results),
                tr.is_async,
                self._describe_import(tr.func) if isinstance(tr.func, plan.ImportFuncDef) else None,
            )
            lower_type, lowered = tr.type, tr.func

            def build() -> Callable[..., Any]:
                if isinstance(lowered, plan.ImportFuncDef):
                    self._name_records(lower_type, self._import_type(lowered))
                return self._generating(lambda: canon_lower(*lower_args))

            found = self._trampolines[index] = self.store.deferred_host_func(
                ty, build, name=tr.name
            )
            return found
        elif isinstance(tr, plan.Builtin) and tr.name == "task.return":
            assert tr.options is not None
            fn = canon_task_return(
                inst,
                tr.result,
                self._options(tr.options, inst),
                self._hooks(inst, tr.resources),
                tr.options.memory,
            )
        elif isinstance(tr, plan.Builtin) and tr.rid is not None:
            rt = self._rtypes[tr.rid]
            if tr.name == "resource.new":
                fn = canon_resource_new(inst, rt)
            elif tr.name == "resource.drop":
                fn = canon_resource_drop(inst, rt)
            else:
                fn = canon_resource_rep(inst, rt)
        elif isinstance(tr, plan.Builtin):
            fn = task_builtin(tr.name, inst, tr.slot)
        else:
            fn = _unsupported(tr.name)
        found = self._trampolines[index] = self.store.host_func(
            ty, fn, name=getattr(tr, "name", None)
        )
        return found

    def _target(
        self, d: plan.LiftedFuncDef | plan.ImportFuncDef, caller: RuntimeInstance
    ) -> Callable[..., Any]:
        if isinstance(d, plan.ImportFuncDef):
            return self._host_func(d)
        resolved: list[Func] = []

        def adapter(*args: Any) -> Any:
            # component -> component: lifted from the caller, lowered into the callee
            if not resolved:
                resolved.append(self._func(d.index))
            return resolved[0].call_from(caller, args)

        return adapter


def _unsupported(what: str) -> Callable[..., Any]:
    def trap(*args: Any) -> Any:
        raise Trap(
            f"{what} is not supported by witkit (async and threads are not yet)", "unsupported"
        )

    return trap


class Exports(Mapping[str, Any]):
    """The exports of an instance (or of an exported instance), by name.

    Functions are ``Func`` objects; exported instances are ``Exports``; exported
    resource types are runtime ``ResourceType``s (a guest's calls its constructor,
    and its handles have its methods: ``witkit.runtime.resources``).  A versioned
    interface name also finds a semver-compatible export (``@0.2.0`` finds
    ``@0.2.3``).  Exports are attributes too, in snake case, an interface by its
    own name (``exports.kitchen.echo_person``); ``str()`` is their WIT.
    """

    def __init__(
        self,
        owner: Instance,
        defs: Mapping[str, plan.ExportDef],
        path: str,
        steps: tuple[str, ...] = (),
    ) -> None:
        self._owner = owner
        self._defs = {name: d for name, d in defs.items() if d is not None}
        self._path = path
        #: the export names leading here from the root (``path`` joins them)
        self._steps = steps
        self._cache: dict[str, Any] = {}
        #: snake-case attribute -> export name ("" when two exports share it)
        self._attrs: dict[str, str] | None = None

    def __getitem__(self, name: str) -> Any:
        found = self._cache.get(name)
        if found is not None:
            return found
        match = semver.lookup(self._defs, name)
        if match is None:
            where = f" of `{self._path}`" if self._path else ""
            known = ", ".join(sorted(self._defs)) or "none"
            raise KeyError(f"no export `{name}`{where} (exports: {known})")
        real, d = match
        value = self._resolve(real, d)
        self._cache[name] = value
        return value

    def _resolve(self, name: str, d: plan.ExportDef) -> Any:
        owner = self._owner
        if isinstance(d, plan.LiftedFuncDef):
            func = owner._func(d.index)
            if func.names is None:  # first found under this name: it is the function's
                declared = self._declared(name)
                func.name = f"{self._path}#{name}" if self._path else name
                func.names = owner._type_names()
                if isinstance(declared, FuncType):
                    func.declared = declared
                    owner._name_records(func.type, declared)
            return func
        if isinstance(d, plan.ImportFuncDef):
            return owner._host_func(d)
        if isinstance(d, plan.ResourceDef):
            rt = owner._rtypes[d.rid]
            if isinstance(rt, GuestResourceType) and rt.exports is None:
                rt.exports = self  # its constructor, methods and statics are here
            return rt
        if isinstance(d, plan.ImportValueDef | plan.StartValueDef):
            return owner._value(d)
        assert isinstance(d, dict)
        path = f"{self._path}/{name}" if self._path else name
        return Exports(owner, d, path, (*self._steps, name))

    def _declared(self, name: str | None = None) -> Any:
        """The type the component declares for export ``name`` here (None: for here)."""
        items: Any = self._owner.component.type.exports
        ty: Any = None
        for step in (*self._steps, name) if name is not None else self._steps:
            if items is None or step not in items:
                return None
            ty = items[step].ty
            items = getattr(ty, "exports", None)
        return ty

    def __getattr__(self, attr: str) -> Any:
        """``exports.kitchen.echo_person``: an export by its snake-case name; an interface
        (``ns:pkg/kitchen@1.0.0``) by its own name.  Mapping methods (``get``, ``keys``...)
        keep their meaning: use items for exports of those names."""
        if attr.startswith("_"):
            raise AttributeError(attr)
        if self._attrs is None:
            self._attrs = _attribute_names(self._defs)
        found = self._attrs.get(attr)
        if found is None:
            known = ", ".join(sorted(a for a, n in self._attrs.items() if n)) or "none"
            raise AttributeError(f"no export `{attr}` (as attributes: {known})")
        if not found:
            raise AttributeError(f"`{attr}` names more than one export: use exports[name]")
        return self[found]

    def __iter__(self) -> Iterator[str]:
        return iter(self._defs)

    def __len__(self) -> int:
        return len(self._defs)

    def __repr__(self) -> str:
        return f"<witkit.Exports {sorted(self._defs)}>"

    def __str__(self) -> str:
        """The exports as WIT declares them, one per line (an interface's nested)."""
        names = self._owner._type_names()
        ty = self._declared()
        if ty is not None:
            return f"{self._path}: {extern_text(ty, names)}"
        items = self._owner.component.type.exports
        return "\n".join(f"{n}: {extern_text(item.ty, names)}" for n, item in items.items())

    def funcs(self) -> Sequence[str]:
        """The names of the exported functions, in order."""
        return [
            n
            for n, d in self._defs.items()
            if isinstance(d, plan.LiftedFuncDef | plan.ImportFuncDef)
        ]


def _bind_resources(exports: Exports, defs: Mapping[str, plan.ExportDef]) -> None:
    """Tell each exported guest resource type where its functions are (found as an
    export, it binds itself), so handles have methods however they reached the host."""
    for name, d in defs.items():
        if isinstance(d, plan.ResourceDef):
            exports[name]
        elif isinstance(d, dict) and _has_resource(d):
            _bind_resources(exports[name], d)


def _has_resource(defs: Mapping[str, Any]) -> bool:
    return any(
        isinstance(d, plan.ResourceDef) or (isinstance(d, dict) and _has_resource(d))
        for d in defs.values()
    )


def _attribute_names(defs: Mapping[str, Any]) -> dict[str, str]:
    """Snake-case attribute names of exports: ``echo-person`` -> ``echo_person``,
    ``ns:pkg/kitchen@1.2.0`` -> ``kitchen``; resource functions (``[method]...``) are the
    resource's, not attributes here."""
    found: dict[str, str] = {}
    for name in defs:
        if name.startswith("["):
            continue
        short = name.rpartition("/")[2].partition("@")[0]
        attr = python_name(short)
        found[attr] = "" if attr in found and found[attr] != name else name
    return found


def _record_pairs(ty: FuncType, declared: FuncType) -> list[tuple[RecordType, Any]]:
    """(record type in ``ty``, the type at the same place in ``declared``), at any depth."""
    found: list[tuple[RecordType, Any]] = []
    seen: set[int] = set()
    todo: list[tuple[Any, Any]] = list(
        zip([t for _, t in ty.params], [t for _, t in declared.params], strict=False)
    )
    todo.append((ty.result, declared.result))
    while todo:
        t, d = todo.pop()
        if t is None or isinstance(t, str) or id(t) in seen or type(t) is not type(d):
            continue
        seen.add(id(t))
        if isinstance(t, RecordType):
            found.append((t, d))
        todo.extend(zip(_children(t), _children(d), strict=False))
    return found


def _children(t: Any) -> list[Any]:
    """The value types directly inside ``t`` (fields, cases, elements, payloads)."""
    if isinstance(t, RecordType):
        return [ft for _, ft in t.fields]
    cases = getattr(t, "cases", None)
    if cases is not None:
        return [ct for _, ct in cases]
    types = getattr(t, "types", None)
    if types is not None:
        return list(types)
    return [getattr(t, attr, None) for attr in ("element", "value", "ok", "err", "key")]
