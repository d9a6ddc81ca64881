"""The sandboxed path walk of ``wasi:filesystem``: one component at a time, beneath a preopen.

Every path a guest names is resolved here, and the rules are the sandbox's:

* **Nothing by path from the host's root.**  A walk starts at a directory file
  descriptor we hold and goes on with ``dir_fd``-relative calls; no host path string
  is ever built and opened.
* **We follow symlinks, the kernel never does.**  The kernel is only ever given
  one component: a name without ``/`` (or ``.``, the directory held), relative to
  a descriptor we opened ourselves; never ``..``, never a trailing slash (with one,
  Linux follows a link in the last place even under ``O_NOFOLLOW``).  Each
  directory on the way is opened by its name with ``O_DIRECTORY | O_NOFOLLOW``, so
  what is held is the object opened, not a name checked earlier; a symlink met on
  the way is read with ``readlinkat`` and its target spliced into the remaining
  components, so ``..``, absolute targets and links are all judged by the same walk.
* **The openat2 belt.**  Where the kernel has ``openat2`` (Linux 5.6+), every one of
  these opens also carries ``RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
  RESOLVE_NO_SYMLINKS``, so a mistake in the walk would end in an error rather than
  outside.  The walk alone is the fallback, and is tested on its own:
  :data:`USE_OPENAT2` is read at every open, so a test that turns it off runs the
  portable walk and nothing else.
* **Leaving the preopen is ``not-permitted``**, whether by ``..`` past the root, an
  absolute path, or a symlink whose target does either; more than
  :data:`MAX_SYMLINKS` links in one walk is ``loop``.
* The call on the last name is the caller's, inside the ``with`` block of
  :func:`walk`; an ``OSError`` it lets out becomes the operation's ``error-code``
  (through :mod:`witkit.wasi.errno`, as every failure of the walk itself).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator

from witkit.wasi.errno import FsError

__all__ = ["MAX_SYMLINKS", "O_CLOEXEC", "USE_OPENAT2", "open_beneath", "openat2_works", "walk"]

#: symlinks followed in one path walk before giving up with ``loop`` (Linux's limit)
MAX_SYMLINKS = 40

#: tests turn this off to exercise the portable walk alone (read at every open)
USE_OPENAT2 = True

_O_PATH = getattr(os, "O_PATH", 0)
O_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)


@contextlib.contextmanager
def walk(
    base: int, path: str, *, follow: bool, slash_is_dot: bool = True
) -> Iterator[tuple[int, str, bool]]:
    """Resolve ``path`` under directory ``base``: yield ``(parent_fd, name, must_dir)``.

    ``name`` is one component without a slash (``.`` for the directory
    ``parent_fd`` itself), for a call with ``dir_fd=parent_fd`` that does not
    follow a link in it.  With ``follow``, a symlink in the final position is
    resolved too.  A trailing slash asks for a directory: by default (open,
    stat, unlink, link...) ``x/`` reads as ``x/.``, so ``x`` is walked like any
    directory on the way and ``name`` is ``.``; with ``slash_is_dot=False``
    (mkdir, rename: calls that act on the name, not on what it points to)
    ``name`` is ``x`` and ``must_dir`` says the slash was there.  Every
    directory opened on the way is closed when the block ends.
    """
    if "\0" in path:
        raise FsError("invalid", "path contains NUL")
    if path == "":
        raise FsError("no-entry", "empty path")
    if path.startswith("/"):
        raise FsError("not-permitted", "absolute path")
    stack: list[int] = [base]
    try:
        yield _resolve(stack, path, follow, slash_is_dot)
    except OSError as err:
        # the block's own call on the name: its failure is the operation's error-code
        raise FsError.from_os(err) from None
    finally:
        for fd in stack[1:]:
            os.close(fd)


def _resolve(
    stack: list[int], path: str, follow: bool, slash_is_dot: bool
) -> tuple[int, str, bool]:
    pending: deque[str] = deque(path.split("/"))
    links = 0
    while True:
        while pending and pending[0] == "":
            pending.popleft()
        if not pending:
            # all consumed after a directory ("x/", or a link whose target ends in "/")
            return stack[-1], ".", False
        name = pending.popleft()
        slash = bool(pending)
        last = all(c == "" for c in pending)
        if name == ".":
            if last:
                return stack[-1], ".", False
            continue
        if name == "..":
            if len(stack) == 1:
                raise FsError("not-permitted", "path leaves the preopened directory")
            os.close(stack.pop())
            if last:
                return stack[-1], ".", False
            continue
        parent = stack[-1]
        if last and not (slash and slash_is_dot):
            if slash or not follow:
                return parent, name, slash
            target = _readlink_or_none(parent, name)
            if target is None:
                return parent, name, False
        else:
            # a directory on the way (or "x/" read as "x/."): opened by this one name,
            # never following a link, so what we hold is what the next name is looked up in
            try:
                fd = open_beneath(
                    parent, name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _O_PATH
                )
            except OSError as err:
                if err.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise FsError.from_os(err) from None
                target = _readlink_or_none(parent, name)
                if target is None:
                    raise FsError.from_os(err) from None
            else:
                stack.append(fd)
                continue
        # ``name`` is a symlink: splice its target in front of what remains
        links += 1
        if links > MAX_SYMLINKS:
            raise FsError("loop", "too many levels of symbolic links")
        if target.startswith("/"):
            raise FsError("not-permitted", "symlink to an absolute path")
        if target == "":
            raise FsError("no-entry", "empty symlink")
        pending.extendleft(reversed(target.split("/")))


def _readlink_or_none(dirfd: int, name: str) -> str | None:
    try:
        return os.readlink(name, dir_fd=dirfd)
    except OSError as err:
        if err.errno in (errno.EINVAL, errno.ENOENT, errno.ENOTDIR):
            return None
        raise FsError.from_os(err) from None


# --------------------------------------------------------------------------- openat2


_AT_FDCWD = -100
_SYS_OPENAT2 = 437  # the same number on every Linux architecture (new syscalls are unified)
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_NO_SYMLINKS = 0x04
_RESOLVE_BENEATH = 0x08
#: every component we hand the kernel is one name, and we follow links ourselves
_RESOLVE = _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS | _RESOLVE_NO_SYMLINKS


class _OpenHow(ctypes.Structure):
    _fields_ = (
        ("flags", ctypes.c_uint64),
        ("mode", ctypes.c_uint64),
        ("resolve", ctypes.c_uint64),
    )


#: the ``openat2`` entry point once probed, or whether the probe said it is absent
_openat2_fn: Callable[..., int] | None = None
_openat2_absent = False


def _openat2() -> Callable[..., int] | None:
    """``syscall`` typed for ``openat2``, if this kernel (Linux 5.6+, no seccomp filter in
    the way) has it.  Only a definite "no such call" is remembered: a probe that fails for
    want of a descriptor (``EMFILE``) must not turn the belt off for good."""
    global _openat2_fn, _openat2_absent
    if _openat2_fn is not None or _openat2_absent:
        return _openat2_fn
    if not sys.platform.startswith("linux"):
        _openat2_absent = True
        return None
    fn = ctypes.CDLL(None, use_errno=True).syscall
    fn.argtypes = (
        ctypes.c_long,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.POINTER(_OpenHow),
        ctypes.c_size_t,
    )
    fn.restype = ctypes.c_long
    how = _OpenHow(os.O_RDONLY | os.O_DIRECTORY | _O_PATH | O_CLOEXEC, 0, _RESOLVE)
    fd = fn(_SYS_OPENAT2, _AT_FDCWD, b".", ctypes.byref(how), ctypes.sizeof(how))
    if fd >= 0:
        os.close(fd)
        _openat2_fn = fn
    elif ctypes.get_errno() in (errno.ENOSYS, errno.EPERM, errno.EINVAL, errno.E2BIG):
        _openat2_absent = True
        return None
    return fn  # on any other failure it is there, probably: ask again next time


def openat2_works() -> bool:
    return _openat2() is not None


_HOW_SIZE = ctypes.sizeof(_OpenHow)


def open_beneath(dirfd: int, name: str, flags: int, mode: int = 0) -> int:
    """``openat(dirfd, name, flags)`` for one component ``name``.

    The portable walk alone keeps a path inside (one name, ``O_NOFOLLOW``); where
    the kernel has ``openat2`` the same open also carries ``RESOLVE_BENEATH |
    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS``, so that a mistake here would
    end in an error rather than outside the preopen.
    """
    flags |= O_CLOEXEC
    openat2 = _openat2() if USE_OPENAT2 else None
    if openat2 is None:
        return os.open(name, flags, mode, dir_fd=dirfd)
    how = _OpenHow(flags, mode if flags & os.O_CREAT else 0, _RESOLVE)
    fd: int = openat2(_SYS_OPENAT2, dirfd, os.fsencode(name), ctypes.byref(how), _HOW_SIZE)
    if fd < 0:
        code = ctypes.get_errno()
        if code == errno.EXDEV:  # the kernel saw the path leave: refuse as a walk does
            raise FsError("not-permitted", "path leaves the preopened directory")
        raise OSError(code, os.strerror(code))
    return fd
