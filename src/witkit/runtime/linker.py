"""The linker: what the host defines, matched once against a component's imports.

Definitions are plain Python: a function is any callable, an instance is a
mapping of names to definitions, a host resource type is a class.  Inside an
instance mapping, a resource class also serves its functions: the import
``[method]output-stream.write`` is the class's ``write`` (snake case),
``[static]r.make`` its ``make``, ``[constructor]r`` the class itself; a host
object is the rep of its handles, and its ``drop()`` method (if any) runs when
the guest drops an own handle to it.  An explicit entry named
``[method]output-stream.write`` wins over the class attribute.  Exports of
another instance (``Func``, ``Exports``, resource types) are definitions too.

Matching rules:

* **Names** match exactly, else by semver compatibility of interface names
  (``witkit.semver``): a host ``wasi:io/streams@0.2.0`` serves a guest's
  ``wasi:io/streams@0.2.9``.
* **Types.**  The spec's subtyping (Explainer.md, "Type Checking"): an instance
  definition must provide every function and resource of the imported instance
  type (it may provide more).  Plain Python callables carry no WIT type, so
  their types are checked on every call by the ABI instead; a ``Func`` of
  another component is checked structurally here, resources by identity.
* **Arity.**  A Python function's parameter count (``witkit._startup.arity``,
  read from its code object; defaults allow fewer) must fit the import's, so a
  wrong host fails at link time, not at the guest's first call.  Builtins and
  ``*args`` functions are not checked.
* **Interfaces of types only** (no functions, no resources) need no definition:
  nothing of them exists at run time.
* Every failure is collected, and one ``LinkError`` lists them all (its
  ``problems``), each naming the import, the missing or mismatched item and its
  WIT type, with a did-you-mean for a near miss (``logg`` for ``log``, a host
  ``@0.1.0`` for a guest's ``@0.2.0``): "import `witkit:js-bank/host@1.0.0`:
  missing function `log`: func(message: string) (did you mean `logg`?)".
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from witkit import _log, _startup, semver
from witkit.abi.values import python_name
from witkit.errors import LinkError, Trap
from witkit.runtime._typecheck import check_func
from witkit.runtime.canon.lift import Func
from witkit.runtime.component import Component
from witkit.runtime.core import Engine, Store
from witkit.runtime.instance import Instance, ResolvedImports
from witkit.runtime.resources import HostResourceType, ResourceType
from witkit.types import (
    ComponentType,
    FuncType,
    InstanceType,
    ModuleType,
    TypeExtern,
    TypeNames,
    ValueExtern,
    extern_text,
    func_text,
)
from witkit.types import (
    ResourceType as StaticResource,
)

if TYPE_CHECKING:  # the WASI host is only imported when add_wasi is called
    from witkit.wasi import WasiConfig, WasiContext

__all__ = ["Linker", "host_resource_type"]

_HOST_TYPES: weakref.WeakKeyDictionary[type, HostResourceType] = weakref.WeakKeyDictionary()


def host_resource_type(cls: type) -> HostResourceType:
    """The runtime resource type of a host class: one per class, wherever it is defined."""
    found = _HOST_TYPES.get(cls)
    if found is None:
        found = _HOST_TYPES[cls] = HostResourceType(cls)
    return found


def _annotation(name: str) -> tuple[str, str, str] | None:
    """``[method]r.m`` -> ("method", "r", "m"); ``[constructor]r`` -> ("constructor", "r", "")."""
    if not name.startswith("["):
        return None
    kind, _, rest = name[1:].partition("]")
    if kind == "constructor":
        return kind, rest, ""
    if kind in ("method", "static"):
        resource, _, member = rest.partition(".")
        return kind, resource, member
    return None


def _is_resource_def(value: object) -> bool:
    return isinstance(value, type | ResourceType)


class Linker:
    """Host definitions by name, and ``instantiate`` to run a component against them."""

    def __init__(self, engine: Engine, *, allow_shadowing: bool = False) -> None:
        self.engine = engine
        self.allow_shadowing = allow_shadowing
        self._defs: dict[str, Any] = {}
        #: names defined with ``typed=True``
        self._typed: set[str] = set()

    # ------------------------------------------------------------------ definitions

    def _define(self, name: str, value: Any) -> None:
        if name in self._defs and not self.allow_shadowing:
            raise LinkError(
                f"`{name}` is already defined (Linker(allow_shadowing=True) to replace)"
            )
        self._defs[name] = value

    def define_func(self, name: str, fn: Callable[..., Any], *, typed: bool = False) -> None:
        """A root function import; ``fn`` gets and returns Python values.

        ``typed=True``: parameters annotated with an ``enum.Enum``/``enum.Flag`` class
        get its members for WIT enums and flags, and such a result may be returned
        (``witkit.runtime._typed_host``); checked at link time.
        """
        if not callable(fn):
            raise TypeError(f"`{name}`: a function definition must be callable")
        self._define(name, fn)
        self._typed.discard(name)
        if typed:
            self._typed.add(name)

    def define_instance(self, name: str, items: Mapping[str, Any], *, typed: bool = False) -> None:
        """An instance import: functions, resource classes and nested instances by name.

        ``typed=True``: as for ``define_func``, for each of its functions.
        """
        if not isinstance(items, Mapping):
            raise TypeError(f"`{name}`: an instance definition must be a mapping")
        self._define(name, items)
        self._typed.discard(name)
        if typed:
            self._typed.add(name)

    def define_value(self, name: str, value: Any) -> None:
        """🪙 A root value import (for components using start functions with values)."""
        self._define(name, value)

    def define_resource(self, name: str, cls: type | ResourceType) -> None:
        """A root resource type import, implemented by the host class ``cls``."""
        if not _is_resource_def(cls):
            raise TypeError(f"`{name}`: a resource definition must be a class")
        self._define(name, cls)

    def add_wasi(self, config: WasiConfig | WasiContext) -> WasiContext:
        """Define the WASI 0.2 ``wasi:cli/imports`` world, with the grants of ``config``.

        A convenience: it is ``witkit.wasi.add_to_linker(self, config)``, a host built
        on this public API like any other (the runtime itself knows nothing of WASI,
        so the import happens here, on use).  Returns the live context, whose
        streams and clocks a host can inspect after the run.
        """
        from witkit.wasi import add_to_linker

        return add_to_linker(self, config)

    def define_unknown_imports_as_traps(self, component: Component) -> None:
        """Define what ``component`` imports and this linker lacks: functions that trap.

        Resource types get placeholder classes.  For tests and tools (``witkit wast``).
        """
        for spec in component.translation.imports:
            if semver.lookup(self._defs, spec.name) is not None:
                continue
            self._defs[spec.name] = _stub(spec.name, spec.item.ty)

    def __contains__(self, name: str) -> bool:
        return semver.lookup(self._defs, name) is not None

    # ------------------------------------------------------------------ instantiation

    def instantiate(
        self,
        component: Component,
        *,
        store: Store | None = None,
        max_copy: int | None = None,
        fuel: int | None = None,
        timeout: float | None = None,
        max_memory: int | None = None,
        max_table_elements: int | None = None,
        max_instances: int | None = None,
        max_tables: int | None = None,
        max_memories: int | None = None,
    ) -> Instance:
        """Instantiate ``component`` in ``store``, or in a new store with these limits.

        ``max_copy`` is the instance's: bytes of strings and lists one call may copy
        between host and guest (default ``witkit.abi.context.DEFAULT_MAX_COPY``,
        320 MiB); more traps with rule ``copy-limit``.  The others are the new
        ``Store``'s (None: no limit): ``fuel`` (needs an engine with
        ``consume_fuel``), ``timeout`` in seconds (needs ``epoch_interruption``),
        ``max_memory`` in bytes per linear memory, and the counts
        ``max_table_elements``, ``max_instances``, ``max_tables`` and ``max_memories``.
        """
        if component.engine is not self.engine:
            raise LinkError("the component was compiled by another engine")
        limits = (
            fuel,
            timeout,
            max_memory,
            max_table_elements,
            max_instances,
            max_tables,
            max_memories,
        )
        if store is not None and any(limit is not None for limit in limits):
            raise TypeError("give either a store or limits for a new one, not both")
        log = _log.get("instantiate", _log.LEVELS["info"])
        started = time.perf_counter() if log is not None else 0.0
        resolved = self.resolve(component)
        if store is None:
            store = Store(
                self.engine,
                fuel=fuel,
                timeout=timeout,
                max_memory=max_memory,
                max_table_elements=max_table_elements,
                max_instances=max_instances,
                max_tables=max_tables,
                max_memories=max_memories,
            )
        instance = Instance(component, store, resolved, max_copy)
        if log is not None:
            took = (time.perf_counter() - started) * 1000
            log.info("%s: linked and instantiated in %.1f ms", component.name or "component", took)
        return instance

    def resolve(self, component: Component) -> ResolvedImports:
        """Match every import of ``component`` to a definition (see the module docstring)."""
        t = component.translation
        funcs: list[dict[tuple[str, ...], Callable[..., Any]]] = []
        values: list[dict[tuple[str, ...], Any]] = []
        typed: list[tuple[str, FuncType, Func]] = []
        at_path: dict[int, dict[tuple[str, ...], ResourceType]] = {}
        problems: list[str] = []
        names = TypeNames()
        names.learn(component.type.imports, deep=True)
        for index, spec in enumerate(t.imports):
            ty = spec.item.ty
            funcs.append({})
            values.append({})
            at_path[index] = {}
            if isinstance(ty, TypeExtern) and not isinstance(ty.created, StaticResource):
                continue  # (eq T) of a value type: structural, nothing exists for it at run time
            found = semver.lookup(self._defs, spec.name)
            if found is None:
                if not _needs_definition(ty):
                    continue
                problems.append(
                    f"import `{spec.name}` is not defined ({_kind(ty)}): "
                    f"{extern_text(ty, names)}{_did_you_mean(spec.name, self._defs)}"
                )
                continue
            real, value = found
            if (log := _log.get("link")) is not None:
                how = "" if real == spec.name else f" `{real}`"
                log.debug("import `%s` <- defined%s (%s)", spec.name, how, type(value).__name__)
            walk = _Walk(spec.name, typed, problems, names, real in self._typed)
            walk.item(ty, value, (), self._defs)
            funcs[-1] = walk.funcs
            values[-1] = walk.values
            at_path[index] = walk.resources
        if problems:
            raise _link_error(problems)
        resources: dict[int, ResourceType] = {}
        for index, spec in enumerate(t.imports):
            for path, rid in spec.resources:
                rt = at_path[index].get(path)
                if rt is None:
                    where = "/".join(path)
                    problems.append(f"import `{spec.name}`: missing resource `{where}`")
                    continue
                known = resources.setdefault(rid, rt)
                if known is not rt:
                    problems.append(
                        f"import `{spec.name}`: resource `{'/'.join(path)}` must be the same "
                        f"type as `{known.name}`, got `{rt.name}`"
                    )
        if typed and not problems:
            static = _static_resources(component, resources)
            for where, want, func in typed:
                problem = check_func(func.type, func.resource_of, want, static.get)
                if problem is not None:
                    problems.append(f"{where}: type mismatch: {problem}")
        if problems:
            raise _link_error(problems)
        return ResolvedImports(funcs, resources, values)


def _link_error(problems: list[str]) -> LinkError:
    """One error for every problem: the first alone, or a count and the list."""
    if len(problems) == 1:
        return LinkError(problems[0], tuple(problems))
    lines = "\n".join("  " + p.replace("\n", "\n    ") for p in problems)
    return LinkError(f"{len(problems)} imports are not satisfied:\n{lines}", tuple(problems))


def _needs_definition(ty: object) -> bool:
    """Whether the host must define an import of ``ty``: not for an interface of plain types."""
    if isinstance(ty, InstanceType):
        return any(_needs_definition(item.ty) for item in ty.exports.values())
    if isinstance(ty, TypeExtern):
        return isinstance(ty.created, StaticResource)
    return True


def _did_you_mean(wanted: str, known: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for a near miss among ``known``: another version of the
    same interface, or a name a typo away; else nothing."""
    known = [k for k in known if isinstance(k, str) and k != wanted]
    base, version = semver.split_version(wanted)
    if version is not None:
        others = sorted(k for k in known if semver.split_version(k)[0] == base)
        if others:
            return f" (did you mean `{others[-1]}`? it does not serve `@{version}`)"
    import difflib  # only on the error path

    if "/" in base:  # an interface: a typo in its name, within the same package
        package, _, _ = base.rpartition("/")
        same = {semver.split_version(k)[0].rpartition("/")[2]: k for k in known}
        same = {i: k for i, k in same.items() if k.startswith(package + "/")}
        close = difflib.get_close_matches(base.rpartition("/")[2], same, n=1, cutoff=0.7)
        return f" (did you mean `{same[close[0]]}`?)" if close else ""
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.7)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _arity_problem(fn: Any, ty: FuncType) -> str | None:
    """Why ``fn`` cannot take the import's arguments, if its code object says so."""
    want = len(ty.params)
    most = _startup.arity(fn, method=False)
    if most is None or most == want:
        return None
    target = fn.__init__ if isinstance(fn, type) else fn  # type: ignore[misc]
    target = getattr(target, "__func__", target)
    while (inner := getattr(target, "__wrapped__", None)) is not None:
        target = inner
    optional = len(getattr(target, "__defaults__", None) or ())
    if most - optional <= want <= most:
        return None
    takes = f"{most - optional} to {most}" if optional else str(most)
    return f"takes {takes} argument{'' if most == 1 else 's'}, the import passes {want}"


