"""The WIT face of ``wasi:sockets``: networks, TCP and UDP sockets, name lookup.

Rules:

* **The socket machinery is imported on first network use** (:func:`_sockets`),
  not with this module: ``witkit run`` links these interfaces for every guest,
  and most never touch the network.  The import goes through
  ``witkit._spare.with_spare``, since the guest may have used up every
  descriptor by then (the resources name their core's class in a ``core:``
  annotation, which the type checker alone reads).
* Addresses cross as the spec's variants (``ipv4``/``ipv6`` of records) and
  become the records of :mod:`witkit.wasi.sockets.address` here;
  ``SocketError`` becomes the ``error-code`` of a ``result`` (:func:`fallible`).
* Creating a socket and looking up a name are checked against the context's
  :class:`~witkit.wasi.grants.NetworkGrant` by the cores, before any host
  socket exists.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.abi.values import Variant
from witkit.wasi.config import WasiContext
from witkit.wasi.errno import socket_code
from witkit.wasi.host.io import (
    STREAMS,
    CoreResource,
    ErrorResource,
    InputStreamResource,
    OutputStreamResource,
    PollableResource,
    PolledResource,
    error_code,
    fallible,
)

if TYPE_CHECKING:
    from witkit.wasi.sockets import (
        IncomingDatagramStream,
        IpSocketAddress,
        Network,
        OutgoingDatagramStream,
        ResolveAddressStream,
        TcpSocket,
        UdpSocket,
    )
    from witkit.wasi.sockets._ip_socket import IpSocket

__all__ = [
    "IncomingDatagramStreamResource",
    "NetworkResource",
    "OutgoingDatagramStreamResource",
    "ResolveAddressStreamResource",
    "TcpSocketResource",
    "UdpSocketResource",
    "interfaces",
]


@functools.cache
def _sockets() -> Any:
    """``witkit.wasi.sockets``, imported when a guest first uses the network.

    Perhaps after the guest used up every descriptor: the import is the host's own
    work, so it may use the spare one (``witkit._spare``).
    """
    from witkit._spare import with_spare

    return with_spare(lambda: importlib.import_module("witkit.wasi.sockets"))


def _socket_address(value: Any) -> IpSocketAddress:
    sk = _sockets()
    tag, rec = value.tag, value.value
    address = tuple(int(x) for x in rec.address)
    if tag == "ipv4":
        found: IpSocketAddress = sk.Ipv4SocketAddress(int(rec.port), address)
    else:
        found = sk.Ipv6SocketAddress(int(rec.port), int(rec.flow_info), address, int(rec.scope_id))
    return found


def _lower_address(addr: IpSocketAddress) -> Any:
    return Variant("ipv4" if isinstance(addr, _sockets().Ipv4SocketAddress) else "ipv6", addr)


def _option(name: str) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    """The ``name`` and ``set-name`` methods of a socket option: the core's, as ``result``s."""
    setter = "set_" + name

    def get(self: Any) -> Any:
        return getattr(self.core, name)()

    def set_(self: Any, value: Any) -> None:
        getattr(self.core, setter)(value)

    get.__name__, set_.__name__ = name, setter
    return fallible(get), fallible(set_)


class NetworkResource(CoreResource):
    """``wasi:sockets/network.network``."""

    core: Network


class _IpSocketResource(PolledResource):
    """What the ``tcp-socket`` and ``udp-socket`` resources have alike."""

    core: IpSocket

    @fallible
    def start_bind(self, network: NetworkResource, local_address: Any) -> None:
        self.core.start_bind(network.core, _socket_address(local_address))

    @fallible
    def finish_bind(self) -> None:
        self.core.finish_bind()

    @fallible
    def local_address(self) -> Any:
        return _lower_address(self.core.local_address())

    @fallible
    def remote_address(self) -> Any:
        return _lower_address(self.core.remote_address())

    def address_family(self) -> str:
        return self.core.address_family()

    receive_buffer_size, set_receive_buffer_size = _option("receive_buffer_size")
    send_buffer_size, set_send_buffer_size = _option("send_buffer_size")


