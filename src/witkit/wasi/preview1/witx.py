"""The ``wasi_snapshot_preview1`` ABI as data: codes, bit sets, struct layouts, signatures.

WASI 0.1 is defined by a witx file (``legacy/preview1/witx`` in WebAssembly/WASI): every
function takes and returns core numbers, records live in linear memory at fixed offsets,
and failures are an ``errno`` code returned as the function's result.  This module holds
those numbers once, under the witx spec's names, so the functions read as the spec does
(``ERRNO["badf"]``, ``RIGHTS["fd_read"]``, ``FILESTAT_SIZE``); nothing here runs.

The 0.2 host reports failures as ``wasi:filesystem`` ``error-code`` case names;
:data:`FROM_ERROR_CODE` is the one table that turns them into preview1 codes (the same
table the preview1 adapter and wasmtime use).
"""

from __future__ import annotations

from witkit.errors import WitkitError

__all__ = [
    "ADVICE",
    "ALL_RIGHTS",
    "DIRENT_SIZE",
    "ERRNO",
    "EVENT_SIZE",
    "FDFLAGS",
    "FDSTAT_SIZE",
    "FILESTAT_SIZE",
    "FILETYPE",
    "FROM_ERROR_CODE",
    "FSTFLAGS",
    "OFLAGS",
    "RIGHTS",
    "SIGNATURES",
    "SUBSCRIPTION_SIZE",
    "Errno",
    "GuestError",
    "check_enum",
    "check_flags",
    "errno_of",
    "rights",
]


def _names(text: str) -> list[str]:
    return text.split()


#: ``errno``: the witx enum, in its order (``success`` is 0)
ERRNO: dict[str, int] = {
    name: code
    for code, name in enumerate(
        _names(
            "success 2big acces addrinuse addrnotavail afnosupport again already badf "
            "badmsg busy canceled child connaborted connrefused connreset deadlk "
            "destaddrreq dom dquot exist fault fbig hostunreach idrm ilseq inprogress intr "
            "inval io isconn isdir loop mfile mlink msgsize multihop nametoolong netdown "
            "netreset netunreach nfile nobufs nodev noent noexec nolck nolink nomem nomsg "
            "noprotoopt nospc nosys notconn notdir notempty notrecoverable notsock notsup "
            "notty nxio overflow ownerdead perm pipe proto protonosupport prototype range "
            "rofs spipe srch stale timedout txtbsy xdev notcapable"
        )
    )
}

#: ``wasi:filesystem`` ``error-code`` case -> preview1 ``errno`` name
FROM_ERROR_CODE: dict[str, str] = {
    "access": "acces",
    "would-block": "again",
    "already": "already",
    "bad-descriptor": "badf",
    "busy": "busy",
    "deadlock": "deadlk",
    "quota": "dquot",
    "exist": "exist",
    "file-too-large": "fbig",
    "illegal-byte-sequence": "ilseq",
    "in-progress": "inprogress",
    "interrupted": "intr",
    "invalid": "inval",
    "io": "io",
    "is-directory": "isdir",
    "loop": "loop",
    "too-many-links": "mlink",
    "message-size": "msgsize",
    "name-too-long": "nametoolong",
    "no-device": "nodev",
    "no-entry": "noent",
    "no-lock": "nolck",
    "insufficient-memory": "nomem",
    "insufficient-space": "nospc",
    "unsupported": "notsup",
    "not-directory": "notdir",
    "not-empty": "notempty",
    "not-recoverable": "notrecoverable",
    "no-tty": "notty",
    "no-such-device": "nxio",
    "overflow": "overflow",
    "not-permitted": "perm",
    "pipe": "pipe",
    "read-only": "rofs",
    "invalid-seek": "spipe",
    "text-file-busy": "txtbsy",
    "cross-device": "xdev",
}


def errno_of(error_code: str) -> int:
    """The preview1 code of a 0.2 ``error-code`` case (``io`` for one it does not know)."""
    return ERRNO[FROM_ERROR_CODE.get(error_code, "io")]


