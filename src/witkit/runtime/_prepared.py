"""Prepared components: a component file's decoded, validated and translated form, kept on disk.

Running the same component again (the common case for ``witkit run``) used to
repeat work whose answer depends only on the file: decoding and validating an
18 MB componentize-py component and translating it took ~60 ms per start, and
hashing its core modules to find them in the compile cache ~20 ms more.  A
prepared entry holds the result, keyed by the file's identity, so a warm start
loads one small pickle and maps the compiled modules by their remembered keys.

Rules:

* **Key.** BLAKE2b of: this format's version; the Python version; a stamp of
  the witkit sources an entry depends on (size and modification time of each
  module that defines or computes what is pickled, so a changed witkit never
  reads a plan an older one wrote); the engine fingerprint (the
  compile cache keys depend on it); the validation features; and the file's
  identity: real path, device, inode, size, modification and *change* time in
  nanoseconds.  The change time cannot be set back by ``touch`` or ``utime``
  and moves with every write, the same signal git's index trusts; a file
  replaced by a rename has a new inode.  Anything not a regular file is never
  prepared, and neither is a file changed within the last timestamp tick or so
  (``too_fresh``), since a second change in the same tick could look the same.
* **Content.** A pickle of :class:`Prepared`: the component's type, its
  translation without the core modules' bytes, and the compile cache key of
  each core module.  A module whose cache entry has gone makes the whole entry
  a miss: the component is then decoded as if for the first time.
* **Loading runs no code.** Entries are unpickled by a loader that resolves
  only witkit's record classes (``_Loader``): those are built with
  ``object.__new__`` and their fields set one by one, so a file whose pickle
  names any other callable (``os.system``, a class with its own ``__reduce__``)
  is refused before anything runs, and is a miss.  What a well-formed but false
  entry could still do is describe another plan: the checks below and the
  ownership rule keep such files out.
* **Integrity.** The caches' framing (``witkit._atomic``): a header with the
  format, the entry's key and a CRC-32 of the pickle, so a torn or damaged
  file, or another component's entry copied over this one, is a miss, never a
  wrong plan.
* **Location and trust.** ``components/`` inside the engine's compile cache
  directory, whose rules it shares (``witkit.runtime.cache``): atomic writes,
  failures are misses, and the directory is used only if ``trusted`` (owned by
  the user, writable by no one else, nor swappable through a directory above):
  that rule, not the checksum, is what keeps other users' files from being read.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import time
from functools import cache
from typing import TYPE_CHECKING

from witkit._atomic import unframe, write_framed
from witkit._record import record
from witkit._startup import blake2b, c_pickle
from witkit.runtime.cache import owned, trusted
from witkit.runtime.plan import Translation
from witkit.types import ComponentType

if TYPE_CHECKING:
    from pickle import PicklingError, Unpickler, UnpicklingError, dumps
else:  # the C pickler alone (witkit._startup.c_pickle)
    _pickler = c_pickle()
    PicklingError, Unpickler = _pickler.PicklingError, _pickler.Unpickler
    UnpicklingError, dumps = _pickler.UnpicklingError, _pickler.dumps

__all__ = ["Prepared", "file_key", "load", "store"]

#: bump when what is pickled changes shape in a way the code stamp would not see
FORMAT = 2
SUBDIRECTORY = "components"
_PROTOCOL = 5  # pickle.HIGHEST_PROTOCOL of every Python witkit supports
_MAGIC = b"WKPR"


@record
class Prepared:
    """What a component file comes to before it is instantiated (see the module rules)."""

    type: ComponentType
    #: ``Translation`` with ``modules=()``: the bytes stay in the file
    translation: Translation
    #: the compile cache key of each core module, in translation order
    modules: tuple[str, ...]


#: the code an entry's content depends on: the pickled classes, and what computes them
#: (paths relative to the ``witkit`` package; a directory means every module in it)
_STAMPED = (
    "_record.py",
    "types.py",
    "errors.py",
    "binary",
    "runtime/plan.py",
    "runtime/_translate.py",
    "runtime/_prepared.py",
)


@cache
def code_stamp() -> str:
    """Sizes and modification times of the witkit sources an entry depends on, as one digest.

    Not every module: only those defining what is pickled and those deciding
    what it contains (the binary reader and validator, translation).  The rest
    (the ABI, the WASI host, the CLI) use an entry without being in it, and
    stat-ing them all cost ~1 ms of every start.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = blake2b(digest_size=32)
    for item in _STAMPED:
        path = os.path.join(root, item)
        if item.endswith(".py"):
            files = [path]
        else:
            files = []
            for directory, subdirs, names in os.walk(path):
                subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
                files.extend(os.path.join(directory, n) for n in sorted(names) if n.endswith(".py"))
        for name in files:
            try:
                st = os.stat(name)
            except OSError:
                continue
            digest.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


