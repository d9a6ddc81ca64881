"""Reading and writing the guest's linear memory for preview1 calls.

Every preview1 argument that is not a number is a pointer into the guest's exported
``memory``.  Each access here checks its range against the memory as it is at that
moment; a pointer out of bounds (or a call from a module that exports no memory)
ends the run with a :class:`~witkit.wasi.preview1.witx.GuestError`, which is what
wasmtime does (an error, status 1: the witx rule is that such a call does not
return).  Nothing a guest passes can make the host read or write outside its
memory.  Alignment is not checked, as wasmtime does not.

Strings (paths) must be UTF-8; a guest handing other bytes gets ``ilseq``, as in
wasmtime.  The view is taken afresh on every access because a guest may grow its
memory between calls (never during one: the host never calls back into the guest).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from witkit.wasi.preview1.witx import Errno, GuestError

if TYPE_CHECKING:
    from witkit.runtime.core import CoreMemory

__all__ = ["GuestMemory"]

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_IOVEC = struct.Struct("<II")


class GuestMemory:
    """Bounds- and alignment-checked access to one instance's ``memory`` export."""

    def __init__(self, memory: CoreMemory | None) -> None:
        self._memory = memory

    def bind(self, memory: CoreMemory | None) -> None:
        """The instance's memory, once it exists (the host functions are made before it)."""
        self._memory = memory

    def view(self) -> memoryview:
        if self._memory is None:
            raise GuestError("the module exports no memory for WASI to use")
        return self._memory.view()

    @staticmethod
    def _check(view: memoryview, ptr: int, length: int, align: int = 1) -> None:
        del align  # kept in the signatures for the reader: wasmtime does not check it
        if ptr + length > len(view):
            raise GuestError(
                f"pointer out of bounds: {length} bytes at {ptr:#x} "
                f"(the memory has {len(view)} bytes)"
            )

    def check(self, ptr: int, length: int, align: int = 1) -> None:
        """Trap unless ``length`` bytes at ``ptr`` are in the memory (and aligned)."""
        self._check(self.view(), ptr, length, align)

    def read(self, ptr: int, length: int) -> bytes:
        view = self.view()
        self._check(view, ptr, length)
        return bytes(view[ptr : ptr + length])

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        view = self.view()
        self._check(view, ptr, len(data))
        view[ptr : ptr + len(data)] = data

    def string(self, ptr: int, length: int) -> str:
        """A path or name argument; not UTF-8 is ``ilseq``."""
        try:
            return self.read(ptr, length).decode("utf-8")
        except UnicodeDecodeError:
            raise Errno("ilseq") from None

    def _put(self, fmt: struct.Struct, ptr: int, value: int) -> None:
        view = self.view()
        self._check(view, ptr, fmt.size, fmt.size)
        fmt.pack_into(view, ptr, value)

    def u8(self, ptr: int, value: int) -> None:
        self._put(_U8, ptr, value)

    def u16(self, ptr: int, value: int) -> None:
        self._put(_U16, ptr, value)

    def u32(self, ptr: int, value: int) -> None:
        self._put(_U32, ptr, value)

    def u64(self, ptr: int, value: int) -> None:
        self._put(_U64, ptr, value)

    def pack(self, ptr: int, align: int, fmt: str, *values: int) -> None:
        """A record, laid out by ``struct`` format ``fmt`` (little-endian, pads explicit)."""
        view = self.view()
        self._check(view, ptr, struct.calcsize(fmt), align)
        struct.pack_into(fmt, view, ptr, *values)

    def unpack(self, ptr: int, align: int, fmt: str) -> tuple[int, ...]:
        view = self.view()
        self._check(view, ptr, struct.calcsize(fmt), align)
        return struct.unpack_from(fmt, view, ptr)

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        """``iovec``/``ciovec`` arrays: (buf, buf_len) pairs, each buffer checked."""
        view = self.view()
        self._check(view, ptr, 8 * count, 4)
        pairs = [_IOVEC.unpack_from(view, ptr + 8 * i) for i in range(count)]
        for buf, length in pairs:
            self._check(view, buf, length)
        return pairs

    def first_buffer(self, ptr: int, count: int) -> tuple[int, int]:
        """The first non-empty buffer of an iovec array, or ``(0, 0)``.

        Preview1 reads and writes act on one buffer per call, the first that is
        not empty (wasmtime's choice: short reads and writes are allowed, and the
        callers of ``readv``/``writev`` loop); the others are never touched.
        """
        view = self.view()
        self._check(view, ptr, 8 * count, 4)
        for i in range(count):
            buf, length = _IOVEC.unpack_from(view, ptr + 8 * i)
            if length:
                self._check(view, buf, length)
                return buf, length
        return 0, 0
