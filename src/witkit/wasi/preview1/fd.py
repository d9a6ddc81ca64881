"""The ``fd_*`` functions of preview1, on the 0.2 host's streams and descriptors.

Each method is one witx function: it takes the guest's numbers (pointers, ``fd``s,
flags), acts through the 0.2 objects the descriptor table holds, writes its results
into guest memory and returns ``errno`` 0; a failure raises
:class:`~witkit.wasi.preview1.witx.Errno` (or the 0.2 ``FsError``, translated by the
caller).  The semantics are wasmtime's preview1 layer over its 0.2 host, case by
case: a read or write moves one buffer (the first non-empty one) per call; a file's
position lives here, not in the OS descriptor; directories have no position;
standard streams are not seekable (``spipe``); preopens report a fixed set of
rights; ``fd_allocate`` and ``fd_fdstat_set_rights`` are ``notsup``.
"""

from __future__ import annotations

import struct

from witkit.wasi.clocks import Datetime
from witkit.wasi.errno import fs_code
from witkit.wasi.filesystem import DescriptorStat, NewTimestamp
from witkit.wasi.io import MAX_BLOCKING_WRITE, InputStream, OutputStream, StreamClosed, StreamError
from witkit.wasi.io import StreamFailed as _StreamFailed
from witkit.wasi.preview1.fdtable import Dir, FdTable, File, Stdio
from witkit.wasi.preview1.memory import GuestMemory
from witkit.wasi.preview1.witx import (
    ADVICE,
    ALL_RIGHTS,
    FDFLAGS,
    FILETYPE,
    FSTFLAGS,
    RIGHTS,
    WHENCE_CUR,
    WHENCE_END,
    WHENCE_SET,
    Errno,
    check_enum,
    check_flags,
    rights,
)

__all__ = ["FdFunctions", "filestat", "stream_errno", "timestamp"]

_U64 = (1 << 64) - 1

#: what a preopen reports (a fixed set many libcs check before using one), as wasmtime
_PREOPEN_BASE = rights(
    "path_create_directory path_create_file path_link_source path_link_target path_open "
    "fd_readdir path_readlink path_rename_source path_rename_target path_symlink "
    "path_remove_directory path_unlink_file path_filestat_get path_filestat_set_times "
    "fd_filestat_get fd_filestat_set_times"
)
_PREOPEN_INHERITING = _PREOPEN_BASE | rights(
    "fd_datasync fd_read fd_seek fd_fdstat_set_flags fd_sync fd_tell fd_write fd_advise "
    "fd_allocate fd_filestat_get fd_filestat_set_size fd_filestat_set_times poll_fd_readwrite"
)
_FDSTAT = "<BxH4xQQ"
_FILESTAT = "<QQB7xQQQQQ"
_DIRENT = struct.Struct("<QQIB3x")


def stream_errno(err: StreamError) -> Errno:
    """A failed stream operation's code: closed is ``io``, an OS error its own code."""
    if isinstance(err, _StreamFailed) and err.error.cause is not None:
        from witkit.wasi.preview1.witx import FROM_ERROR_CODE

        return Errno(FROM_ERROR_CODE.get(fs_code(err.error.cause), "io"))
    return Errno("io")


def _ns(when: Datetime | None) -> int:
    if when is None:
        return 0
    ns = when.seconds * 1_000_000_000 + when.nanoseconds
    if ns > _U64:
        raise Errno("overflow")
    return ns


def filestat(mem: GuestMemory, ptr: int, stat: DescriptorStat, ino: int) -> None:
    """Write a ``filestat`` (``dev`` is 1 and ``ino`` the metadata hash, as wasmtime)."""
    mem.pack(
        ptr,
        8,
        _FILESTAT,
        1,
        ino,
        FILETYPE.get(stat.type, 0),
        stat.link_count,
        stat.size,
        _ns(stat.data_access_timestamp),
        _ns(stat.data_modification_timestamp),
        _ns(stat.status_change_timestamp),
    )


def timestamp(flags: int, value: int, set_bit: str, now_bit: str) -> NewTimestamp:
    """One side of ``fst_flags``: set to ``value``, to now, or unchanged (both: ``inval``)."""
    given, now = flags & FSTFLAGS[set_bit], flags & FSTFLAGS[now_bit]
    if given and now:
        raise Errno("inval")
    if given:
        return NewTimestamp("timestamp", Datetime.from_ns(value))
    return NewTimestamp("now") if now else NewTimestamp("no-change")


def fstflags(flags: int) -> int:
    return check_flags(flags, 0xF, "fstflags")


