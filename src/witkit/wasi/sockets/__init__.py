"""``wasi:sockets``: networks, TCP and UDP with the spec's state machines, name lookup.

One module per interface: ``network`` (the capability) and ``address`` (its
address types), ``tcp``, ``udp``, ``ip_name_lookup``; what TCP and UDP share --
the host socket, the two-phase state machine and ``bind`` -- is written once in
``_ip_socket``.  Rules of the package:

* **No grant, no socket.**  Creating a TCP or UDP socket needs the protocol
  and some address granted (``NetworkGrant.may_create``), checked before any
  host socket exists; binding, connecting and sending need the address accepted
  by the grant's ``address_check`` (default: nothing).  Refusals are
  ``access-denied``; a lookup without grant is ``permanent-resolver-failure``
  (as wasmtime).
* **Imported on first use.**  Most guests never touch the network: the host
  bindings (``witkit.wasi.host.sockets``) import this package when a guest
  first asks for a network or a socket, through ``witkit._spare.with_spare``
  (the guest may have used up every descriptor by then).  Configuring a host
  needs only ``witkit.wasi.grants``, which imports nothing from here.
"""

from __future__ import annotations

from witkit.wasi.grants import NetworkGrant as NetworkGrant
from witkit.wasi.sockets.address import IpAddress as IpAddress
from witkit.wasi.sockets.address import IpSocketAddress as IpSocketAddress
from witkit.wasi.sockets.address import Ipv4SocketAddress as Ipv4SocketAddress
from witkit.wasi.sockets.address import Ipv6SocketAddress as Ipv6SocketAddress
from witkit.wasi.sockets.address import from_sockaddr as from_sockaddr
from witkit.wasi.sockets.address import to_sockaddr as to_sockaddr
from witkit.wasi.sockets.ip_name_lookup import ResolveAddressStream as ResolveAddressStream
from witkit.wasi.sockets.ip_name_lookup import resolve_addresses as resolve_addresses
from witkit.wasi.sockets.network import Network as Network
from witkit.wasi.sockets.tcp import TcpSocket as TcpSocket
from witkit.wasi.sockets.tcp import create_tcp_socket as create_tcp_socket
from witkit.wasi.sockets.udp import IncomingDatagram as IncomingDatagram
from witkit.wasi.sockets.udp import IncomingDatagramStream as IncomingDatagramStream
from witkit.wasi.sockets.udp import OutgoingDatagram as OutgoingDatagram
from witkit.wasi.sockets.udp import OutgoingDatagramStream as OutgoingDatagramStream
from witkit.wasi.sockets.udp import UdpSocket as UdpSocket
from witkit.wasi.sockets.udp import create_udp_socket as create_udp_socket

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
