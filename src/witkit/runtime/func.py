"""Calls across the component boundary: ``canon lift``, ``canon lower`` and the resource built-ins.

CanonicalABI.md, "Canonical Definitions", run synchronously.  The value
conversions are the ABI layer's (``witkit.abi.specialize.func_abi``, generated
per function type); this module adds what the runtime owns around them:

* **Entering.**  A call into a component instance checks ``may_enter`` on the
  spec's *entering set* (the callee and its ancestors, minus the caller's) and
  clears it for the duration of the call, so an instance on the stack cannot be
  re-entered (``Store.lift``).  A trap, or any exception that unwinds guest
  code, leaves the instance poisoned: later calls trap too, as wasmtime does,
  since the guest's state is no longer trustworthy.
* **Leaving.**  ``canon lower`` and the resource built-ins trap when the calling
  instance may not leave: during ``realloc`` and ``post-return``.
* **Borrows.**  Borrows lowered into a callee count against the call's
  ``Scope`` and must be dropped before it returns ("borrow handles still remain
  at the end of the call"); handles a caller lends are pinned (``num_lends``)
  until the call returns, and borrowed ``ResourceHandle``s given to the host die
  then.
* **Contexts are per site, not per call.**  A component instance cannot be
  re-entered while on the stack, so one ``Context`` (and one mutable borrow
  scope) per lift or lower site is enough; the scope is saved and restored
  around each call for the one legal nesting (a component calling its own
  lifted function through a lowered import).

* **Limits.**  Calls into component instances may nest (host -> guest -> host
  -> another instance ...) at most ``MAX_CALL_DEPTH`` deep per store; the call
  that would go deeper traps (rule ``call-depth``) before entering.  Host
  resources that run out during a call (``MemoryError``, ``RecursionError``)
  become a ``Trap`` (rule ``resource-exhausted``) at the boundary: a guest can
  make the host fail a call, never raise those into the embedder.  The bytes a
  call copies are limited by the ABI (``Context.max_copy``, set from the
  instance's ``max_copy``).

* **Async, when nothing waits.**  ``canon lift ... async`` (with or without
  ``callback``) runs the core function to completion on the caller's stack; its
  result arrives through ``task.return`` into the instance's current
  ``AsyncTask``.  A callback's ``YIELD`` is answered at once with an empty
  event; ``WAIT`` traps (there is nothing a synchronous runtime could wait
  for).  ``canon lower ... async`` calls its callee to completion too and
  returns ``RETURNED`` with the result already stored, as the spec does for a
  callee that resolves before returning.

The hot path of a call is a closure built once per function; ``Func.call`` is
that closure, ``Func.__call__`` forwards to it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from witkit.abi.codecache import compile_source
from witkit.abi.context import CanonicalOptions, Context
from witkit.abi.layout import contains_borrow, flatten_types
from witkit.abi.limits import MAX_FLAT_ASYNC_PARAMS
from witkit.abi.specialize import func_abi, type_abi
from witkit.errors import Trap
from witkit.runtime.resources import HandleEntry, ResourceType, Scope
from witkit.types import FuncType, TupleType, ValType, root
from witkit.types import ResourceType as StaticResource

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = [
    "MAX_CALL_DEPTH",
    "AsyncTask",
    "CallDepth",
    "Func",
    "Hooks",
    "LowerSite",
    "cannot_enter",
    "cannot_leave",
]

#: How deeply calls into component instances may nest in one store (a host function
#: calling an export of another instance, whose import calls the host again ...).
#: Every level holds a few native frames (ctypes, wasmtime) and ~7 Python frames: at
#: 100 levels that is ~700 of Python's default recursion limit of 1000, and stays under
#: wasmtime's default 512 KiB wasm stack (which this chain exhausted at ~120 levels).
#: Deeper chains would end in a ``RecursionError`` (reported by ctypes as an
#: ``ArgumentError``) or a native stack overflow; this limit traps cleanly first.
MAX_CALL_DEPTH = 100


class CallDepth:
    """The number of calls into component instances now on the stack (one per store)."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