def _static_resources(
    component: Component, resources: dict[int, ResourceType]
) -> dict[StaticResource, ResourceType]:
    """The root frame's static resource types -> the runtime types this linking chose."""
    rmap = component.translation.resource_maps[0]
    return {static: resources[rid] for static, rid in rmap.items() if rid in resources}


def _kind(ty: object) -> str:
    if isinstance(ty, FuncType):
        return "a function"
    if isinstance(ty, InstanceType):
        return "an instance"
    if isinstance(ty, TypeExtern):
        return "a type"
    if isinstance(ty, ComponentType):
        return "a component"
    if isinstance(ty, ModuleType):
        return "a core module"
    return "a value"


class _Walk:
    """Check one root import against its definition, collecting functions, resources and problems."""

    def __init__(
        self,
        name: str,
        typed: list[tuple[str, FuncType, Func]],
        problems: list[str],
        names: TypeNames,
        enums: bool = False,
    ) -> None:
        self.name = name
        #: defined with ``typed=True``: functions get enum classes where they ask
        self.enums = enums
        self.funcs: dict[tuple[str, ...], Callable[..., Any]] = {}
        self.resources: dict[tuple[str, ...], ResourceType] = {}
        self.values: dict[tuple[str, ...], Any] = {}
        self.typed = typed
        self.problems = problems
        self.names = names

    def fail(self, message: str) -> None:
        self.problems.append(f"import `{self.name}`: {message}")

    def item(self, ty: object, value: Any, path: tuple[str, ...], scope: Mapping[str, Any]) -> None:
        where = "/".join(path)
        if isinstance(ty, FuncType):
            if value is None or (_is_resource_def(value) and not path) or not callable(value):
                self.fail(
                    f"`{where or self.name}` must be a function "
                    f"({func_text(ty, self.names)}), got {value!r}"
                )
                return
            self.funcs[path] = value
            if isinstance(value, Func):
                self.typed.append(
                    (f"import `{self.name}`" + (f" `{where}`" if where else ""), ty, value)
                )
                return
            problem = _arity_problem(value, ty)
            if problem is not None:
                self.fail(f"`{where or self.name}` {problem}: {func_text(ty, self.names)}")
            elif self.enums:
                from witkit.runtime._typed_host import typed_host_func

                served = typed_host_func(value, ty)
                if isinstance(served, str):
                    self.fail(f"`{where or self.name}`: {served}: {func_text(ty, self.names)}")
                else:
                    self.funcs[path] = served
        elif isinstance(ty, InstanceType):
            if not isinstance(value, Mapping):
                self.fail(f"`{where or self.name}` must be an instance (a mapping), got {value!r}")
                return
            for name, export in ty.exports.items():
                self.member(export.ty, value, name, (*path, name))
        elif isinstance(ty, TypeExtern):
            if isinstance(ty.created, StaticResource):
                resource = self.resource(value, where or self.name)
                if resource is not None:
                    self.resources[path] = resource
        elif isinstance(ty, ComponentType | ModuleType):
            self.fail(f"importing {_kind(ty)} is not supported")
        elif isinstance(ty, ValueExtern):
            self.values[path] = value  # 🪙: any Python value; the ABI checks it when used

    def member(
        self, ty: object, items: Mapping[str, Any], name: str, path: tuple[str, ...]
    ) -> None:
        value = items.get(name)
        if value is None and isinstance(ty, FuncType):
            value = _resource_member(items, name)
        if value is None:
            if not _needs_definition(ty):
                return  # a plain type: nothing exists for it at run time
            what = {
                FuncType: "function",
                InstanceType: "instance",
                TypeExtern: "resource",
            }.get(type(ty), "item")
            self.fail(
                f"missing {what} `{'/'.join(path)}`: {extern_text(ty, self.names)}"  # type: ignore[arg-type]
                + _did_you_mean(name, items)
            )
            return
        self.item(ty, value, path, items)

    def resource(self, value: Any, where: str) -> ResourceType | None:
        if isinstance(value, ResourceType):
            return value
        if isinstance(value, type):
            return host_resource_type(value)
        self.fail(f"resource `{where}` must be a class, got {value!r}")
        return None


