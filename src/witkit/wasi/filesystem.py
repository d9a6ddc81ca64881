"""``wasi:filesystem``: descriptors confined to their preopened directory.

The sandbox is the job of this module, and its rules are:

* **Every path is walked by :mod:`witkit.wasi._walk`**, one component at a time
  from the descriptor it is relative to: nothing by path from the host's root, the
  kernel given one name at a time and never left to follow a link, ``openat2``'s
  ``RESOLVE_BENEATH`` as a belt where the kernel has it.  Its rules are written there.
* **The last component is acted on without following.**  The final call is a
  no-follow one on that bare name (``O_NOFOLLOW``, ``AT_SYMLINK_NOFOLLOW``,
  ``unlinkat``, ``renameat``, ``linkat`` without ``AT_SYMLINK_FOLLOW``...), so a link
  swapped in after we looked is never traversed: the race ends in an error, or
  acts on the link itself, never outside.
* **A trailing slash asks for a directory.**  ``x/`` (``x//``) reads as ``x/.``: ``x``
  is walked as a directory on the way (a link in it followed by us) and the call
  acts on ``.`` in it, which gives the kernel's answers (``unlink`` is
  ``is-directory``, ``rmdir`` ``invalid``...).  Three calls act on the name instead,
  as the kernel and wasmtime do: ``create-directory-at`` ignores the slash;
  ``rename-at`` keeps ``x`` and requires the thing moved to be a directory (checked
  with a no-follow ``fstatat``, the rename itself by name); ``open-at`` with
  ``create`` refuses ``x/`` with ``is-directory``.  ``create | exclusive`` never
  follows a link in the last place, and ``directory`` without ``symlink-follow``
  on a link is ``loop``: the answers of ``wasmtime run``, case by case.
* **Leaving the preopen is ``not-permitted``** (what wasmtime reports too); reading
  a link whose target is absolute is refused as well, so no host path reaches the
  guest.  More than :data:`MAX_SYMLINKS` links in one walk is ``loop``.
* **Read-only preopens refuse every mutation** before the OS is asked, with
  ``not-permitted``; descriptors opened beneath inherit the preopen's permission.
* OS failures become ``error-code`` through :mod:`witkit.wasi.errno` only.

Values follow witkit's conventions: flags are ``frozenset[str]`` of case names,
enums are case-name ``str``; records are the small dataclasses below.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import stat as st
from collections import deque
from collections.abc import Callable, Iterator

from witkit._record import record
from witkit._startup import blake2b
from witkit.wasi import _walk
from witkit.wasi._walk import MAX_SYMLINKS
from witkit.wasi.clocks import Datetime
from witkit.wasi.errno import FsError
from witkit.wasi.io import (
    MAX_READ,
    Error,
    InputStream,
    OutputStream,
    StreamClosed,
    StreamFailed,
)

__all__ = [
    "MAX_SYMLINKS",
    "Descriptor",
    "DescriptorStat",
    "DirectoryEntry",
    "DirectoryEntryStream",
    "MetadataHashValue",
    "NewTimestamp",
    "open_preopen",
]

_SYNC_FLAGS = frozenset({"file-integrity-sync", "data-integrity-sync", "requested-write-sync"})


@record
class DescriptorStat:
    type: str
    link_count: int
    size: int
    data_access_timestamp: Datetime | None
    data_modification_timestamp: Datetime | None
    status_change_timestamp: Datetime | None


@record
class DirectoryEntry:
    type: str
    name: str


@record
class MetadataHashValue:
    lower: int
    upper: int


@record
class NewTimestamp:
    """``new-timestamp``: ``kind`` is ``no-change``, ``now`` or ``timestamp`` (then ``value``)."""

    kind: str
    value: Datetime | None = None


#: the file-type bits of ``st_mode`` -> ``descriptor-type``
_DESCRIPTOR_TYPES = {
    st.S_IFREG: "regular-file",
    st.S_IFDIR: "directory",
    st.S_IFLNK: "symbolic-link",
    st.S_IFCHR: "character-device",
    st.S_IFBLK: "block-device",
    st.S_IFIFO: "fifo",
    st.S_IFSOCK: "socket",
}


def descriptor_type(mode: int) -> str:
    return _DESCRIPTOR_TYPES.get(st.S_IFMT(mode), "unknown")


def _stat_of(s: os.stat_result) -> DescriptorStat:
    return DescriptorStat(
        type=descriptor_type(s.st_mode),
        link_count=s.st_nlink,
        size=s.st_size,
        data_access_timestamp=Datetime.from_ns(s.st_atime_ns),
        data_modification_timestamp=Datetime.from_ns(s.st_mtime_ns),
        status_change_timestamp=Datetime.from_ns(s.st_ctime_ns),
    )


def _hash_of(s: os.stat_result) -> MetadataHashValue:
    digest = blake2b(f"{s.st_dev}:{s.st_ino}".encode(), digest_size=16).digest()
    return MetadataHashValue(
        int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")
    )


#: ``advice`` -> the ``posix_fadvise`` value
_ADVICE = {
    "normal": os.POSIX_FADV_NORMAL,
    "sequential": os.POSIX_FADV_SEQUENTIAL,
    "random": os.POSIX_FADV_RANDOM,
    "will-need": os.POSIX_FADV_WILLNEED,
    "dont-need": os.POSIX_FADV_DONTNEED,
    "no-reuse": os.POSIX_FADV_NOREUSE,
}


@contextlib.contextmanager
def _os_errors(overflow: str = "") -> Iterator[None]:
    """A call on a descriptor: an ``OSError`` is its ``error-code``; with ``overflow``, an
    offset or size past the OS's integers is that code (the call says which)."""
    try:
        yield
    except OSError as err:
        raise FsError.from_os(err) from None
    except OverflowError:
        if not overflow:
            raise
        raise FsError(overflow) from None


