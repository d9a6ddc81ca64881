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
* Every failure is a ``LinkError`` naming the import and the missing or
  mismatched item: "import `wasi:io/streams@0.2.0`: missing function
  `[method]output-stream.write`".
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from witkit import _log, semver
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
    ValueExtern,
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

    # ------------------------------------------------------------------ definitions

    def _define(self, name: str, value: Any) -> None:
        if name in self._defs and not self.allow_shadowing:
            raise LinkError(
                f"`{name}` is already defined (Linker(allow_shadowing=True) to replace)"
            )
        self._defs[name] = value

    def define_func(self, name: str, fn: Callable[..., Any]) -> None:
        """A root function import; ``fn`` gets and returns Python values."""
        if not callable(fn):
            raise TypeError(f"`{name}`: a function definition must be callable")
        self._define(name, fn)

    def define_instance(self, name: str, items: Mapping[str, Any]) -> None:
        """An instance import: functions, resource classes and nested instances by name."""
        if not isinstance(items, Mapping):
            raise TypeError(f"`{name}`: an instance definition must be a mapping")
        self._define(name, items)

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
        for index, spec in enumerate(t.imports):
            ty = spec.item.ty
            if isinstance(ty, TypeExtern) and not isinstance(ty.created, StaticResource):
                # (eq T) of a value type: structural, nothing exists for it at run time
                funcs.append({})
                values.append({})
                at_path[index] = {}
                continue
            found = semver.lookup(self._defs, spec.name)
            if found is None and isinstance(ty, ValueExtern):
                raise LinkError(f"import `{spec.name}` is not defined (a value)")
            if found is None:
                raise LinkError(f"import `{spec.name}` is not defined ({_kind(spec.item.ty)})")
            defined, value = found
            if (log := _log.get("link")) is not None:
                how = "" if defined == spec.name else f" `{defined}`"
                log.debug("import `%s` <- defined%s (%s)", spec.name, how, type(value).__name__)
            walk = _Walk(spec.name, typed)
            walk.item(spec.item.ty, value, (), self._defs)
            funcs.append(walk.funcs)
            values.append(walk.values)
            at_path[index] = walk.resources
        resources: dict[int, ResourceType] = {}
        for index, spec in enumerate(t.imports):
            for path, rid in spec.resources:
                rt = at_path[index].get(path)
                if rt is None:
                    where = "/".join(path)
                    raise LinkError(f"import `{spec.name}`: missing resource `{where}`")
                known = resources.setdefault(rid, rt)
                if known is not rt:
                    raise LinkError(
                        f"import `{spec.name}`: resource `{'/'.join(path)}` must be the same "
                        f"type as `{known.name}`, got `{rt.name}`"
                    )
        if typed:
            static = _static_resources(component, resources)
            for where, want, func in typed:
                problem = check_func(func.type, func.resource_of, want, static.get)
                if problem is not None:
                    raise LinkError(f"{where}: type mismatch: {problem}")
        return ResolvedImports(funcs, resources, values)


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
    """Check one root import against its definition, collecting functions and resources."""

    def __init__(self, name: str, typed: list[tuple[str, FuncType, Func]]) -> None:
        self.name = name
        self.funcs: dict[tuple[str, ...], Callable[..., Any]] = {}
        self.resources: dict[tuple[str, ...], ResourceType] = {}
        self.values: dict[tuple[str, ...], Any] = {}
        self.typed = typed

    def fail(self, message: str) -> LinkError:
        return LinkError(f"import `{self.name}`: {message}")

    def item(self, ty: object, value: Any, path: tuple[str, ...], scope: Mapping[str, Any]) -> None:
        where = "/".join(path)
        if isinstance(ty, FuncType):
            if value is None or (_is_resource_def(value) and not path) or not callable(value):
                raise self.fail(f"`{where or self.name}` must be a function, got {value!r}")
            self.funcs[path] = value
            if isinstance(value, Func):
                self.typed.append(
                    (f"import `{self.name}`" + (f" `{where}`" if where else ""), ty, value)
                )
        elif isinstance(ty, InstanceType):
            if not isinstance(value, Mapping):
                raise self.fail(
                    f"`{where or self.name}` must be an instance (a mapping), got {value!r}"
                )
            for name, export in ty.exports.items():
                self.member(export.ty, value, name, (*path, name))
        elif isinstance(ty, TypeExtern):
            if isinstance(ty.created, StaticResource):
                self.resources[path] = self.resource(value, where or self.name)
        elif isinstance(ty, ComponentType | ModuleType):
            raise self.fail(f"importing {_kind(ty)} is not supported")
        elif isinstance(ty, ValueExtern):
            self.values[path] = value  # 🪙: any Python value; the ABI checks it when used

    def member(
        self, ty: object, items: Mapping[str, Any], name: str, path: tuple[str, ...]
    ) -> None:
        value = items.get(name)
        if value is None and isinstance(ty, FuncType):
            value = _resource_member(items, name)
        if value is None:
            if isinstance(ty, TypeExtern) and not isinstance(ty.created, StaticResource):
                return  # a plain type: nothing exists for it at run time
            what = {
                FuncType: "function",
                InstanceType: "instance",
                TypeExtern: "resource",
            }.get(type(ty), "item")
            raise self.fail(f"missing {what} `{'/'.join(path)}`")
        self.item(ty, value, path, items)

    def resource(self, value: Any, where: str) -> ResourceType:
        if isinstance(value, ResourceType):
            return value
        if isinstance(value, type):
            return host_resource_type(value)
        raise self.fail(f"resource `{where}` must be a class, got {value!r}")


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
