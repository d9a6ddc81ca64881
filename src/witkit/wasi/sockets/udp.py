"""``wasi:sockets/udp`` and ``udp-create-socket``: datagram sockets and their streams.

Binding is the two-phase machine shared with TCP (:mod:`._ip_socket`); after it
the socket hands out a pair of datagram streams per ``stream`` call, connected
to one remote address or not.  Rules:

* **No grant, no socket.**  :func:`create_udp_socket` refuses with
  ``access-denied`` unless the grant allows UDP sockets (``may_create``),
  before any host socket exists.  Connecting a stream checks ``udp-connect``;
  an unconnected stream checks ``udp-outgoing`` for every datagram's address.
* ``send`` beyond the permit of ``check-send`` traps, as the spec says; a send
  that fails after some datagrams went out reports how many did.
"""

from __future__ import annotations

import ctypes
import errno
import socket

from witkit._record import record
from witkit.errors import Trap
from witkit.wasi.errno import SocketError
from witkit.wasi.grants import NetworkGrant
from witkit.wasi.io import Pollable, ReadyAlways
from witkit.wasi.sockets._ip_socket import FdWait, IpSocket
from witkit.wasi.sockets.address import (
    IpSocketAddress,
    check_family,
    check_remote,
    from_sockaddr,
    host_port,
    to_sockaddr,
)

__all__ = [
    "DATAGRAM_PERMIT",
    "MAX_DATAGRAM",
    "IncomingDatagram",
    "IncomingDatagramStream",
    "OutgoingDatagram",
    "OutgoingDatagramStream",
    "UdpSocket",
    "create_udp_socket",
]

#: how many datagrams ``check-send`` permits at once
DATAGRAM_PERMIT = 64
#: the largest datagram a receive asks for (the IPv4/IPv6 UDP payload maximum)
MAX_DATAGRAM = 65535


@record
class IncomingDatagram:
    data: bytes
    remote_address: IpSocketAddress


@record
class OutgoingDatagram:
    data: bytes
    remote_address: IpSocketAddress | None


_libc = ctypes.CDLL(None, use_errno=True)


def _disconnect(sock: socket.socket) -> None:
    """``connect(AF_UNSPEC)``: dissolve a UDP association (Python has no spelling for it)."""
    sa = (ctypes.c_ubyte * 16)()  # sa_family = AF_UNSPEC (0)
    if _libc.connect(sock.fileno(), ctypes.byref(sa), 16) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EAFNOSUPPORT,):  # some kernels answer that, and still disconnect
            raise SocketError.from_os(OSError(code, ""))


class UdpSocket(IpSocket):
    """``wasi:sockets/udp.udp-socket``."""

    protocol = "udp"
    kind = socket.SOCK_DGRAM

    def __init__(self, family: str, grant: NetworkGrant) -> None:
        super().__init__(family, grant)
        self._remote: IpSocketAddress | None = None
        self._generation = 0

    def stream(
        self, remote_address: IpSocketAddress | None
    ) -> tuple[IncomingDatagramStream, OutgoingDatagramStream]:
        if self._state != "bound":
            raise SocketError("invalid-state")
        if self._remote is not None:
            _disconnect(self._sock)
            self._remote = None
        if remote_address is not None:
            check_family(remote_address, self.family)
            check_remote(remote_address)
            self._grant.check(*host_port(remote_address), "udp-connect")
            try:
                self._sock.connect(to_sockaddr(remote_address))
            except OSError as err:
                raise SocketError.from_os(err) from None
            self._remote = remote_address
        self._generation += 1
        return IncomingDatagramStream(self, self._generation), OutgoingDatagramStream(
            self, self._generation
        )

    def _connected(self) -> bool:
        return self._remote is not None

    unicast_hop_limit = IpSocket._get_hop_limit
    set_unicast_hop_limit = IpSocket._set_hop_limit

    def subscribe(self) -> Pollable:
        return Pollable(ReadyAlways())


class IncomingDatagramStream:
    def __init__(self, owner: UdpSocket, generation: int) -> None:
        self._owner = owner
        self._generation = generation

    def receive(self, max_results: int) -> list[IncomingDatagram]:
        out: list[IncomingDatagram] = []
        sock = self._owner._sock
        while len(out) < max_results:
            try:
                data, sa = sock.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                break
            except OSError as err:
                if out:
                    break
                raise SocketError.from_os(err) from None
            out.append(IncomingDatagram(data, from_sockaddr(self._owner.family, sa)))
        return out

    def subscribe(self) -> Pollable:
        return Pollable(FdWait(self._owner._sock, write=False))


class OutgoingDatagramStream:
    def __init__(self, owner: UdpSocket, generation: int) -> None:
        self._owner = owner
        self._generation = generation
        self._permit = 0

    def check_send(self) -> int:
        self._permit = DATAGRAM_PERMIT if FdWait(self._owner._sock, write=True).ready() else 0
        return self._permit

    def send(self, datagrams: list[OutgoingDatagram]) -> int:
        if len(datagrams) > self._permit:
            raise Trap(
                f"outgoing-datagram-stream.send of {len(datagrams)} datagrams "
                f"exceeds the permit of check-send ({self._permit})",
                rule="wasi:sockets/udp",
            )
        owner = self._owner
        sent = 0
        for d in datagrams:
            remote = d.remote_address
            try:
                if owner._remote is not None:
                    if remote is not None and remote != owner._remote:
                        raise SocketError("invalid-argument", "not the connected address")
                    owner._sock.send(d.data)
                else:
                    if remote is None:
                        raise SocketError("invalid-argument", "no remote address")
                    check_family(remote, owner.family)
                    check_remote(remote)
                    owner._grant.check(*host_port(remote), "udp-outgoing")
                    owner._sock.sendto(d.data, to_sockaddr(remote))
            except BlockingIOError:
                break
            except SocketError:
                if sent:
                    break
                raise
            except OSError as err:
                if sent:
                    break
                raise SocketError.from_os(err) from None
            sent += 1
        self._permit -= sent
        return sent

    def subscribe(self) -> Pollable:
        return Pollable(FdWait(self._owner._sock, write=True))


def create_udp_socket(grant: NetworkGrant, address_family: str) -> UdpSocket:
    if not grant.may_create("udp"):
        raise SocketError("access-denied", "UDP (or any address to use it with) is not granted")
    return UdpSocket(address_family, grant)
