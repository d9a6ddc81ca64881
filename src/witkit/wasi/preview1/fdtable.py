"""The preview1 descriptor table: small integers onto 0.2 streams and descriptors.

Preview1 names everything by an ``fd`` number; 0.2 by resource handles.  The table
holds, per number, what it stands for: a standard stream (the 0.2 ``wasi:cli``
stream and whether it is a terminal), a directory (a 0.2 ``Descriptor``, and the
guest path when it is a preopen), or a file (its ``Descriptor`` plus what preview1
adds: a current position, append mode, the non-blocking flag).

Numbering is wasmtime's: 0, 1, 2 are stdin, stdout, stderr, preopens follow in the
order granted, a new descriptor takes the **highest** number closed so far, else
one past the highest in use.  Programs do not depend on that, but the test suite's
expected outputs and wasmtime's print the same numbers.
"""

from __future__ import annotations

from witkit._record import record
from witkit.wasi.config import WasiContext
from witkit.wasi.filesystem import Descriptor
from witkit.wasi.io import InputStream, OutputStream
from witkit.wasi.preview1.witx import Errno

__all__ = ["Dir", "Entry", "File", "FdTable", "Stdio"]


@record(frozen=False)
class Stdio:
    """fd 0, 1 or 2 (or where ``fd_renumber`` moved it)."""

    name: str  # "stdin", "stdout", "stderr"
    stream: InputStream | OutputStream
    tty: bool


@record(frozen=False)
class Dir:
    desc: Descriptor
    #: the guest path of a preopen; None for a directory opened by ``path_open``
    preopen: str | None = None


@record(frozen=False)
class File:
    desc: Descriptor
    position: int = 0
    append: bool = False
    nonblock: bool = False


Entry = Stdio | Dir | File


class FdTable:
    """``fd`` -> :data:`Entry`, with wasmtime's reuse of closed numbers."""

    def __init__(self, ctx: WasiContext) -> None:
        cli = ctx.cli
        self.used: dict[int, Entry] = {
            0: Stdio("stdin", cli.get_stdin(), cli.stdin_tty),
            1: Stdio("stdout", cli.get_stdout(), cli.stdout_tty),
            2: Stdio("stderr", cli.get_stderr(), cli.stderr_tty),
        }
        self.free: set[int] = set()
        for desc, guest in ctx.preopens:
            self.push(Dir(desc, guest))

    def push(self, entry: Entry) -> int:
        if self.free:
            fd = max(self.free)
            self.free.discard(fd)
        else:
            fd = max(self.used, default=-1) + 1
            if fd > 0xFFFF_FFFF:
                raise Errno("mfile")
        self.used[fd] = entry
        return fd

    def get(self, fd: int) -> Entry:
        entry = self.used.get(fd)
        if entry is None:
            raise Errno("badf")
        return entry

    def remove(self, fd: int) -> Entry:
        entry = self.used.pop(fd, None)
        if entry is None:
            raise Errno("badf")
        self.free.add(fd)
        return entry

    def file(self, fd: int) -> File:
        entry = self.used.get(fd)
        if not isinstance(entry, File):
            raise Errno("badf")
        return entry

    def dir(self, fd: int) -> Descriptor:
        entry = self.used.get(fd)
        if not isinstance(entry, Dir):
            raise Errno("badf")
        return entry.desc

    def descriptor(self, fd: int) -> Descriptor:
        """A file's or a directory's descriptor; a standard stream is ``badf``."""
        entry = self.get(fd)
        if isinstance(entry, Stdio):
            raise Errno("badf")
        return entry.desc

    def seekable(self, fd: int) -> File:
        entry = self.get(fd)
        if isinstance(entry, Stdio):
            raise Errno("spipe")
        if not isinstance(entry, File):
            raise Errno("badf")
        return entry
