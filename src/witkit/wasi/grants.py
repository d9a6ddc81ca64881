"""What a guest may do on the network: the grant ``WasiConfig`` builds and sockets check.

Kept apart from ``witkit.wasi.sockets`` so that configuring a host (every
``witkit run`` does) does not import the socket machinery, which only a guest
that creates sockets needs (~1 ms of start-up otherwise).  The dependency runs
one way: sockets know grants, a grant knows nothing of sockets (it is asked
about a host and a port, which the sockets make of their addresses).

A socket is created only when ``may_create`` says so: its protocol is granted
*and* some address is (``inherit_network`` or an ``address_check`` of the
embedder's).  A protocol alone grants nothing a socket could be used for, and a
host socket is a host resource (a descriptor) the guest should not hold without
a grant: ``wasmtime run`` without ``-S inherit-network`` likewise refuses
``create-tcp-socket`` and ``create-udp-socket`` with ``access-denied``.
"""

from __future__ import annotations

from collections.abc import Callable

from witkit._record import field, record
from witkit.wasi.errno import SocketError

__all__ = ["NetworkGrant"]


def _deny(addr: tuple[str, int], purpose: str) -> bool:
    return False


@record(frozen=False)
class NetworkGrant:
    """What the guest may do on the network; nothing unless granted."""

    tcp: bool = False
    udp: bool = False
    ip_name_lookup: bool = False
    #: ``check((host, port), purpose) -> allowed``; purposes: tcp-bind, tcp-connect,
    #: udp-bind, udp-connect, udp-outgoing
    address_check: Callable[[tuple[str, int], str], bool] = field(default=_deny)

    def may_create(self, protocol: str) -> bool:
        """Whether a ``protocol`` ("tcp" or "udp") socket may be created (see the module rules)."""
        granted = self.tcp if protocol == "tcp" else self.udp if protocol == "udp" else False
        return granted and self.address_check is not _deny

    def copy(self) -> NetworkGrant:
        return NetworkGrant(self.tcp, self.udp, self.ip_name_lookup, self.address_check)

    def check(self, host: str, port: int, purpose: str) -> None:
        """Raise ``access-denied`` unless ``address_check`` allows ``purpose`` to ``host:port``."""
        if not self.address_check((host, port), purpose):
            raise SocketError("access-denied", f"{purpose} to {host}:{port} not granted")
