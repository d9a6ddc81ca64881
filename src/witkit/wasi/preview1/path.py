"""The ``path_*`` functions of preview1: every path goes through the 0.2 sandboxed walk.

A preview1 path is relative to a directory ``fd``; this module only decodes the
guest's arguments and hands the path, unchanged, to the 0.2
:class:`~witkit.wasi.filesystem.Descriptor` method of the same job (``open_at``,
``stat_at``, ``rename_at``...).  Those methods are the sandbox: they walk the path one
component at a time from the directory held, refuse ``..`` past the preopen, absolute
paths and links leading out (``perm``), and honour read-only grants.  Nothing here
touches the OS, so the promises of ``SECURITY.md`` hold for preview1 guests as they do
for components.

A path's directory must be a directory ``fd`` (a file is ``notdir`` for
``path_open``, ``badf`` elsewhere, as wasmtime answers); unknown flag bits are
``inval``; names that are not UTF-8 are ``ilseq``.
"""

from __future__ import annotations

from witkit.wasi.filesystem import Descriptor
from witkit.wasi.preview1.fd import filestat, fstflags, timestamp
from witkit.wasi.preview1.fdtable import Dir, FdTable, File
from witkit.wasi.preview1.memory import GuestMemory
from witkit.wasi.preview1.witx import (
    ALL_RIGHTS,
    FDFLAGS,
    OFLAGS,
    RIGHTS,
    SYMLINK_FOLLOW,
    Errno,
    check_flags,
)

__all__ = ["PathFunctions"]

_SYNC = FDFLAGS["dsync"] | FDFLAGS["rsync"] | FDFLAGS["sync"]


def path_flags(flags: int) -> frozenset[str]:
    """``lookupflags`` -> the 0.2 ``path-flags``."""
    check_flags(flags, SYMLINK_FOLLOW, "lookupflags")
    return frozenset({"symlink-follow"}) if flags else frozenset()


class PathFunctions:
    """The ``path_*`` functions; :class:`~witkit.wasi.preview1.host.Preview1` mixes them in."""

    table: FdTable
    mem: GuestMemory

    def _at(self, fd: int, path: int, path_len: int) -> tuple[Descriptor, str]:
        desc = self.table.dir(fd)
        return desc, self.mem.string(path, path_len)

    def path_open(
        self,
        fd: int,
        dirflags: int,
        path: int,
        path_len: int,
        oflags: int,
        rights_base: int,
        rights_inheriting: int,
        fdflags: int,
        opened: int,
    ) -> int:
        lookup = path_flags(dirflags)
        check_flags(oflags, 0xF, "oflags")
        check_flags(rights_base, ALL_RIGHTS, "rights")
        check_flags(rights_inheriting, ALL_RIGHTS, "rights")
        check_flags(fdflags, 0x1F, "fdflags")
        name = self.mem.string(path, path_len)
        entry = self.table.get(fd)
        if isinstance(entry, File):
            raise Errno("notdir")
        if not isinstance(entry, Dir):
            raise Errno("badf")
        open_flags = frozenset(
            case
            for bit, case in (
                (OFLAGS["creat"], "create"),
                (OFLAGS["directory"], "directory"),
                (OFLAGS["excl"], "exclusive"),
                (OFLAGS["trunc"], "truncate"),
            )
            if oflags & bit
        )
        flags = set()
        if rights_base & RIGHTS["fd_read"]:
            flags.add("read")
        if rights_base & RIGHTS["fd_write"]:
            flags.add("write")
        if fdflags & _SYNC:
            flags.add("file-integrity-sync")  # refused by the 0.2 open (``notsup``)
        desc = entry.desc.open_at(lookup, name, open_flags, frozenset(flags))
        if desc.is_dir:
            new: Dir | File = Dir(desc)
        else:
            new = File(
                desc,
                append=bool(fdflags & FDFLAGS["append"]),
                nonblock=bool(fdflags & FDFLAGS["nonblock"]),
            )
        try:
            number = self.table.push(new)
        except Errno:
            desc.close()
            raise
        self.mem.u32(opened, number)
        return 0

    def path_create_directory(self, fd: int, path: int, path_len: int) -> int:
        desc, name = self._at(fd, path, path_len)
        desc.create_directory_at(name)
        return 0

    def path_remove_directory(self, fd: int, path: int, path_len: int) -> int:
        desc, name = self._at(fd, path, path_len)
        desc.remove_directory_at(name)
        return 0

    def path_unlink_file(self, fd: int, path: int, path_len: int) -> int:
        desc, name = self._at(fd, path, path_len)
        desc.unlink_file_at(name)
        return 0

    def path_filestat_get(self, fd: int, flags: int, path: int, path_len: int, buf: int) -> int:
        lookup = path_flags(flags)
        desc, name = self._at(fd, path, path_len)
        stat = desc.stat_at(lookup, name)
        filestat(self.mem, buf, stat, desc.metadata_hash_at(lookup, name).lower)
        return 0

    def path_filestat_set_times(
        self, fd: int, flags: int, path: int, path_len: int, atim: int, mtim: int, fst: int
    ) -> int:
        fstflags(fst)
        lookup = path_flags(flags)
        a = timestamp(fst, atim, "atim", "atim_now")
        m = timestamp(fst, mtim, "mtim", "mtim_now")
        desc, name = self._at(fd, path, path_len)
        desc.set_times_at(lookup, name, a, m)
        return 0

    def path_link(
        self,
        old_fd: int,
        old_flags: int,
        old_path: int,
        old_len: int,
        new_fd: int,
        new_path: int,
        new_len: int,
    ) -> int:
        lookup = path_flags(old_flags)
        old = self.table.dir(old_fd)
        new = self.table.dir(new_fd)
        old_name = self.mem.string(old_path, old_len)
        new_name = self.mem.string(new_path, new_len)
        old.link_at(lookup, old_name, new, new_name)
        return 0

    def path_rename(
        self, fd: int, old_path: int, old_len: int, new_fd: int, new_path: int, new_len: int
    ) -> int:
        old = self.table.dir(fd)
        new = self.table.dir(new_fd)
        old_name = self.mem.string(old_path, old_len)
        new_name = self.mem.string(new_path, new_len)
        old.rename_at(old_name, new, new_name)
        return 0

    def path_symlink(
        self, old_path: int, old_len: int, fd: int, new_path: int, new_len: int
    ) -> int:
        desc = self.table.dir(fd)
        target = self.mem.string(old_path, old_len)
        name = self.mem.string(new_path, new_len)
        desc.symlink_at(target, name)
        return 0

    def path_readlink(
        self, fd: int, path: int, path_len: int, buf: int, buf_len: int, bufused: int
    ) -> int:
        desc, name = self._at(fd, path, path_len)
        target = desc.readlink_at(name).encode()[:buf_len]
        self.mem.write(buf, target)
        self.mem.u32(bufused, len(target))
        return 0
