"""A linear memory without wasm, for tests and benchmarks of the ABI (and of its users).

``FakeMemory`` is a ``bytearray`` with a bump allocator as ``realloc``.  Growing
makes a *new* buffer (as a moving ``memory.grow`` would), so code that keeps
writing through a view fetched before a ``realloc`` loses its writes and the
tests notice.  Every ``realloc`` call is logged, so tests can compare the
sequence with the spec's.
"""

from __future__ import annotations

from collections.abc import Callable

from witkit.abi.context import CanonicalOptions, Context, ResourceHooks, StringEncoding
from witkit.abi.layout import PtrType

__all__ = ["FakeMemory"]


class FakeMemory:
    """A growable ``bytearray`` memory and a bump-allocating ``realloc`` over it."""

    def __init__(
        self, size: int = 1 << 16, *, grow_by: int = 1 << 16, base: int = 16, log: bool = True
    ) -> None:
        self.data = bytearray(size)
        self.view = memoryview(self.data)
        self.grow_by = grow_by
        #: next free byte; addresses below ``base`` are never handed out (0 stays null)
        self.top = base
        #: ``(old_ptr, old_size, align, new_size, returned_ptr)`` for every call (if ``log``)
        self.calls: list[tuple[int, int, int, int, int]] = []
        self.log = log
        #: how many times the memory moved
        self.moves = 0

    def memory(self) -> memoryview:
        return self.view

    def grow(self, at_least: int) -> None:
        """Move to a bigger buffer of at least ``at_least`` bytes (old views go stale)."""
        size = len(self.data)
        while size < at_least:
            size += self.grow_by
        data = bytearray(size)
        data[: len(self.data)] = self.data
        self.data = data
        self.view = memoryview(data)
        self.moves += 1

    def realloc(self, old_ptr: int, old_size: int, align: int, new_size: int) -> int:
        if old_ptr and new_size <= old_size:
            ptr = old_ptr  # shrink in place
        else:
            ptr = (self.top + align - 1) & -align
            if ptr + new_size > len(self.data):
                self.grow(ptr + new_size)
            if old_ptr:
                self.data[ptr : ptr + old_size] = self.data[old_ptr : old_ptr + old_size]
            self.top = ptr + new_size
        if self.log:
            self.calls.append((old_ptr, old_size, align, new_size, ptr))
        return ptr

    def reset(self, base: int = 16) -> None:
        """Forget every allocation (the bytes stay), as after a call and its post-return."""
        self.top = base
        self.calls.clear()

    def options(
        self,
        string_encoding: StringEncoding = "utf8",
        *,
        post_return: Callable[..., object] | None = None,
        sync: bool = True,
        addrtype: PtrType = "i32",
    ) -> CanonicalOptions:
        """Canonical options using this memory and realloc (plus the others given)."""
        return CanonicalOptions(
            string_encoding, self.memory, self.realloc, post_return, sync, addrtype
        )

    def context(
        self,
        resources: ResourceHooks | None = None,
        *,
        string_encoding: StringEncoding = "utf8",
        addrtype: PtrType = "i32",
    ) -> Context:
        """A call context over ``options(string_encoding, addrtype=addrtype)``."""
        return Context(self.options(string_encoding, addrtype=addrtype), resources)
