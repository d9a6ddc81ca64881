"""``ip-address`` and ``ip-socket-address`` of ``wasi:sockets/network``, and their checks.

The spec's address records are the only addresses the socket modules handle;
they become Python's ``(host, port[, flowinfo, scope_id])`` tuples only at the
system call (:func:`to_sockaddr`) and come back through :func:`from_sockaddr`.
The checks here are the spec's argument rules, run before any system call: the
address family must be the socket's, an IPv6 socket refuses IPv4-mapped
addresses, local and remote addresses must be unicast, a remote one must have
a port and a specified address.  Failures are ``invalid-argument``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, TypeAlias

from witkit._record import record
from witkit.wasi.errno import SocketError

__all__ = [
    "IpAddress",
    "IpSocketAddress",
    "Ipv4SocketAddress",
    "Ipv6SocketAddress",
    "check_family",
    "check_remote",
    "check_unicast",
    "family_of",
    "from_sockaddr",
    "host_port",
    "ip_address",
    "to_sockaddr",
    "unspecified",
]


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


def family_of(addr: IpSocketAddress) -> str:
    """The ``ip-address-family`` of ``addr``."""
    return "ipv4" if isinstance(addr, Ipv4SocketAddress) else "ipv6"


def _ip(addr: IpSocketAddress) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(addr, Ipv4SocketAddress):
        return ipaddress.IPv4Address(bytes(addr.address))
    return ipaddress.IPv6Address(b"".join(s.to_bytes(2, "big") for s in addr.address))


def to_sockaddr(addr: IpSocketAddress) -> tuple[str, int] | tuple[str, int, int, int]:
    """The address as Python's socket functions take it."""
    if isinstance(addr, Ipv4SocketAddress):
        return (str(_ip(addr)), addr.port)
    return (str(_ip(addr)), addr.port, addr.flow_info, addr.scope_id)


def host_port(addr: IpSocketAddress) -> tuple[str, int]:
    """``(host, port)``: what a :class:`~witkit.wasi.grants.NetworkGrant` is asked about."""
    return (str(_ip(addr)), addr.port)


def from_sockaddr(family: str, sa: Any) -> IpSocketAddress:
    """The spec's record of an address Python's socket functions returned."""
    host, port = str(sa[0]), int(sa[1])
    if family == "ipv4":
        a = ipaddress.IPv4Address(host).packed
        return Ipv4SocketAddress(port, (a[0], a[1], a[2], a[3]))
    packed = ipaddress.IPv6Address(host.split("%")[0]).packed
    segs = tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2))
    flow = int(sa[2]) if len(sa) > 2 else 0
    scope = int(sa[3]) if len(sa) > 3 else 0
    return Ipv6SocketAddress(port, flow, segs, scope)  # type: ignore[arg-type]


def ip_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> IpAddress:
    """The spec's ``ip-address`` of ``ip`` (an IPv4-mapped IPv6 address as the IPv4 one)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return ("ipv4", tuple(ip.packed))
    return ("ipv6", tuple(int.from_bytes(ip.packed[i : i + 2], "big") for i in range(0, 16, 2)))


def check_family(addr: IpSocketAddress, family: str) -> None:
    if family_of(addr) != family:
        raise SocketError("invalid-argument", "address family mismatch")
    ip = _ip(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        raise SocketError("invalid-argument", "IPv4-mapped address on an IPv6 socket")


def check_unicast(addr: IpSocketAddress) -> None:
    ip = _ip(addr)
    if ip.is_multicast or (isinstance(ip, ipaddress.IPv4Address) and ip.packed == b"\xff" * 4):
        raise SocketError("invalid-argument", "not a unicast address")


def check_remote(addr: IpSocketAddress) -> None:
    check_unicast(addr)
    if addr.port == 0 or _ip(addr).is_unspecified:
        raise SocketError("invalid-argument", "not a remote address")


def unspecified(family: str) -> IpSocketAddress:
    """The unspecified address (port 0) of ``family``: where an implicit bind binds."""
    if family == "ipv4":
        return Ipv4SocketAddress(0, (0, 0, 0, 0))
    return Ipv6SocketAddress(0, 0, (0, 0, 0, 0, 0, 0, 0, 0), 0)
