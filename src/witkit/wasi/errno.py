"""The one table from host ``errno`` values to WASI ``error-code`` cases.

Every ``OSError`` the WASI host meets is classified here and nowhere else:
``wasi:filesystem/types.error-code`` through :data:`FILESYSTEM`, and
``wasi:sockets/network.error-code`` through :data:`SOCKETS`.  Cases are the
spec's kebab-case names, which is how enum values travel through witkit.

The exceptions :class:`FsError` and :class:`SocketError` carry a case name from
the cores (``filesystem.py``, ``sockets.py``) to the host bindings, which turn
them into the ``err`` side of a ``result``.
"""

from __future__ import annotations

import errno as _e
from typing import ClassVar, Self

__all__ = [
    "FILESYSTEM",
    "SOCKETS",
    "FsError",
    "SocketError",
    "fs_code",
    "socket_code",
]

#: errno -> ``wasi:filesystem/types.error-code`` (POSIX names; unknown ones are ``io``)
FILESYSTEM: dict[int, str] = {
    _e.EACCES: "access",
    _e.EAGAIN: "would-block",
    _e.EALREADY: "already",
    _e.EBADF: "bad-descriptor",
    _e.EBUSY: "busy",
    _e.EDEADLK: "deadlock",
    _e.EDQUOT: "quota",
    _e.EEXIST: "exist",
    _e.EFBIG: "file-too-large",
    _e.EILSEQ: "illegal-byte-sequence",
    _e.EINPROGRESS: "in-progress",
    _e.EINTR: "interrupted",
    _e.EINVAL: "invalid",
    _e.EIO: "io",
    _e.EISDIR: "is-directory",
    _e.ELOOP: "loop",
    _e.EMLINK: "too-many-links",
    _e.EMSGSIZE: "message-size",
    _e.ENAMETOOLONG: "name-too-long",
    _e.ENODEV: "no-device",
    _e.ENOENT: "no-entry",
    _e.ENOLCK: "no-lock",
    _e.ENOMEM: "insufficient-memory",
    _e.ENOSPC: "insufficient-space",
    _e.ENOTDIR: "not-directory",
    _e.ENOTEMPTY: "not-empty",
    _e.ENOTRECOVERABLE: "not-recoverable",
    _e.ENOTSUP: "unsupported",
    _e.EOPNOTSUPP: "unsupported",
    _e.ENOTTY: "no-tty",
    _e.ENXIO: "no-such-device",
    _e.EOVERFLOW: "overflow",
    _e.EPERM: "not-permitted",
    _e.EPIPE: "pipe",
    _e.EROFS: "read-only",
    _e.ESPIPE: "invalid-seek",
    _e.ETXTBSY: "text-file-busy",
    _e.EXDEV: "cross-device",
}

#: errno -> ``wasi:sockets/network.error-code`` (unknown ones are ``unknown``)
SOCKETS: dict[int, str] = {
    _e.EPERM: "access-denied",
    _e.EACCES: "access-denied",
    _e.EADDRINUSE: "address-in-use",
    _e.EADDRNOTAVAIL: "address-not-bindable",
    _e.ETIMEDOUT: "timeout",
    _e.EPIPE: "connection-reset",
    _e.ECONNREFUSED: "connection-refused",
    _e.ECONNRESET: "connection-reset",
    _e.ECONNABORTED: "connection-aborted",
    _e.EINVAL: "invalid-argument",
    _e.EHOSTUNREACH: "remote-unreachable",
    _e.EHOSTDOWN: "remote-unreachable",
    _e.ENETDOWN: "remote-unreachable",
    _e.ENETUNREACH: "remote-unreachable",
    _e.EISCONN: "invalid-state",
    _e.ENOTCONN: "invalid-state",
    _e.EDESTADDRREQ: "invalid-state",
    _e.EMSGSIZE: "datagram-too-large",
    _e.ENOMEM: "out-of-memory",
    _e.ENOBUFS: "out-of-memory",
    _e.EOPNOTSUPP: "not-supported",
    _e.ENOPROTOOPT: "not-supported",
    _e.EPFNOSUPPORT: "not-supported",
    _e.EPROTONOSUPPORT: "not-supported",
    _e.EPROTOTYPE: "not-supported",
    _e.ESOCKTNOSUPPORT: "not-supported",
    _e.EAFNOSUPPORT: "not-supported",
    _e.EAGAIN: "would-block",
    _e.EINPROGRESS: "would-block",
    _e.EMFILE: "new-socket-limit",
    _e.ENFILE: "new-socket-limit",
}


def fs_code(err: OSError) -> str:
    return FsError.code_of(err)


def socket_code(err: OSError) -> str:
    return SocketError.code_of(err)


class _CodedError(Exception):
    """A WASI operation failed with ``error-code`` case ``code``: one rule for both
    packages, each class naming its table and the case of an errno not in it."""

    _codes: ClassVar[dict[int, str]]
    _unknown: ClassVar[str]

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code

    @classmethod
    def code_of(cls, err: OSError) -> str:
        return cls._codes.get(err.errno or 0, cls._unknown)

    @classmethod
    def from_os(cls, err: OSError) -> Self:
        return cls(cls.code_of(err), err.strerror or "")


class FsError(_CodedError):
    """A filesystem operation failed with ``error-code`` case ``code``."""

    _codes = FILESYSTEM
    _unknown = "io"


class SocketError(_CodedError):
    """A socket operation failed with ``error-code`` case ``code``."""

    _codes = SOCKETS
    _unknown = "unknown"
