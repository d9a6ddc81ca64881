"""TCP and UDP on loopback: the spec's state machine, grants, and data through streams."""

from __future__ import annotations

import pytest

from witkit.errors import Trap
from witkit.wasi.errno import SocketError
from witkit.wasi.io import StreamClosed, poll
from witkit.wasi.sockets import (
    IncomingDatagram,
    Ipv4SocketAddress,
    Ipv6SocketAddress,
    Network,
    NetworkGrant,
    OutgoingDatagram,
    TcpSocket,
    create_tcp_socket,
    create_udp_socket,
    resolve_addresses,
)

LOOPBACK = (127, 0, 0, 1)


def granted() -> NetworkGrant:
    return NetworkGrant(tcp=True, udp=True, ip_name_lookup=True, address_check=lambda a, p: True)


def code_of(action: object) -> str:
    with pytest.raises(SocketError) as info:
        action()  # type: ignore[operator]
    return info.value.code


def listener(grant: NetworkGrant) -> tuple[TcpSocket, int]:
    net = Network(grant)
    server = create_tcp_socket(grant, "ipv4")
    server.start_bind(net, Ipv4SocketAddress(0, LOOPBACK))
    server.finish_bind()
    server.start_listen()
    server.finish_listen()
    port = server.local_address().port
    return server, port


def test_tcp_echo_through_streams() -> None:
    grant = granted()
    net = Network(grant)
    server, port = listener(grant)
    assert server.is_listening()
    assert code_of(server.accept) == "would-block"

    client = create_tcp_socket(grant, "ipv4")
    client.start_connect(net, Ipv4SocketAddress(port, LOOPBACK))
    client.subscribe().block()
    cin, cout = client.finish_connect()
    assert client.remote_address() == Ipv4SocketAddress(port, LOOPBACK)

    server.subscribe().block()
    conn, sin, sout = server.accept()
    assert conn.remote_address().port == client.local_address().port

    cout.blocking_write_and_flush(b"ping")
    assert sin.blocking_read(100) == b"ping"
    sout.blocking_write_and_flush(b"pong")
    assert cin.blocking_read(100) == b"pong"
    assert cin.read(100) == b""  # non-blocking: nothing more yet
    client.shutdown("send")
    with pytest.raises(StreamClosed):
        sin.blocking_read(1)


def test_tcp_state_machine_errors() -> None:
    grant = granted()
    net = Network(grant)
    s = create_tcp_socket(grant, "ipv4")
    assert code_of(s.finish_bind) == "not-in-progress"
    assert code_of(s.finish_connect) == "not-in-progress"
    assert code_of(s.start_listen) == "invalid-state"  # 0.2: listen needs an explicit bind
    assert code_of(s.local_address) == "invalid-state"
    assert code_of(s.remote_address) == "invalid-state"
    assert code_of(s.accept) == "invalid-state"
    assert code_of(lambda: s.shutdown("both")) == "invalid-state"
    s.start_bind(net, Ipv4SocketAddress(0, LOOPBACK))
    assert code_of(lambda: s.start_bind(net, Ipv4SocketAddress(0, LOOPBACK))) == (
        "concurrency-conflict"
    )
    s.finish_bind()
    assert code_of(lambda: s.start_bind(net, Ipv4SocketAddress(0, LOOPBACK))) == "invalid-state"
    assert code_of(lambda: s.set_listen_backlog_size(0)) == "invalid-argument"
    assert code_of(lambda: s.set_hop_limit(0)) == "invalid-argument"
    s.set_keep_alive_enabled(True)
    assert s.keep_alive_enabled()
    s.set_keep_alive_idle_time(30_000_000_000)
    assert s.keep_alive_idle_time() == 30_000_000_000
    s.set_hop_limit(9)
    assert s.hop_limit() == 9
    assert s.address_family() == "ipv4"


def test_tcp_invalid_arguments() -> None:
    grant = granted()
    net = Network(grant)
    v4 = create_tcp_socket(grant, "ipv4")
    v6 = create_tcp_socket(grant, "ipv6")
    mapped = Ipv6SocketAddress(80, 0, (0, 0, 0, 0, 0, 0xFFFF, 0x7F00, 1), 0)
    assert code_of(lambda: v6.start_bind(net, mapped)) == "invalid-argument"
    assert code_of(lambda: v4.start_bind(net, Ipv6SocketAddress(0, 0, (0,) * 8, 0))) == (
        "invalid-argument"
    )
    assert code_of(lambda: v4.start_connect(net, Ipv4SocketAddress(0, LOOPBACK))) == (
        "invalid-argument"
    )
    assert code_of(lambda: v4.start_connect(net, Ipv4SocketAddress(80, (0, 0, 0, 0)))) == (
        "invalid-argument"
    )
    assert code_of(lambda: v4.start_connect(net, Ipv4SocketAddress(80, (224, 0, 0, 1)))) == (
        "invalid-argument"
    )


