"""The byte cursor every section reader is built on: LEB128, names, bounded vectors.

Rules of this module (sans-IO, like wasmparser's ``BinaryReader``):

* A ``Reader`` reads from one ``bytes`` object between ``pos`` and ``end``; it
  never copies the buffer, and every offset it reports is absolute in that
  buffer, so nested modules and components report offsets of the whole file.
* Anything malformed -- a truncated buffer, an over-long LEB128, a name that is
  not UTF-8, a vector longer than its limit -- raises ``BinaryError`` with the
  offset where reading stopped and a message a person understands.  Nothing
  else may escape (no ``IndexError``, ``struct.error``, ``UnicodeDecodeError``).
* Declared lengths are checked against the bytes that remain *before* anything
  is allocated, so a guest cannot make us reserve memory it did not send.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TypeVar

from witkit.errors import BinaryError

__all__ = ["Reader"]

_T = TypeVar("_T")

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")


class Reader:
    """A cursor over ``data[pos:end]``."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    # ------------------------------------------------------------------ basics

    def eof(self) -> bool:
        return self.pos >= self.end

    def remaining(self) -> int:
        return self.end - self.pos

    def error(self, message: str, offset: int | None = None) -> BinaryError:
        """A ``BinaryError`` at ``offset`` (default: the current position)."""
        return BinaryError(message, self.pos if offset is None else offset)

    def eof_error(self, what: str) -> BinaryError:
        return BinaryError(f"unexpected end of input while reading {what}", self.pos)

    def peek(self, what: str = "a byte") -> int:
        if self.pos >= self.end:
            raise self.eof_error(what)
        return self.data[self.pos]

    def u8(self, what: str = "a byte") -> int:
        pos = self.pos
        if pos >= self.end:
            raise self.eof_error(what)
        self.pos = pos + 1
        return self.data[pos]

    def bytes(self, n: int, what: str = "bytes") -> bytes:
        if n > self.end - self.pos:
            raise self.eof_error(what)
        start = self.pos
        self.pos = start + n
        return self.data[start : start + n]

    def skip(self, n: int, what: str = "bytes") -> None:
        if n > self.end - self.pos:
            raise self.eof_error(what)
        self.pos += n

    def sub(self, size: int, what: str) -> Reader:
        """A reader over the next ``size`` bytes; this reader moves past them."""
        if size > self.end - self.pos:
            raise BinaryError(
                f"{what} extends past the end of its enclosing section "
                f"({size} bytes declared, {self.end - self.pos} available)",
                self.pos,
            )
        start = self.pos
        self.pos = start + size
        return Reader(self.data, start, start + size)

    def expect_end(self, what: str) -> None:
        """Require that ``what`` used exactly its declared bytes."""
        if self.pos != self.end:
            raise BinaryError(
                f"unexpected content in the {what} ({self.end - self.pos} bytes left over)",
                self.pos,
            )

    # ------------------------------------------------------------------ integers

    def u32(self, what: str = "an integer") -> int:
        """Unsigned LEB128 of at most 5 bytes whose value fits in 32 bits."""
        data = self.data
        pos = self.pos
        end = self.end
        if pos < end:
            byte = data[pos]
            if byte < 0x80:
                self.pos = pos + 1
                return byte
        result = 0
        shift = 0
        while True:
            if pos >= end:
                self.pos = pos
                raise self.eof_error(what)
            byte = data[pos]
            pos += 1
            if shift == 28 and byte & 0x70:
                self.pos = pos - 1
                raise BinaryError(
                    f"invalid var_u32 for {what}: integer too large"
                    if byte & 0x80 == 0
                    else f"invalid var_u32 for {what}: integer representation too long",
                    pos - 1,
                )
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7
            if shift > 28:
                self.pos = pos
                raise BinaryError(
                    f"invalid var_u32 for {what}: integer representation too long", pos - 1
                )

    def _signed(self, bits: int, what: str) -> int:
        data = self.data
        pos = self.pos
        end = self.end
        result = 0
        shift = 0
        max_bytes = (bits + 6) // 7
        for i in range(max_bytes):
            if pos >= end:
                self.pos = pos
                raise self.eof_error(what)
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                if i == max_bytes - 1:
                    # the unused bits of the last byte must be a sign extension
                    used = bits - 7 * i
                    rest = byte >> (used - 1) if used < 7 else 0
                    mask = (1 << (7 - used + 1)) - 1 if used < 7 else 0
                    if used < 7 and rest not in (0, mask):
                        self.pos = pos - 1
                        raise BinaryError(
                            f"invalid var_s{bits} for {what}: integer too large", pos - 1
                        )
                self.pos = pos
                if byte & 0x40:
                    result -= 1 << shift
                return result
        self.pos = pos
        raise BinaryError(
            f"invalid var_s{bits} for {what}: integer representation too long", pos - 1
        )

    def s32(self, what: str = "an integer") -> int:
        return self._signed(32, what)

    def s33(self, what: str = "a type index") -> int:
        return self._signed(33, what)

    def s64(self, what: str = "an integer") -> int:
        return self._signed(64, what)

    def u64(self, what: str = "an integer") -> int:
        data = self.data
        pos = self.pos
        result = 0
        shift = 0
        for i in range(10):
            if pos >= self.end:
                self.pos = pos
                raise self.eof_error(what)
            byte = data[pos]
            pos += 1
            if i == 9 and byte & 0x7E:
                self.pos = pos - 1
                raise BinaryError(f"invalid var_u64 for {what}: integer too large", pos - 1)
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7
        self.pos = pos
        raise BinaryError(f"invalid var_u64 for {what}: integer representation too long", pos)

    def f32(self) -> float:
        raw = self.bytes(4, "an f32")
        return float(_F32.unpack(raw)[0])

    def f64(self) -> float:
        raw = self.bytes(8, "an f64")
        return float(_F64.unpack(raw)[0])

    # ------------------------------------------------------------------ strings and vectors

    def name(self, what: str = "a name", limit: int = 100_000) -> str:
        """A ``core:name``: length-prefixed UTF-8."""
        start = pos = self.pos
        data = self.data
        if pos < self.end and data[pos] < 0x80:
            n = data[pos]
            end = pos + 1 + n
            if end <= self.end:
                raw = data[pos + 1 : end]
                if raw.isascii():
                    self.pos = end
                    return raw.decode("ascii")
        n = self.u32(f"the length of {what}")
        if n > limit:
            raise BinaryError(f"{what} is too long ({n} bytes, the limit is {limit})", start)
        if n > self.end - self.pos:
            raise self.eof_error(what)
        pos = self.pos
        raw = self.data[pos : pos + n]
        self.pos = pos + n
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BinaryError(f"{what} is not valid UTF-8", pos + exc.start) from None

    def count(self, limit: int, what: str) -> int:
        """A vector length, checked against ``limit`` and the bytes left (one byte each at least)."""
        start = self.pos
        n = self.u32(f"the number of {what}")
        if n > limit:
            raise BinaryError(f"{what} count is out of bounds ({n}, the limit is {limit})", start)
        if n > self.end - self.pos:
            raise BinaryError(
                f"{what} count ({n}) is larger than the bytes that remain ({self.end - self.pos})",
                start,
            )
        return n

    def vec(self, limit: int, what: str, item: Callable[[Reader], _T]) -> tuple[_T, ...]:
        n = self.count(limit, what)
        return tuple([item(self) for _ in range(n)])

    def u32_vec(self, limit: int, what: str) -> tuple[int, ...]:
        """``vec(u32)``, decoded in one tight loop (function sections have thousands)."""
        n = self.count(limit, what)
        data = self.data
        pos = self.pos
        end = self.end
        out = [0] * n
        for i in range(n):
            if pos < end:
                byte = data[pos]
                if byte < 0x80:
                    out[i] = byte
                    pos += 1
                    continue
            self.pos = pos
            out[i] = self.u32(f"an element of {what}")
            pos = self.pos
        self.pos = pos
        return tuple(out)

    def bad_byte(self, byte: int, what: str, offset: int | None = None) -> BinaryError:
        """The error for an unknown opcode/discriminant ``byte`` read just before ``pos``."""
        return BinaryError(
            f"invalid leading byte (0x{byte:02x}) for {what}",
            self.pos - 1 if offset is None else offset,
        )