def _check_utf8(name: str) -> str:
    """Host names arrive surrogate-escaped; a WIT string must be real UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise FsError(
            "illegal-byte-sequence", name.encode("utf-8", "surrogateescape").hex()
        ) from None
    return name


# --------------------------------------------------------------------------- futimens


_UTIME_NOW = (1 << 30) - 1
_UTIME_OMIT = (1 << 30) - 2
_AT_SYMLINK_NOFOLLOW = 0x100


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


@functools.cache
def _libc() -> ctypes.CDLL:
    """libc, for the two calls ``os`` lacks (``futimens`` with UTIME_OMIT, ``utimensat``
    without following links); found on first use: ``ctypes.util`` costs every
    ``witkit run`` ~20 ms at start-up, and the process's own symbols include libc."""
    own = ctypes.CDLL(None, use_errno=True)
    if hasattr(own, "utimensat"):
        return own
    from ctypes.util import find_library

    return ctypes.CDLL(find_library("c"), use_errno=True)


def _timespec(ts: NewTimestamp) -> _Timespec:
    if ts.kind == "no-change":
        return _Timespec(0, _UTIME_OMIT)
    if ts.kind == "now":
        return _Timespec(0, _UTIME_NOW)
    assert ts.value is not None
    if ts.value.nanoseconds >= 1_000_000_000 or ts.value.seconds >= 1 << 63:
        raise FsError("invalid", "timestamp out of range")
    return _Timespec(ts.value.seconds, ts.value.nanoseconds)


def _utimensat(dirfd: int, name: str | None, atim: NewTimestamp, mtim: NewTimestamp) -> None:
    times = (_Timespec * 2)(_timespec(atim), _timespec(mtim))
    if name is None:
        rc = _libc().futimens(dirfd, times)
    else:
        rc = _libc().utimensat(dirfd, os.fsencode(name), times, ctypes.c_int(_AT_SYMLINK_NOFOLLOW))
    if rc != 0:
        code = ctypes.get_errno()
        raise FsError.from_os(OSError(code, os.strerror(code)))


# --------------------------------------------------------------------------- descriptors


