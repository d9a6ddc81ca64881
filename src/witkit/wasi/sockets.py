"""``wasi:sockets``: networks, TCP and UDP with the spec's state machines, name lookup.

Rules of this module:

* **No grant, no socket.**  Creating a TCP or UDP socket needs the protocol
  and some address granted (``NetworkGrant.may_create``), checked before any
  host socket exists; binding, connecting and sending need the address accepted
  by the grant's ``address_check`` (default: nothing).  Refusals are
  ``access-denied``; a lookup without grant is ``permanent-resolver-failure``
  (as wasmtime).
* **The two-phase operations of the spec are kept as states**, checked before
  any system call: ``start-*`` while another operation is in progress is
  ``concurrency-conflict``, ``finish-*`` without its ``start-*`` is
  ``not-in-progress``, and anything in the wrong state is ``invalid-state``.
* Host sockets are non-blocking; readiness is ``select``-able, so socket
  pollables mix freely with streams and clocks in one ``poll``.
* IPv6 sockets are IPv6-only, and IPv4-mapped addresses are refused on them
  (``invalid-argument``), as the spec asks.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import importlib
import select
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from witkit import _signals
from witkit._record import record
from witkit._spare import with_spare
from witkit.errors import Trap
from witkit.wasi.errno import SocketError
from witkit.wasi.grants import NetworkGrant
from witkit.wasi.io import (
    MAX_READ,
    WRITE_BUDGET,
    Error,
    InputStream,
    OutputStream,
    Pollable,
    ReadyAlways,
    StreamClosed,
    StreamFailed,
    Wait,
    Waitable,
)

if TYPE_CHECKING:
    import ipaddress
    import socket
else:

    class _Deferred:
        """A module imported on first use, which then takes this stand-in's global name.

        Most guests never touch a socket; ``socket`` and ``ipaddress`` cost ~3 ms
        of every ``witkit run`` when imported up front.
        """

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            # maybe while the guest holds every descriptor (witkit._spare)
            module = with_spare(lambda: importlib.import_module(self._name))
            globals()[self._name] = module
            return getattr(module, attr)

    socket = _Deferred("socket")
    ipaddress = _Deferred("ipaddress")

__all__ = [
    "IncomingDatagram",
    "IncomingDatagramStream",
    "IpSocketAddress",
    "Ipv4SocketAddress",
    "Ipv6SocketAddress",
    "Network",
    "NetworkGrant",
    "OutgoingDatagram",
    "OutgoingDatagramStream",
    "ResolveAddressStream",
    "TcpSocket",
    "UdpSocket",
    "create_tcp_socket",
    "create_udp_socket",
    "resolve_addresses",
]

#: how many datagrams ``check-send`` permits at once
DATAGRAM_PERMIT = 64
#: the largest datagram a receive asks for (the IPv4/IPv6 UDP payload maximum)
MAX_DATAGRAM = 65535
_NS_PER_S = 1_000_000_000


# --------------------------------------------------------------------------- addresses


@record
class Ipv4SocketAddress:
    port: int
    address: tuple[int, int, int, int]


@record
class Ipv6SocketAddress:
    port: int
    flow_info: int
    address: tuple[int, int, int, int, int, int, int, int]
    scope_id: int


IpSocketAddress: TypeAlias = Ipv4SocketAddress | Ipv6SocketAddress
#: ``ip-address``: ("ipv4", 4 octets) or ("ipv6", 8 segments)
IpAddress: TypeAlias = tuple[str, tuple[int, ...]]


def _family_of(addr: IpSocketAddress) -> str:
    return "ipv4" if isinstance(addr, Ipv4SocketAddress) else "ipv6"


def _ip(addr: IpSocketAddress) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(addr, Ipv4SocketAddress):
        return ipaddress.IPv4Address(bytes(addr.address))
    return ipaddress.IPv6Address(b"".join(s.to_bytes(2, "big") for s in addr.address))


def to_sockaddr(addr: IpSocketAddress) -> tuple[str, int] | tuple[str, int, int, int]:
    if isinstance(addr, Ipv4SocketAddress):
        return (str(_ip(addr)), addr.port)
    return (str(_ip(addr)), addr.port, addr.flow_info, addr.scope_id)


def from_sockaddr(family: str, sa: Any) -> IpSocketAddress:
    host, port = str(sa[0]), int(sa[1])
    if family == "ipv4":
        a = ipaddress.IPv4Address(host).packed
        return Ipv4SocketAddress(port, (a[0], a[1], a[2], a[3]))
    packed = ipaddress.IPv6Address(host.split("%")[0]).packed
    segs = tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2))
    flow = int(sa[2]) if len(sa) > 2 else 0
    scope = int(sa[3]) if len(sa) > 3 else 0
    return Ipv6SocketAddress(port, flow, segs, scope)  # type: ignore[arg-type]


def _ip_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> IpAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return ("ipv4", tuple(ip.packed))
    return ("ipv6", tuple(int.from_bytes(ip.packed[i : i + 2], "big") for i in range(0, 16, 2)))


def _check_family(addr: IpSocketAddress, family: str) -> None:
    if _family_of(addr) != family:
        raise SocketError("invalid-argument", "address family mismatch")
    ip = _ip(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        raise SocketError("invalid-argument", "IPv4-mapped address on an IPv6 socket")


def _check_unicast(addr: IpSocketAddress) -> None:
    ip = _ip(addr)
    if ip.is_multicast or (isinstance(ip, ipaddress.IPv4Address) and ip.packed == b"\xff" * 4):
        raise SocketError("invalid-argument", "not a unicast address")


def _check_remote(addr: IpSocketAddress) -> None:
    _check_unicast(addr)
    if addr.port == 0 or _ip(addr).is_unspecified:
        raise SocketError("invalid-argument", "not a remote address")


def _unspecified(family: str) -> IpSocketAddress:
    if family == "ipv4":
        return Ipv4SocketAddress(0, (0, 0, 0, 0))
    return Ipv6SocketAddress(0, 0, (0, 0, 0, 0, 0, 0, 0, 0), 0)


# --------------------------------------------------------------------------- grants


class Network:
    """``wasi:sockets/network.network``: the capability handed out by ``instance-network``."""

    def __init__(self, grant: NetworkGrant) -> None:
        self.grant = grant


def _af(family: str) -> socket.AddressFamily:
    return socket.AF_INET if family == "ipv4" else socket.AF_INET6


def _new_socket(family: str, kind: socket.SocketKind) -> socket.socket:
    try:
        sock = socket.socket(_af(family), kind)
    except OSError as err:
        raise SocketError.from_os(err) from None
    sock.setblocking(False)
    if family == "ipv6":
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return sock


class _FdWait:
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


def _map_bind_error(err: OSError) -> SocketError:
    if err.errno == errno.EAFNOSUPPORT:
        return SocketError("invalid-argument")
    if err.errno == errno.ENOBUFS:
        return SocketError("address-in-use")
    return SocketError.from_os(err)


_T = TypeVar("_T")


def _sockopt(action: Callable[[], _T]) -> _T:
    try:
        return action()
    except OSError as err:
        raise SocketError.from_os(err) from None


# --------------------------------------------------------------------------- tcp


class TcpInputStream(InputStream):
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._eof = False

    def _source(self) -> Waitable:
        return ReadyAlways() if self._eof else _FdWait(self._sock, write=False)

    def _read(self, n: int) -> bytes:
        if self._eof:
            raise StreamClosed()
        if n == 0:
            return b""
        try:
            data = self._sock.recv(min(n, MAX_READ))
        except BlockingIOError:
            return b""
        except OSError as err:
            self._eof = True
            raise StreamFailed(Error.from_os_error(err)) from None
        if not data:
            self._eof = True
            raise StreamClosed()
        return data


class TcpOutputStream(OutputStream):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock

    def _source(self) -> Waitable:
        return _FdWait(self._sock, write=True)

    def _permit(self) -> int:
        return WRITE_BUDGET if _FdWait(self._sock, write=True).ready() else 0

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = self._sock.send(view)
            except BlockingIOError:
                _signals.wait((), (self._sock.fileno(),))
                continue
            view = view[n:]


class TcpSocket:
    """``wasi:sockets/tcp.tcp-socket``."""

    def __init__(
        self,
        family: str,
        grant: NetworkGrant,
        sock: socket.socket | None = None,
        state: str = "unbound",
    ) -> None:
        self.family = family
        self._grant = grant
        self._sock = sock if sock is not None else _new_socket(family, socket.SOCK_STREAM)
        #: unbound, bound, connecting, connected, listening, closed
        self._state = state
        self._in_progress: str | None = None
        self._backlog = 128
        self._keep_idle = 7200 * _NS_PER_S

    def _idle(self) -> None:
        if self._in_progress is not None:
            raise SocketError("concurrency-conflict")

    def start_bind(self, network: Network, local_address: IpSocketAddress) -> None:
        self._idle()
        if self._state != "unbound":
            raise SocketError("invalid-state")
        _check_family(local_address, self.family)
        _check_unicast(local_address)
        network.grant.check(local_address, "tcp-bind")
        try:
            if local_address.port != 0:
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(to_sockaddr(local_address))
        except OSError as err:
            raise _map_bind_error(err) from None
        self._in_progress = "bind"

    def finish_bind(self) -> None:
        if self._in_progress != "bind":
            raise SocketError("not-in-progress")
        self._in_progress = None
        self._state = "bound"

    def start_connect(self, network: Network, remote_address: IpSocketAddress) -> None:
        self._idle()
        if self._state not in ("unbound", "bound"):
            raise SocketError("invalid-state")
        _check_family(remote_address, self.family)
        _check_remote(remote_address)
        if self._state == "unbound":
            network.grant.check(_unspecified(self.family), "tcp-bind")
        network.grant.check(remote_address, "tcp-connect")
        code = self._sock.connect_ex(to_sockaddr(remote_address))
        if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
            self._state = "closed"
            raise SocketError.from_os(OSError(code, errno.errorcode.get(code, "")))
        self._in_progress = "connect"
        self._state = "connecting"

    def finish_connect(self) -> tuple[InputStream, OutputStream]:
        if self._in_progress != "connect":
            raise SocketError("not-in-progress")
        if not _FdWait(self._sock, write=True).ready():
            raise SocketError("would-block")
        self._in_progress = None
        code = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._state = "closed"
            raise SocketError.from_os(OSError(code, errno.errorcode.get(code, "")))
        self._state = "connected"
        return TcpInputStream(self._sock), TcpOutputStream(self._sock)

    def start_listen(self) -> None:
        self._idle()
        if self._state != "bound":
            raise SocketError("invalid-state")
        try:
            self._sock.listen(self._backlog)
        except OSError as err:
            raise SocketError.from_os(err) from None
        self._in_progress = "listen"

    def finish_listen(self) -> None:
        if self._in_progress != "listen":
            raise SocketError("not-in-progress")
        self._in_progress = None
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
        if self._state == "unbound" or (self._state == "connecting"):
            raise SocketError("invalid-state")
        return from_sockaddr(self.family, _sockopt(self._sock.getsockname))

    def remote_address(self) -> IpSocketAddress:
        if self._state != "connected":
            raise SocketError("invalid-state")
        return from_sockaddr(self.family, _sockopt(self._sock.getpeername))

    def is_listening(self) -> bool:
        return self._state == "listening"

    def address_family(self) -> str:
        return self.family

    def set_listen_backlog_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        value = min(value, 0x7FFFFFFF)
        if self._state in ("unbound", "bound"):
            self._backlog = value
        elif self._state == "listening":
            _sockopt(lambda: self._sock.listen(value))
        else:
            raise SocketError("invalid-state")

    def _get(self, level: int, opt: int) -> int:
        return _sockopt(lambda: self._sock.getsockopt(level, opt))

    def _set(self, level: int, opt: int, value: int) -> None:
        _sockopt(lambda: self._sock.setsockopt(level, opt, value))

    def keep_alive_enabled(self) -> bool:
        return bool(self._get(socket.SOL_SOCKET, socket.SO_KEEPALIVE))

    def set_keep_alive_enabled(self, value: bool) -> None:
        self._set(socket.SOL_SOCKET, socket.SO_KEEPALIVE, int(value))

    def keep_alive_idle_time(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) * _NS_PER_S

    def set_keep_alive_idle_time(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        secs = max(1, min(value // _NS_PER_S, 32767))
        self._set(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, secs)

    def keep_alive_interval(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) * _NS_PER_S

    def set_keep_alive_interval(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        secs = max(1, min(value // _NS_PER_S, 32767))
        self._set(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, secs)

    def keep_alive_count(self) -> int:
        return self._get(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)

    def set_keep_alive_count(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        self._set(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, min(value, 127))

    def _hops(self) -> tuple[int, int]:
        if self.family == "ipv4":
            return socket.IPPROTO_IP, socket.IP_TTL
        return socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS

    def hop_limit(self) -> int:
        return self._get(*self._hops())

    def set_hop_limit(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        self._set(*self._hops(), value)

    def receive_buffer_size(self) -> int:
        return self._get(socket.SOL_SOCKET, socket.SO_RCVBUF)

    def set_receive_buffer_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        self._set(socket.SOL_SOCKET, socket.SO_RCVBUF, min(value, 0x7FFFFFFF))

    def send_buffer_size(self) -> int:
        return self._get(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def set_send_buffer_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        self._set(socket.SOL_SOCKET, socket.SO_SNDBUF, min(value, 0x7FFFFFFF))

    def subscribe(self) -> Pollable:
        if self._in_progress == "connect":
            return Pollable(_FdWait(self._sock, write=True))
        if self._state == "listening":
            return Pollable(_FdWait(self._sock, write=False))
        return Pollable(ReadyAlways())

    def shutdown(self, shutdown_type: str) -> None:
        if self._state != "connected":
            raise SocketError("invalid-state")
        how = {"receive": socket.SHUT_RD, "send": socket.SHUT_WR, "both": socket.SHUT_RDWR}
        _sockopt(lambda: self._sock.shutdown(how[shutdown_type]))

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._sock.close()


def create_tcp_socket(grant: NetworkGrant, address_family: str) -> TcpSocket:
    if not grant.may_create("tcp"):
        raise SocketError("access-denied", "TCP (or any address to use it with) is not granted")
    return TcpSocket(address_family, grant)


# --------------------------------------------------------------------------- udp


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


class UdpSocket:
    """``wasi:sockets/udp.udp-socket``."""

    def __init__(self, family: str, grant: NetworkGrant) -> None:
        self.family = family
        self._grant = grant
        self._sock = _new_socket(family, socket.SOCK_DGRAM)
        self._state = "unbound"  # unbound, bound
        self._in_progress: str | None = None
        self._remote: IpSocketAddress | None = None
        self._generation = 0

    def start_bind(self, network: Network, local_address: IpSocketAddress) -> None:
        if self._in_progress is not None:
            raise SocketError("concurrency-conflict")
        if self._state != "unbound":
            raise SocketError("invalid-state")
        _check_family(local_address, self.family)
        _check_unicast(local_address)
        network.grant.check(local_address, "udp-bind")
        try:
            self._sock.bind(to_sockaddr(local_address))
        except OSError as err:
            raise _map_bind_error(err) from None
        self._in_progress = "bind"

    def finish_bind(self) -> None:
        if self._in_progress != "bind":
            raise SocketError("not-in-progress")
        self._in_progress = None
        self._state = "bound"

    def stream(
        self, remote_address: IpSocketAddress | None
    ) -> tuple[IncomingDatagramStream, OutgoingDatagramStream]:
        if self._state != "bound":
            raise SocketError("invalid-state")
        if self._remote is not None:
            _disconnect(self._sock)
            self._remote = None
        if remote_address is not None:
            _check_family(remote_address, self.family)
            _check_remote(remote_address)
            self._grant.check(remote_address, "udp-connect")
            try:
                self._sock.connect(to_sockaddr(remote_address))
            except OSError as err:
                raise SocketError.from_os(err) from None
            self._remote = remote_address
        self._generation += 1
        return IncomingDatagramStream(self, self._generation), OutgoingDatagramStream(
            self, self._generation
        )

    def local_address(self) -> IpSocketAddress:
        if self._state == "unbound":
            raise SocketError("invalid-state")
        return from_sockaddr(self.family, _sockopt(self._sock.getsockname))

    def remote_address(self) -> IpSocketAddress:
        if self._remote is None:
            raise SocketError("invalid-state")
        return from_sockaddr(self.family, _sockopt(self._sock.getpeername))

    def address_family(self) -> str:
        return self.family

    def _hops(self) -> tuple[int, int]:
        if self.family == "ipv4":
            return socket.IPPROTO_IP, socket.IP_TTL
        return socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS

    def unicast_hop_limit(self) -> int:
        return _sockopt(lambda: self._sock.getsockopt(*self._hops()))

    def set_unicast_hop_limit(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        _sockopt(lambda: self._sock.setsockopt(*self._hops(), value))

    def receive_buffer_size(self) -> int:
        return _sockopt(lambda: self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))

    def set_receive_buffer_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        v = min(value, 0x7FFFFFFF)
        _sockopt(lambda: self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, v))

    def send_buffer_size(self) -> int:
        return _sockopt(lambda: self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))

    def set_send_buffer_size(self, value: int) -> None:
        if value == 0:
            raise SocketError("invalid-argument")
        v = min(value, 0x7FFFFFFF)
        _sockopt(lambda: self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, v))

    def subscribe(self) -> Pollable:
        return Pollable(ReadyAlways())

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._sock.close()


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
        return Pollable(_FdWait(self._owner._sock, write=False))


class OutgoingDatagramStream:
    def __init__(self, owner: UdpSocket, generation: int) -> None:
        self._owner = owner
        self._generation = generation
        self._permit = 0

    def check_send(self) -> int:
        self._permit = DATAGRAM_PERMIT if _FdWait(self._owner._sock, write=True).ready() else 0
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
                    _check_family(remote, owner.family)
                    _check_remote(remote)
                    owner._grant.check(remote, "udp-outgoing")
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
        return Pollable(_FdWait(self._owner._sock, write=True))


def create_udp_socket(grant: NetworkGrant, address_family: str) -> UdpSocket:
    if not grant.may_create("udp"):
        raise SocketError("access-denied", "UDP (or any address to use it with) is not granted")
    return UdpSocket(address_family, grant)


# --------------------------------------------------------------------------- ip-name-lookup


class ResolveAddressStream:
    """The answers of one lookup (resolved eagerly, so it is always ready)."""

    def __init__(self, addresses: list[IpAddress]) -> None:
        self._addresses = list(addresses)

    def resolve_next_address(self) -> IpAddress | None:
        return self._addresses.pop(0) if self._addresses else None

    def subscribe(self) -> Pollable:
        return Pollable(ReadyAlways())


def resolve_addresses(network: Network, name: str) -> ResolveAddressStream:
    if not network.grant.ip_name_lookup:
        raise SocketError("permanent-resolver-failure", "name lookup is not granted")
    literal = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        return ResolveAddressStream([_ip_address(ipaddress.ip_address(literal))])
    except ValueError:
        pass
    try:
        # the first use imports the idna codec: the host's own work (witkit._spare)
        ascii_name = with_spare(lambda: name.encode("idna")).decode("ascii")
    except UnicodeError:
        raise SocketError("invalid-argument", "not a valid host name") from None
    if not ascii_name or any(c in ascii_name for c in " /\\?#@:%") or len(ascii_name) > 253:
        raise SocketError("invalid-argument", "not a valid host name")
    try:
        infos = socket.getaddrinfo(ascii_name, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as err:
        if err.errno == socket.EAI_AGAIN:
            raise SocketError("temporary-resolver-failure") from None
        raise SocketError("name-unresolvable") from None
    seen: list[IpAddress] = []
    for info in infos:
        addr = _ip_address(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        if addr not in seen:
            seen.append(addr)
    return ResolveAddressStream(seen)
