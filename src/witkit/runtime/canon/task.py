"""Tasks and the ``task.*``/``context.*``/``backpressure.*`` built-ins, run synchronously.

CanonicalABI.md, "Task State", ``canon_task_return``, ``canon_context_get``/``set``
and ``canon_backpressure_inc``/``dec``.

Rules (async, when nothing waits):

* ``canon lift ... async`` (with or without ``callback``) runs the core function
  to completion on the caller's stack (``canon_lift``); its result arrives
  through ``task.return`` into the instance's current ``AsyncTask``.  A
  callback's ``YIELD`` is answered at once with an empty event (``run_callback``);
  ``WAIT`` traps (there is nothing a synchronous runtime could wait for).
* ``canon lower ... async`` calls its callee to completion too and returns
  ``RETURNED`` with the result already stored, as the spec does for a callee
  that resolves before returning (``canon_lower``).
* ``task.return`` is a call out of the instance: it obeys ``may_leave``
  (``witkit.runtime.canon.flags``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.abi.context import CanonicalOptions, Context
from witkit.abi.limits import MAX_FLAT_ASYNC_PARAMS
from witkit.abi.specialize import func_abi
from witkit.errors import Trap
from witkit.runtime.canon.flags import check_leave
from witkit.runtime.canon.hooks import Hooks
from witkit.types import FuncType, ValType

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = [
    "CALLBACK_EXIT",
    "CALLBACK_WAIT",
    "CALLBACK_YIELD",
    "EVENT_NONE",
    "MAX_FLAT_ASYNC_PARAMS",
    "SUBTASK_RETURNED",
    "AsyncTask",
    "canon_task_return",
    "run_callback",
    "task_builtin",
]

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


def run_callback(code: int, callback: Callable[..., Any] | None, name: str) -> None:
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


def canon_task_return(
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
        check_leave(inst)
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
