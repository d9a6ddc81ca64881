"""Canonical options and the lifting/lowering context (the spec's ``cx``).

``CanonicalOptions`` are the ``canonopt`` immediates of one ``canon lift`` or
``canon lower``; ``Context`` is the spec's ``LiftLowerContext``: the options plus
the per-call hooks (resource handles, error contexts) of the instance whose
memory is being read or written.  Generated code reads the context's attributes
directly, so they are plain slots, bound once when the context is made.

Rules of the memory contract (the runtime's side):

* ``memory()`` returns a writable ``memoryview`` (format ``"B"``) of the whole
  linear memory *as it is now*.  The ABI calls it at the start of every lift or
  lower that touches memory and again after **every** ``realloc`` call (the
  guest may have grown, and so moved, its memory), so it must be cheap: cache
  the view and rebuild it only when the memory's size changed.
* ``realloc(old_ptr, old_size, align, new_size) -> ptr`` calls the guest's
  ``realloc``; the ABI checks the returned pointer (alignment, bounds) itself.
* ``post_return(*core_results)`` is called by ``FuncABI.call`` after lifting the
  results of a lifted function; runtimes composing the steps call it themselves.
* Optionally, when ``memory`` is a bound method (``CoreMemory.view``), its object
  may offer ``ascii_prefix(ptr, length) -> int``: how many bytes at ``ptr`` come
  before the first non-ASCII one (``length`` if none; any smaller answer, down to
  0, only means "not known").  With it, long strings that turn out to be ASCII
  are lifted with one copy (``witkit.abi.strings.decode_large``); it must be much
  faster than CPython's own 8-bytes-a-step scan to be worth offering.

The copy budget (``Context.max_copy``): every string and list lifted from or
lowered into linear memory by one ABI operation (one ``lift_params``,
``lift_results``, ``lower_params``, ``lower_results``, ``load`` ...) spends its
byte length plus ``COPY_OVERHEAD`` (what a small host object costs beyond its
bytes); past ``max_copy`` the operation traps (rule ``copy-limit``).  Without it
a guest could make the host allocate without bound: a ``list<list<u8>>`` whose
million entries all point at the same 1 MiB of memory is a terabyte of host
``bytes`` from one megabyte of guest memory.  The default, ``DEFAULT_MAX_COPY``
(320 MiB), lets the largest single list or string the ABI allows
(``MAX_LIST_BYTE_LENGTH``, 256 MiB) through with room to spare (wasmtime's
budget is 128 MiB of host memory); runtimes let the embedder change it
(``Linker.instantiate(max_copy=...)``, ``witkit run -W max-copy=N``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeAlias

from witkit.abi.layout import PtrType, align_to
from witkit.abi.trap import Rule, trap
from witkit.types import ResourceType, ValType

__all__ = [
    "COPY_OVERHEAD",
    "DEFAULT_MAX_COPY",
    "AsciiPrefix",
    "CanonicalOptions",
    "Context",
    "Memory",
    "Realloc",
    "ResourceHooks",
    "StringEncoding",
]

StringEncoding: TypeAlias = Literal["utf8", "utf16", "latin1+utf16"]
#: returns the current view of linear memory (see the module rules)
Memory: TypeAlias = Callable[[], memoryview]
#: the guest's ``realloc(old_ptr, old_size, align, new_size) -> new_ptr``
Realloc: TypeAlias = Callable[[int, int, int, int], int]
#: a memory's ``ascii_prefix(ptr, length) -> int`` (see the module rules)
AsciiPrefix: TypeAlias = Callable[[int, int], int]

_ENCODINGS = ("utf8", "utf16", "latin1+utf16")

#: Bytes of strings and lists one ABI operation may copy between host and guest
#: (see the module docstring): the largest single list or string, 256 MiB, and 64 more.
DEFAULT_MAX_COPY = 320 << 20
#: What each string or list copied spends beyond its bytes (a Python object's header
#: and its slot in the enclosing list), so a million empty strings are not free
COPY_OVERHEAD = 64


class CanonicalOptions:
    """The ``canonopt`` immediates of one canonical definition.

    ``string_encoding``, ``addrtype`` and ``sync`` shape the generated code (they
    are part of its cache key); ``memory``, ``realloc`` and ``post_return`` are the
    instance's functions, used at call time.  Immutable, compared field by field.
    (A plain class: a dataclass would import ``dataclasses``, ~5 ms of every start.)
    """

    __slots__ = ("addrtype", "memory", "post_return", "realloc", "string_encoding", "sync")
    _FIELDS = ("string_encoding", "memory", "realloc", "post_return", "sync", "addrtype")

    string_encoding: StringEncoding
    memory: Memory | None
    realloc: Realloc | None
    post_return: Callable[..., object] | None
    #: ``False`` is the ``async`` canonopt (not supported by the generated code yet)
    sync: bool
    #: the address type of ``memory``: ``"i64"`` for a 64-bit memory
    addrtype: PtrType

    def __init__(
        self,
        string_encoding: StringEncoding = "utf8",
        memory: Memory | None = None,
        realloc: Realloc | None = None,
        post_return: Callable[..., object] | None = None,
        sync: bool = True,
        addrtype: PtrType = "i32",
    ) -> None:
        if string_encoding not in _ENCODINGS:
            raise ValueError(
                f"string_encoding must be one of {', '.join(_ENCODINGS)}, not {string_encoding!r}"
            )
        if addrtype not in ("i32", "i64"):
            raise ValueError(f"addrtype must be 'i32' or 'i64', not {addrtype!r}")
        init = object.__setattr__
        init(self, "string_encoding", string_encoding)
        init(self, "memory", memory)
        init(self, "realloc", realloc)
        init(self, "post_return", post_return)
        init(self, "sync", sync)
        init(self, "addrtype", addrtype)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not CanonicalOptions:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"CanonicalOptions({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CanonicalOptions is immutable (cannot assign to {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CanonicalOptions is immutable (cannot delete {name!r})")


class ResourceHooks(Protocol):
    """How handles cross the boundary: the runtime's per-instance handle tables.

    ``rt`` is the ``ResourceType`` of the handle type, with aliases peeled
    (``witkit.types.root``), so identity comparison is resource-type equality.
    ``index`` is the guest's handle index (an ``i32``, already unsigned).  The
    lifted value is whatever the hooks choose to represent a resource by on the
    host side (the runtime's are ``witkit.runtime.resources``; the tests' spec model
    uses the ``rep``);
    lowering receives that same kind of value back.  Guest mistakes (unknown
    index, wrong type, lent handle) must raise ``Trap``.
    """

    def lower_own(self, rt: ResourceType, value: Any, /) -> int: ...

    def lower_borrow(self, rt: ResourceType, value: Any, /) -> int: ...

    def lift_own(self, rt: ResourceType, index: int, /) -> Any: ...

    def lift_borrow(self, rt: ResourceType, index: int, /) -> Any: ...


def _no_memory() -> memoryview:
    raise TypeError("these canonical options have no `memory`, but the value needs one")


def _no_realloc(old_ptr: int, old_size: int, align: int, new_size: int) -> int:
    raise TypeError("these canonical options have no `realloc`, but the value needs one")


def _no_resources(*args: object) -> Any:
    raise TypeError("this context has no resource hooks, but the value holds a handle")


def _unsupported(what: str) -> Callable[..., Any]:
    def hook(*args: object) -> Any:
        raise NotImplementedError(f"this context's hooks do not handle {what} values")

    return hook


#: the optional hooks a resources object may have, and what stands in when it has not
_OPTIONAL_HOOKS = {
    name: _unsupported(what)
    for name, what in (
        ("lift_error_context", "error-context"),
        ("lower_error_context", "error-context"),
        ("lift_stream", "stream"),
        ("lower_stream", "stream"),
        ("lift_future", "future"),
        ("lower_future", "future"),
    )
}


class Context:
    """The spec's ``LiftLowerContext``: options plus the hooks of one call.

    Make one per call when the function type holds ``borrow`` handles (the
    hooks carry the call's borrow scope); otherwise one per instance and options
    can be reused for every call.

    ``resources`` provides the four ``ResourceHooks`` methods; it may also provide
    ``lift_error_context(index)``/``lower_error_context(value)`` and
    ``lift_stream``/``lower_stream``/``lift_future``/``lower_future`` taking
    ``(element_type, index_or_value)``, which are used when present.
    """

    __slots__ = (
        "ascii_prefix",
        "left",
        "lift_borrow",
        "lift_error_context",
        "lift_future",
        "lift_own",
        "lift_stream",
        "lower_borrow",
        "lower_error_context",
        "lower_future",
        "lower_own",
        "lower_stream",
        "max_copy",
        "memory",
        "opts",
        "post_return",
        "realloc",
        "resources",
    )

    lift_own: Callable[[ResourceType, int], Any]
    lift_borrow: Callable[[ResourceType, int], Any]
    lower_own: Callable[[ResourceType, Any], int]
    lower_borrow: Callable[[ResourceType, Any], int]
    lift_error_context: Callable[[int], Any]
    lower_error_context: Callable[[Any], int]
    lift_stream: Callable[[ValType | None, int], Any]
    lower_stream: Callable[[ValType | None, Any], int]
    lift_future: Callable[[ValType | None, int], Any]
    lower_future: Callable[[ValType | None, Any], int]

    def __init__(
        self,
        opts: CanonicalOptions,
        resources: ResourceHooks | None = None,
        max_copy: int = DEFAULT_MAX_COPY,
    ) -> None:
        self.opts = opts
        #: the copy budget of one operation, in bytes (see the module docstring)
        self.max_copy = max_copy
        #: what is left of it, handed between generated functions (theirs to write)
        self.left = max_copy
        self.memory: Memory = opts.memory if opts.memory is not None else _no_memory
        owner = getattr(opts.memory, "__self__", None)
        self.ascii_prefix: AsciiPrefix | None = getattr(owner, "ascii_prefix", None)
        self.realloc: Realloc = opts.realloc if opts.realloc is not None else _no_realloc
        self.post_return = opts.post_return
        self.resources = resources
        if resources is None:
            self.lift_own = self.lift_borrow = _no_resources
            self.lower_own = self.lower_borrow = _no_resources
        else:
            self.lift_own = resources.lift_own
            self.lift_borrow = resources.lift_borrow
            self.lower_own = resources.lower_own
            self.lower_borrow = resources.lower_borrow
        for name, fallback in _OPTIONAL_HOOKS.items():
            setattr(self, name, getattr(resources, name, None) or fallback)

    def reallocate(self, old_ptr: int, old_size: int, align: int, new_size: int) -> int:
        """Call ``realloc`` and check its answer, as the spec's callers of it do.

        Traps if the new pointer is not aligned to ``align`` or the allocation
        does not fit in memory (as seen after the call: it may have grown).
        """
        mask = 0xFFFF_FFFF if self.opts.addrtype == "i32" else 0xFFFF_FFFF_FFFF_FFFF
        ptr: int = self.realloc(old_ptr, old_size, align, new_size) & mask
        if ptr != align_to(ptr, align):
            trap(
                Rule.REALLOC_MISALIGNED,
                f"realloc returned pointer {ptr:#x}, which is not aligned to {align} bytes",
            )
        size = len(self.memory())
        if ptr + new_size > size:
            trap(
                Rule.REALLOC_OUT_OF_BOUNDS,
                f"realloc returned pointer {ptr:#x} for {new_size} bytes, "
                f"past the end of memory ({size} bytes)",
            )
        return ptr

    def allocate(self, align: int, size: int) -> int:
        """A fresh allocation: ``realloc(0, 0, align, size)``, checked."""
        return self.reallocate(0, 0, align, size)
