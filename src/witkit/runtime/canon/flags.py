"""The instance-flag rules of a call, written once: may-enter, may-leave, poisoning, call depth.

CanonicalABI.md, "Component Instances" and ``canon_lift``/``canon_lower``: every
call into a component instance runs these rules, and so does every fast path.
They exist in two spellings, both here and nowhere else:

* **Functions** over an *entering set* (the spec's ``entering_set``: the callee
  and its ancestors, minus the caller's), for the general paths: ``enter``,
  ``leave``, ``poison``, ``check_leave``.
* **Source snippets** for one instance (``ONE_INSTANCE``), which the generated
  per-shape fast paths (``witkit.abi.codegen.calls``) inline, because a function
  call would cost a tenth of the whole call.  Each snippet does exactly what its
  function does for ``entering == (inst,)``; the names it uses are in
  ``SNIPPET_NAMESPACE`` plus ``inst`` and ``depth``, supplied by the caller.

The rules:

* **Entering.**  A call checks ``may_enter`` on every instance of the entering
  set (trap ``may-not-enter``, or ``instance-poisoned`` after a trap), then the
  store's ``CallDepth`` against ``MAX_CALL_DEPTH`` (trap ``call-depth``), and
  only then clears ``may_enter`` and counts the call.
* **Leaving normally**, or by a host-side error raised before any guest code ran
  (a wrong Python argument), restores ``may_enter`` and the depth.
* **Poisoning.**  A ``Trap``, or any exception that unwinds guest code, leaves
  the instances poisoned (``may_enter`` stays cleared): later calls trap too, as
  wasmtime does, since the guest's state is no longer trustworthy.  The depth is
  restored either way.
* **Exhaustion.**  ``MemoryError``/``RecursionError`` (``EXHAUSTED``) during a
  call poison too and become a ``Trap`` (rule ``resource-exhausted``,
  ``exhausted``): a guest can make the host fail a call, never raise those into
  the embedder.
* **May leave.**  Calls out of an instance (``canon lower``, the resource
  built-ins, ``task.return``) trap ``may-not-leave`` while its ``may_leave`` is
  cleared: during ``realloc`` and ``post-return``.  A hot host path may test
  ``inst.may_leave`` inline and hand the false case to the general path, which
  raises through ``check_leave``.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from witkit.abi.codegen.calls import Guard
from witkit.errors import Trap

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = [
    "EXHAUSTED",
    "MAX_CALL_DEPTH",
    "ONE_INSTANCE",
    "SNIPPET_NAMESPACE",
    "CallDepth",
    "borrows_remain",
    "cannot_enter",
    "cannot_leave",
    "check_leave",
    "enter",
    "exhausted",
    "leave",
    "poison",
    "too_deep",
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


# --------------------------------------------------------------------------- the traps


def too_deep() -> Trap:
    return Trap(
        f"calls into component instances nest more than {MAX_CALL_DEPTH} levels deep "
        "(witkit.runtime.canon.MAX_CALL_DEPTH)",
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


# --------------------------------------------------------------------------- the rules, as functions


def enter(entering: Sequence[RuntimeInstance], depth: CallDepth) -> int:
    """Enter ``entering`` (or trap); returns the depth to restore with ``leave``/``poison``."""
    for i in entering:
        if not i.may_enter:
            raise cannot_enter(i)
    n = depth.n
    if n >= MAX_CALL_DEPTH:
        raise too_deep()
    for i in entering:
        i.may_enter = False
    depth.n = n + 1
    return n


def leave(entering: Sequence[RuntimeInstance], depth: CallDepth, n: int) -> None:
    """The call returned (or failed before any guest code ran): the instances may be entered."""
    depth.n = n
    for i in entering:
        i.may_enter = True


def poison(entering: Sequence[RuntimeInstance], depth: CallDepth, n: int) -> None:
    """The call failed in guest code: the instances may never be entered again."""
    depth.n = n
    for i in entering:
        i.poisoned = True


def check_leave(inst: RuntimeInstance) -> None:
    """Trap unless ``inst`` may call out (not during its ``realloc`` or ``post-return``)."""
    if not inst.may_leave:
        raise cannot_leave()


# --------------------------------------------------------------------------- the rules, as source


#: the rules for one instance, inlined by the generated fast paths (each equals its
#: function above for ``entering == (inst,)``; ``enter`` leaves the old depth in ``n``)
ONE_INSTANCE = Guard(
    enter=(
        "if not inst.may_enter: raise cannot_enter(inst)\n"
        "n = depth.n\n"
        f"if n >= {MAX_CALL_DEPTH}: raise too_deep()\n"
        "inst.may_enter = False\n"
        "depth.n = n + 1\n"
    ),
    leave="depth.n = n\ninst.may_enter = True\n",
    poison="depth.n = n\ninst.poisoned = True\n",
    check_leave="if not inst.may_leave: raise cannot_leave()\n",
    # around post-return (a failure there poisons, so nothing needs a ``finally``)
    forbid_leave="inst.may_leave = False\n",
    permit_leave="inst.may_leave = True\n",
)

#: the names the snippets and their ``except`` clauses use, for the generated code's namespace
SNIPPET_NAMESPACE: dict[str, Any] = {
    "cannot_enter": cannot_enter,
    "cannot_leave": cannot_leave,
    "too_deep": too_deep,
    "exhausted": exhausted,
    "EXHAUSTED": EXHAUSTED,
    "Trap": Trap,
}
