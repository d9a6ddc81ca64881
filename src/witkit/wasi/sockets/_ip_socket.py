"""What ``tcp-socket`` and ``udp-socket`` share: the host socket, the two-phase state machine, bind.

Rules:

* **The two-phase operations of the spec are kept as states**, checked before
  any system call, by one machine (:meth:`IpSocket._start`,
  :meth:`IpSocket._finish`) for every pair: ``start-bind``/``finish-bind`` of
  both protocols, ``start-connect`` and ``start-listen`` of TCP.  A ``start-*``
  while another operation is in progress is ``concurrency-conflict``, one in
  the wrong state ``invalid-state``; a ``finish-*`` without its ``start-*`` is
  ``not-in-progress``.  The operation is recorded as in progress only once its
  system call succeeded.
* **Binding is checked against the grant** of the network it is given (purpose
  ``tcp-bind`` or ``udp-bind``) after the spec's address rules, before ``bind``.
* Host sockets are non-blocking; readiness is ``select``-able (:class:`FdWait`),
  so socket pollables mix freely with streams and clocks in one ``poll``.
* IPv6 sockets are IPv6-only, as the spec asks (IPv4-mapped addresses are
  refused by :func:`~witkit.wasi.sockets.address.check_family`).
"""

from __future__ import annotations

import contextlib
import errno
import select
import socket
from collections.abc import Callable
from typing import ClassVar, TypeVar

from witkit.wasi.errno import SocketError
from witkit.wasi.grants import NetworkGrant
from witkit.wasi.io import Pollable, Wait
from witkit.wasi.sockets import address
from witkit.wasi.sockets.address import IpSocketAddress
from witkit.wasi.sockets.network import Network

__all__ = ["FdWait", "IpSocket", "new_socket", "sockopt"]

_T = TypeVar("_T")


def new_socket(family: str, kind: socket.SocketKind) -> socket.socket:
    """A non-blocking host socket of ``family`` ("ipv4" or "ipv6"); IPv6 ones IPv6-only."""
    try:
        sock = socket.socket(socket.AF_INET if family == "ipv4" else socket.AF_INET6, kind)
    except OSError as err:
        raise SocketError.from_os(err) from None
    sock.setblocking(False)
    if family == "ipv6":
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return sock


def sockopt(action: Callable[[], _T]) -> _T:
    """``action()``, its ``OSError`` as the ``error-code`` of the failure."""
    try:
        return action()
    except OSError as err:
        raise SocketError.from_os(err) from None


class FdWait:
    """Waitable on one socket direction."""

    def __init__(self, sock: socket.socket, write: bool) -> None:
        self._sock = sock
        self._write = write

    def ready(self) -> bool:
        fd = self._sock.fileno()
        if fd < 0:
            return True
        r, w, _ = select.select([] if self._write else [fd], [fd] if self._write else [], [], 0)
        return bool(r or w)

    def wait(self) -> Wait:
        fd = self._sock.fileno()
        return Wait(write_fds=(fd,)) if self._write else Wait(read_fds=(fd,))


def _bind_error(err: OSError) -> SocketError:
    if err.errno == errno.EAFNOSUPPORT:
        return SocketError("invalid-argument")
    if err.errno == errno.ENOBUFS:
        return SocketError("address-in-use")
    return SocketError.from_os(err)


class IpSocket:
    """The parts of ``tcp-socket`` and ``udp-socket`` the spec writes alike."""

    #: the protocol, as grants name it ("tcp" or "udp")
    protocol: ClassVar[str]
    kind: ClassVar[socket.SocketKind]
    #: allow binding a port a closed socket still holds (TCP: a server restarts at once)
    reuse_address: ClassVar[bool] = False

    def __init__(
        self,
        family: str,
        grant: NetworkGrant,
        sock: socket.socket | None = None,
        state: str = "unbound",
    ) -> None:
        self.family = family
        self._grant = grant
        self._sock = sock if sock is not None else new_socket(family, self.kind)
        #: unbound, bound; TCP also connecting, connected, listening, closed
        self._state = state
        self._in_progress: str | None = None

    # -- the two-phase state machine

    def _start(self, *states: str) -> None:
        """Check that a ``start-*`` may begin in the current state (see the module rules)."""
        if self._in_progress is not None:
            raise SocketError("concurrency-conflict")
        if self._state not in states:
            raise SocketError("invalid-state")

    def _finish(self, operation: str, ready: Callable[[], bool] | None = None) -> None:
        """End ``operation``'s second phase (``would-block`` while ``ready()`` is false)."""
        if self._in_progress != operation:
            raise SocketError("not-in-progress")
        if ready is not None and not ready():
            raise SocketError("would-block")
        self._in_progress = None

    def start_bind(self, network: Network, local_address: IpSocketAddress) -> None:
        self._start("unbound")
        address.check_family(local_address, self.family)
        address.check_unicast(local_address)
        network.grant.check(*address.host_port(local_address), f"{self.protocol}-bind")
        try:
            if self.reuse_address and local_address.port != 0:
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(address.to_sockaddr(local_address))
        except OSError as err:
            raise _bind_error(err) from None
        self._in_progress = "bind"

    def finish_bind(self) -> None:
        self._finish("bind")
        self._state = "bound"

    # -- addresses and options

    def _connected(self) -> bool:
        """Whether the socket has a remote address (TCP: connected; UDP: a connected stream)."""
        raise NotImplementedError

    def local_address(self) -> IpSocketAddress:
        if self._state == "unbound":
            raise SocketError("invalid-state")
        return address.from_sockaddr(self.family, sockopt(self._sock.getsockname))

    def remote_address(self) -> IpSocketAddress:
        if not self._connected():
            raise SocketError("invalid-state")
        return address.from_sockaddr(self.family, sockopt(self._sock.getpeername))

    def address_family(self) -> str:
        return self.family

    def _get(self, level: int, opt: int) -> int:
        return sockopt(lambda: self._sock.getsockopt(level, opt))

    def _set(self, level: int, opt: int, value: int) -> None:
        sockopt(lambda: self._sock.setsockopt(level, opt, value))

    def _hops(self) -> tuple[int, int]:
        if self.family == "ipv4":
            return socket.IPPROTO_IP, socket.IP_TTL
        return socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS

    def _get_hop_limit(self) -> int:
        return self._get(*self._hops())

    def _set_nonzero(self, level: int, opt: int, value: int, most: int = 0x7FFFFFFF) -> None:
        """Set an option the spec says must not be 0 (``invalid-argument``), clamped to ``most``."""
        if value == 0:
            raise SocketError("invalid-argument")
        self._set(level, opt, min(value, most))

    def _set_hop_limit(self, value: int) -> None:
        self._set_nonzero(*self._hops(), value)

    def receive_buffer_size(self) -> int:
        return self._get(socket.SOL_SOCKET, socket.SO_RCVBUF)

    def set_receive_buffer_size(self, value: int) -> None:
        self._set_nonzero(socket.SOL_SOCKET, socket.SO_RCVBUF, value)

    def send_buffer_size(self) -> int:
        return self._get(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def set_send_buffer_size(self, value: int) -> None:
        self._set_nonzero(socket.SOL_SOCKET, socket.SO_SNDBUF, value)

    def subscribe(self) -> Pollable:
        raise NotImplementedError

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._sock.close()
