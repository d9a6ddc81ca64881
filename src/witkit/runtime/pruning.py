"""The compile cache as a whole: what it holds, how big it is, and keeping it under a size.

The caches beside each other in one directory (``witkit.runtime.cache``) only
ever add files: compiled core modules (``*.cwasm``), generated ABI code
(``code-<python magic>/``) and prepared components (``components/``).  Seven
componentize-py components came to 139 MB.  This module measures the
directory, empties it (``witkit cache clean``), and removes the least recently
used entries until it fits a size (``witkit cache prune``, and automatically).

Rules:

* **Only witkit's files, only inside.** The directory is walked through
  descriptors: each subdirectory is opened relative to its parent with
  ``O_NOFOLLOW``, and a file is removed with ``unlinkat`` on its parent's
  descriptor, so no symbolic link is ever followed and nothing outside the
  cache directory can be reached, whatever is renamed meanwhile.  A file is
  removed only if it is a regular file of the user (or root) in one of
  witkit's formats (checked by its magic bytes just before removal), or
  witkit's own debris by name (temporary files of interrupted writes, lock
  files).  Anything else is left where it is and counted as ``other``.  A
  directory the cache would refuse (``witkit.runtime.cache.trusted``) is
  refused here too: nothing is removed from it.
* **Last use is the modification time.** Access times are unreliable
  (``relatime``, ``noatime``), so an entry's use is recorded in its mtime: a
  store writes it, and a load that finds it over ``USE_RESOLUTION`` old sets it
  to now (``witkit.runtime.cache.owned``, on the descriptor the load already
  holds: one ``futimens`` per entry per hour at most, nothing on the other
  loads).  Least recently used is therefore exact to within an hour.
* **Automatic pruning is off the warm path.** Nothing is checked when entries
  are only loaded.  After a compiled module is stored (a cold start, which has
  just spent far longer compiling) ``after_store`` looks at a stamp file; at
  most once per ``CHECK_INTERVAL`` per cache (and per process) it measures the
  directory (~50 ms for 10 000 entries) and, when it is over the limit, removes
  least recently used entries down to ``LOW_WATER`` of it, so that the next
  store does not prune again at once.  Between two checks the cache can
  outgrow its limit by what one interval of compiling adds.
* **The limit.** ``DEFAULT_MAX_SIZE`` (512 MiB, the default soft limit of
  wasmtime's own compile cache): about a dozen componentize-py components or
  hundreds of C ones.  ``WITKIT_CACHE_MAX_SIZE`` (``2GiB``, ``800M``,
  ``off``) or ``Engine(cache_max_size=...)`` change it.  Sizes are what the
  files occupy on disk (``du``), so the many small code files count their
  blocks.
* **Removal never breaks a reader.** Files are unlinked, never truncated or
  rewritten: a process that has an entry open or mapped (wasmtime maps
  compiled modules) keeps the inode until it lets go, on Linux and every
  POSIX system.  A process that verified an entry and then finds the name gone
  before mapping it treats that as a miss and compiles again; a prepared
  component whose module was pruned is decoded afresh.  Concurrent pruners may
  remove the same file; the second one's ``ENOENT`` is ignored.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from witkit import _log
from witkit.runtime.cache import _judge, default_location

__all__ = [
    "CHECK_INTERVAL",
    "DEFAULT_MAX_SIZE",
    "KINDS",
    "LOW_WATER",
    "USE_RESOLUTION",
    "CacheRefused",
    "Usage",
    "after_store",
    "clean",
    "configured_max_size",
    "parse_size",
    "prune",
    "usage",
]

#: the automatic limit: wasmtime's own cache prunes at 512 MiB by default too
DEFAULT_MAX_SIZE = 512 << 20
#: how often (seconds) a cache is measured at most, after a store
CHECK_INTERVAL = 60.0
#: automatic pruning goes down to this fraction of the limit (room for the next stores)
LOW_WATER = 0.8
#: an entry's mtime is moved to now when a load finds it older than this (seconds)
USE_RESOLUTION = 3600.0
#: debris (temporary files, lock files) older than this is pruned (seconds)
STALE_AFTER = 86400.0

#: the kinds of entry, in the order ``witkit cache size`` lists them
KINDS = ("modules", "code", "prepared", "debris", "other")

#: the stamp whose mtime says when the cache was last measured
STAMP = ".witkit-size-checked"

# The formats, as their writers (``witkit.runtime.cache``, ``..._codecache``,
# ``..._prepared``) define them; tests/runtime/test_pruning.py checks they agree.
_MODULE_SUFFIX = ".cwasm"
_MODULE_MAGIC = b"WITKITCM"  # the first field of the 28-byte trailer
_TRAILER_SIZE = 28
_CODE_MAGIC = b"WKPC"  # the first field of the framed header
_PREPARED_MAGIC = b"WKPR"
_CODE_PREFIX = "code-"
_PREPARED_DIRECTORY = "components"

_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass
class Usage:
    """Entries and bytes on disk, per kind (``KINDS``), of one cache directory."""

    entries: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    bytes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total_entries(self) -> int:
        return sum(self.entries.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())

    def add(self, kind: str, size: int) -> None:
        self.entries[kind] += 1
        self.bytes[kind] += size


def parse_size(text: str) -> int | None:
    """``1048576``, ``64KiB``, ``800M``, ``2GiB`` -> bytes (binary multiples); None if not a size."""
    text = text.strip().lower().removesuffix("ib").removesuffix("b")
    power = "kmgt".find(text[-1:]) + 1 if text else 0
    digits = text[:-1] if power else text
    if not digits.strip().isdigit():
        return None
    return int(digits) << (10 * power)


def configured_max_size(explicit: int | None = None) -> int | None:
    """The limit automatic pruning keeps: ``explicit`` (an engine's ``cache_max_size``),
    else ``$WITKIT_CACHE_MAX_SIZE`` (``off``: no limit; not a size: the default),
    else ``DEFAULT_MAX_SIZE``.  None means no limit."""
    if explicit is not None:
        return explicit
    text = os.environ.get("WITKIT_CACHE_MAX_SIZE", "").strip()
    if text.lower() in ("off", "none", "unlimited"):
        return None
    found = parse_size(text) if text else None
    return DEFAULT_MAX_SIZE if found is None else found


# --------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class _Entry:
    """One file found in the cache: where, what, how big, when last used."""

    directory: int  # the descriptor of its directory (valid during the walk)
    name: str
    kind: str
    size: int
    used: float
    device: int
    inode: int


def _disk_size(st: os.stat_result) -> int:
    blocks = getattr(st, "st_blocks", None)
    return st.st_size if blocks is None else blocks * 512


def _kind(subdirectory: str | None, name: str) -> str:
    """What a file is, by its name and where it lies (the format is checked before removal)."""
    if name.endswith(".tmp") or (name.startswith(".") and name.endswith(".lock")):
        return "debris"
    if subdirectory is None:
        return "modules" if name.endswith(_MODULE_SUFFIX) and not name.startswith(".") else "other"
    if name.startswith(".") or "." in name:
        return "other"
    return "code" if subdirectory.startswith(_CODE_PREFIX) else "prepared"


def _ours(st: os.stat_result) -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or st.st_uid in (geteuid(), 0)


def _private_directory(st: os.stat_result) -> bool:
    """A directory of witkit's own, as ``trusted`` wants it: ours, writable by no one else."""
    geteuid = getattr(os, "geteuid", None)
    return (
        stat.S_ISDIR(st.st_mode)
        and (geteuid is None or st.st_uid == geteuid())
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


@contextlib.contextmanager
def _walk(location: str) -> Iterator[list[_Entry]]:
    """Every regular file of the cache at ``location`` (its subdirectories one level down),
    with the directory descriptors held open while the caller acts on them."""
    descriptors: list[int] = []
    entries: list[_Entry] = []
    try:
        root = os.open(location, _DIRECTORY_FLAGS)
        descriptors.append(root)
        if not _private_directory(os.fstat(root)):
            raise CacheRefused(f"{location} is not a private directory of this user")
        subdirectories = []
        for item in os.scandir(root):
            if item.is_dir(follow_symlinks=False) and (
                item.name.startswith(_CODE_PREFIX) or item.name == _PREPARED_DIRECTORY
            ):
                subdirectories.append(item.name)
            else:
                _collect(root, None, item, entries)
        for name in sorted(subdirectories):
            try:
                fd = os.open(name, _DIRECTORY_FLAGS | _NOFOLLOW, dir_fd=root)
            except OSError:
                continue
            descriptors.append(fd)
            if not _private_directory(os.fstat(fd)):
                continue  # the cache refuses it too; nothing in it is touched
            for item in os.scandir(fd):
                _collect(fd, name, item, entries)
        yield entries
    finally:
        for fd in descriptors:
            os.close(fd)


def _collect(
    directory: int, subdirectory: str | None, item: os.DirEntry[str], into: list[_Entry]
) -> None:
    if item.name == STAMP or not item.is_file(follow_symlinks=False):
        return  # links, directories, sockets...: never ours, never counted
    try:
        st = item.stat(follow_symlinks=False)
    except OSError:
        return  # removed meanwhile
    kind = _kind(subdirectory, item.name) if _ours(st) else "other"
    into.append(
        _Entry(directory, item.name, kind, _disk_size(st), st.st_mtime, st.st_dev, st.st_ino)
    )


class CacheRefused(Exception):
    """The cache directory may not be acted on (its message says why)."""


def _check_trust(location: str) -> bool:
    """Whether ``location`` exists and the cache would use it; raises ``CacheRefused`` if
    it exists and would be refused.  Creates nothing."""
    if not os.path.isdir(location):
        return False
    # the reason itself: ``trusted`` warns about each problem once per process only
    problem = _judge(location, location)
    if problem is not None:
        raise CacheRefused(problem or f"{location} cannot be used")
    return True


def _is_witkit_file(entry: _Entry, fd: int, st: os.stat_result) -> bool:
    """Whether the open file ``fd`` is still ``entry`` and of witkit's format for its kind."""
    if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (entry.device, entry.inode):
        return False
    if not _ours(st):
        return False
    if entry.kind == "debris":
        return True
    if entry.kind == "modules":
        if st.st_size < _TRAILER_SIZE:
            return False
        return os.pread(fd, len(_MODULE_MAGIC), st.st_size - _TRAILER_SIZE) == _MODULE_MAGIC
    magic = _CODE_MAGIC if entry.kind == "code" else _PREPARED_MAGIC
    return os.pread(fd, len(magic), 0) == magic


def _remove(entry: _Entry) -> bool:
    """Unlink ``entry`` from its directory if it is still the file found and witkit's."""
    try:
        fd = os.open(entry.name, _FILE_FLAGS, dir_fd=entry.directory)
    except OSError:
        return False  # gone, or a link put in its place: not ours to remove
    try:
        if not _is_witkit_file(entry, fd, os.fstat(fd)):
            return False
    except OSError:
        return False
    finally:
        os.close(fd)
    try:
        # unlinkat never follows a link; a writer's rename in between at worst costs
        # that writer's entry: a later miss
        os.unlink(entry.name, dir_fd=entry.directory)
    except OSError:  # ENOENT: another pruner was first
        return False
    return True


# --------------------------------------------------------------------------- operations


@contextlib.contextmanager
def _opened(location: str | None) -> Iterator[tuple[str, list[_Entry]]]:
    """The cache directory ``location`` (None: the default one) and its files (none if
    it does not exist); ``CacheRefused`` if the cache would refuse it."""
    where = default_location() if location is None else os.fspath(location)
    if not _check_trust(where):
        yield where, []
        return
    with _walk(where) as entries:
        yield where, entries


def usage(location: str | None = None) -> Usage:
    """What the cache at ``location`` (default: the default cache) holds, per kind."""
    found = Usage()
    with _opened(location) as (_, entries):
        for entry in entries:
            found.add(entry.kind, entry.size)
    return found


def clean(location: str | None = None) -> Usage:
    """Remove every witkit file from the cache at ``location``; returns what was removed.

    Empty ``code-*`` and ``components`` directories are removed too; the
    directory itself and anything not witkit's stay.
    """
    removed = Usage()
    with _opened(location) as (where, entries):
        for entry in entries:
            if entry.kind != "other" and _remove(entry):
                removed.add(entry.kind, entry.size)
    _remove_stamp_and_empty_subdirectories(where)
    return removed


def _remove_stamp_and_empty_subdirectories(location: str) -> None:
    try:
        root = os.open(location, _DIRECTORY_FLAGS)
    except OSError:
        return
    try:
        if not _private_directory(os.fstat(root)):
            return
        with contextlib.suppress(OSError):
            st = os.stat(STAMP, dir_fd=root, follow_symlinks=False)
            if stat.S_ISREG(st.st_mode):
                os.unlink(STAMP, dir_fd=root)
        for item in os.scandir(root):
            if item.is_dir(follow_symlinks=False) and (
                item.name.startswith(_CODE_PREFIX) or item.name == _PREPARED_DIRECTORY
            ):
                with contextlib.suppress(OSError):  # not empty: something not ours is there
                    os.rmdir(item.name, dir_fd=root)
    finally:
        os.close(root)


def prune(location: str | None, max_size: int, *, target: int | None = None) -> Usage:
    """Remove least recently used entries until the cache at ``location`` takes at most
    ``max_size`` bytes (down to ``target`` when given, once over); returns what was removed.

    Debris older than a day goes first, whatever the size.  Files that are not
    witkit's count towards the size but are never removed.
    """
    removed = Usage()
    now = time.time()
    with _opened(location) as (_, entries):
        total = sum(entry.size for entry in entries)
        for entry in entries:
            if entry.kind == "debris" and now - entry.used > STALE_AFTER and _remove(entry):
                removed.add(entry.kind, entry.size)
                total -= entry.size
        if total <= max_size:
            return removed
        goal = max_size if target is None else min(target, max_size)
        candidates = sorted(
            (e for e in entries if e.kind in ("modules", "code", "prepared")),
            key=lambda e: e.used,
        )
        for entry in candidates:
            if total <= goal:
                break
            if _remove(entry):
                removed.add(entry.kind, entry.size)
                total -= entry.size
    return removed


#: per process: when (``time.monotonic``) a store may next look at the stamp
_next_check = 0.0


def after_store(location: str, max_size: int | None = None) -> None:
    """Called after a compiled module was stored: prune the cache if it is over its limit,
    at most once per ``CHECK_INTERVAL`` (see the module rules).  Never raises."""
    global _next_check
    now = time.monotonic()
    if now < _next_check:
        return
    _next_check = now + CHECK_INTERVAL
    limit = configured_max_size(max_size)
    if limit is None:
        return
    stamp = os.path.join(location, STAMP)
    try:
        try:
            age = time.time() - os.stat(stamp, follow_symlinks=False).st_mtime
        except FileNotFoundError:
            age = CHECK_INTERVAL
        if age < CHECK_INTERVAL:
            return
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, 0o600)
        try:
            os.utime(fd)
        finally:
            os.close(fd)
        removed = prune(location, limit, target=int(limit * LOW_WATER))
        if (log := _log.get("cache", 20)) is not None:
            log.info(
                "%s measured against its limit of %d bytes: %d entries (%d bytes) pruned",
                location,
                limit,
                removed.total_entries,
                removed.total_bytes,
            )
    except (OSError, CacheRefused):
        return
