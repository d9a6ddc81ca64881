"""Resources at run time: resource types, handle tables, and the handles the host holds.

CanonicalABI.md, "Resource State" and "Table State", with the host as a party:

* A ``ResourceType`` here is a *runtime* identity (validation's
  ``witkit.types.ResourceType`` is a static one; translation maps each static
  one to a runtime index per component instance).  Either a component
  instance defines it (``GuestResourceType``: the rep is an ``i32`` the guest
  chose, the destructor is its core function) or the host does
  (``HostResourceType``: the rep *is* the Python object, the destructor its
  ``drop()`` method if it has one).  One Python class is one host resource type,
  wherever it is imported, so ``wasi:io/streams`` and ``wasi:cli/stdout`` agree
  on ``output-stream``.
* A ``HandleTable`` per component instance holds ``HandleEntry`` objects: the
  spec's ``ResourceHandle`` (own or borrow, lend count, borrow scope).
* The host never sees a guest's table.  A guest resource that reaches the host
  becomes a ``ResourceHandle`` (own or borrow), with explicit ``drop()`` and
  context-manager drop; a host resource reaches the host as its own object.
* **An exported guest resource reads like a class.**  Once found among an
  instance's exports, its type calls the ``[constructor]`` (``bucket("b1")``)
  and has the ``[static]`` functions as attributes (``counter.merge(a, b)``),
  and its handles have the ``[method]`` functions (``b.put(k, v)``), by their
  snake-case names.  These are the very ``Func`` objects of the exports, looked
  up on first use: nothing is added to a call or to a handle.
* A ``Scope`` is the spec's ``Task`` (borrows given to a callee, which must be
  dropped before it returns) and ``Subtask`` (handles lent by a caller for the
  duration of one call) in one small object.

Every guest mistake raises ``Trap`` with a rule name; every host mistake
``TypeError`` or ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from witkit.errors import Trap

if TYPE_CHECKING:
    from witkit.runtime.instance import RuntimeInstance

__all__ = [
    "MAX_TABLE_LENGTH",
    "GuestResourceType",
    "HandleEntry",
    "HandleTable",
    "HostResourceType",
    "ResourceHandle",
    "ResourceType",
    "Scope",
]

#: Table.MAX_LENGTH of the spec: handles are indices below 2**28 (the async ABI packs them)
MAX_TABLE_LENGTH = 2**28 - 1


class ResourceType:
    """A resource type at run time (see the module docstring)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # What the host gets and gives for handles of this type -------------------------

    def to_host_own(self, rep: Any) -> Any:
        raise NotImplementedError

    def to_host_borrow(self, rep: Any, scope: Scope) -> Any:
        raise NotImplementedError

    def from_host(self, value: Any, own: bool) -> Any:
        """The rep of ``value``; for ``own``, the host gives it up."""
        raise NotImplementedError

    def destroy(self, rep: Any, caller: RuntimeInstance | None) -> None:
        """Run the destructor of an own handle that was dropped."""
        raise NotImplementedError


class HostResourceType(ResourceType):
    """A resource the host implements with the Python class ``cls``."""

    __slots__ = ("cls",)

    def __init__(self, cls: type, name: str | None = None) -> None:
        super().__init__(name or cls.__name__)
        self.cls = cls

    def to_host_own(self, rep: Any) -> Any:
        return rep

    def to_host_borrow(self, rep: Any, scope: Scope) -> Any:
        return rep

    def from_host(self, value: Any, own: bool) -> Any:
        if not isinstance(value, self.cls):
            raise TypeError(
                f"expected a {self.cls.__name__} for resource `{self.name}`, "
                f"got {type(value).__name__}"
            )
        return value

    def destroy(self, rep: Any, caller: RuntimeInstance | None) -> None:
        drop = getattr(rep, "drop", None)
        if callable(drop):
            drop()