def too_deep() -> Trap:
    return Trap(
        f"calls into component instances nest more than {MAX_CALL_DEPTH} levels deep "
        "(witkit.runtime.func.MAX_CALL_DEPTH)",
        "call-depth",
    )


def exhausted(exc: BaseException) -> BaseException:
    """The trap a host resource exhausted during a call becomes (``MemoryError``, recursion).

    ctypes reports a ``RecursionError`` met while converting a call's arguments as an
    ``ArgumentError`` naming it (and chaining nothing); any other ``ArgumentError`` is
    returned as it is, to be raised again.
    """
    if isinstance(exc, ctypes.ArgumentError) and "RecursionError" not in str(exc):
        return exc
    what = "memory" if isinstance(exc, MemoryError) else "Python stack (recursion limit)"
    return Trap(f"the host ran out of {what} during the call: {exc}", "resource-exhausted")


#: what ``exhausted`` converts: Python's resources running out in the middle of a call
EXHAUSTED = (MemoryError, RecursionError, ctypes.ArgumentError)


def cannot_enter(inst: RuntimeInstance) -> Trap:
    if inst.poisoned:
        return Trap(
            "cannot enter component instance: it trapped earlier and may be in an "
            "inconsistent state",
            "instance-poisoned",
        )
    return Trap(
        "cannot enter component instance: it is already on the call stack (reentrance)",
        "may-not-enter",
    )


def cannot_leave() -> Trap:
    return Trap(
        "cannot leave component instance: calls out are not allowed during "
        "`realloc` or `post-return`",
        "may-not-leave",
    )


def borrows_remain(count: int) -> Trap:
    return Trap(
        f"borrow handles still remain at the end of the call ({count} not dropped)",
        "borrow-outlives-call",
    )


# =========================================================================== handle hooks


class Hooks:
    """The ABI's ``ResourceHooks`` for one site: the instance's table, its resource map, a scope."""

    __slots__ = ("inst", "rmap", "rtypes", "scope", "table")

    def __init__(
        self,
        inst: RuntimeInstance,
        rmap: Mapping[StaticResource, int],
        rtypes: Sequence[ResourceType],
    ) -> None:
        self.inst = inst
        self.table = inst.handles
        self.rmap = rmap
        self.rtypes = rtypes
        self.scope: Scope | None = None

    def runtime(self, rt: StaticResource) -> ResourceType | None:
        """The runtime type of a (root) static resource type, if this site can see it."""
        rid = self.rmap.get(rt)
        return None if rid is None else self.rtypes[rid]

    def lower_own(self, rt: StaticResource, value: Any, /) -> int:
        want = self.rtypes[self.rmap[rt]]
        rep = want.from_host(value, True)
        return self.table.add(HandleEntry(want, rep, True))

    def lower_borrow(self, rt: StaticResource, value: Any, /) -> int:
        want = self.rtypes[self.rmap[rt]]
        rep = want.from_host(value, False)
        if getattr(want, "impl", None) is self.inst:
            return int(rep)
        scope = self.scope
        assert scope is not None, "a borrow is lowered outside of a call"
        scope.num_borrows += 1
        return self.table.add(HandleEntry(want, rep, False, scope))

    def lift_own(self, rt: StaticResource, index: int, /) -> Any:
        want = self.rtypes[self.rmap[rt]]
        entry = self.table.remove_own(index, want)
        return want.to_host_own(entry.rep)

    def lift_borrow(self, rt: StaticResource, index: int, /) -> Any:
        want = self.rtypes[self.rmap[rt]]
        # The table's checks inline (every stream write lifts a borrow); the
        # table itself raises the right trap for a bad index or type.
        array = self.table.array
        entry = array[index] if 0 < index < len(array) else None
        if entry is None or entry.rt is not want:
            entry = self.table.get(index, want)
        scope = self.scope
        assert scope is not None, "a borrow is lifted outside of a call"
        entry.num_lends += 1
        scope.lenders.append(entry)
        return want.to_host_borrow(entry.rep, scope)


