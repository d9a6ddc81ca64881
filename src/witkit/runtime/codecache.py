"""An on-disk cache of the ABI's generated code, so a guest's specialised functions compile once.

``witkit.abi`` generates Python source per function type and compiles it; for a
componentize-py guest that is ~300 sources and ~80 ms of every start.  This
module is the persistent second level behind the ABI's in-memory cache
(``witkit.abi.codecache``), installed by ``Component`` when its engine's
compile cache is on.

Rules (those of ``witkit.runtime.cache``, applied to code objects):

* **Key.** BLAKE2b of ``(filename, source)``; the directory is named after the
  interpreter's bytecode magic number, so another Python never reads our files.
* **Location.** ``code-<magic>/`` inside the engine's module cache directory,
  mode 0700, one small file per source (a file costs ~20 us to read, a compile
  ~250 us).
* **Data.** ``get_data``/``put_data`` keep other marshallable values (the ABI's
  recipes, ``witkit.abi.recipes``) in the same directory and format, by key.
* **Format.** A 16-byte header (magic, format version, CRC-32 and length of the
  payload) then ``marshal.dumps(code)``.  A short, foreign or damaged file is a
  miss and is removed; the next ``put`` replaces it.
* **Atomic writes** through a temporary file and ``os.replace``.
* **Trust.** Loading a file runs its code, as with the compiled modules beside it:
  the directory must be writable only by its owner.
* **Failures never fail the caller**: an I/O error is a miss or a skipped store.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import struct
import zlib
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import TYPE_CHECKING

from witkit._atomic import write_atomic
from witkit._digest import blake2b

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DiskCodeCache"]

_HEADER = struct.Struct("<4sIII")  # magic, format version, crc32(payload), payload length
_MAGIC = b"WKPC"
_FORMAT_VERSION = 1


class DiskCodeCache:
    """A directory of marshalled code objects (``witkit.abi.codecache.CodeCache``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._dir = os.path.join(os.fspath(directory), f"code-{MAGIC_NUMBER.hex()}")
        self._made = False
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    @property
    def directory(self) -> Path:
        from pathlib import Path  # not on the start-up path: ~3 ms to import

        return Path(self._dir)

    def _path(self, source: str, filename: str) -> str:
        digest = blake2b(filename.encode("utf-8", "surrogatepass"), digest_size=32)
        digest.update(b"\0")
        digest.update(source.encode("utf-8", "surrogatepass"))
        return os.path.join(self._dir, digest.hexdigest())

    def get(self, source: str, filename: str) -> CodeType | None:
        path = self._path(source, filename)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            self.misses += 1
            return None
        code = _decode(data)
        if code is None:
            self.rejected += 1
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        self.hits += 1
        return code

    def get_data(self, key: str) -> object | None:
        """A marshalled value stored under ``key`` (the ABI's recipes), or None."""
        path = os.path.join(self._dir, key)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None
        payload = _payload(data)
        if payload is None:
            self.rejected += 1
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        try:
            value: object = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        return value

    def put_data(self, key: str, value: object) -> None:
        """Store a marshallable ``value`` under ``key`` (atomically; failures are ignored)."""
        try:
            payload = marshal.dumps(value)  # type: ignore[arg-type]
        except ValueError:
            return
        self._write(os.path.join(self._dir, key), payload)

    def _write(self, path: str, payload: bytes) -> None:
        header = _HEADER.pack(_MAGIC, _FORMAT_VERSION, zlib.crc32(payload), len(payload))
        try:
            if not self._made:
                os.makedirs(self._dir, mode=0o700, exist_ok=True)
                self._made = True
        except OSError:
            return
        write_atomic(path, header, payload)

    def put(self, source: str, filename: str, code: CodeType) -> None:
        self._write(self._path(source, filename), marshal.dumps(code))


def _payload(data: bytes) -> memoryview | None:
    """The payload of a file's bytes, or None if they are not a whole, undamaged entry."""
    if len(data) < _HEADER.size:
        return None
    magic, version, crc, length = _HEADER.unpack_from(data)
    if magic != _MAGIC or version != _FORMAT_VERSION or length != len(data) - _HEADER.size:
        return None
    payload = memoryview(data)[_HEADER.size :]
    return payload if zlib.crc32(payload) == crc else None


def _decode(data: bytes) -> CodeType | None:
    """The code object in a file's bytes, or None if they are not a whole, undamaged entry."""
    payload = _payload(data)
    if payload is None:
        return None
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None
