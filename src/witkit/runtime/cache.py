"""An on-disk cache of compiled core modules, so a big guest compiles once per machine.

Compiling the 6 MB libpython module inside a componentize-py component takes
seconds with Cranelift; loading its serialized form takes milliseconds.  This
module only stores, verifies and finds files, and decides which directories
may be trusted with them: the engine adapter (``witkit.runtime.core``) decides
what to store (``wasmtime.Module.serialize()``) and loads a verified file with
``wasmtime_module_deserialize_file``, which maps it instead of copying it (about
10x faster than deserialising from memory for a 17 MB artifact).

Rules:

* **Key.** ``sha256(fingerprint, module bytes)``; the fingerprint names the
  wasmtime version, the machine and every engine setting that affects code
  generation, so a change of any of them is a miss, never a wrong hit.
* **Location.** ``$WITKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/witkit``, else
  ``~/.cache/witkit``; compiled modules live in its ``core/`` subdirectory.
  Every directory witkit creates on the way is created with mode 0700, one
  level at a time (``os.makedirs`` would give the levels above the last the
  umask's 0755).
* **Trust.** Loading an entry runs what is in it: machine code here, generated
  Python code and a pickled plan beside it (``witkit.runtime._codecache``,
  ``witkit.runtime._prepared``).  So a directory is used only if no one but the
  current user (and root) can change what it holds (``trusted``): the cache
  directory and those under it must be owned by the effective user and not
  writable by group or others; every directory above it, and every directory a
  symbolic link on the way passes through, must be owned by the user or root
  and not writable by group or others unless it is sticky (``/tmp``: there only
  an entry's owner may rename or remove it, and the entry must be ours).  A
  refused directory is said once per process (a ``CacheWarning``, which
  ``witkit run`` prints as one line) and the run goes on without that part of
  the cache.  Root is no exception: a cache owned by another user is refused
  (that user could plant entries root would run).  Verdicts are kept for the
  life of the process.  Each entry file read must also belong to the user or
  root (``owned``): a directory that was writable by others once may still
  hold what they put there.
* **Each entry names its key.** A file is wasmtime's artifact, then the key it
  was stored under, then a 28-byte trailer (magic, format version, CRC-32 and
  length of the artifact, length of the key); wasmtime ignores bytes after the
  ELF image, so the file can be mapped as it is.  An entry is used only if it
  is whole, of this format, stored under the key it is looked up by (so one
  component's module copied over another's is a miss, not the other's code)
  and its artifact's CRC matches, on every load: a prepared component's warm
  start checks its modules as a first load does (~2.5 ms for 17 MB).  wasmtime's
  own checks catch version or setting mismatches and truncation, but not
  flipped or zeroed bytes inside machine code, which a failing disk or a crash
  without fsync can leave behind and which would otherwise execute.  A file that
  fails any check is a miss: it is removed and replaced by the next store.
  The CRC is against accidents only: anyone who can write an entry can write
  its checksum too, so the ownership rule above is the defence against people.
  (A keyed MAC would not add one: its key would have to live where the same
  user, the only one who can write the entries, could read it.)
* **Atomic writes.** A file is written under a temporary name in the same
  directory and renamed into place with ``os.replace``, so a reader sees a whole
  file or none.  Concurrent processes may both write; the last rename wins and
  both files are valid.  Files are fsynced before the rename.
* **One compiler per key.** ``lock(key)`` takes an advisory ``flock`` so that of
  several processes missing on the same module, one compiles and the others
  wait and then load.  The lock only saves work: correctness rests on the atomic
  rename, so the lock file is removed after use and platforms without ``fcntl``
  simply skip it.
* **Pruning.** Each load records the entry's use in its mtime (``owned``, at
  most once an hour per entry); after a store, ``witkit.runtime.pruning``
  removes the least recently used entries when the directory is over its
  limit (512 MiB by default), at most once a minute.
* **Failures never fail the caller.** An unwritable directory or full disk makes
  the cache a no-op for that entry.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from witkit import _log
from witkit._atomic import write_atomic

if TYPE_CHECKING:
    import mmap
    from pathlib import Path

__all__ = [
    "CacheDirectory",
    "CacheWarning",
    "ModuleCache",
    "cache_key",
    "default_cache_dir",
    "default_location",
    "owned",
    "trusted",
]

#: Identifies our files and lets a future layout change invalidate old entries.
MAGIC = b"WITKITCM"
FORMAT_VERSION = 2
#: magic, format version, crc32(artifact), artifact length, key length (the key precedes it)
_TRAILER = struct.Struct("<8sIIQI")
TRAILER_SIZE = _TRAILER.size

#: Name of the subdirectory of the witkit cache root that holds compiled core modules.
SUBDIRECTORY = "core"
_SUFFIX = ".cwasm"


class CacheWarning(UserWarning):
    """A cache directory is not used, for the reason the message gives (see ``trusted``)."""


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


# --------------------------------------------------------------------------- trust

#: (directory, own_from) -> None if trusted, else why not ("": unusable, nothing to say)
_verdicts: dict[tuple[str, str], str | None] = {}
#: the problems already reported in this process
_warned: set[str] = set()


def trusted(directory: str, own_from: str | None = None, *, again: bool = False) -> bool:
    """Whether the cache directory ``directory`` may be used (see "Trust" in the module rules).

    ``directory`` and the directories between ``own_from`` (default:
    ``directory``) and it are witkit's own; those above are only on the way.
    Missing directories are created, each with mode 0700.  The verdict is kept
    for the process (``again`` judges afresh, for a caller about to write); a
    refusal is reported once per problem as a ``CacheWarning``.
    """
    key = (directory, directory if own_from is None else own_from)
    if not again:
        found = _verdicts.get(key, False)
        if found is not False:
            return found is None
    problem = _judge(*key)
    _verdicts[key] = problem
    if problem and problem not in _warned:
        _warned.add(problem)
        import warnings

        warnings.warn(f"compile cache not used: {problem}", CacheWarning, stacklevel=_caller())
    return problem is None


def _caller() -> int:
    """The ``stacklevel`` of the first frame outside witkit: the warning names the
    caller's line (``Engine(...)``, ``Component.from_file(...)``), not ours."""
    import sys

    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("witkit"):
        frame = frame.f_back
        level += 1
    return level