# =========================================================================== async tasks

#: Subtask.State.RETURNED: an async-lowered call that finished before returning
SUBTASK_RETURNED = 2
#: CallbackCode of the spec (low four bits of a callback's result)
CALLBACK_EXIT, CALLBACK_YIELD, CALLBACK_WAIT = 0, 1, 2
#: EventCode.NONE: what a callback gets after a YIELD
EVENT_NONE = 0


class AsyncTask:
    """The current call of an ``async``-lifted function: where ``task.return`` puts the result."""

    __slots__ = ("encoding", "memory", "result", "returned", "value")

    def __init__(self, result: ValType | None, encoding: str, memory: object) -> None:
        self.result = result
        #: the lift's string encoding and memory: ``task.return``'s must be the same
        self.encoding = encoding
        self.memory = memory
        self.returned = False
        self.value: Any = None


def _run_callback(code: int, callback: Callable[..., Any] | None, name: str) -> None:
    """The spec's event loop for a callback that never has to wait."""
    while True:
        kind = code & 0xF
        if kind == CALLBACK_EXIT:
            return
        if kind > CALLBACK_WAIT:
            raise Trap(f"`{name}`: unsupported callback code {kind}", "bad-callback-code")
        if kind == CALLBACK_WAIT or callback is None:
            raise Trap(
                f"`{name}` waits on a waitable set: not supported by witkit (no async yet)",
                "unsupported",
            )
        code = callback(EVENT_NONE, 0, 0)


def task_return(
    inst: RuntimeInstance,
    result: ValType | None,
    opts: CanonicalOptions,
    hooks: Hooks,
    memory: object,
) -> Callable[..., None]:
    """``canon task.return``: lift the result of the instance's current async task."""
    cx = Context(opts, hooks, inst.max_copy)
    lift = func_abi(FuncType(() if result is None else (("v", result),), None), opts).lift_params

    def return_(*flat: Any) -> None:
        if not inst.may_leave:
            raise cannot_leave()
        task = inst.task
        if task is None:
            raise Trap("`task.return` called outside an async-lifted export", "no-async-task")
        if task.returned:
            raise Trap("`task.return` called more than once for current task", "task-returned")
        if task.result != result:
            raise Trap("`task.return`'s result type differs from the task's", "type-mismatch")
        if task.encoding != opts.string_encoding or task.memory != memory:
            raise Trap("`task.return`'s options differ from the task's", "options-mismatch")
        values = lift(cx, flat)
        task.value = values[0] if values else None
        task.returned = True

    return return_


# =========================================================================== lifted functions


class Func:
    """A component function callable from Python: a ``canon lift`` of some instance.

    Arguments are Python values as ``witkit.abi.values`` describes; a wrong one
    raises ``TypeError`` naming the parameter and its WIT type.  ``call`` is the
    same function without the method-call indirection, for hot loops.
    """

    __slots__ = ("_from", "call", "name", "resource_of", "type")

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

    def __call__(self, *args: Any) -> Any:
        return self.call(*args)

    def call_from(self, caller: RuntimeInstance, args: Sequence[Any]) -> Any:
        """A call from another component instance (entering set relative to ``caller``)."""
        return self._from(caller, args)

    def __repr__(self) -> str:
        return f"<witkit.Func {self.name}>"


