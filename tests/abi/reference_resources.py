"""The spec's handle tables as a test model: ``Table``, ``ResourceHandle`` and borrow scopes.

witkit's one handle table is ``witkit.runtime.resources.HandleTable``: the
runtime's, with host-side handles and a ``Scope`` per call.  This module is a
second, deliberately plain rendering of CanonicalABI.md's "Table State" and
"Resource State", kept with the tests so the ABI's ``ResourceHooks`` can be
exercised without a runtime and against the spec's own shapes.

One ``InstanceHandles`` per component instance holds its handle table and
implements the canonical built-ins on it (``resource.new``, ``resource.rep``,
``resource.drop``) and the four handle operations of the ABI (``lift_own``,
``lift_borrow``, ``lower_own``, ``lower_borrow``).  A call gets a borrow scope:

* ``Task`` for a call *into* the instance (``canon lift``, an export): the
  borrows it lowers into the instance are counted in ``num_borrows``; they must
  all be dropped before the callee returns (``Task.return_`` traps otherwise).
* ``Subtask`` for a call *out of* the instance (``canon lower``, an import):
  each handle it lends from (``lift_borrow``) has ``num_lends`` raised until
  the call resolves (``Subtask.deliver_resolve``); meanwhile the ``own`` handle
  cannot be dropped or moved.

Both scopes implement ``witkit.abi.context.ResourceHooks``, so a ``Context``
built with one of them routes the generated code's handle operations here.  The
lifted value of a handle is its representation (``rep``, an ``int``), as in
the spec; a runtime wanting host-side resource objects wraps these hooks.

Resource types are compared by identity (``rt`` is ``witkit.types.root`` of the
handle type's resource, as the generated code passes it).  Every rule the spec
guards with ``trap_if`` traps here with a ``Rule``.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

from witkit.abi.trap import Rule, trap
from witkit.types import ResourceType

__all__ = ["Table", "InstanceHandles", "ResourceHandle", "Subtask", "Task"]


class ResourceHandle:
    """One element of a handle table: a resource's representation and how it is held."""

    __slots__ = ("borrow_scope", "num_lends", "own", "rep", "rt")

    def __init__(
        self, rt: ResourceType, rep: int, own: bool, borrow_scope: Task | None = None
    ) -> None:
        self.rt = rt
        self.rep = rep
        self.own = own
        #: the ``Task`` a borrowed handle was lent to (``None`` for ``own``)
        self.borrow_scope = borrow_scope
        #: live borrows lent out of this handle to calls in progress
        self.num_lends = 0

    def __repr__(self) -> str:
        kind = "own" if self.own else "borrow"
        return f"ResourceHandle({kind} {self.rt.name or 'resource'} rep={self.rep})"


class Table:
    """The spec's ``Table``: a dense array with a free list; index 0 is never used.

    Elements are ``ResourceHandle`` objects here, but the table (like the
    spec's) holds anything a runtime keeps in the same index space.
    """

    #: keeps the high 4 bits of an index free for guests (tagging, sentinels)
    MAX_LENGTH = 2**28 - 1

    __slots__ = ("array", "free")

    def __init__(self) -> None:
        self.array: list[Any] = [None]
        self.free: list[int] = []

    def __len__(self) -> int:
        return len(self.array) - 1 - len(self.free)

    def get(self, i: int) -> Any:
        if i >= len(self.array) or self.array[i] is None:
            trap(Rule.UNKNOWN_HANDLE, f"handle index {i} names no live handle")
        return self.array[i]

    def add(self, e: Any) -> int:
        if self.free:
            i = self.free.pop()
            self.array[i] = e
            return i
        i = len(self.array)
        if i > Table.MAX_LENGTH:
            trap(Rule.TABLE_FULL, f"handle table is full ({Table.MAX_LENGTH} entries)")
        self.array.append(e)
        return i

    def remove(self, i: int) -> Any:
        e = self.get(i)
        self.array[i] = None
        self.free.append(i)
        return e


def _name(rt: ResourceType) -> str:
    return rt.name or "resource"