def test_connection_refused() -> None:
    grant = granted()
    net = Network(grant)
    server, port = listener(grant)
    del server  # closes: nothing listens on the port now
    s = create_tcp_socket(grant, "ipv4")
    s.start_connect(net, Ipv4SocketAddress(port, LOOPBACK))
    s.subscribe().block()
    assert code_of(s.finish_connect) == "connection-refused"


def test_addresses_need_a_grant() -> None:
    grant = NetworkGrant(tcp=True, udp=True)  # protocols, but no addresses: no socket at all
    assert code_of(lambda: create_tcp_socket(grant, "ipv4")) == "access-denied"
    assert code_of(lambda: create_udp_socket(grant, "ipv6")) == "access-denied"
    # addresses, but not the protocol
    assert code_of(lambda: create_tcp_socket(NetworkGrant(udp=True, address_check=lambda a, p: True), "ipv4")) == "access-denied"  # fmt: skip
    only_local = NetworkGrant(
        tcp=True, udp=True, address_check=lambda addr, purpose: addr[0] == "127.0.0.1"
    )
    net = Network(only_local)
    t = create_tcp_socket(only_local, "ipv4")
    assert code_of(lambda: t.start_bind(net, Ipv4SocketAddress(0, (10, 0, 0, 1)))) == (
        "access-denied"
    )
    assert code_of(lambda: t.start_connect(net, Ipv4SocketAddress(80, (10, 0, 0, 1)))) == (
        "access-denied"
    )
    u = create_udp_socket(only_local, "ipv4")
    assert code_of(lambda: u.start_bind(net, Ipv4SocketAddress(0, (10, 0, 0, 1)))) == (
        "access-denied"
    )


def test_udp_datagrams() -> None:
    grant = granted()
    net = Network(grant)
    a = create_udp_socket(grant, "ipv4")
    b = create_udp_socket(grant, "ipv4")
    assert code_of(lambda: a.stream(None)) == "invalid-state"
    for s in (a, b):
        s.start_bind(net, Ipv4SocketAddress(0, LOOPBACK))
        s.finish_bind()
    a_in, a_out = a.stream(None)
    b_addr = b.local_address()
    b_in, b_out = b.stream(a.local_address())
    assert b.remote_address() == a.local_address()
    assert a_out.check_send() > 0
    assert a_out.send([OutgoingDatagram(b"one", b_addr), OutgoingDatagram(b"two", b_addr)]) == 2
    poll([b_in.subscribe()])
    got: list[IncomingDatagram] = []
    while len(got) < 2:
        got += b_in.receive(10)
    assert [d.data for d in got] == [b"one", b"two"]
    assert got[0].remote_address == a.local_address()
    assert b_out.check_send() > 0
    assert code_of(lambda: b_out.send([OutgoingDatagram(b"x", b_addr)])) == "invalid-argument"
    assert b_out.send([OutgoingDatagram(b"back", None)]) == 1
    a_in.subscribe().block()
    assert [d.data for d in a_in.receive(5)] == [b"back"]
    with pytest.raises(Trap):
        a_out.send([OutgoingDatagram(b"x", b_addr)] * 1000)
    assert a_out.check_send() > 0
    assert code_of(lambda: a_out.send([OutgoingDatagram(b"x", None)])) == "invalid-argument"


def test_name_lookup() -> None:
    net = Network(granted())
    assert resolve_addresses(net, "127.0.0.1").resolve_next_address() == ("ipv4", LOOPBACK)
    stream = resolve_addresses(net, "[::1]")
    assert stream.resolve_next_address() == ("ipv6", (0, 0, 0, 0, 0, 0, 0, 1))
    assert stream.resolve_next_address() is None
    found = resolve_addresses(net, "localhost")
    assert found.subscribe().ready()
    assert found.resolve_next_address() is not None
    assert code_of(lambda: resolve_addresses(net, "bad name/")) == "invalid-argument"
    assert code_of(lambda: resolve_addresses(net, "no-such-host.invalid")) in (
        "name-unresolvable",
        "temporary-resolver-failure",
    )
