"""The ``resource.*`` built-ins, and a guest destructor called as the spec calls it.

CanonicalABI.md, ``canon_resource_new``, ``canon_resource_drop`` and
``canon_resource_rep``, against the instance's handle table
(``witkit.runtime.resources``).

Rules:

* ``resource.new`` and ``resource.drop`` are calls out of the instance: they
  obey ``may_leave`` (``witkit.runtime.canon.flags``); ``resource.rep`` is not.
* Dropping an owned handle runs the resource's destructor; a guest destructor
  is lifted in its defining instance and *entered* from the dropper, with the
  same flag rules as any lifted call (``resource_dtor``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.errors import Trap
from witkit.runtime.canon.flags import EXHAUSTED, check_leave, enter, exhausted, leave, poison
from witkit.runtime.resources import HandleEntry, ResourceType

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = ["canon_resource_drop", "canon_resource_new", "canon_resource_rep", "resource_dtor"]


def canon_resource_new(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], int]:
    table = inst.handles

    def new(rep: int) -> int:
        check_leave(inst)
        return table.add(HandleEntry(rt, rep, True))

    return new


def canon_resource_drop(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], None]:
    table = inst.handles

    def drop(index: int) -> None:
        check_leave(inst)
        entry = table.get(index, rt)
        if entry.num_lends:
            raise Trap("cannot remove owned resource while borrowed", "handle-lent")
        table.remove(index, rt)
        if entry.own:
            rt.destroy(entry.rep, inst)
        elif entry.scope is not None:
            entry.scope.num_borrows -= 1

    return drop


def canon_resource_rep(inst: RuntimeInstance, rt: ResourceType) -> Callable[[int], int]:
    table = inst.handles

    def rep(index: int) -> int:
        return int(table.get(index, rt).rep)

    return rep


def resource_dtor(
    impl: RuntimeInstance, core: Callable[..., Any] | None
) -> Callable[[RuntimeInstance | None, int], None]:
    """A guest destructor called as the spec does: lifted in ``impl``, entered from the dropper.

    Without a destructor the entering checks still apply (the spec lifts a no-op).
    """
    depth = impl.depth

    def dtor(caller: RuntimeInstance | None, rep: int) -> None:
        entering = impl.entering(caller)
        n = enter(entering, depth)
        try:
            if core is not None:
                core(rep)
        except EXHAUSTED as e:
            poison(entering, depth, n)
            raise exhausted(e) from None
        except BaseException:
            poison(entering, depth, n)
            raise
        leave(entering, depth, n)

    return dtor