def _snake_members(exports: Mapping[str, Any], name: str) -> dict[tuple[str, str], str]:
    """(kind, snake-case member) -> export name, for resource ``name``'s functions."""
    from witkit.abi.values import python_name

    found: dict[tuple[str, str], str] = {}
    for export in exports:
        if export == f"[constructor]{name}":
            found["constructor", ""] = export
        for kind in ("method", "static"):
            prefix = f"[{kind}]{name}."
            if export.startswith(prefix):
                found[kind, python_name(export[len(prefix) :])] = export
    return found


class GuestResourceType(ResourceType):
    """A resource defined by a component instance (``(type (resource (rep i32) ...))``).

    Found among exports, it is also the resource's class (see the module rules):
    calling it constructs, its attributes are the static functions.
    """

    __slots__ = ("_members", "dtor", "exports", "impl")

    def __init__(
        self,
        name: str,
        impl: RuntimeInstance,
        dtor: Callable[[RuntimeInstance | None, int], None] | None,
    ) -> None:
        super().__init__(name)
        self.impl = impl
        #: calls the guest's destructor, entering ``impl`` from the given caller
        self.dtor = dtor
        #: the exports holding the resource's functions, once found there (``Exports``)
        self.exports: Mapping[str, Any] | None = None
        self._members: dict[tuple[str, str], str] | None = None

    def member(self, kind: str, attr: str) -> Any:
        """The exported ``[kind]`` function ``attr`` (snake case) of this resource."""
        exports = self.exports
        if exports is None:
            raise AttributeError(f"resource `{self.name}` is not exported: it has no functions")
        if self._members is None:
            self._members = _snake_members(exports, self.name)
        export = self._members.get((kind, attr))
        if export is None:
            known = sorted(m for k, m in self._members if k == kind) or ["none"]
            what = "constructor" if kind == "constructor" else f"{kind} `{attr}`"
            raise AttributeError(
                f"resource `{self.name}` has no {what} ({kind}s: {', '.join(known)})"
            )
        return exports[export]

    def __call__(self, *args: Any) -> Any:
        """Construct: call the exported ``[constructor]``, returning an own handle."""
        return self.member("constructor", "")(*args)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self.member("static", attr)

    def to_host_own(self, rep: Any) -> ResourceHandle:
        return ResourceHandle(self, rep, True, None)

    def to_host_borrow(self, rep: Any, scope: Scope) -> ResourceHandle:
        handle = ResourceHandle(self, rep, False, scope)
        scope.handles.append(handle)
        return handle

    def from_host(self, value: Any, own: bool) -> Any:
        if not isinstance(value, ResourceHandle) or value.type is not self:
            got = value.type.name if isinstance(value, ResourceHandle) else type(value).__name__
            raise TypeError(f"expected a handle of resource `{self.name}`, got {got}")
        if not value.alive:
            raise ValueError(f"the handle of resource `{self.name}` was already dropped or moved")
        if own:
            if not value.owned:
                raise TypeError(f"a borrowed handle of `{self.name}` cannot be given away")
            value.alive = False
        return value.rep

    def destroy(self, rep: Any, caller: RuntimeInstance | None) -> None:
        if self.dtor is not None:
            self.dtor(caller, rep)


