"""``wasi:sockets/ip-name-lookup``: host names to addresses, with the grant's say.

Rules:

* **A lookup needs its own grant** (``ip_name_lookup``); without it the answer
  is ``permanent-resolver-failure``, as wasmtime gives.
* An address literal (``[…]`` for IPv6) answers itself without asking the
  resolver; a name is IDNA-encoded and checked (no spaces, separators or more
  than 253 characters: ``invalid-argument``) before it reaches ``getaddrinfo``.
* The lookup runs when it is asked for, so the stream is always ready; its
  answers are distinct, in the resolver's order.
"""

from __future__ import annotations

import ipaddress
import socket

from witkit._spare import with_spare
from witkit.wasi.errno import SocketError
from witkit.wasi.io import Pollable, ReadyAlways
from witkit.wasi.sockets.address import IpAddress, ip_address
from witkit.wasi.sockets.network import Network

__all__ = ["ResolveAddressStream", "resolve_addresses"]


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
        return ResolveAddressStream([ip_address(ipaddress.ip_address(literal))])
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
        addr = ip_address(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        if addr not in seen:
            seen.append(addr)
    return ResolveAddressStream(seen)
