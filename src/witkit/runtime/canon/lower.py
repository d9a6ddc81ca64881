"""``canon lower``: the core function a guest calls for an import (a host function or another instance's).

CanonicalABI.md, ``canon_lower``, run synchronously.  The value conversions are
the ABI layer's (``witkit.abi.specialize.func_abi``); this module adds the call
around them.

Rules:

* A call out of an instance obeys ``may_leave`` (``witkit.runtime.canon.flags``:
  ``check_leave``, or its ``ONE_INSTANCE.check_leave`` snippet in generated code).
* **Borrows** lifted from the guest's arguments live in a fresh ``Scope`` that
  ends when the callee returns (``witkit.runtime.canon.hooks``).
* **Fast paths per shape.**  Integer-only signatures and signatures without
  borrows get a generated trampoline (``witkit.abi.codegen.calls.lower_call``).
* **A host function's own lowering.**  A host callable may carry
  ``__witkit_lower__``, which is given the ``LowerSite`` and may return a
  core-level implementation of its own (see ``LowerSite``).
* ``canon lower ... async`` calls its callee to completion and returns
  ``RETURNED`` (``witkit.runtime.canon.task``).
* **A host function's failure is a trap.**  Whatever a host function raises
  (other than a ``Trap``, which passes as it is, and exhaustion, which the
  lifting side turns into its own trap) unwinds the guest and reaches the
  caller as ``Trap`` rule ``host-error``, naming the import, with the host's
  exception as ``__cause__``; so is a result that does not fit the import's WIT
  type, or a value returned by an import without a result.  The guest was
  unwound midway, so its instance is poisoned either way: one rule, "catching
  ``Trap`` catches everything that poisons an instance".  A ``BaseException``
  that is not an ``Exception`` (an interrupt, ``SystemExit``) passes unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from witkit.abi.codegen.calls import all_ints, build, lower_call
from witkit.abi.context import CanonicalOptions, Context
from witkit.abi.layout import contains_borrow, flatten_types
from witkit.abi.specialize import func_abi, type_abi
from witkit.errors import Trap
from witkit.runtime.canon.flags import EXHAUSTED, ONE_INSTANCE, SNIPPET_NAMESPACE, check_leave
from witkit.runtime.canon.hooks import Hooks
from witkit.runtime.canon.task import MAX_FLAT_ASYNC_PARAMS, SUBTASK_RETURNED
from witkit.runtime.resources import ResourceType, Scope
from witkit.types import FuncType, TupleType, root

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = ["LowerSite", "canon_lower", "host_error"]


def host_error(
    where: str, exc: BaseException | None, *, returned: bool = False, value: object = None
) -> Trap:
    """The trap of a failed host function (see the module rules).

    ``where`` names the import and its WIT type (```f` of import `a:b/c```);
    ``exc`` is what the host raised, or (``returned``) why its result ``value``
    did not lower; ``exc`` None: ``value`` came from an import without a result.
    """
    if not returned:
        what = f"raised {type(exc).__name__}: {exc}"
    elif exc is None:
        what = f"returned {value!r} from a function without a result"
    else:
        what = f"returned a value that does not fit: {exc}"
    return Trap(f"host function {where} {what}", "host-error")


def canon_lower(
    name: str,
    ty: FuncType,
    inst: RuntimeInstance,
    target: Callable[..., Any],
    opts: CanonicalOptions,
    hooks: Hooks,
    nresults: int,
    is_async: bool = False,
    host: Callable[[], str] | None = None,
) -> Callable[..., Any]:
    """The core function a guest calls for an import (CanonicalABI.md ``canon_lower``).

    ``target`` takes the lifted arguments and returns the value to lower: a host
    callable, or (component to component) a ``Func.call_from`` bound to the caller.
    ``host`` is given when ``target`` is a host function: it describes the import
    (its name and WIT type, computed only when a message needs it), and the
    host's failures become traps (the module rules).
    """
    abi = func_abi(ty, opts)
    cx = Context(opts, hooks, inst.max_copy)
    lift_params = abi.lift_params
    lower_results = abi.lower_results

    def host_raised(exc: BaseException) -> Trap:
        assert host is not None
        return host_error(host(), exc)

    def bad_result(value: object, exc: BaseException | None) -> Trap:
        assert host is not None
        return host_error(host(), exc, returned=True, value=value)

    def call_host(args: Sequence[Any]) -> Any:
        """``target(*args)`` with the host's failures as traps (the general paths)."""
        try:
            value = target(*args)
        except (Trap, *EXHAUSTED):
            raise
        except Exception as e:
            if host is None:
                raise
            raise host_raised(e) from e
        if value is not None and ty.result is None and host is not None:
            raise bad_result(value, None)
        return value

    def lower_host(value: Any, flat: Sequence[Any]) -> Any:
        """``lower_results`` with a value that does not fit as the host's trap."""
        try:
            return lower_results(cx, value, flat)
        except (Trap, *EXHAUSTED):
            raise
        except Exception as e:
            if host is None:
                raise
            raise bad_result(value, e) from e

    trampoline: Callable[..., Any]
    if is_async:
        # the result never travels flat here, so the arguments are lifted as if there were none
        params_only = func_abi(FuncType(ty.params, None), opts).lift_params
        trampoline = _async_lower(
            ty, inst, lambda *args: call_host(args), opts, cx, hooks, params_only
        )
    elif contains_borrow(ty):

        def trampoline(*flat: Any) -> Any:
            check_leave(inst)
            saved = hooks.scope
            scope = hooks.scope = Scope()
            try:
                args = lift_params(cx, flat)
                out = lower_host(call_host(args), flat)
            finally:
                scope.end()
                hooks.scope = saved
            if nresults == 1:
                return out[0]
            return out if nresults else None

    else:
        namespace = dict(SNIPPET_NAMESPACE, inst=inst, target=target, cx=cx)
        namespace.update(lift_params=lift_params, lower_results=lower_results)
        namespace.update(host_raised=host_raised, bad_result=bad_result)
        wraps = host is not None
        if all_ints(ty):
            source = lower_call(ONE_INSTANCE, ty, nresults, wraps)
            where = f"<witkit import {' '.join(str(t) for _, t in ty.params)} -> {ty.result}>"
        else:
            source = lower_call(ONE_INSTANCE, None, nresults, wraps, ty.result is None)
            where = f"<witkit import {nresults}>"
        trampoline = build(source, "trampoline", where, namespace)

    raw = getattr(target, "__witkit_lower__", None)
    if raw is not None and not is_async:
        site = LowerSite(name, ty, inst, cx, hooks, trampoline, lower_results)
        trampoline = raw(site) or trampoline
    trampoline.__name__ = trampoline.__qualname__ = name
    return trampoline