class Descriptor:
    """``wasi:filesystem/types.descriptor``: an open file or directory.

    ``read_only`` is the permission of the preopen it descends from; ``mode``
    is what it was opened for (``read`` / ``write``), reported by ``get-flags``.
    Every call on a path walks it with :func:`witkit.wasi._walk.walk` and acts on
    the last name inside the walk's block, which turns an ``OSError`` into the
    operation's ``error-code``; calls on the descriptor itself do so through
    :func:`_os_errors`.
    """

    def __init__(self, fd: int, *, read_only: bool, mode: frozenset[str]) -> None:
        self._fd = fd
        self.read_only = read_only
        self.mode = mode
        self.is_dir = st.S_ISDIR(os.fstat(fd).st_mode)

    def fileno(self) -> int:
        return self._fd

    def __del__(self) -> None:
        fd = getattr(self, "_fd", -1)
        if fd >= 0:
            self._fd = -1
            with contextlib.suppress(OSError):
                os.close(fd)

    close = __del__

    # -- helpers

    def _dir(self) -> int:
        if not self.is_dir:
            raise FsError("not-directory")
        return self._fd

    def _file(self) -> int:
        if self.is_dir:
            raise FsError("bad-descriptor")
        return self._fd

    def _mutable(self) -> None:
        if self.read_only:
            raise FsError("not-permitted", "the preopen is read-only")

    def _mutable_dir(self) -> int:
        base = self._dir()
        self._mutable()
        return base

    # -- streams

    def read_via_stream(self, offset: int) -> InputStream:
        if self.is_dir:
            raise FsError("is-directory")
        return FileInputStream(self, offset)

    def write_via_stream(self, offset: int) -> OutputStream:
        self._file()
        self._mutable()
        return FileOutputStream(self, offset)

    def append_via_stream(self) -> OutputStream:
        self._file()
        self._mutable()
        return FileOutputStream(self, None)

    # -- file operations

    def advise(self, offset: int, length: int, advice: str) -> None:
        fd = self._file()
        with _os_errors(overflow="invalid"):
            os.posix_fadvise(fd, offset, length, _ADVICE[advice])

    def sync_data(self) -> None:
        self._sync(os.fdatasync)

    def sync(self) -> None:
        self._sync(os.fsync)

    def _sync(self, call: Callable[[int], None]) -> None:
        try:
            call(self._fd)
        except OSError as err:
            # a directory some filesystems cannot sync: nothing to do, as wasmtime answers
            if not (self.is_dir and err.errno in (errno.EINVAL, errno.EBADF)):
                raise FsError.from_os(err) from None

    def get_flags(self) -> frozenset[str]:
        flags = set()
        if "read" in self.mode:
            flags.add("read")
        if "write" in self.mode:
            flags.add("mutate-directory" if self.is_dir else "write")
        return frozenset(flags)

    def get_type(self) -> str:
        with _os_errors():
            return descriptor_type(os.fstat(self._fd).st_mode)

    def set_size(self, size: int) -> None:
        fd = self._file()
        self._mutable()
        with _os_errors(overflow="file-too-large"):
            os.ftruncate(fd, size)

    def set_times(self, atim: NewTimestamp, mtim: NewTimestamp) -> None:
        self._mutable()
        _utimensat(self._fd, None, atim, mtim)

    def read(self, length: int, offset: int) -> tuple[bytes, bool]:
        fd = self._file()
        with _os_errors(overflow="invalid"):
            data = os.pread(fd, min(length, MAX_READ), offset)
        return data, not data

    def write(self, buffer: bytes, offset: int) -> int:
        fd = self._file()
        self._mutable()
        with _os_errors(overflow="file-too-large"):
            return os.pwrite(fd, buffer, offset)

    def stat(self) -> DescriptorStat:
        with _os_errors():
            return _stat_of(os.fstat(self._fd))

    def is_same_object(self, other: Descriptor) -> bool:
        a, b = os.fstat(self._fd), os.fstat(other._fd)
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)

    def metadata_hash(self) -> MetadataHashValue:
        with _os_errors():
            return _hash_of(os.fstat(self._fd))

    # -- directory operations

    def read_directory(self) -> DirectoryEntryStream:
        fd = self._dir()
        with _os_errors(), os.scandir(fd) as it:
            entries: list[DirectoryEntry | FsError] = []
            for entry in it:
                try:
                    kind = descriptor_type(entry.stat(follow_symlinks=False).st_mode)
                    entries.append(DirectoryEntry(kind, _check_utf8(entry.name)))
                except FsError as err:
                    entries.append(err)
                except OSError as err:
                    if err.errno != errno.ENOENT:  # removed while listing: skip it
                        entries.append(FsError.from_os(err))
        return DirectoryEntryStream(entries)

    def create_directory_at(self, path: str) -> None:
        base = self._mutable_dir()
        # mkdir acts on the name itself: "x/" is "x" (no link in it followed), as the kernel does
        with _walk.walk(base, path, follow=False, slash_is_dot=False) as (parent, name, _):
            os.mkdir(name, 0o777, dir_fd=parent)

    def stat_at(self, path_flags: frozenset[str], path: str) -> DescriptorStat:
        return _stat_of(self._lstat_at(path_flags, path))

    def metadata_hash_at(self, path_flags: frozenset[str], path: str) -> MetadataHashValue:
        return _hash_of(self._lstat_at(path_flags, path))

    def _lstat_at(self, path_flags: frozenset[str], path: str) -> os.stat_result:
        """``stat`` of what ``path`` names, a link in the last place followed by the walk."""
        base = self._dir()
        with _walk.walk(base, path, follow="symlink-follow" in path_flags) as (parent, name, _):
            return os.stat(name, dir_fd=parent, follow_symlinks=False)

    def set_times_at(
        self, path_flags: frozenset[str], path: str, atim: NewTimestamp, mtim: NewTimestamp
    ) -> None:
        base = self._mutable_dir()
        with _walk.walk(base, path, follow="symlink-follow" in path_flags) as (parent, name, _):
            _utimensat(parent, name, atim, mtim)

    def link_at(
        self, old_path_flags: frozenset[str], old_path: str, new: Descriptor, new_path: str
    ) -> None:
        base = self._dir()
        new_base = new._dir()
        self._mutable()
        new._mutable()
        if "symlink-follow" in old_path_flags:
            raise FsError("invalid")
        with (
            _walk.walk(base, old_path, follow=False) as (old_parent, old_name, _),
            _walk.walk(new_base, new_path, follow=False) as (new_parent, new_name, _),
        ):
            os.link(
                old_name,
                new_name,
                src_dir_fd=old_parent,
                dst_dir_fd=new_parent,
                follow_symlinks=False,
            )

    def open_at(
        self,
        path_flags: frozenset[str],
        path: str,
        open_flags: frozenset[str],
        flags: frozenset[str],
    ) -> Descriptor:
        base = self._dir()
        if flags & _SYNC_FLAGS:
            raise FsError("unsupported", "synchronous-write flags")
        if "directory" in open_flags and open_flags & {"create", "exclusive", "truncate"}:
            raise FsError("invalid")
        oflags = os.O_NOFOLLOW
        mode = set()
        if "create" in open_flags:
            oflags |= os.O_CREAT | (os.O_EXCL if "exclusive" in open_flags else 0)
            mode.add("write")
        if "truncate" in open_flags:
            oflags |= os.O_TRUNC
            mode.add("write")
        if "write" in flags:
            mode.add("write")
        if "read" in flags or "write" not in mode:
            mode.add("read")
        if "directory" in open_flags:
            oflags |= os.O_DIRECTORY
        if "write" in mode and self.read_only:
            raise FsError("not-permitted", "the preopen is read-only")
        oflags |= os.O_RDWR if mode == {"read", "write"} else os.O_WRONLY if "write" in mode else 0
        # O_CREAT | O_EXCL never follows a link in the last place (POSIX, and wasmtime)
        follow = "symlink-follow" in path_flags and not oflags & os.O_EXCL
        create = bool(oflags & os.O_CREAT)
        with _walk.walk(base, path, follow=follow, slash_is_dot=not create) as (
            parent,
            name,
            slash,
        ):
            if slash:  # "x/" with create: no file can have that name (the kernel's answer too)
                raise FsError("is-directory", "a file to create named with a trailing slash")
            try:
                fd = _walk.open_beneath(parent, name, oflags, 0o666)
            except OSError as err:
                if err.errno == errno.ENXIO:  # a socket: no way to open it
                    raise FsError("unsupported") from None
                if err.errno == errno.ENOTDIR and oflags & os.O_DIRECTORY and name != ".":
                    # O_DIRECTORY | O_NOFOLLOW on a symlink: the kernel checks the kind first,
                    # wasmtime reports the link (loop), as for any other no-follow open
                    with contextlib.suppress(OSError):
                        if st.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
                            raise FsError("loop", "the last component is a symlink") from None
                raise
        try:
            return Descriptor(fd, read_only=self.read_only, mode=frozenset(mode))
        except OSError as err:
            os.close(fd)
            raise FsError.from_os(err) from None

    def readlink_at(self, path: str) -> str:
        base = self._dir()
        with _walk.walk(base, path, follow=False) as (parent, name, _):
            target = os.readlink(name, dir_fd=parent)
        if target.startswith("/"):
            # following it leaves the preopen anyway; its text would tell the guest about the
            # host's directories (wasmtime, through cap-std's read_link, refuses it too)
            raise FsError("not-permitted", "the link's target is an absolute path")
        return _check_utf8(target)

    def remove_directory_at(self, path: str) -> None:
        base = self._mutable_dir()
        with _walk.walk(base, path, follow=False) as (parent, name, _):
            os.rmdir(name, dir_fd=parent)

    def rename_at(self, old_path: str, new: Descriptor, new_path: str) -> None:
        base = self._dir()
        new_base = new._dir()
        self._mutable()
        new._mutable()
        # rename acts on names, never on what a link points to: "x/" keeps "x" and asks
        # that it be a directory (the kernel's rule: a slash at either end needs a directory
        # to move); the check below is only for that error, the rename itself is by names
        with (
            _walk.walk(base, old_path, follow=False, slash_is_dot=False) as (
                old_parent,
                old_name,
                old_slash,
            ),
            _walk.walk(new_base, new_path, follow=False, slash_is_dot=False) as (
                new_parent,
                new_name,
                new_slash,
            ),
        ):
            if old_slash or new_slash:
                moved = os.stat(old_name, dir_fd=old_parent, follow_symlinks=False)
                if not st.S_ISDIR(moved.st_mode):
                    raise FsError("not-directory", "a trailing slash names a directory")
            os.rename(old_name, new_name, src_dir_fd=old_parent, dst_dir_fd=new_parent)

    def symlink_at(self, old_path: str, new_path: str) -> None:
        base = self._mutable_dir()
        if old_path.startswith("/"):
            raise FsError("not-permitted", "symlink to an absolute path")
        with _walk.walk(base, new_path, follow=False) as (parent, name, _):
            try:
                os.symlink(old_path, name, dir_fd=parent)
            except ValueError:
                raise FsError("invalid") from None

    def unlink_file_at(self, path: str) -> None:
        base = self._mutable_dir()
        # "dir/" is "dir/.": unlinkat(dir, ".") is is-directory, "file/" not-directory
        with _walk.walk(base, path, follow=False) as (parent, name, _):
            os.unlink(name, dir_fd=parent)