def owned(fd: int) -> bool:
    """Whether the open file ``fd`` belongs to the effective user or root.

    A trusted directory holds only files its owner (or root) made, unless it
    was once writable by others: files planted then stay theirs after the
    mode is fixed, and are refused here, one by one (one ``fstat``).

    Every cache entry read passes here, so this is also where its use is
    recorded for pruning: an entry whose mtime is over an hour old gets now
    (``witkit.runtime.pruning.USE_RESOLUTION``; one ``futimens``, and none on
    the other loads of that hour).
    """
    st = os.fstat(fd)
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and st.st_uid not in (geteuid(), 0):
        return False
    if time.time() - st.st_mtime > _USE_RESOLUTION:
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(fd)
    return True


#: ``witkit.runtime.pruning.USE_RESOLUTION`` (not imported: loads must not load the pruner)
_USE_RESOLUTION = 3600.0


class _Refused(Exception):
    """Ends a walk: the message says why ("" when there is nothing to tell the user)."""


#: symbolic links a walk follows before it gives up (the kernel's own limit)
_MAX_LINKS = 40
_GROUP_OR_OTHERS = stat.S_IWGRP | stat.S_IWOTH


def _judge(directory: str, own_from: str) -> str | None:
    """Walk to ``directory`` as the kernel would, creating what is missing and checking
    every directory passed through; None if all is well, else the problem."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # pragma: no cover - not POSIX: no owners to compare
        return None
    if not os.path.isabs(directory):
        cwd = os.getcwd()
        directory, own_from = os.path.join(cwd, directory), os.path.join(cwd, own_from)
    parts = _parts(directory)
    own_depth = len(_parts(own_from))
    walk = _Walk(geteuid())
    try:
        current, st = "/", os.lstat("/")
        walk.check(current, st, own=False)
        for depth, name in enumerate(parts, 1):
            current, st = walk.enter(current, st, name, create=True, own=depth >= own_depth)
    except _Refused as refused:
        return str(refused)
    except OSError:
        return ""
    return None


def _parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


class _Walk:
    """One resolution of a path, component by component (see ``_judge``)."""

    def __init__(self, uid: int) -> None:
        self.uid = uid
        self.links = 0

    def enter(
        self, current: str, here: os.stat_result, name: str, *, create: bool, own: bool = False
    ) -> tuple[str, os.stat_result]:
        """The directory ``name`` in ``current`` (whose status is ``here``), checked as
        witkit's own or as one on the way; symbolic links are followed, and every
        directory they pass through is checked as one on the way."""
        if name == "..":
            # ``current`` was reached through its parent, which was checked then
            found = os.path.dirname(current)
            st = os.lstat(found)
        else:
            found = os.path.join(current, name)
            try:
                st = os.lstat(found)
            except FileNotFoundError:
                if not create:
                    raise _Refused("") from None
                with contextlib.suppress(FileExistsError):  # made meanwhile: judged below
                    os.mkdir(found, 0o700)
                st = os.lstat(found)
            if stat.S_ISLNK(st.st_mode):
                self.links += 1
                if self.links > _MAX_LINKS:
                    raise _Refused("")
                target = os.readlink(found)
                found, st = ("/", os.lstat("/")) if target.startswith("/") else (current, here)
                for part in _parts(target):
                    found, st = self.enter(found, st, part, create=False)
            else:
                self.check(found, st, own=False)
        if own:
            self.check(found, st, own=True)
        return found, st

    def check(self, path: str, st: os.stat_result, *, own: bool) -> None:
        """Refuse ``path`` unless no one but us (and root) can change what it holds."""
        if not stat.S_ISDIR(st.st_mode):
            raise _Refused("")  # nothing to tell: the cache simply cannot live there
        mode = stat.S_IMODE(st.st_mode)
        if own:
            if st.st_uid != self.uid:
                raise _Refused(f"{path} is owned by uid {st.st_uid}, not by uid {self.uid}")
            if mode & _GROUP_OR_OTHERS:
                raise _Refused(f"{path} is writable by {_who(mode)} (mode {mode:04o})")
            return
        if st.st_uid not in (self.uid, 0):
            also = "" if self.uid == 0 else " or root"
            raise _Refused(
                f"{path} is owned by uid {st.st_uid}, not by uid {self.uid}{also},"
                " who could replace what is in it"
            )
        if mode & _GROUP_OR_OTHERS and not mode & stat.S_ISVTX:
            raise _Refused(
                f"{path} is writable by {_who(mode)} without the sticky bit (mode {mode:04o}),"
                " who could replace what is in it"
            )


def _who(mode: int) -> str:
    if mode & stat.S_IWGRP and mode & stat.S_IWOTH:
        return "group and others"
    return "group" if mode & stat.S_IWGRP else "others"


# --------------------------------------------------------------------------- entries


class CacheDirectory:
    """What every witkit cache directory has: its place, its trust, and its counts.

    ``hits``, ``misses`` and ``rejected`` (entries found but unusable) are
    counted for tests and diagnostics.  The directory is used only if
    ``trusted`` says so, judged with the directories from ``own_from`` down.
    """

    def __init__(self, location: str, own_from: str | None = None) -> None:
        #: the directory, as a string (``directory`` is the same as a ``Path``)
        self.location = location
        self._own_from = own_from
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    @property
    def directory(self) -> Path:
        from pathlib import Path  # not on the start-up path: ~3 ms to import

        return Path(self.location)

    def usable(self, *, again: bool = False) -> bool:
        """Whether this directory may be used (``trusted``; warns once if not)."""
        return trusted(self.location, self._own_from, again=again)


class ModuleCache(CacheDirectory):
    """A directory of serialized modules, keyed by ``cache_key``.

    A directory ``trusted`` refuses is never read or written: every lookup
    misses, every store is skipped.  ``max_size`` is the size
    ``witkit.runtime.pruning`` keeps the directory under (None:
    ``$WITKIT_CACHE_MAX_SIZE`` or its default).
    """

    max_size: int | None = None

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        super().__init__(os.fspath(directory) if directory is not None else default_location())

    def path_for(self, key: str) -> str:
        return os.path.join(self.location, f"{key}{_SUFFIX}")

    def lookup(self, key: str) -> str | None:
        """The path of a verified entry, or None on a miss.

        A file that fails any check (see the module rules) is removed (so it
        is read only once) and reported as None; the caller's ``store`` then
        replaces it.
        """
        return self.lookup_all((key,))[0]

    def lookup_all(self, keys: Sequence[str]) -> list[str | None]:
        """``lookup`` of each key, the big files checked on a helper thread meanwhile.

        zlib releases the GIL while it computes a CRC, so with a second core the
        ~30 MB of a componentize-py component's modules are checked in about
        half the time (~9 ms one after the other here); the files are split by
        size between the two threads.
        """
        if not trusted(self.location):
            self.misses += len(keys)
            return [None] * len(keys)
        paths = [self.path_for(key) for key in keys]
        verdicts: list[bool | None] = [None] * len(keys)

        def check(indices: Iterable[int]) -> None:
            for index in indices:
                verdicts[index] = _check(paths[index], keys[index])

        mine, helper = _share(paths)
        thread = None
        if helper:
            thread = threading.Thread(target=check, args=(helper,), daemon=True)
            thread.start()
        check(mine)
        if thread is not None:
            thread.join()
        found: list[str | None] = []
        for path, verdict in zip(paths, verdicts, strict=True):
            if verdict is None:
                self.misses += 1
            elif not verdict:
                if (log := _log.get("cache", 20)) is not None:
                    log.info("entry %s rejected (damaged or not ours): removed", path)
                self.rejected += 1
                self._remove(path)
            else:
                self.hits += 1
            found.append(path if verdict else None)
        return found

    def load(self, key: str) -> bytes | None:
        """The artifact of a verified entry (a copy; the engine maps the file instead)."""
        path = self.lookup(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None
        length = _artifact_length(data, len(data), key.encode())
        return None if length is None else data[:length]

    def store(self, key: str, payload: bytes | bytearray | memoryview) -> bool:
        """Write atomically; returns False (and leaves no debris) if the disk says no."""
        if not trusted(self.location, again=True):  # and (re)made if it has gone
            return False
        name = key.encode()
        trailer = _TRAILER.pack(MAGIC, FORMAT_VERSION, zlib.crc32(payload), len(payload), len(name))
        # Synced before the rename: a crash cannot leave a complete-looking entry
        # with lost pages.
        if not write_atomic(self.path_for(key), payload, name, trailer, sync=True):
            return False
        from witkit.runtime.pruning import after_store  # cold: a module was just compiled

        after_store(self.location, self.max_size)
        return True

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
            if not trusted(self.location, again=True):
                raise OSError("not a trusted directory")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
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


def _artifact_length(data: bytes | mmap.mmap, size: int, key: bytes) -> int | None:
    """The artifact's length if the first ``size`` bytes of ``data`` end with our trailer,
    for an entry stored under ``key``; None if they do not."""
    if size < TRAILER_SIZE:
        return None
    magic, version, _, length, key_length = _TRAILER.unpack_from(data, size - TRAILER_SIZE)
    if (
        magic != MAGIC
        or version != FORMAT_VERSION
        or key_length != len(key)
        or length + key_length + TRAILER_SIZE != size
        or data[length : length + key_length] != key
    ):
        return None
    return int(length)


#: below this many bytes in all, a helper thread costs more than it saves
_PARALLEL_BYTES = 4 << 20


def _share(paths: Sequence[str]) -> tuple[list[int], list[int]]:
    """The indices of ``paths`` to check on this thread and on a helper (none if not worth it):
    biggest first, each to the thread with fewer bytes so far."""
    everything = list(range(len(paths)))
    if len(paths) < 2 or _cores() < 2:
        return everything, []
    sizes = []
    for path in paths:
        try:
            sizes.append(os.stat(path).st_size)
        except OSError:
            sizes.append(0)
    if sum(sizes) < _PARALLEL_BYTES:
        return everything, []
    shares: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    for index in sorted(everything, key=sizes.__getitem__, reverse=True):
        lighter = 0 if loads[0] <= loads[1] else 1
        shares[lighter].append(index)
        loads[lighter] += sizes[index]
    return shares[1], shares[0]  # the helper starts with the biggest file


@functools.cache
def _cores() -> int:
    """The CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _check(path: str, key: str) -> bool | None:
    """``_verify``, with a missing file as None and any failure as False (never raises:
    it also runs on a helper thread)."""
    try:
        return _verify(path, key)
    except FileNotFoundError:
        return None
    except Exception:  # OSError, ValueError (mmap of an empty file), MemoryError...
        return False


def _verify(path: str, key: str) -> bool:
    """Whether the file at ``path`` is ours, whole, undamaged and stored under ``key``.

    Read through a mapping: the artifact's pages are the page cache's, which
    wasmtime maps again right after (zlib's CRC-32 runs at ~7 GB/s here).
    """
    import mmap  # here: the first lookup of a process pays for it, not every import

    with open(path, "rb") as file:
        if not owned(file.fileno()):
            return False
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            size = len(mapped)
            length = _artifact_length(mapped, size, key.encode())
            if length is None:
                return False
            crc: int = _TRAILER.unpack_from(mapped, size - TRAILER_SIZE)[2]
            with memoryview(mapped) as whole, whole[:length] as artifact:
                return zlib.crc32(artifact) == crc