class InstanceHandles:
    """The handles of one component instance, and the operations the spec defines on them.

    ``implements`` holds the resource types the instance defines: lowering a
    ``borrow`` of one of those passes the ``rep`` directly (the spec's
    optimisation: the only use of such a borrow is ``resource.rep``).
    """

    __slots__ = ("implements", "table")

    def __init__(self, implements: Container[ResourceType] = ()) -> None:
        self.table = Table()
        self.implements = implements

    def _resource(self, i: int, rt: ResourceType) -> ResourceHandle:
        h = self.table.get(i)
        if not isinstance(h, ResourceHandle):
            trap(Rule.WRONG_RESOURCE_TYPE, f"handle index {i} is not a resource handle")
        if h.rt is not rt:
            trap(
                Rule.WRONG_RESOURCE_TYPE,
                f"handle index {i} is a {_name(h.rt)} handle, not a {_name(rt)} handle",
            )
        return h

    # -------------------------------------------------------------- canonical built-ins

    def resource_new(self, rt: ResourceType, rep: int) -> int:
        """``canon resource.new``: a new ``own`` handle of ``rep``."""
        return self.table.add(ResourceHandle(rt, rep, own=True))

    def resource_rep(self, rt: ResourceType, i: int) -> int:
        """``canon resource.rep``: the representation behind handle ``i``."""
        return self._resource(i, rt).rep

    def resource_drop(
        self, rt: ResourceType, i: int, dtor: Callable[[int], object] | None = None
    ) -> None:
        """``canon resource.drop``: remove handle ``i``; an ``own`` runs ``dtor(rep)``.

        Dropping a borrow ends it (its ``Task`` may then return).  Dropping an
        ``own`` while borrows of it are lent out traps.
        """
        h = self._resource(i, rt)
        if h.num_lends != 0:
            trap(
                Rule.HANDLE_LENT,
                f"cannot drop {_name(rt)} handle {i}: {h.num_lends} borrow(s) of it are live",
            )
        self.table.remove(i)
        if h.own:
            if dtor is not None:
                dtor(h.rep)
        else:
            assert h.borrow_scope is not None
            h.borrow_scope.num_borrows -= 1

    # -------------------------------------------------------------- the ABI's handle operations

    def lift_own(self, rt: ResourceType, i: int) -> int:
        """Move an ``own`` handle out of the table (ownership passes to the receiver)."""
        h = self._resource(i, rt)
        if h.num_lends != 0:
            trap(
                Rule.HANDLE_LENT,
                f"cannot move {_name(rt)} handle {i}: {h.num_lends} borrow(s) of it are live",
            )
        if not h.own:
            trap(Rule.NOT_OWN, f"handle index {i} is a borrow, but an own handle is expected")
        self.table.remove(i)
        return h.rep

    def lift_borrow(self, rt: ResourceType, i: int, scope: Subtask) -> int:
        """Read a handle for a borrow: it stays, lent, until the call resolves."""
        h = self._resource(i, rt)
        scope.add_lender(h)
        return h.rep

    def lower_own(self, rt: ResourceType, rep: int) -> int:
        return self.table.add(ResourceHandle(rt, rep, own=True))

    def lower_borrow(self, rt: ResourceType, rep: int, scope: Task) -> int:
        if rt in self.implements:
            return rep
        h = ResourceHandle(rt, rep, own=False, borrow_scope=scope)
        scope.num_borrows += 1
        return self.table.add(h)


class Task:
    """Borrow scope of one call into an instance (``canon lift``), and its hooks.

    Arguments are lowered into the instance (``lower_own``/``lower_borrow``);
    the result is lifted out of it (``lift_own``; results cannot hold borrows).
    """

    __slots__ = ("handles", "num_borrows")

    def __init__(self, handles: InstanceHandles) -> None:
        self.handles = handles
        #: borrows lowered into the callee and not yet dropped by it
        self.num_borrows = 0

    def lower_own(self, rt: ResourceType, rep: int) -> int:
        return self.handles.lower_own(rt, rep)

    def lower_borrow(self, rt: ResourceType, rep: int) -> int:
        return self.handles.lower_borrow(rt, rep, self)

    def lift_own(self, rt: ResourceType, i: int) -> int:
        return self.handles.lift_own(rt, i)

    def lift_borrow(self, rt: ResourceType, i: int) -> int:
        raise TypeError("a function result cannot hold a borrow (validation forbids it)")

    def return_(self) -> None:
        """The callee returns: every borrow it received must have been dropped."""
        if self.num_borrows > 0:
            trap(
                Rule.BORROW_OUTLIVES_CALL,
                f"the call returned with {self.num_borrows} borrowed handle(s) not dropped",
            )


class Subtask:
    """Borrow scope of one call out of an instance (``canon lower``), and its hooks.

    Arguments are lifted out of the instance (``lift_own``/``lift_borrow``);
    the result is lowered into it (``lower_own``).
    """

    __slots__ = ("handles", "lenders")

    def __init__(self, handles: InstanceHandles) -> None:
        self.handles = handles
        #: handles lent for the call; ``None`` once the call resolved
        self.lenders: list[ResourceHandle] | None = []

    def add_lender(self, h: ResourceHandle) -> None:
        assert self.lenders is not None, "the call already resolved"
        h.num_lends += 1
        self.lenders.append(h)

    def deliver_resolve(self) -> None:
        """The call resolved: the lent handles are the caller's alone again."""
        assert self.lenders is not None, "the call already resolved"
        for h in self.lenders:
            h.num_lends -= 1
        self.lenders = None

    def lift_own(self, rt: ResourceType, i: int) -> int:
        return self.handles.lift_own(rt, i)

    def lift_borrow(self, rt: ResourceType, i: int) -> int:
        return self.handles.lift_borrow(rt, i, self)

    def lower_own(self, rt: ResourceType, rep: int) -> int:
        return self.handles.lower_own(rt, rep)

    def lower_borrow(self, rt: ResourceType, rep: int) -> int:
        raise TypeError("a function result cannot hold a borrow (validation forbids it)")
