"""An on-disk cache of the ABI's generated code, so a guest's specialised functions compile once.

``witkit.abi`` generates Python source per function type and compiles it; for a
componentize-py guest that is ~300 sources and ~80 ms of every start.  This
module is the persistent second level behind the ABI's in-memory cache
(``witkit.abi._codecache``).  An engine whose compile cache is on owns one, in
the same directory (``Engine.code_cache``), and the runtime runs that engine's
generation work inside its scope (``witkit.abi._codecache.compiling_with``); an
engine with its cache off reads and writes nothing here.  ``witkit run`` also
installs the default directory's process-wide (``use_disk_code_cache``), so
code generated before any engine exists loads too.

Rules (those of ``witkit.runtime.cache``, applied to code objects):

* **Key.** BLAKE2b of ``(filename, source)``; the directory is named after the
  interpreter's bytecode magic number, so another Python never reads our files.
* **Location.** ``code-<magic>/`` inside the engine's module cache directory,
  mode 0700, one small file per source (a file costs ~20 us to read, a compile
  ~250 us).
* **Data.** ``get_data``/``put_data`` keep other marshallable values (the ABI's
  recipes, ``witkit.abi._recipes``) in the same directory and format, by key.
* **Format.** The caches' framing (``witkit._atomic``: magic, format version,
  CRC-32 and length of the payload, and the entry's key) then
  ``marshal.dumps(value)``.  A short, foreign or damaged file, or one stored
  under another key (an entry copied over another would run the other's code
  in this one's namespace: ``NameError`` at best), is a miss and is removed;
  the next ``put`` replaces it.
* **Atomic writes** through a temporary file and ``os.replace``.
* **Trust.** ``marshal.loads`` itself runs nothing, but the code it returns is
  executed, as the compiled modules beside it are: the directory is used only
  if ``witkit.runtime.cache.trusted`` says no one else can write it (checked
  once per process; a refused directory is neither read nor written).
* **Failures never fail the caller**: an I/O error is a miss or a skipped store.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from importlib.util import MAGIC_NUMBER
from types import CodeType

from witkit._atomic import unframe, write_framed
from witkit._startup import blake2b
from witkit.runtime.cache import CacheDirectory, owned

__all__ = ["DiskCodeCache", "disk_code_cache", "use_disk_code_cache"]

_MAGIC = b"WKPC"
_FORMAT_VERSION = 2


class DiskCodeCache(CacheDirectory):
    """A directory of marshalled code objects (``witkit.abi._codecache.CodeCache``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        root = os.fspath(directory)
        super().__init__(os.path.join(root, f"code-{MAGIC_NUMBER.hex()}"), own_from=root)
        self._checked = False  # judged afresh (and made again if gone) before the first write

    def _key(self, source: str, filename: str) -> str:
        digest = blake2b(filename.encode("utf-8", "surrogatepass"), digest_size=32)
        digest.update(b"\0")
        digest.update(source.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, source: str, filename: str) -> CodeType | None:
        code = self._read(self._key(source, filename))
        if not isinstance(code, CodeType):
            return None
        return code

    def get_data(self, key: str) -> object | None:
        """A marshalled value stored under ``key`` (the ABI's recipes), or None."""
        return self._read(key)

    def _read(self, key: str) -> object | None:
        """The value stored under ``key``, or None (counted as a miss or a rejection)."""
        if not self.usable():
            self.misses += 1
            return None
        path = os.path.join(self.location, key)
        try:
            with open(path, "rb") as file:
                data = file.read() if owned(file.fileno()) else b""
        except OSError:
            self.misses += 1
            return None
        value = _decode(data, key)
        if value is None:
            self.rejected += 1
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        self.hits += 1
        return value

    def put_data(self, key: str, value: object) -> None:
        """Store a marshallable ``value`` under ``key`` (atomically; failures are ignored)."""
        try:
            payload = marshal.dumps(value)  # type: ignore[arg-type]
        except ValueError:
            return
        self._write(key, payload)

    def _write(self, key: str, payload: bytes) -> None:
        if not self._checked:
            self._checked = True
            self.usable(again=True)
        if self.usable():
            write_framed(
                os.path.join(self.location, key), _MAGIC, _FORMAT_VERSION, key.encode(), payload
            )

    def put(self, source: str, filename: str, code: CodeType) -> None:
        self._write(self._key(source, filename), marshal.dumps(code))


def _decode(data: bytes, key: str) -> object | None:
    """The value in a file's bytes, or None unless they are a whole, undamaged entry
    stored under ``key``."""
    payload = unframe(data, _MAGIC, _FORMAT_VERSION, key.encode())
    if payload is None:
        return None
    try:
        value: object = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return value


#: location -> its cache (None: not trusted), so an engine and ``witkit run`` share one
_opened: dict[str, DiskCodeCache | None] = {}


def disk_code_cache(location: str | os.PathLike[str]) -> DiskCodeCache | None:
    """The code cache in ``location``, or None if that directory is not trusted
    (``witkit.runtime.cache.trusted``, which warns once); one object per location."""
    key = os.fspath(location)
    if key not in _opened:
        cache = DiskCodeCache(key)
        _opened[key] = cache if cache.usable() else None
    return _opened[key]


def use_disk_code_cache(location: str | os.PathLike[str]) -> None:
    """Install the code cache in ``location`` process-wide behind the ABI's, unless
    one is installed or the directory is not trusted.  An application's choice
    (``witkit run``); the library never calls it."""
    from witkit.abi._codecache import get_code_cache, set_code_cache

    if get_code_cache() is None:
        cache = disk_code_cache(location)
        if cache is not None:
            set_code_cache(cache)