class Errno(Exception):
    """A preview1 function fails with ``errno`` ``name``: its result, not a trap."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.code = ERRNO[name]


class GuestError(WitkitError):
    """An argument no witx type can hold: an enum case or a flag bit that does not exist.

    Such a call never returns an ``errno``: the arguments are decoded before the function
    runs, and wasmtime ends the run with an error (status 1, not a trap's 134).
    """


def check_enum(value: int, cases: int, type_name: str) -> int:
    """``value`` as a witx enum of ``cases`` cases, or :class:`GuestError`."""
    if value >= cases:
        raise GuestError(f"invalid enum value {value} for {type_name}")
    return value


def check_flags(value: int, mask: int, type_name: str) -> int:
    """``value`` as witx flags whose defined bits are ``mask``, or :class:`GuestError`."""
    if value & ~mask:
        raise GuestError(f"invalid flags value {value:#x} for {type_name}")
    return value


#: ``filetype`` (``u8``); 0.2 ``descriptor-type`` names map onto it, ``fifo`` and
#: ``socket`` included (preview1 has no code for a fifo: ``unknown``, as wasmtime)
FILETYPE: dict[str, int] = {
    "unknown": 0,
    "block-device": 1,
    "character-device": 2,
    "directory": 3,
    "regular-file": 4,
    "socket": 6,
    "symbolic-link": 7,
    "fifo": 0,
}

#: ``rights`` (``u64``) bits, in the witx order
RIGHTS: dict[str, int] = {
    name: 1 << bit
    for bit, name in enumerate(
        _names(
            "fd_datasync fd_read fd_seek fd_fdstat_set_flags fd_sync fd_tell fd_write "
            "fd_advise fd_allocate path_create_directory path_create_file path_link_source "
            "path_link_target path_open fd_readdir path_readlink path_rename_source "
            "path_rename_target path_filestat_get path_filestat_set_size "
            "path_filestat_set_times fd_filestat_get fd_filestat_set_size "
            "fd_filestat_set_times path_symlink path_remove_directory path_unlink_file "
            "poll_fd_readwrite sock_shutdown sock_accept"
        )
    )
}


def rights(names: str) -> int:
    """The ``rights`` value of space-separated right names."""
    return sum(RIGHTS[name] for name in _names(names))


ALL_RIGHTS = (1 << len(RIGHTS)) - 1

#: ``fdflags`` (``u16``)
FDFLAGS = {"append": 1, "dsync": 2, "nonblock": 4, "rsync": 8, "sync": 16}
#: ``oflags`` (``u16``)
OFLAGS = {"creat": 1, "directory": 2, "excl": 4, "trunc": 8}
#: ``fstflags`` (``u16``)
FSTFLAGS = {"atim": 1, "atim_now": 2, "mtim": 4, "mtim_now": 8}
#: ``lookupflags`` (``u32``)
SYMLINK_FOLLOW = 1
#: ``advice`` (``u8``) -> the 0.2 ``advice`` case
ADVICE = ("normal", "sequential", "random", "will-need", "dont-need", "no-reuse")
#: ``clockid``
REALTIME, MONOTONIC = 0, 1
#: ``whence``
WHENCE_SET, WHENCE_CUR, WHENCE_END = 0, 1, 2
#: ``eventtype``
EVENT_CLOCK, EVENT_FD_READ, EVENT_FD_WRITE = 0, 1, 2
#: ``subclockflags``
SUBSCRIPTION_CLOCK_ABSTIME = 1
#: ``eventrwflags``
FD_READWRITE_HANGUP = 1

#: struct sizes (offsets are given where each is read or written)
FDSTAT_SIZE = 24
FILESTAT_SIZE = 64
DIRENT_SIZE = 24
SUBSCRIPTION_SIZE = 48
EVENT_SIZE = 32

_I, _L = "i32", "i64"

#: function name -> (params, results) of its core type
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "args_get": ((_I, _I), (_I,)),
    "args_sizes_get": ((_I, _I), (_I,)),
    "environ_get": ((_I, _I), (_I,)),
    "environ_sizes_get": ((_I, _I), (_I,)),
    "clock_res_get": ((_I, _I), (_I,)),
    "clock_time_get": ((_I, _L, _I), (_I,)),
    "fd_advise": ((_I, _L, _L, _I), (_I,)),
    "fd_allocate": ((_I, _L, _L), (_I,)),
    "fd_close": ((_I,), (_I,)),
    "fd_datasync": ((_I,), (_I,)),
    "fd_fdstat_get": ((_I, _I), (_I,)),
    "fd_fdstat_set_flags": ((_I, _I), (_I,)),
    "fd_fdstat_set_rights": ((_I, _L, _L), (_I,)),
    "fd_filestat_get": ((_I, _I), (_I,)),
    "fd_filestat_set_size": ((_I, _L), (_I,)),
    "fd_filestat_set_times": ((_I, _L, _L, _I), (_I,)),
    "fd_pread": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_prestat_get": ((_I, _I), (_I,)),
    "fd_prestat_dir_name": ((_I, _I, _I), (_I,)),
    "fd_pwrite": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_read": ((_I, _I, _I, _I), (_I,)),
    "fd_readdir": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_renumber": ((_I, _I), (_I,)),
    "fd_seek": ((_I, _L, _I, _I), (_I,)),
    "fd_sync": ((_I,), (_I,)),
    "fd_tell": ((_I, _I), (_I,)),
    "fd_write": ((_I, _I, _I, _I), (_I,)),
    "path_create_directory": ((_I, _I, _I), (_I,)),
    "path_filestat_get": ((_I, _I, _I, _I, _I), (_I,)),
    "path_filestat_set_times": ((_I, _I, _I, _I, _L, _L, _I), (_I,)),
    "path_link": ((_I, _I, _I, _I, _I, _I, _I), (_I,)),
    "path_open": ((_I, _I, _I, _I, _I, _L, _L, _I, _I), (_I,)),
    "path_readlink": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "path_remove_directory": ((_I, _I, _I), (_I,)),
    "path_rename": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "path_symlink": ((_I, _I, _I, _I, _I), (_I,)),
    "path_unlink_file": ((_I, _I, _I), (_I,)),
    "poll_oneoff": ((_I, _I, _I, _I), (_I,)),
    "proc_exit": ((_I,), ()),
    "proc_raise": ((_I,), (_I,)),
    "sched_yield": ((), (_I,)),
    "random_get": ((_I, _I), (_I,)),
    "sock_accept": ((_I, _I, _I), (_I,)),
    "sock_recv": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "sock_send": ((_I, _I, _I, _I, _I), (_I,)),
    "sock_shutdown": ((_I, _I), (_I,)),
}