class FdFunctions:
    """The ``fd_*`` functions; :class:`~witkit.wasi.preview1.host.Preview1` mixes them in."""

    table: FdTable
    mem: GuestMemory

    # -- reading and writing

    def fd_read(self, fd: int, iovs: int, iovs_len: int, nread: int) -> int:
        buf, length = self.mem.first_buffer(iovs, iovs_len)
        entry = self.table.get(fd)
        if isinstance(entry, File):
            data, _ = entry.desc.read(length, entry.position)
            entry.position += len(data)
        elif isinstance(entry, Stdio) and isinstance(entry.stream, InputStream):
            try:
                data = entry.stream.blocking_read(length)
                if not data and length:
                    raise Errno("intr")  # woken with nothing: wasmtime's answer
            except StreamClosed:
                data = b""  # the end of the input
            except StreamError as err:
                raise stream_errno(err) from None
        else:
            raise Errno("badf")
        self.mem.write(buf, data)
        self.mem.u32(nread, len(data))
        return 0

    def fd_pread(self, fd: int, iovs: int, iovs_len: int, offset: int, nread: int) -> int:
        buf, length = self.mem.first_buffer(iovs, iovs_len)
        entry = self.table.get(fd)
        if isinstance(entry, File):
            data, _ = entry.desc.read(length, offset)
        elif isinstance(entry, Stdio) and entry.name == "stdin":
            raise Errno("spipe")
        else:
            raise Errno("badf")
        self.mem.write(buf, data)
        self.mem.u32(nread, len(data))
        return 0

    def _write(self, fd: int, iovs: int, iovs_len: int, offset: int | None, nwritten: int) -> int:
        buf, length = self.mem.first_buffer(iovs, iovs_len)
        entry = self.table.get(fd)
        if isinstance(entry, File):
            data = self.mem.read(buf, length)
            desc = entry.desc
            if entry.append:
                # O_APPEND's rule, also for pwrite (Linux): the offset is ignored
                n = desc.write(data, desc.stat().size)
                if offset is None:
                    entry.position = desc.stat().size
            else:
                n = desc.write(data, entry.position if offset is None else offset)
                if offset is None:
                    entry.position += n
        elif isinstance(entry, Stdio) and isinstance(entry.stream, OutputStream):
            if offset is not None:
                raise Errno("spipe")
            view = self.mem.view()[buf : buf + length]
            try:
                for start in range(0, length, MAX_BLOCKING_WRITE):
                    entry.stream.blocking_write_and_flush(view[start : start + MAX_BLOCKING_WRITE])
            except StreamError as err:
                raise stream_errno(err) from None
            n = length
        else:
            raise Errno("badf")
        self.mem.u32(nwritten, n)
        return 0

    def fd_write(self, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
        return self._write(fd, iovs, iovs_len, None, nwritten)

    def fd_pwrite(self, fd: int, iovs: int, iovs_len: int, offset: int, nwritten: int) -> int:
        return self._write(fd, iovs, iovs_len, offset, nwritten)

    # -- position

    def fd_seek(self, fd: int, offset: int, whence: int, newoffset: int) -> int:
        check_enum(whence, WHENCE_END + 1, "whence")
        entry = self.table.seekable(fd)
        if offset >= 1 << 63:
            offset -= 1 << 64
        if whence == WHENCE_SET:
            if offset < 0:
                raise Errno("inval")
            position = offset
        elif whence == WHENCE_CUR:
            position = entry.position + offset
        else:
            position = entry.desc.stat().size + offset
        if not 0 <= position <= _U64:
            raise Errno("inval")
        entry.position = position
        self.mem.u64(newoffset, position)
        return 0

    def fd_tell(self, fd: int, offset: int) -> int:
        self.mem.u64(offset, self.table.seekable(fd).position)
        return 0

    # -- state

    def fd_fdstat_get(self, fd: int, stat: int) -> int:
        entry = self.table.get(fd)
        if isinstance(entry, Stdio):
            kind = FILETYPE["character-device"] if entry.tty else FILETYPE["unknown"]
            rights = RIGHTS["fd_read"] if entry.name == "stdin" else RIGHTS["fd_write"]
            self.mem.pack(stat, 8, _FDSTAT, kind, 0, rights, rights)
            return 0
        if isinstance(entry, Dir) and entry.preopen is not None:
            directory = FILETYPE["directory"]
            self.mem.pack(stat, 8, _FDSTAT, directory, 0, _PREOPEN_BASE, _PREOPEN_INHERITING)
            return 0
        desc = entry.desc
        flags = desc.get_flags()
        kind = FILETYPE.get(desc.get_type(), 0)
        rights = ALL_RIGHTS
        if kind == FILETYPE["directory"]:
            rights &= ~(
                RIGHTS["fd_seek"]
                | RIGHTS["fd_filestat_set_size"]
                | RIGHTS["path_filestat_set_size"]
            )
        if "read" not in flags:
            rights &= ~(RIGHTS["fd_read"] | RIGHTS["fd_readdir"])
        if "write" not in flags:
            rights &= ~RIGHTS["fd_write"]
        fdflags = 0
        if isinstance(entry, File):
            fdflags |= FDFLAGS["append"] if entry.append else 0
            fdflags |= FDFLAGS["nonblock"] if entry.nonblock else 0
        self.mem.pack(stat, 8, _FDSTAT, kind, fdflags, rights, rights)
        return 0

    def fd_fdstat_set_flags(self, fd: int, flags: int) -> int:
        check_flags(flags, 0x1F, "fdflags")
        entry = self.table.file(fd)
        if flags & (FDFLAGS["dsync"] | FDFLAGS["sync"] | FDFLAGS["rsync"]):
            raise Errno("inval")
        entry.append = bool(flags & FDFLAGS["append"])
        entry.nonblock = bool(flags & FDFLAGS["nonblock"])
        return 0

    def fd_fdstat_set_rights(self, fd: int, base: int, inheriting: int) -> int:
        check_flags(base, ALL_RIGHTS, "rights")
        check_flags(inheriting, ALL_RIGHTS, "rights")
        self.table.descriptor(fd)
        raise Errno("notsup")

    def fd_filestat_get(self, fd: int, buf: int) -> int:
        entry = self.table.get(fd)
        if isinstance(entry, Stdio):
            kind = FILETYPE["character-device"] if entry.tty else FILETYPE["unknown"]
            self.mem.pack(buf, 8, _FILESTAT, 0, 0, kind, 0, 0, 0, 0, 0)
            return 0
        desc = entry.desc
        filestat(self.mem, buf, desc.stat(), desc.metadata_hash().lower)
        return 0

    def fd_filestat_set_size(self, fd: int, size: int) -> int:
        self.table.file(fd).desc.set_size(size)
        return 0

    def fd_filestat_set_times(self, fd: int, atim: int, mtim: int, flags: int) -> int:
        fstflags(flags)
        a = timestamp(flags, atim, "atim", "atim_now")
        m = timestamp(flags, mtim, "mtim", "mtim_now")
        self.table.descriptor(fd).set_times(a, m)
        return 0

    def fd_advise(self, fd: int, offset: int, length: int, advice: int) -> int:
        check_enum(advice, len(ADVICE), "advice")
        self.table.file(fd).desc.advise(offset, length, ADVICE[advice])
        return 0

    def fd_allocate(self, fd: int, offset: int, length: int) -> int:
        self.table.file(fd)
        raise Errno("notsup")

    def fd_datasync(self, fd: int) -> int:
        self.table.file(fd).desc.sync_data()
        return 0

    def fd_sync(self, fd: int) -> int:
        self.table.file(fd).desc.sync()
        return 0

    # -- the table

    def fd_close(self, fd: int) -> int:
        entry = self.table.remove(fd)
        if not isinstance(entry, Stdio):
            entry.desc.close()
        return 0

    def fd_renumber(self, fd: int, to: int) -> int:
        used = self.table.used
        if fd not in used or to not in used:
            raise Errno("badf")
        if fd == to:
            return 0
        self.fd_close(to)
        entry = used.pop(fd)
        self.table.free.add(fd)
        self.table.free.discard(to)
        used[to] = entry
        return 0

    def fd_prestat_get(self, fd: int, buf: int) -> int:
        entry = self.table.get(fd)
        if not (isinstance(entry, Dir) and entry.preopen is not None):
            raise Errno("badf")
        self.mem.pack(buf, 4, "<B3xI", 0, len(entry.preopen.encode()))
        return 0

    def fd_prestat_dir_name(self, fd: int, path: int, path_len: int) -> int:
        entry = self.table.get(fd)
        if not (isinstance(entry, Dir) and entry.preopen is not None):
            raise Errno("notdir")
        name = entry.preopen.encode()
        if len(name) > path_len:
            raise Errno("nametoolong")
        self.mem.write(path, name)
        return 0

    def fd_readdir(self, fd: int, buf: int, buf_len: int, cookie: int, bufused: int) -> int:
        """Entries from ``cookie`` on: ``.`` and ``..`` first, then the listing (cookies 3...).

        The buffer is filled to the last byte, the last entry cut short if it does not
        fit (the caller sees ``bufused == buf_len`` and asks again with a bigger one).
        """
        desc = self.table.dir(fd)
        stream = desc.read_directory()
        here = desc.metadata_hash().lower
        entries: list[tuple[bytes, int, int]] = [(b".", here, FILETYPE["directory"])]
        entries.append((b"..", here, FILETYPE["directory"]))
        while (item := stream.read_directory_entry()) is not None:
            ino = desc.metadata_hash_at(frozenset(), item.name).lower
            entries.append((item.name.encode(), ino, FILETYPE.get(item.type, 0)))
        out = bytearray()
        for index in range(cookie, len(entries)):
            if len(out) >= buf_len:
                break
            name, ino, kind = entries[index]
            out += _DIRENT.pack(index + 1, ino, len(name), kind) + name
        del out[buf_len:]
        self.mem.write(buf, out)
        self.mem.u32(bufused, len(out))
        return 0