def make_lift(
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

    ``is_async``: the result comes through ``task.return`` (``memory`` is the
    lift's memory option, compared with ``task.return``'s).
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
        for i in entering:
            if not i.may_enter:
                raise cannot_enter(i)
        n = depth.n
        if n >= MAX_CALL_DEPTH:
            raise too_deep()
        depth.n = n + 1
        try:
            return enter(entering, args)
        except EXHAUSTED as e:
            _poison(entering)
            raise exhausted(e) from None
        finally:
            depth.n = n

    def enter(entering: tuple[RuntimeInstance, ...], args: Sequence[Any]) -> Any:
        for i in entering:
            i.may_enter = False
        if keeps_storage:
            # a new task: fresh context storage, which post-return still sees
            saved_storage = inst.storage
            inst.storage = [0, 0]
        saved = hooks.scope
        scope = hooks.scope = Scope() if has_borrows else None
        try:
            flat = lower_params(cx, args)
        except Trap:
            _poison(entering)
            hooks.scope = saved
            raise
        except BaseException:
            _leave(entering)
            hooks.scope = saved
            raise
        try:
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
        except BaseException:
            _poison(entering)
            hooks.scope = saved
            raise
        hooks.scope = saved
        if keeps_storage:
            inst.storage = saved_storage
        _leave(entering)
        return value

    def run_async(flat: list[Any]) -> Any:
        task = AsyncTask(ty.result, opts.string_encoding, memory)
        saved_task = inst.task
        inst.task = task
        try:
            code = core(*flat)
            if callback is not None:
                _run_callback(code, callback, name)
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

    simple = (
        len(from_host) == 1
        and not has_borrows
        and not keeps_storage
        and not is_async
        and unsupported is None
    )
    call: Callable[..., Any]
    if simple and post_return is None and _all_ints(ty):
        call = _int_call(ty, inst, core, general)
    elif simple and post_return is None:
        call = _simple_call(inst, core, nresults, cx, lower_params, lift_results, depth)
    elif simple and nresults == 1 and post_return is not None:
        call = _post_return_call(inst, core, cx, lower_params, lift_results, post_return, depth)
    else:
        call = general

    def call_from(caller: RuntimeInstance, args: Sequence[Any]) -> Any:
        return invoke(inst.entering(caller), args)

    call.__name__ = call.__qualname__ = name
    return Func(name, ty, call, call_from, hooks.runtime)


def _simple_call(
    inst: RuntimeInstance,
    core: Callable[..., Any],
    nresults: int,
    cx: Context,
    lower_params: Callable[[Context, Sequence[Any]], list[Any]],
    lift_results: Callable[[Context, Sequence[Any]], Any],
    depth: CallDepth,
) -> Callable[..., Any]:
    """The common case, kept short: one instance to enter, no borrows, no post-return."""
    if nresults == 1:

        def call(*args: Any) -> Any:
            if not inst.may_enter:
                raise cannot_enter(inst)
            n = depth.n
            if n >= MAX_CALL_DEPTH:
                raise too_deep()
            inst.may_enter = False
            depth.n = n + 1
            try:
                flat = lower_params(cx, args)
            except Trap:
                depth.n = n
                inst.poisoned = True
                raise
            except EXHAUSTED as e:
                depth.n = n
                inst.poisoned = True
                raise exhausted(e) from None
            except BaseException:
                depth.n = n
                inst.may_enter = True
                raise
            try:
                value = lift_results(cx, (core(*flat),))
            except EXHAUSTED as e:
                depth.n = n
                inst.poisoned = True
                raise exhausted(e) from None
            except BaseException:
                depth.n = n
                inst.poisoned = True
                raise
            depth.n = n
            inst.may_enter = True
            return value

        return call

    def call_n(*args: Any) -> Any:
        if not inst.may_enter:
            raise cannot_enter(inst)
        n = depth.n
        if n >= MAX_CALL_DEPTH:
            raise too_deep()
        inst.may_enter = False
        depth.n = n + 1
        try:
            flat = lower_params(cx, args)
        except Trap:
            depth.n = n
            inst.poisoned = True
            raise
        except EXHAUSTED as e:
            depth.n = n
            inst.poisoned = True
            raise exhausted(e) from None
        except BaseException:
            depth.n = n
            inst.may_enter = True
            raise
        try:
            result = core(*flat)
            value = lift_results(cx, () if nresults == 0 else result)
        except EXHAUSTED as e:
            depth.n = n
            inst.poisoned = True
            raise exhausted(e) from None
        except BaseException:
            depth.n = n
            inst.poisoned = True
            raise
        depth.n = n
        inst.may_enter = True
        return value

    return call_n


def _post_return_call(
    inst: RuntimeInstance,
    core: Callable[..., Any],
    cx: Context,
    lower_params: Callable[[Context, Sequence[Any]], list[Any]],
    lift_results: Callable[[Context, Sequence[Any]], Any],
    post_return: Callable[..., Any],
    depth: CallDepth,
) -> Callable[..., Any]:
    """The shape of most real exports (a string or list comes back): ``_simple_call`` + post-return."""

    def call(*args: Any) -> Any:
        if not inst.may_enter:
            raise cannot_enter(inst)
        n = depth.n
        if n >= MAX_CALL_DEPTH:
            raise too_deep()
        inst.may_enter = False
        depth.n = n + 1
        try:
            flat = lower_params(cx, args)
        except Trap:
            depth.n = n
            inst.poisoned = True
            raise
        except EXHAUSTED as e:
            depth.n = n
            inst.poisoned = True
            raise exhausted(e) from None
        except BaseException:
            depth.n = n
            inst.may_enter = True
            raise
        try:
            result = core(*flat)
            value = lift_results(cx, (result,))
            inst.may_leave = False
            post_return(result)
            inst.may_leave = True
        except EXHAUSTED as e:
            depth.n = n
            inst.poisoned = True
            raise exhausted(e) from None
        except BaseException:
            depth.n = n
            inst.poisoned = True
            raise
        depth.n = n
        inst.may_enter = True
        return value

    return call


#: integer WIT types a generated fast path checks inline: (lowest, highest, result expression)
_INTS: dict[str, tuple[int, int, str]] = {
    "u8": (0, 0xFF, "r & 0xff"),
    "u16": (0, 0xFFFF, "r & 0xffff"),
    "u32": (0, 0xFFFF_FFFF, "r"),
    "u64": (0, 0xFFFF_FFFF_FFFF_FFFF, "r"),
    "s8": (-(2**7), 2**7 - 1, "((r & 0xff) ^ 0x80) - 0x80"),
    "s16": (-(2**15), 2**15 - 1, "((r & 0xffff) ^ 0x8000) - 0x8000"),
    "s32": (-(2**31), 2**31 - 1, "(r ^ 0x80000000) - 0x80000000"),
    "s64": (-(2**63), 2**63 - 1, "(r ^ 0x8000000000000000) - 0x8000000000000000"),
}


def _all_ints(ty: FuncType) -> bool:
    types = [t for _, t in ty.params]
    if ty.result is not None:
        types.append(ty.result)
    return all(isinstance(t, str) and t in _INTS for t in types)


def _int_call(
    ty: FuncType, inst: RuntimeInstance, core: Callable[..., Any], general: Callable[..., Any]
) -> Callable[..., Any]:
    """A generated call for signatures of integers only: checks inline, no ABI round trip.

    Anything unusual (wrong arity, a value out of range, an ``__index__`` object)
    falls back to ``general``, the ABI's path, which coerces or raises the proper
    ``TypeError``; the guest sees exactly the same core call either way.
    """
    names = [f"a{i}" for i in range(len(ty.params))]
    lines = ["def call(*args):"]
    if names:
        lines.append(f"    if len(args) != {len(names)}: return general(*args)")
        lines.append(f"    {', '.join(names)}, = args")
    else:
        lines.append("    if args: return general(*args)")
    for name, (_, t) in zip(names, ty.params, strict=True):
        lo, hi, _ = _INTS[t]  # type: ignore[index]
        lines.append(
            f"    if type({name}) is not int or not {lo} <= {name} <= {hi}: return general(*args)"
        )
    lines += [
        "    if not inst.may_enter: raise cannot_enter(inst)",
        "    n = depth.n",
        f"    if n >= {MAX_CALL_DEPTH}: raise too_deep()",
        "    inst.may_enter = False",
        "    depth.n = n + 1",
        "    try:",
        f"        r = core({', '.join(names)})",
        "    except EXHAUSTED as e:",
        "        depth.n = n",
        "        inst.poisoned = True",
        "        raise exhausted(e) from None",
        "    except BaseException:",
        "        depth.n = n",
        "        inst.poisoned = True",
        "        raise",
        "    depth.n = n",
        "    inst.may_enter = True",
    ]
    result = "None" if ty.result is None else _INTS[ty.result][2]  # type: ignore[index]
    lines.append(f"    return {result}")
    namespace: dict[str, Any] = {
        "inst": inst,
        "core": core,
        "general": general,
        "cannot_enter": cannot_enter,
        "depth": inst.depth,
        "too_deep": too_deep,
        "exhausted": exhausted,
        "EXHAUSTED": EXHAUSTED,
    }
    exec(compile_source("\n".join(lines) + "\n", f"<witkit call {ty.params}>"), namespace)
    fast: Callable[..., Any] = namespace["call"]
    return fast


#: the lifted value of a core integer (unsigned, as the core layer gives it) per WIT type
_LIFT_INT: dict[str, str] = {
    "u8": "{} & 0xff",
    "u16": "{} & 0xffff",
    "u32": "{}",
    "u64": "{}",
    "s8": "(({} & 0xff) ^ 0x80) - 0x80",
    "s16": "(({} & 0xffff) ^ 0x8000) - 0x8000",
    "s32": "({} ^ 0x80000000) - 0x80000000",
    "s64": "({} ^ 0x8000000000000000) - 0x8000000000000000",
}


def _int_lower(
    ty: FuncType,
    inst: RuntimeInstance,
    target: Callable[..., Any],
    cx: Context,
    lower_results: Callable[[Context, Any, Sequence[Any]], list[Any]],
) -> Callable[..., Any]:
    """A generated guest -> host trampoline for integer-only signatures.

    Arguments are lifted inline; a result out of range goes through the ABI's
    ``lower_results``, which raises the host's ``TypeError`` naming it.
    """
    names = [f"a{i}" for i in range(len(ty.params))]
    lifted = [_LIFT_INT[t].format(n) for n, (_, t) in zip(names, ty.params, strict=True)]  # type: ignore[index]
    lines = [
        f"def trampoline({', '.join(names)}):",
        "    if not inst.may_leave: raise cannot_leave()",
        f"    r = target({', '.join(lifted)})",
    ]
    if ty.result is None:
        lines.append("    if r is not None: lower_results(cx, r, ())")
        lines.append("    return None")
    else:
        lo, hi, _ = _INTS[ty.result]  # type: ignore[index]
        lines.append(
            f"    if type(r) is not int or not {lo} <= r <= {hi}: "
            f"r, = lower_results(cx, r, ({', '.join(names)}{',' if names else ''}))"
        )
        lines.append("    return r")
    namespace: dict[str, Any] = {
        "inst": inst,
        "target": target,
        "cx": cx,
        "lower_results": lower_results,
        "cannot_leave": cannot_leave,
    }
    exec(compile_source("\n".join(lines) + "\n", f"<witkit import {ty.params}>"), namespace)
    fast: Callable[..., Any] = namespace["trampoline"]
    return fast


def _poison(entering: tuple[RuntimeInstance, ...]) -> None:
    for i in entering:
        i.poisoned = True


def _leave(entering: tuple[RuntimeInstance, ...]) -> None:
    for i in entering:
        i.may_enter = True


# =========================================================================== lowered functions


def make_lower(
    name: str,
    ty: FuncType,
    inst: RuntimeInstance,
    target: Callable[..., Any],
    opts: CanonicalOptions,
    hooks: Hooks,
    nresults: int,
    is_async: bool = False,
) -> Callable[..., Any]:
    """The core function a guest calls for an import (CanonicalABI.md ``canon_lower``).

    ``target`` takes the lifted arguments and returns the value to lower: a host
    callable, or (component to component) a ``Func.call_from`` bound to the caller.
    """
    abi = func_abi(ty, opts)
    cx = Context(opts, hooks, inst.max_copy)
    lift_params = abi.lift_params
    lower_results = abi.lower_results
    has_borrows = contains_borrow(ty)

    if is_async:
        # the result never travels flat here, so the arguments are lifted as if there were none
        params_only = func_abi(FuncType(ty.params, None), opts).lift_params
        trampoline = _async_lower(ty, inst, target, opts, cx, hooks, params_only)
    elif _all_ints(ty):
        trampoline = _int_lower(ty, inst, target, cx, lower_results)
    elif not has_borrows:

        def trampoline(*flat: Any) -> Any:
            if not inst.may_leave:
                raise cannot_leave()
            out = lower_results(cx, target(*lift_params(cx, flat)), flat)
            if nresults == 1:
                return out[0]
            return out if nresults else None

    else:

        def trampoline(*flat: Any) -> Any:
            if not inst.may_leave:
                raise cannot_leave()
            saved = hooks.scope
            scope = hooks.scope = Scope()
            try:
                args = lift_params(cx, flat)
                out = lower_results(cx, target(*args), flat)
            finally:
                scope.end()
                hooks.scope = saved
            if nresults == 1:
                return out[0]
            return out if nresults else None

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
        if not inst.may_leave:
            raise cannot_leave()
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


# =========================================================================== resource built-ins


def resource_new(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], int]:
    table = inst.handles

    def new(rep: int) -> int:
        if not inst.may_leave:
            raise cannot_leave()
        return table.add(HandleEntry(rt, rep, True))

    return new