class TcpSocketResource(_IpSocketResource):
    """``wasi:sockets/tcp.tcp-socket``."""

    core: TcpSocket

    @fallible
    def start_connect(self, network: NetworkResource, remote_address: Any) -> None:
        self.core.start_connect(network.core, _socket_address(remote_address))

    @fallible
    def finish_connect(self) -> tuple[InputStreamResource, OutputStreamResource]:
        i, o = self.core.finish_connect()
        return InputStreamResource(i), OutputStreamResource(o)

    @fallible
    def start_listen(self) -> None:
        self.core.start_listen()

    @fallible
    def finish_listen(self) -> None:
        self.core.finish_listen()

    @fallible
    def accept(self) -> tuple[TcpSocketResource, InputStreamResource, OutputStreamResource]:
        s, i, o = self.core.accept()
        return TcpSocketResource(s), InputStreamResource(i), OutputStreamResource(o)

    def is_listening(self) -> bool:
        return self.core.is_listening()

    @fallible
    def set_listen_backlog_size(self, value: int) -> None:
        self.core.set_listen_backlog_size(value)

    keep_alive_enabled, set_keep_alive_enabled = _option("keep_alive_enabled")
    keep_alive_idle_time, set_keep_alive_idle_time = _option("keep_alive_idle_time")
    keep_alive_interval, set_keep_alive_interval = _option("keep_alive_interval")
    keep_alive_count, set_keep_alive_count = _option("keep_alive_count")
    hop_limit, set_hop_limit = _option("hop_limit")

    @fallible
    def shutdown(self, shutdown_type: str) -> None:
        self.core.shutdown(shutdown_type)


class _IncomingDatagram:
    """An ``incoming-datagram`` record as the ABI lowers it (attributes)."""

    __slots__ = ("data", "remote_address")

    def __init__(self, data: bytes, remote_address: Any) -> None:
        self.data = data
        self.remote_address = remote_address


class UdpSocketResource(_IpSocketResource):
    """``wasi:sockets/udp.udp-socket``."""

    core: UdpSocket

    @fallible
    def stream(
        self, remote_address: Any
    ) -> tuple[IncomingDatagramStreamResource, OutgoingDatagramStreamResource]:
        remote = None if remote_address is None else _socket_address(remote_address)
        i, o = self.core.stream(remote)
        return IncomingDatagramStreamResource(i), OutgoingDatagramStreamResource(o)

    unicast_hop_limit, set_unicast_hop_limit = _option("unicast_hop_limit")


class IncomingDatagramStreamResource(PolledResource):
    """``wasi:sockets/udp.incoming-datagram-stream``."""

    core: IncomingDatagramStream

    @fallible
    def receive(self, max_results: int) -> list[_IncomingDatagram]:
        return [
            _IncomingDatagram(d.data, _lower_address(d.remote_address))
            for d in self.core.receive(max_results)
        ]


class OutgoingDatagramStreamResource(PolledResource):
    """``wasi:sockets/udp.outgoing-datagram-stream``."""

    core: OutgoingDatagramStream

    @fallible
    def check_send(self) -> int:
        return self.core.check_send()

    @fallible
    def send(self, datagrams: list[Any]) -> int:
        return self.core.send(
            [
                _sockets().OutgoingDatagram(
                    bytes(d.data),
                    None if d.remote_address is None else _socket_address(d.remote_address),
                )
                for d in datagrams
            ]
        )


class ResolveAddressStreamResource(PolledResource):
    """``wasi:sockets/ip-name-lookup.resolve-address-stream``."""

    core: ResolveAddressStream

    @fallible
    def resolve_next_address(self) -> Any:
        addr = self.core.resolve_next_address()
        return None if addr is None else Variant(addr[0], addr[1])


def _network_error_code(err: ErrorResource) -> str | None:
    return error_code(err, socket_code)


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:sockets``' interfaces: unversioned name -> {WIT item name -> host function or class}."""
    grant = ctx.network
    return {
        "wasi:sockets/network": {
            "error": ErrorResource,
            "network": NetworkResource,
            "network-error-code": _network_error_code,
        },
        "wasi:sockets/instance-network": {
            "network": NetworkResource,
            "instance-network": lambda: NetworkResource(_sockets().Network(grant)),
        },
        "wasi:sockets/tcp": {
            **STREAMS,
            "network": NetworkResource,
            "tcp-socket": TcpSocketResource,
        },
        "wasi:sockets/tcp-create-socket": {
            "network": NetworkResource,
            "tcp-socket": TcpSocketResource,
            "create-tcp-socket": fallible(
                lambda family: TcpSocketResource(_sockets().create_tcp_socket(grant, family))
            ),
        },
        "wasi:sockets/udp": {
            "pollable": PollableResource,
            "network": NetworkResource,
            "udp-socket": UdpSocketResource,
            "incoming-datagram-stream": IncomingDatagramStreamResource,
            "outgoing-datagram-stream": OutgoingDatagramStreamResource,
        },
        "wasi:sockets/udp-create-socket": {
            "network": NetworkResource,
            "udp-socket": UdpSocketResource,
            "create-udp-socket": fallible(
                lambda family: UdpSocketResource(_sockets().create_udp_socket(grant, family))
            ),
        },
        "wasi:sockets/ip-name-lookup": {
            "pollable": PollableResource,
            "network": NetworkResource,
            "resolve-address-stream": ResolveAddressStreamResource,
            "resolve-addresses": fallible(
                lambda network, name: ResolveAddressStreamResource(
                    _sockets().resolve_addresses(network.core, name)
                )
            ),
        },
    }