def _resource_member(items: Mapping[str, Any], name: str) -> Callable[..., Any] | None:
    """``[method]r.m`` etc. from the class defined for ``r`` in the same mapping."""
    parsed = _annotation(name)
    if parsed is None:
        return None
    kind, resource, member = parsed
    cls = items.get(resource)
    if not isinstance(cls, type):
        return None
    if kind == "constructor":
        return cls
    found = getattr(cls, python_name(member), None)
    return found if callable(found) else None


def _stub(name: str, ty: object) -> Any:
    """A definition of ``ty`` whose functions trap and whose resources are placeholders."""
    if isinstance(ty, FuncType):

        def trap(*args: Any) -> Any:
            raise Trap(f"called the undefined import `{name}`", "undefined-import")

        return trap
    if isinstance(ty, InstanceType):
        return {n: _stub(f"{name}/{n}", item.ty) for n, item in ty.exports.items()}
    if isinstance(ty, TypeExtern) and isinstance(ty.created, StaticResource):
        return _placeholder(ty.created)
    return None


#: validation's types are slotted (no weak references); placeholders are few and small
_PLACEHOLDERS: dict[StaticResource, type] = {}


def _placeholder(static: StaticResource) -> type:
    """One placeholder class per static resource (so eq-aliased imports agree)."""
    from witkit.types import root

    key = root(static)
    cls = _PLACEHOLDERS.get(key)
    if cls is None:
        cls = _PLACEHOLDERS[key] = type(f"Undefined_{python_name(key.name or 'resource')}", (), {})
    return cls
