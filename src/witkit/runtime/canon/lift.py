"""``canon lift``: a component function called from outside its instance (the host, or another instance).

CanonicalABI.md, ``canon_lift``, run synchronously.  The value conversions are
the ABI layer's (``witkit.abi.specialize.func_abi``, generated per function
type); this module adds the call around them: entering the instance, the
borrow scope, the task's context storage, ``post-return``, async results.

Rules:

* The instance-flag rules (may-enter, poisoning, call depth, exhaustion) are
  ``witkit.runtime.canon.flags``'s, nowhere else: the general path calls its
  functions, the fast paths inline its ``ONE_INSTANCE`` snippets.
* **Fast paths per shape.**  The common shapes (one instance to enter, no
  borrows, no context storage, not async) get a generated function
  (``witkit.abi.codegen.calls.lift_call``): integers checked inline, or the ABI's
  lower/lift with or without post-return.  ``Func.call`` is that function,
  ``Func.__call__`` forwards to it.
* The general path handles everything, including calls from another instance
  (``Func.call_from``, whose entering set excludes the caller's ancestors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from witkit.abi.codegen.calls import all_ints, build, lift_call
from witkit.abi.context import CanonicalOptions, Context
from witkit.abi.layout import contains_borrow
from witkit.abi.specialize import func_abi
from witkit.errors import Trap
from witkit.runtime.canon.flags import (
    EXHAUSTED,
    ONE_INSTANCE,
    SNIPPET_NAMESPACE,
    borrows_remain,
    enter,
    exhausted,
    leave,
    poison,
)
from witkit.runtime.canon.hooks import Hooks
from witkit.runtime.canon.task import AsyncTask, run_callback
from witkit.runtime.resources import ResourceType, Scope
from witkit.types import FuncType, TypeNames, func_text
from witkit.types import ResourceType as StaticResource

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = ["Func", "canon_lift"]


class Func:
    """A component function callable from Python: a ``canon lift`` of some instance.

    Arguments are Python values as ``witkit.abi.values`` describes; a wrong one
    raises ``TypeError`` naming the parameter and its WIT type.  ``call`` is the
    same function without the method-call indirection, for hot loops.
    """

    __slots__ = ("_from", "call", "declared", "name", "names", "resource_of", "type")

    def __init__(
        self,
        name: str,
        ty: FuncType,
        call: Callable[..., Any],
        call_from: Callable[[RuntimeInstance, Sequence[Any]], Any],
        resource_of: Callable[[StaticResource], ResourceType | None],
    ) -> None:
        self.name = name
        #: the WIT type, as validation resolved it in the defining component
        self.type = ty
        self.call = call
        self._from = call_from
        #: the runtime resource type of a resource named in ``type``
        self.resource_of = resource_of
        #: names of the types in ``type``, for ``str`` (set where the export is found)
        self.names: TypeNames | None = None
        #: the type as the component declares the export (its types carry the names)
        self.declared: FuncType | None = None

    def __call__(self, *args: Any) -> Any:
        return self.call(*args)

    def call_from(self, caller: RuntimeInstance, args: Sequence[Any]) -> Any:
        """A call from another component instance (entering set relative to ``caller``)."""
        return self._from(caller, args)

    def __repr__(self) -> str:
        return f"<witkit.Func {self}>"

    def __str__(self) -> str:
        """``name: func(p: point) -> point``, the function as WIT declares it."""
        return f"{self.name}: {func_text(self.declared or self.type, self.names)}"


def canon_lift(
    name: str,
    ty: FuncType,
    inst: RuntimeInstance,
    core: Callable[..., Any],
    nresults: int,
    opts: CanonicalOptions,
    hooks: Hooks,
    unsupported: str | None = None,
    is_async: bool = False,
    callback: Callable[..., Any] | None = None,
    memory: object = None,
) -> Func:
    """Build the call path of a lifted function (CanonicalABI.md ``canon_lift``).

    ``nresults``: the core function's flat results.  ``unsupported``: why a call
    traps instead (the function is still linkable).  ``is_async``: the result
    comes through ``task.return`` (``memory`` is the lift's memory option,
    compared with ``task.return``'s).
    """
    abi = func_abi(ty, opts)
    cx = Context(opts, hooks, inst.max_copy)
    lower_params = abi.lower_params
    lift_results = abi.lift_results
    post_return = opts.post_return
    has_borrows = contains_borrow(ty)
    depth = inst.depth
    keeps_storage = inst.storage is not None

    def invoke(entering: tuple[RuntimeInstance, ...], args: Sequence[Any]) -> Any:
        if unsupported is not None:
            raise Trap(f"calling `{name}`: {unsupported} is not supported", "unsupported")
        n = enter(entering, depth)
        if keeps_storage:
            # a new task: fresh context storage, which post-return still sees
            saved_storage = inst.storage
            inst.storage = [0, 0]
        saved = hooks.scope
        scope = hooks.scope = Scope() if has_borrows else None
        # Until the core function is called, only a Trap or exhaustion poisons: a host
        # value that fails to lower leaves the instance as it was (flags' rules).
        started = False
        try:
            flat = lower_params(cx, args)
            started = True
            if is_async:
                value = run_async(flat)
            else:
                result = core(*flat)
                if nresults == 0:
                    value = lift_results(cx, ())
                elif nresults == 1:
                    value = lift_results(cx, (result,))
                else:
                    value = lift_results(cx, result)
            if scope is not None and scope.num_borrows:
                raise borrows_remain(scope.num_borrows)
            if post_return is not None:
                inst.may_leave = False
                if nresults == 1:
                    post_return(result)
                elif nresults:
                    post_return(*result)
                else:
                    post_return()
                inst.may_leave = True
        except EXHAUSTED as e:
            hooks.scope = saved
            poison(entering, depth, n)
            raise exhausted(e) from None
        except BaseException as e:
            hooks.scope = saved
            if started or isinstance(e, Trap):
                poison(entering, depth, n)
            else:
                leave(entering, depth, n)
            raise
        hooks.scope = saved
        if keeps_storage:
            inst.storage = saved_storage
        leave(entering, depth, n)
        return value

    def run_async(flat: list[Any]) -> Any:
        task = AsyncTask(ty.result, opts.string_encoding, memory)
        saved_task = inst.task
        inst.task = task
        try:
            code = core(*flat)
            if callback is not None:
                run_callback(code, callback, name)
        finally:
            inst.task = saved_task
        if not task.returned:
            raise Trap(
                f"async-lifted export `{name}` failed to produce a result "
                "(it finished without calling `task.return`)",
                "no-task-return",
            )
        return task.value

    from_host = inst.entering(None)

    def general(*args: Any) -> Any:
        return invoke(from_host, args)

    call: Callable[..., Any] = general
    if (
        len(from_host) == 1
        and not has_borrows
        and not keeps_storage
        and not is_async
        and unsupported is None
    ):
        namespace = dict(SNIPPET_NAMESPACE, inst=inst, depth=depth, core=core)
        if post_return is None and all_ints(ty):
            source = lift_call(ONE_INSTANCE, ty, nresults, False)
            namespace["general"] = general
            where = f"<witkit call {' '.join(str(t) for _, t in ty.params)} -> {ty.result}>"
        else:
            source = lift_call(ONE_INSTANCE, None, nresults, post_return is not None)
            namespace.update(
                cx=cx, lower_params=lower_params, lift_results=lift_results, post_return=post_return
            )
            where = f"<witkit call {nresults}{' post-return' if post_return else ''}>"
        call = build(source, "call", where, namespace)

    def call_from(caller: RuntimeInstance, args: Sequence[Any]) -> Any:
        return invoke(inst.entering(caller), args)

    call.__name__ = call.__qualname__ = name
    return Func(name, ty, call, call_from, hooks.runtime)
