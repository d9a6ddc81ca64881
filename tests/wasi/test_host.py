"""The WIT face: every interface of wasi:cli/imports is defined, and values cross as the ABI wants."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from witkit.abi.values import Err, Ok, Variant
from witkit.errors import Trap
from witkit.wasi import Exit, WasiConfig
from witkit.wasi.host import INTERFACES, VERSION, add_to_linker


class FakeLinker:
    def __init__(self) -> None:
        self.defined: dict[str, dict[str, Any]] = {}

    def define_instance(self, name: str, items: dict[str, Any]) -> None:
        self.defined[name] = items


def host(config: WasiConfig) -> dict[str, dict[str, Any]]:
    linker = FakeLinker()
    add_to_linker(linker, config)
    return {name.rsplit("@", 1)[0]: items for name, items in linker.defined.items()}


def test_every_interface_at_the_newest_version() -> None:
    linker = FakeLinker()
    add_to_linker(linker, WasiConfig())
    assert sorted(linker.defined) == sorted(f"{i}@{VERSION}" for i in INTERFACES)


def test_stdout_and_stream_errors() -> None:
    out = bytearray()
    h = host(WasiConfig().stdout(out))
    stream = h["wasi:cli/stdout"]["get-stdout"]()
    assert stream.blocking_write_and_flush(b"hi") == Ok(None)
    assert stream.check_write() == Ok(1024 * 1024)
    assert bytes(out) == b"hi"
    stdin = h["wasi:cli/stdin"]["get-stdin"]()
    assert stdin.read(1) == Err(Variant("closed"))
    with pytest.raises(Trap):
        stream.blocking_write_and_flush(b"x" * 5000)


def test_filesystem_results(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"data")
    h = host(WasiConfig().preopen_dir(tmp_path, "/sandbox"))
    ((root, name),) = h["wasi:filesystem/preopens"]["get-directories"]()
    assert name == "/sandbox"
    opened = root.open_at(frozenset(), "f", frozenset(), frozenset({"read"}))
    assert isinstance(opened, Ok)
    assert opened.value.read(10, 0) == Ok((b"data", False))
    assert root.open_at(frozenset(), "../x", frozenset(), frozenset({"read"})) == Err(
        "not-permitted"
    )
    stat = root.stat_at(frozenset(), "f").value
    assert stat.type == "regular-file" and stat.size == 4
    assert root.set_times_at(frozenset(), "f", Variant("now"), Variant("no-change")) == Ok(None)
    entries = root.read_directory().value
    assert entries.read_directory_entry().value.name == "f"
    assert entries.read_directory_entry() == Ok(None)


def test_exit_and_clocks() -> None:
    h = host(WasiConfig().deterministic(wall_ns=5_000_000_001))
    with pytest.raises(Exit) as info:
        h["wasi:cli/exit"]["exit"](Err(None))
    assert info.value.code == 1
    with pytest.raises(Exit) as info:
        h["wasi:cli/exit"]["exit-with-code"](3)
    assert info.value.code == 3
    now = h["wasi:clocks/wall-clock"]["now"]()
    assert (now.seconds, now.nanoseconds) == (5, 1)
    p = h["wasi:clocks/monotonic-clock"]["subscribe-duration"](10**12)
    assert not p.ready()
    assert h["wasi:io/poll"]["poll"]([p]) == [0]
    assert len(h["wasi:random/random"]["get-random-bytes"](7)) == 7


def test_sockets_denied_without_grant() -> None:
    h = host(WasiConfig())
    assert h["wasi:sockets/tcp-create-socket"]["create-tcp-socket"]("ipv4") == Err("access-denied")
    net = h["wasi:sockets/instance-network"]["instance-network"]()
    assert h["wasi:sockets/ip-name-lookup"]["resolve-addresses"](net, "localhost") == Err(
        "permanent-resolver-failure"
    )


def test_tcp_through_the_wit_face() -> None:
    h = host(WasiConfig().allow_tcp().inherit_network())
    net = h["wasi:sockets/instance-network"]["instance-network"]()
    create = h["wasi:sockets/tcp-create-socket"]["create-tcp-socket"]
    server = create("ipv4").value

    class Addr:
        def __init__(self, port: int) -> None:
            self.port = port
            self.address = (127, 0, 0, 1)

    assert server.start_bind(net, Variant("ipv4", Addr(0))) == Ok(None)
    assert server.finish_bind() == Ok(None)
    assert server.start_listen() == Ok(None)
    assert server.finish_listen() == Ok(None)
    local = server.local_address().value
    assert local.tag == "ipv4"
    client = create("ipv4").value
    assert client.finish_connect() == Err("not-in-progress")
    assert client.start_connect(net, Variant("ipv4", Addr(local.value.port))) == Ok(None)
    client.subscribe().block()
    _cin, cout = client.finish_connect().value
    server.subscribe().block()
    _conn, sin, _sout = server.accept().value
    assert cout.blocking_write_and_flush(b"hey") == Ok(None)
    assert sin.blocking_read(3) == Ok(b"hey")


def test_linking_imports_no_socket_machinery() -> None:
    """``witkit run`` links every interface for every guest; sockets come on first use."""
    code = (
        "import sys\n"
        "from witkit.wasi import WasiConfig\n"
        "from witkit.wasi.host import add_to_linker, interfaces\n"
        "class L:\n"
        "    def define_instance(self, name, items): pass\n"
        "add_to_linker(L(), WasiConfig().inherit_network().allow_tcp().allow_ip_name_lookup())\n"
        "print(sorted(m for m in sys.modules if m.startswith('witkit.wasi.sockets')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["[]"]