class LowerSite:
    """What a host function's own lowering is given (``__witkit_lower__``, see below).

    A host callable may carry ``__witkit_lower__``: a function that takes this
    site and returns the core-level implementation of the import (flat core
    arguments in, flat results out), or ``None`` for the general one.  It exists
    for the few host calls a guest makes tens of thousands of times (a stream
    write per 4 KiB of output), where lifting into Python values and lowering the
    ``result`` back costs more than the work.  The contract: it must behave
    exactly as ``general`` would, and it may hand any case it does not handle
    itself (a bad handle, an out-of-bounds pointer, a failure) to ``general`` or
    store a value with ``lower_result``, as long as nothing was done twice.

    The instance-flag rule it must keep (``witkit.runtime.canon.flags``): nothing
    happens while the caller may not leave.  Call ``check_leave()`` first, or,
    where a method call costs too much, test ``inst.may_leave`` inline and hand
    the false case to ``general``, which traps ``may-not-leave``.
    """

    __slots__ = ("cx", "general", "hooks", "inst", "lower_result", "name", "ty")

    def __init__(
        self,
        name: str,
        ty: FuncType,
        inst: RuntimeInstance,
        cx: Context,
        hooks: Hooks,
        general: Callable[..., Any],
        lower_results: Callable[[Context, Any, Sequence[Any]], Any],
    ) -> None:
        self.name = name
        self.ty = ty
        #: the calling instance (``may_leave``) and its handle table (``inst.handles``)
        self.inst = inst
        #: the site's context: ``cx.memory()`` is the guest memory's current view
        self.cx = cx
        self.hooks = hooks
        #: the general implementation, with every check and trap of the spec
        self.general = general

        def lower_result(value: Any, flat: Sequence[Any]) -> None:
            lower_results(cx, value, flat)

        #: store a result value as the general path would (``flat``: the core arguments)
        self.lower_result = lower_result

    def check_leave(self) -> None:
        """Trap ``may-not-leave`` unless the calling instance may call out now."""
        check_leave(self.inst)

    def resource(self, index: int) -> ResourceType | None:
        """The runtime type of the handle in parameter ``index``, if it is one."""
        t = self.ty.params[index][1]
        static = getattr(t, "resource", None)
        return None if static is None else self.hooks.runtime(root(static))


def _async_lower(
    ty: FuncType,
    inst: RuntimeInstance,
    target: Callable[..., Any],
    opts: CanonicalOptions,
    cx: Context,
    hooks: Hooks,
    lift_params: Callable[[Context, Sequence[Any]], list[Any]],
) -> Callable[..., int]:
    """``canon lower ... async`` of a callee that always finishes before returning.

    Parameters beyond ``MAX_FLAT_ASYNC_PARAMS`` flat values arrive as a pointer
    to their tuple; the result is always stored through the trailing pointer
    (the spec's ``lower_flat_values`` with a limit of 0); the status is
    ``RETURNED`` with no subtask handle.
    """
    types = [t for _, t in ty.params]
    nflat = len(flatten_types(types, opts.addrtype))
    spilled = nflat > MAX_FLAT_ASYNC_PARAMS
    load_params = type_abi(TupleType(tuple(types)), opts).load if spilled else None
    store_result = None if ty.result is None else type_abi(ty.result, opts).store
    nparams = 1 if spilled else nflat
    has_borrows = contains_borrow(ty)

    def trampoline(*flat: Any) -> int:
        check_leave(inst)
        saved = hooks.scope
        scope = hooks.scope = Scope() if has_borrows else None
        try:
            if load_params is not None:
                args = list(load_params(cx, flat[0]))
            else:
                args = lift_params(cx, flat[:nparams])
            value = target(*args)
            if store_result is not None:
                store_result(cx, value, flat[nparams])
        finally:
            if scope is not None:
                scope.end()
            hooks.scope = saved
        return SUBTASK_RETURNED

    return trampoline
