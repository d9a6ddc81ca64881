"""An on-disk cache of compiled core modules, so a big guest compiles once per machine.

Compiling the 6 MB libpython module inside a componentize-py component takes
~3.4 s with Cranelift; loading its serialized form takes milliseconds.  This
module only stores and finds bytes: the engine adapter (``witkit.runtime.core``)
decides what to store (``wasmtime.Module.serialize()``) and how to load it.

Rules:

* **Key.** ``sha256(fingerprint, module bytes)``; the fingerprint names the
  wasmtime version, the machine and every engine setting that affects code
  generation, so a change of any of them is a miss, never a wrong hit.
* **Location.** ``$WITKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/witkit``, else
  ``~/.cache/witkit``; compiled modules live in its ``core/`` subdirectory,
  created with mode 0700.
* **Atomic writes.** A file is written under a temporary name in the same
  directory and renamed into place with ``os.replace``, so a reader sees a whole
  file or none.  Concurrent processes may both write; the last rename wins and
  both files are valid.
* **Integrity.** Each file starts with a header (magic, format version, payload
  length, CRC-32).  A file that is short, foreign or fails its CRC is treated as a
  miss, removed, and replaced by the next store.  (wasmtime's own check catches version
  or setting mismatches; it does not detect flipped bits inside machine code.)
* **One compiler per key.** ``lock(key)`` takes an advisory ``flock`` so that of
  several processes missing on the same module, one compiles and the others
  wait and then load.  The lock only saves work: correctness rests on the atomic
  rename, so the lock file is removed after use and platforms without ``fcntl``
  simply skip it.
* **Trust.** Loading a serialized module runs its machine code: the cache
  directory must be writable only by its owner.  Nothing here prunes old entries.
* **Failures never fail the caller.** An unwritable directory or full disk makes
  the cache a no-op for that entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ModuleCache", "cache_key", "default_cache_dir"]

#: Identifies our files and lets a future layout change invalidate old entries.
MAGIC = b"WITKITCM"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIIQ")  # magic, format version, crc32(payload), payload length
HEADER_SIZE = _HEADER.size

#: Name of the subdirectory of the witkit cache root that holds compiled core modules.
SUBDIRECTORY = "core"
_SUFFIX = ".cwasm"


def default_cache_dir() -> Path:
    """Where compiled modules go unless told otherwise (see the module docstring)."""
    explicit = os.environ.get("WITKIT_CACHE_DIR")
    if explicit:
        root = Path(explicit)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = Path(xdg) / "witkit" if xdg else Path.home() / ".cache" / "witkit"
    return root / SUBDIRECTORY


def cache_key(wasm: bytes | bytearray | memoryview, fingerprint: str) -> str:
    """The file name stem for a module compiled under the settings named by ``fingerprint``."""
    digest = hashlib.sha256()
    digest.update(fingerprint.encode("utf-8"))
    digest.update(b"\0")
    digest.update(wasm)
    return digest.hexdigest()


class ModuleCache:
    """A directory of serialized modules, keyed by ``cache_key``.

    ``hits``, ``misses`` and ``rejected`` (files found but unusable) are counted
    for tests and diagnostics.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}{_SUFFIX}"

    def load(self, key: str) -> memoryview | None:
        """The stored payload (a writable view, so it can be handed to C without a copy).

        None on a miss or on a file that fails any check; such a file is removed
        so that it is read only once, and the caller's ``store`` replaces it.
        """
        path = self.path_for(key)
        try:
            with open(path, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                data = bytearray(size)
                read = file.readinto(data)
        except OSError:
            self.misses += 1
            return None
        payload = _check(data, read)
        if payload is None:
            self.rejected += 1
            self._remove(path)
            return None
        self.hits += 1
        return payload

    def store(self, key: str, payload: bytes | bytearray | memoryview) -> bool:
        """Write atomically; returns False (and leaves no debris) if the disk says no."""
        header = _HEADER.pack(MAGIC, FORMAT_VERSION, zlib.crc32(payload), len(payload))
        temp_name: str | None = None
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(
                dir=self.directory, prefix=f".{key[:16]}-", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as file:
                file.write(header)
                file.write(payload)
            os.replace(temp_name, self.path_for(key))
            temp_name = None
            return True
        except OSError:
            return False
        finally:
            if temp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name)

    def reject(self, key: str) -> None:
        """Count a loaded entry the engine refused as rejected, not a hit, and remove it."""
        self.hits -= 1
        self.rejected += 1
        self._remove(self.path_for(key))

    @staticmethod
    def _remove(path: Path) -> None:
        # Racing a writer's rename can at worst delete a good file: a later miss.
        with contextlib.suppress(OSError):
            os.unlink(path)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the advisory per-key compile lock (a no-op where that is impossible)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        lock_path = self.directory / f".{key}.lock"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            # Unlinking while others wait is harmless: the lock only avoids
            # duplicate compiles, and the rename keeps every outcome valid.
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
            os.close(fd)  # closing releases the flock


def _check(data: bytearray, read: int) -> memoryview | None:
    if read != len(data) or len(data) < HEADER_SIZE:
        return None
    magic, version, crc, length = _HEADER.unpack_from(data)
    if magic != MAGIC or version != FORMAT_VERSION or length != len(data) - HEADER_SIZE:
        return None
    payload = memoryview(data)[HEADER_SIZE:]
    if zlib.crc32(payload) != crc:
        return None
    return payload
