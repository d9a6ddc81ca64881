"""Whole-or-nothing file writes for witkit's caches, and the framing they check.

Each cache (compiled modules, generated ABI code, prepared components) writes
its entries the same way: into a temporary file in the target's directory,
then ``os.replace`` onto the final name, so a concurrent reader sees a whole
file or none.  The temporary name carries the process and thread, so writers
never share one; ``tempfile`` would do the same at ~4 ms of import time
(``random``, ``shutil``...) on every start.

Entries that are read whole (code, recipes, prepared components) carry a
20-byte header (magic, format version, CRC-32 and length of the payload, length
of the key) and then the entry's key itself, so a torn, damaged or foreign file
is refused rather than used, and so is a whole, undamaged entry found under
another entry's name (a file copied over another: its key is not the name it
was looked up by).  ``write_framed``/``unframe``.

These checks are against accidents, not attackers: whoever can write the
directory can write a matching header too.  Only directories no one else can
write are used at all (``witkit.runtime.cache.trusted``).
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import zlib

__all__ = ["unframe", "write_atomic", "write_framed"]

#: magic, format version, crc32(payload), payload length, key length; then the key, the payload
_HEADER = struct.Struct("<4sIIII")


def write_atomic(path: str, *chunks: bytes | bytearray | memoryview, sync: bool = False) -> bool:
    """Write ``chunks`` to ``path`` atomically; False (and no debris) if the OS refuses.

    ``sync`` flushes the data to disk before the rename, so that after a crash
    the name never points at a file with lost pages.
    """
    temp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return False


def write_framed(
    path: str, magic: bytes, version: int, key: bytes, payload: bytes | bytearray | memoryview
) -> bool:
    """``write_atomic`` of ``payload`` behind its header and ``key`` (see the module docstring)."""
    header = _HEADER.pack(magic, version, zlib.crc32(payload), len(payload), len(key))
    return write_atomic(path, header, key, payload)


def unframe(data: bytes, magic: bytes, version: int, key: bytes) -> memoryview | None:
    """The payload of a framed file's bytes, or None unless they are a whole, undamaged
    entry of this format stored under ``key``."""
    if len(data) < _HEADER.size:
        return None
    found, found_version, crc, length, key_length = _HEADER.unpack_from(data)
    start = _HEADER.size + key_length
    if (
        found != magic
        or found_version != version
        or key_length != len(key)
        or length != len(data) - start
        or data[_HEADER.size : start] != key
    ):
        return None
    payload = memoryview(data)[start:]
    return payload if zlib.crc32(payload) == crc else None
