"""Whole-or-nothing file writes for witkit's caches.

Each cache (compiled modules, generated ABI code, prepared components) writes
its entries the same way: into a temporary file in the target's directory,
then ``os.replace`` onto the final name, so a concurrent reader sees a whole
file or none.  The temporary name carries the process and thread, so writers
never share one; ``tempfile`` would do the same at ~4 ms of import time
(``random``, ``shutil``...) on every start.
"""

from __future__ import annotations

import contextlib
import os
import threading

__all__ = ["write_atomic"]


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
