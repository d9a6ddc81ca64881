"""An on-disk cache of compiled core modules, so a big guest compiles once per machine.

Compiling the 6 MB libpython module inside a componentize-py component takes
seconds with Cranelift; loading its serialized form takes milliseconds.  This
module only stores, verifies and finds files: the engine adapter
(``witkit.runtime.core``) decides what to store (``wasmtime.Module.serialize()``)
and loads a verified file with ``wasmtime_module_deserialize_file``, which maps
it instead of copying it (about 10x faster than deserialising from memory for a
17 MB artifact).

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
* **Integrity.** Each file is wasmtime's artifact followed by a 24-byte trailer
  (magic, format version, CRC-32 and length of the artifact); wasmtime ignores
  bytes after the ELF image, so the file can be mapped as it is.  A file that is
  short, foreign or fails its CRC is treated as a miss, removed, and replaced by
  the next store.  (wasmtime's own check catches version or setting mismatches and
  truncation; it does not detect flipped or zeroed bytes inside machine code,
  which is what a crash without fsync can leave behind.)  Files are fsynced
  before the rename, and a caller that obtained a key through a checked lookup
  (a prepared component remembers its modules' keys) may look it up again with
  ``checksum=False``: the trailer is still checked, the 17 MB CRC pass is not.
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
import os
import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from witkit._atomic import write_atomic

if TYPE_CHECKING:
    import mmap
    from pathlib import Path

__all__ = ["ModuleCache", "cache_key", "default_cache_dir", "default_location"]

#: Identifies our files and lets a future layout change invalidate old entries.
MAGIC = b"WITKITCM"
FORMAT_VERSION = 1
_TRAILER = struct.Struct("<8sIIQ")  # magic, format version, crc32(payload), payload length
TRAILER_SIZE = _TRAILER.size

#: Name of the subdirectory of the witkit cache root that holds compiled core modules.
SUBDIRECTORY = "core"
_SUFFIX = ".cwasm"


def default_cache_dir() -> Path:
    """Where compiled modules go unless told otherwise (see the module docstring)."""
    from pathlib import Path

    return Path(default_location())


def default_location() -> str:
    """``default_cache_dir()`` as a string (plain strings on the start-up path:
    pathlib costs ~3 ms to import)."""
    explicit = os.environ.get("WITKIT_CACHE_DIR")
    if explicit:
        root = explicit
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (
            os.path.join(xdg, "witkit")
            if xdg
            else os.path.join(os.path.expanduser("~"), ".cache", "witkit")
        )
    return os.path.join(root, SUBDIRECTORY)


def cache_key(wasm: bytes | bytearray | memoryview, fingerprint: str) -> str:
    """The file name stem for a module compiled under the settings named by ``fingerprint``."""
    import hashlib  # here: only a first load hashes module bytes (prepared ones know their keys)

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
        #: the directory, as a string (``directory`` is the same as a ``Path``)
        self.location = os.fspath(directory) if directory is not None else default_location()
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    @property
    def directory(self) -> Path:
        from pathlib import Path

        return Path(self.location)

    def path_for(self, key: str) -> str:
        return os.path.join(self.location, f"{key}{_SUFFIX}")

    def _mkdir(self) -> None:
        os.makedirs(self.location, mode=0o700, exist_ok=True)

    def lookup(self, key: str, *, checksum: bool = True) -> str | None:
        """The path of a verified entry, or None on a miss.

        A file that fails any check is removed (so it is read only once) and
        reported as None; the caller's ``store`` then replaces it.
        ``checksum=False`` checks the trailer only (magic, version, length),
        for an entry whose checksum was verified when its key was obtained.
        """
        path = self.path_for(key)
        try:
            verdict = _verify(path, checksum)
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError:
            verdict = False
        if not verdict:
            self.rejected += 1
            self._remove(path)
            return None
        self.hits += 1
        return path

    def load(self, key: str) -> bytes | None:
        """The payload of a verified entry (a copy; the engine maps the file instead)."""
        path = self.lookup(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None
        return data[:-TRAILER_SIZE] if _check_trailer(data, len(data)) else None

    def store(self, key: str, payload: bytes | bytearray | memoryview) -> bool:
        """Write atomically; returns False (and leaves no debris) if the disk says no."""
        trailer = _TRAILER.pack(MAGIC, FORMAT_VERSION, zlib.crc32(payload), len(payload))
        try:
            self._mkdir()
        except OSError:
            return False
        # Synced before the rename: a crash cannot leave a complete-looking entry
        # with lost pages (``lookup(checksum=False)`` relies on it).
        return write_atomic(self.path_for(key), payload, trailer, sync=True)

    def reject(self, key: str) -> None:
        """Count a loaded entry the engine refused as rejected, not a hit, and remove it."""
        self.hits -= 1
        self.rejected += 1
        self._remove(self.path_for(key))

    @staticmethod
    def _remove(path: str) -> None:
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
        lock_path = os.path.join(self.location, f".{key}.lock")
        try:
            self._mkdir()
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


def _check_trailer(data: bytes | mmap.mmap, size: int, file_size: int | None = None) -> bool:
    """Whether the last ``TRAILER_SIZE`` of the first ``size`` bytes of ``data`` are a
    trailer of ours for a file of ``file_size`` bytes (default ``size``)."""
    if size < TRAILER_SIZE:
        return False
    whole = size if file_size is None else file_size
    magic, version, _, length = _TRAILER.unpack_from(data, size - TRAILER_SIZE)
    return bool(magic == MAGIC and version == FORMAT_VERSION and length == whole - TRAILER_SIZE)


def _verify(path: str, checksum: bool = True) -> bool:
    """Whether the file at ``path`` is a whole, undamaged entry (read through a mapping)."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size < TRAILER_SIZE:
            return False
        if not checksum:
            file.seek(size - TRAILER_SIZE)
            return _check_trailer(file.read(TRAILER_SIZE), TRAILER_SIZE, size)
        import mmap  # here: only a checksum pass maps the file

        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            if not _check_trailer(mapped, size):
                return False
            crc: int = _TRAILER.unpack_from(mapped, size - TRAILER_SIZE)[2]
            with memoryview(mapped) as whole, whole[: size - TRAILER_SIZE] as payload:
                return zlib.crc32(payload) == crc
