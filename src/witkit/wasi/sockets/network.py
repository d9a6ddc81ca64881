"""``wasi:sockets/network``: the capability every socket operation is given.

A :class:`Network` is what ``instance-network`` hands the guest; it carries the
instance's :class:`~witkit.wasi.grants.NetworkGrant`, so binding, connecting and
name lookup are checked against the grant of the network they are given (the
addresses of this interface live in :mod:`witkit.wasi.sockets.address`).
"""

from __future__ import annotations

from witkit.wasi.grants import NetworkGrant

__all__ = ["Network"]


class Network:
    """``wasi:sockets/network.network``: the capability handed out by ``instance-network``."""

    def __init__(self, grant: NetworkGrant) -> None:
        self.grant = grant
