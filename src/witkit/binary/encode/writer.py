"""The primitive productions of Binary.md, written: LEB128 integers, names, vectors, sections.

The writer's counterpart of ``binary/reader.py``.  Rules: every function takes
values and returns the ``bytes`` of one production (no sink, no state), so a
caller can build a section's payload first and measure it; integers are
written in their shortest LEB128 form, as wasm-tools writes them, so output can
be compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["name", "section", "sleb", "uleb", "vec"]


def uleb(value: int) -> bytes:
    """An unsigned LEB128 integer (``u32``, a size, a count, an index)."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(value: int) -> bytes:
    """A signed LEB128 integer (a type index where a ``valtype`` is expected is an ``s33``)."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte if done else byte | 0x80)
        if done:
            return bytes(out)


def name(text: str) -> bytes:
    """``name``: the UTF-8 length, then the UTF-8 bytes."""
    data = text.encode()
    return uleb(len(data)) + data


def vec(items: Sequence[bytes]) -> bytes:
    """``vec(x)``: the count, then the already-encoded items."""
    return uleb(len(items)) + b"".join(items)


def section(section_id: int, payload: bytes) -> bytes:
    """A section: its id (``binary.codes.SECTION_*``), the payload's size, the payload."""
    return bytes((section_id,)) + uleb(len(payload)) + payload