class ResourceHandle:
    """A guest resource held by the host: owned (drop it when done) or borrowed (for one call).

    ``with handle:`` drops an owned handle at the end of the block.  Passing an
    owned handle to a function taking ``own<R>`` moves it: afterwards it is dead.
    """

    __slots__ = ("__weakref__", "alive", "owned", "rep", "scope", "type")

    def __init__(self, type: GuestResourceType, rep: Any, owned: bool, scope: Scope | None) -> None:
        self.type = type
        self.rep = rep
        self.owned = owned
        self.scope = scope
        self.alive = True

    def drop(self) -> None:
        """Drop an owned handle: the guest's destructor runs.  Dropping twice is an error."""
        if not self.owned:
            raise TypeError(f"a borrowed handle of `{self.type.name}` cannot be dropped")
        if not self.alive:
            raise ValueError(f"the handle of `{self.type.name}` was already dropped or moved")
        self.alive = False
        self.type.destroy(self.rep, None)

    def __enter__(self) -> ResourceHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.owned and self.alive:
            self.drop()

    def __getattr__(self, attr: str) -> Callable[..., Any]:
        """The resource's exported method ``attr`` (snake case), bound to this handle."""
        if attr.startswith("_") or attr in ResourceHandle.__slots__:
            raise AttributeError(attr)
        method = self.type.member("method", attr)

        def bound(*args: Any) -> Any:
            return method(self, *args)

        bound.__name__ = bound.__qualname__ = attr
        bound.__doc__ = str(method)
        return bound

    def __repr__(self) -> str:
        kind = "own" if self.owned else "borrow"
        state = "" if self.alive else " dead"
        return f"<{kind}<{self.type.name}> rep={self.rep!r}{state}>"


class Scope:
    """A call's borrow bookkeeping: the spec's ``Task.num_borrows`` and ``Subtask.lenders``."""

    __slots__ = ("handles", "lenders", "num_borrows")

    def __init__(self) -> None:
        #: borrows lowered into the callee and not yet dropped by it
        self.num_borrows = 0
        #: the caller's handles lent for this call
        self.lenders: list[HandleEntry] = []
        #: borrowed ``ResourceHandle``s given to the host, dead after the call
        self.handles: list[ResourceHandle] = []

    def end(self) -> None:
        """The call returned: lent handles are free again, host borrows die."""
        for entry in self.lenders:
            entry.num_lends -= 1
        self.lenders.clear()
        for handle in self.handles:
            handle.alive = False
        self.handles.clear()


class HandleEntry:
    """The spec's ``ResourceHandle``: one slot of a component instance's table."""

    __slots__ = ("num_lends", "own", "rep", "rt", "scope")

    def __init__(self, rt: ResourceType, rep: Any, own: bool, scope: Scope | None = None) -> None:
        self.rt = rt
        self.rep = rep
        self.own = own
        self.scope = scope
        self.num_lends = 0


def _trap(message: str, rule: str) -> Trap:
    return Trap(message, rule)


class HandleTable:
    """The spec's ``Table`` of handles: index 0 is never used; freed slots are reused."""

    __slots__ = ("array", "free")

    def __init__(self) -> None:
        self.array: list[HandleEntry | None] = [None]
        self.free: list[int] = []

    def __len__(self) -> int:
        return len(self.array) - 1 - len(self.free)

    def get(self, index: int, rt: ResourceType) -> HandleEntry:
        """The live handle at ``index``, which must be of type ``rt``."""
        entry = self.array[index] if 0 <= index < len(self.array) else None
        if entry is None:
            raise _trap(f"unknown handle index {index}", "unknown-handle")
        if entry.rt is not rt:
            raise _trap(
                f"handle index {index} used with the wrong type, expected resource "
                f"`{rt.name}` but found resource `{entry.rt.name}`",
                "wrong-resource-type",
            )
        return entry

    def add(self, entry: HandleEntry) -> int:
        if self.free:
            index = self.free.pop()
            self.array[index] = entry
            return index
        index = len(self.array)
        if index > MAX_TABLE_LENGTH:
            raise _trap("the handle table is full", "table-full")
        self.array.append(entry)
        return index

    def remove(self, index: int, rt: ResourceType) -> HandleEntry:
        entry = self.get(index, rt)
        self.array[index] = None
        self.free.append(index)
        return entry

    def remove_own(self, index: int, rt: ResourceType) -> HandleEntry:
        """``lift_own``: take an own handle out (traps if lent, or if it is a borrow)."""
        entry = self.get(index, rt)
        if entry.num_lends:
            raise _trap("cannot remove owned resource while borrowed", "handle-lent")
        if not entry.own:
            raise _trap(f"handle index {index} is a borrow, not an own handle", "not-own")
        self.array[index] = None
        self.free.append(index)
        return entry
