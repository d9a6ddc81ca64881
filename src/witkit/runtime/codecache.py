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
* **Format.** The caches' framing (``witkit._atomic``: magic, format version,
  CRC-32 and length of the payload) then ``marshal.dumps(code)``.  A short, foreign or damaged file is a
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
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import TYPE_CHECKING

from witkit._atomic import unframe, write_framed
from witkit._digest import blake2b

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DiskCodeCache", "use_disk_code_cache"]

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
        payload = unframe(data, _MAGIC, _FORMAT_VERSION)
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
        try:
            if not self._made:
                os.makedirs(self._dir, mode=0o700, exist_ok=True)
                self._made = True
        except OSError:
            return
        write_framed(path, _MAGIC, _FORMAT_VERSION, payload)

    def put(self, source: str, filename: str, code: CodeType) -> None:
        self._write(self._path(source, filename), marshal.dumps(code))


def _decode(data: bytes) -> CodeType | None:
    """The code object in a file's bytes, or None if they are not a whole, undamaged entry."""
    payload = unframe(data, _MAGIC, _FORMAT_VERSION)
    if payload is None:
        return None
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def use_disk_code_cache(location: str | os.PathLike[str]) -> None:
    """Install a ``DiskCodeCache`` in ``location`` behind the ABI's, unless one is installed."""
    from witkit.abi.codecache import get_code_cache, set_code_cache

    if get_code_cache() is None:
        set_code_cache(DiskCodeCache(location))