def file_key(path: str | os.PathLike[str], fingerprint: str, features: object) -> str | None:
    """The entry name for the file at ``path`` as it is now (None: never prepare it)."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    identity = (
        f"witkit-prepared/{FORMAT};{sys.version};{code_stamp()};{fingerprint};{features!r};"
        f"{real};{st.st_dev};{st.st_ino};{st.st_size};{st.st_mtime_ns};{st.st_ctime_ns}"
    )
    return blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=32).hexdigest()


def too_fresh(path: str | os.PathLike[str]) -> bool:
    """Whether the file changed so recently that a next change could keep its times.

    Timestamps have a granularity: a kernel tick (a few ms) on file systems
    with nanosecond times, a second or two on coarse ones.  Two writes of the
    same size within one tick leave size, times and inode alike, so an entry
    stored right after the first would be trusted for the second (git's
    "racy clean" problem).  Such a file is loaded but not prepared.
    """
    try:
        changed = os.stat(path).st_ctime_ns
    except (OSError, ValueError):
        return True
    coarse = changed % 1_000_000 == 0  # no sub-millisecond part: a coarse file system
    window = RACY_COARSE_NS if coarse else RACY_FINE_NS
    return time.time_ns() - changed < window


#: how old a change must be before a file is prepared (see ``too_fresh``)
RACY_FINE_NS = 50_000_000
RACY_COARSE_NS = 3_000_000_000


class _Loader(Unpickler):
    """An unpickler that builds witkit's records and nothing else (see "Loading runs no code").

    ``find_class`` is the only way a pickle reaches a callable, so refusing
    everything but record classes of modules already loaded (importing one
    could run code: ``witkit.__main__``) leaves a pickle nothing to call but
    those classes, whose construction (``object.__new__``, ``__init__``, the
    field-by-field ``__setstate__``) only assigns fields.  The
    C unpickler calls the override once per class (~30 for a componentize-py
    component): no measurable cost next to ``loads``.
    """

    def find_class(self, module_name: str, name: str) -> type:
        module = sys.modules.get(module_name)
        if module is not None and module_name.startswith("witkit.") and "." not in name:
            found = getattr(module, name, None)
            if isinstance(found, type) and "__record_fields__" in found.__dict__:
                return found
        raise UnpicklingError(f"{module_name}.{name} is not a witkit record")


def load(cache_dir: str | os.PathLike[str], key: str) -> Prepared | None:
    """The entry ``key``, or None (missing, unreadable, not ours, or in an untrusted place)."""
    cache_dir = os.fspath(cache_dir)
    directory = os.path.join(cache_dir, SUBDIRECTORY)
    if not trusted(directory, cache_dir):
        return None
    try:
        with open(os.path.join(directory, key), "rb") as file:
            if not owned(file.fileno()):
                return None
            data = file.read()
    except OSError:
        return None
    body = unframe(data, _MAGIC, FORMAT, key.encode())
    if body is None:
        return None
    try:
        found = _Loader(io.BytesIO(body)).load()
    except Exception:  # a foreign file is a miss, whatever unpickling raised
        return None
    return found if isinstance(found, Prepared) else None


def store(cache_dir: str | os.PathLike[str], key: str, prepared: Prepared) -> bool:
    """Write atomically; False (and no debris) if the disk or the pickler says no."""
    cache_dir = os.fspath(cache_dir)
    directory = os.path.join(cache_dir, SUBDIRECTORY)
    try:
        data = dumps(prepared, protocol=_PROTOCOL)
    except (PicklingError, TypeError, AttributeError, RecursionError):
        return False
    if not trusted(directory, cache_dir, again=True):
        return False
    return write_framed(os.path.join(directory, key), _MAGIC, FORMAT, key.encode(), data)