def resource_drop(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], None]:
    table = inst.handles

    def drop(index: int) -> None:
        if not inst.may_leave:
            raise cannot_leave()
        entry = table.get(index, rt)
        if entry.num_lends:
            raise Trap("cannot remove owned resource while borrowed", "handle-lent")
        table.remove(index, rt)
        if entry.own:
            rt.destroy(entry.rep, inst)
        elif entry.scope is not None:
            entry.scope.num_borrows -= 1

    return drop


def resource_rep(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], int]:
    table = inst.handles

    def rep(index: int) -> int:
        return int(table.get(index, rt).rep)

    return rep


def task_builtin(name: str, inst: RuntimeInstance, slot: int) -> Callable[..., Any]:
    """``context.get``/``context.set``/``backpressure.inc``/``backpressure.dec`` (sync only)."""
    if name == "context.get":

        def get() -> int:
            storage = inst.storage
            return 0 if storage is None else storage[slot]

        return get
    if name == "context.set":

        def set_(value: int) -> None:
            if inst.storage is None:
                inst.storage = [0, 0]
            inst.storage[slot] = value

        return set_
    if name == "backpressure.inc":

        def inc() -> None:
            inst.backpressure += 1
            if inst.backpressure >= 2**16:
                raise Trap("backpressure counter overflow", "backpressure-overflow")

        return inc

    def dec() -> None:
        inst.backpressure -= 1
        if inst.backpressure < 0:
            raise Trap("backpressure counter underflow", "backpressure-underflow")

    return dec


def make_dtor(
    impl: RuntimeInstance, core: Callable[..., Any] | None
) -> Callable[[RuntimeInstance | None, int], None]:
    """A guest destructor called as the spec does: lifted in ``impl``, entered from the dropper.

    Without a destructor the entering checks still apply (the spec lifts a no-op).
    """

    depth = impl.depth

    def dtor(caller: RuntimeInstance | None, rep: int) -> None:
        entering = impl.entering(caller)
        for i in entering:
            if not i.may_enter:
                raise cannot_enter(i)
        n = depth.n
        if n >= MAX_CALL_DEPTH:
            raise too_deep()
        for i in entering:
            i.may_enter = False
        depth.n = n + 1
        try:
            if core is not None:
                core(rep)
        except EXHAUSTED as e:
            _poison(entering)
            raise exhausted(e) from None
        except BaseException:
            _poison(entering)
            raise
        finally:
            depth.n = n
        _leave(entering)

    return dtor
