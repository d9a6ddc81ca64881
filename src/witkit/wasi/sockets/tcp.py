"""``wasi:sockets/tcp`` and ``tcp-create-socket``: stream sockets and their byte streams.

The states are the spec's (unbound, bound, connecting, connected, listening,
closed), kept by the machine shared with UDP (:mod:`._ip_socket`): ``bind``,
``connect`` and ``listen`` each have two phases.  Rules beyond that machine:

* **No grant, no socket.**  :func:`create_tcp_socket` refuses with
  ``access-denied`` unless the grant allows TCP sockets (``may_create``),
  before any host socket exists.  Connecting checks ``tcp-connect`` for the
  remote address, and ``tcp-bind`` for the implicit bind of an unbound socket.
* A connection's streams are ``wasi:io`` streams over the non-blocking socket:
  reads return what has arrived, a blocking write waits for room in the
  kernel's buffer with ``witkit._signals.wait`` (so a signal or the store's
  deadline still ends it).
"""

from __future__ import annotations

import errno
import socket

from witkit import _signals
from witkit.wasi.errno import SocketError
from witkit.wasi.grants import NetworkGrant
from witkit.wasi.io import (
    MAX_READ,
    WRITE_BUDGET,
    EndingInputStream,
    InputStream,
    OutputStream,
    Pollable,
    ReadyAlways,
    Waitable,
)
from witkit.wasi.sockets._ip_socket import FdWait, IpSocket, sockopt
from witkit.wasi.sockets.address import (
    IpSocketAddress,
    check_family,
    check_remote,
    host_port,
    to_sockaddr,
    unspecified,
)
from witkit.wasi.sockets.network import Network

__all__ = ["TcpInputStream", "TcpOutputStream", "TcpSocket", "create_tcp_socket"]

_NS_PER_S = 1_000_000_000


class TcpInputStream(EndingInputStream):
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def _source(self) -> Waitable:
        return ReadyAlways() if self._eof else FdWait(self._sock, write=False)

    def _read_some(self, n: int) -> bytes | None:
        try:
            return self._sock.recv(min(n, MAX_READ))
        except BlockingIOError:
            return None


class TcpOutputStream(OutputStream):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock

    def _source(self) -> Waitable:
        return FdWait(self._sock, write=True)

    def _permit(self) -> int:
        return WRITE_BUDGET if FdWait(self._sock, write=True).ready() else 0

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = self._sock.send(view)
            except BlockingIOError:
                _signals.wait((), (self._sock.fileno(),))
                continue
            view = view[n:]


class TcpSocket(IpSocket):
    """``wasi:sockets/tcp.tcp-socket``."""

    protocol = "tcp"
    kind = socket.SOCK_STREAM
    reuse_address = True
    #: the backlog ``start-listen`` asks for (``set-listen-backlog-size`` before it changes it)
    _backlog = 128

    def start_connect(self, network: Network, remote_address: IpSocketAddress) -> None:
        self._start("unbound", "bound")
        check_family(remote_address, self.family)
        check_remote(remote_address)
        if self._state == "unbound":
            network.grant.check(*host_port(unspecified(self.family)), "tcp-bind")
        network.grant.check(*host_port(remote_address), "tcp-connect")
        code = self._sock.connect_ex(to_sockaddr(remote_address))
        if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
            self._state = "closed"
            raise SocketError.from_os(OSError(code, errno.errorcode.get(code, "")))
        self._in_progress = "connect"
        self._state = "connecting"

    def finish_connect(self) -> tuple[InputStream, OutputStream]:
        self._finish("connect", FdWait(self._sock, write=True).ready)
        code = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._state = "closed"
            raise SocketError.from_os(OSError(code, errno.errorcode.get(code, "")))
        self._state = "connected"
        return TcpInputStream(self._sock), TcpOutputStream(self._sock)

    def start_listen(self) -> None:
        self._start("bound")
        try:
            self._sock.listen(self._backlog)
        except OSError as err:
            raise SocketError.from_os(err) from None
        self._in_progress = "listen"

    def finish_listen(self) -> None:
        self._finish("listen")
        self._state = "listening"

    def accept(self) -> tuple[TcpSocket, InputStream, OutputStream]:
        if self._state != "listening":
            raise SocketError("invalid-state")
        try:
            conn, _ = self._sock.accept()
        except BlockingIOError:
            raise SocketError("would-block") from None
        except OSError as err:
            raise SocketError.from_os(err) from None
        conn.setblocking(False)
        client = TcpSocket(self.family, self._grant, conn, "connected")
        return client, TcpInputStream(conn), TcpOutputStream(conn)

    def local_address(self) -> IpSocketAddress:
        if self._state == "connecting":
            raise SocketError("invalid-state")
        return super().local_address()

    def _connected(self) -> bool:
        return self._state == "connected"

    def is_listening(self) -> bool:
        return self._state == "listening"

    def set_listen_backlog_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        value = min(value, 0x7FFFFFFF)
        if self._state in ("unbound", "bound"):
            self._backlog = value
        elif self._state == "listening":
            sockopt(lambda: self._sock.listen(value))
        else:
            raise SocketError("invalid-state")

    def keep_alive_enabled(self) -> bool:
        return bool(self._get(socket.SOL_SOCKET, socket.SO_KEEPALIVE))

    def set_keep_alive_enabled(self, value: bool) -> None:
        self._set(socket.SOL_SOCKET, socket.SO_KEEPALIVE, int(value))

    def keep_alive_idle_time(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) * _NS_PER_S

    def set_keep_alive_idle_time(self, value: int) -> None:
        self._set(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, _seconds(value))

    def keep_alive_interval(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) * _NS_PER_S

    def set_keep_alive_interval(self, value: int) -> None:
        self._set(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, _seconds(value))

    def keep_alive_count(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)

    def set_keep_alive_count(self, value: int) -> None:
        self._set_nonzero(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, value, most=127)

    hop_limit = IpSocket._get_hop_limit
    set_hop_limit = IpSocket._set_hop_limit

    def subscribe(self) -> Pollable:
        if self._in_progress == "connect":
            return Pollable(FdWait(self._sock, write=True))
        if self._state == "listening":
            return Pollable(FdWait(self._sock, write=False))
        return Pollable(ReadyAlways())

    def shutdown(self, shutdown_type: str) -> None:
        if self._state != "connected":
            raise SocketError("invalid-state")
        how = {"receive": socket.SHUT_RD, "send": socket.SHUT_WR, "both": socket.SHUT_RDWR}
        sockopt(lambda: self._sock.shutdown(how[shutdown_type]))


def _seconds(duration: int) -> int:
    """A keep-alive ``duration`` (ns, not 0) as the whole seconds the option takes (1..32767)."""
    if duration == 0:
        raise SocketError("invalid-argument")
    return max(1, min(duration // _NS_PER_S, 32767))


def create_tcp_socket(grant: NetworkGrant, address_family: str) -> TcpSocket:
    if not grant.may_create("tcp"):
        raise SocketError("access-denied", "TCP (or any address to use it with) is not granted")
    return TcpSocket(address_family, grant)
