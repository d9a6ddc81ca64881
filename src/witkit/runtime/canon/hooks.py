"""Handles across a call: the ABI's ``ResourceHooks`` for one lift or lower site.

CanonicalABI.md, "Handles" (``lift_own``/``lift_borrow``/``lower_own``/``lower_borrow``)
against the instance's handle table (``witkit.runtime.resources``).

Rules:

* **Borrows.**  Borrows lowered into a callee count against the call's ``Scope``
  and must be dropped before it returns ("borrow handles still remain at the end
  of the call"); handles a caller lends are pinned (``num_lends``) until the call
  returns, and borrowed ``ResourceHandle``s given to the host die then.
* **One per site, not per call.**  A component instance cannot be re-entered
  while on the stack, so one ``Hooks`` (and one mutable borrow ``scope``) per
  site is enough; the call paths save and restore ``scope`` around each call for
  the one legal nesting (a component calling its own lifted function through a
  lowered import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from witkit.runtime.resources import HandleEntry, ResourceType, Scope
from witkit.types import ResourceType as StaticResource

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = ["Hooks"]


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