class DirectoryEntryStream:
    """``directory-entry-stream``: the listing, read when the stream was made."""

    def __init__(self, entries: list[DirectoryEntry | FsError]) -> None:
        self._entries = deque(entries)

    def read_directory_entry(self) -> DirectoryEntry | None:
        if not self._entries:
            return None
        entry = self._entries.popleft()
        if isinstance(entry, FsError):
            raise entry
        return entry


def open_preopen(host_path: str | os.PathLike[str], *, read_only: bool) -> Descriptor:
    """Open a host directory to grant it: the one place a host path is opened (by the host)."""
    fd = os.open(host_path, os.O_RDONLY | os.O_DIRECTORY | _walk.O_CLOEXEC)
    mode = frozenset({"read"} if read_only else {"read", "write"})
    return Descriptor(fd, read_only=read_only, mode=mode)


# --------------------------------------------------------------------------- file streams


class FileInputStream(InputStream):
    """``read-via-stream``: positional reads from an offset; files are always ready."""

    def __init__(self, desc: Descriptor, offset: int) -> None:
        self._desc = desc
        self._offset = offset

    def _read(self, n: int) -> bytes:
        if n == 0:
            return b""
        try:
            data = os.pread(self._desc.fileno(), n, self._offset)
        except OSError as err:
            raise StreamFailed(Error.from_os_error(err)) from None
        except OverflowError:
            raise StreamClosed() from None
        if not data:
            raise StreamClosed()
        self._offset += len(data)
        return data


class FileOutputStream(OutputStream):
    """``write-via-stream`` (positional) or ``append-via-stream`` (``offset is None``)."""

    _consumes_at_once = True  # pwrite is done with the bytes when it returns

    def __init__(self, desc: Descriptor, offset: int | None) -> None:
        super().__init__()
        self._desc = desc
        self._offset = offset

    def _write(self, data: bytes) -> None:
        fd = self._desc.fileno()
        if self._offset is not None:
            n = os.pwrite(fd, data, self._offset)
            self._offset += n
            if n == len(data):
                return
            data = data[n:]
        view = memoryview(data)
        while view:
            if self._offset is None:
                n = os.pwrite(fd, view, os.fstat(fd).st_size)
            else:
                n = os.pwrite(fd, view, self._offset)
                self._offset += n
            view = view[n:]
