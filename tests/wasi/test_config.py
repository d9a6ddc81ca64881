"""WasiConfig grants nothing by default, and each grant reaches the guest-facing state."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from witkit.wasi import Exit, WasiConfig
from witkit.wasi.clocks import FixedWallClock, VirtualMonotonicClock
from witkit.wasi.errno import SocketError
from witkit.wasi.io import StreamClosed
from witkit.wasi.random import SeededRandom, get_bytes, get_u64
from witkit.wasi.sockets import Network, create_tcp_socket, create_udp_socket, resolve_addresses


def test_nothing_by_default() -> None:
    ctx = WasiConfig().build()
    assert ctx.cli.get_arguments() == []
    assert ctx.cli.get_environment() == []
    assert ctx.cli.initial_cwd() is None
    assert ctx.preopens == []
    with pytest.raises(StreamClosed):
        ctx.cli.get_stdin().read(1)
    ctx.cli.get_stdout().blocking_write_and_flush(b"into the void")
    assert ctx.cli.get_terminal_stdout() is None
    for attempt in (
        lambda: create_tcp_socket(ctx.network, "ipv4"),
        lambda: create_udp_socket(ctx.network, "ipv4"),
    ):
        with pytest.raises(SocketError) as info:
            attempt()
        assert info.value.code == "access-denied"
    with pytest.raises(SocketError) as info:
        resolve_addresses(Network(ctx.network), "localhost")
    assert info.value.code == "permanent-resolver-failure"


def test_grants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITKIT_TEST_VAR", "inherited")
    out, err = bytearray(), io.BytesIO()
    ctx = (
        WasiConfig()
        .args("prog", "a b", "ü")
        .env("A", "1")
        .inherit_env()
        .env("A", "2")
        .preopen_dir(tmp_path, "/data", read_only=True)
        .stdin_bytes(b"input")
        .stdout(out)
        .stderr(err)
        .initial_cwd("/data")
        .build()
    )
    assert ctx.cli.get_arguments() == ["prog", "a b", "ü"]
    env = dict(ctx.cli.get_environment())
    assert env["A"] == "2" and env["WITKIT_TEST_VAR"] == "inherited"
    assert ctx.cli.get_stdin().read(100) == b"input"
    ctx.cli.get_stdout().blocking_write_and_flush(b"out")
    ctx.cli.get_stderr().blocking_write_and_flush(b"err")
    assert bytes(out) == b"out" and err.getvalue() == b"err"
    ((desc, guest),) = ctx.preopens
    assert guest == "/data" and desc.read_only
    assert ctx.cli.initial_cwd() == "/data"


def test_stdin_file_and_fd(tmp_path: Path) -> None:
    p = tmp_path / "in.txt"
    p.write_bytes(b"from a file")
    ctx = WasiConfig().stdin_file(p).build()
    assert ctx.cli.get_stdin().blocking_read(100) == b"from a file"
    with p.open("rb") as f:
        ctx = WasiConfig().stdin(f).build()
        assert ctx.cli.get_stdin().blocking_read(4) == b"from"


def test_stdout_to_real_fd(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    with p.open("wb") as f:
        WasiConfig().stdout(f).build().cli.get_stdout().blocking_write_and_flush(b"direct")
    assert p.read_bytes() == b"direct"


def test_exit() -> None:
    cli = WasiConfig().build().cli
    with pytest.raises(Exit) as info:
        cli.exit(True)
    assert info.value.code == 0
    with pytest.raises(Exit) as info:
        cli.exit(False)
    assert info.value.code == 1
    with pytest.raises(Exit) as info:
        cli.exit_with_code(42)
    assert info.value.code == 42


def test_deterministic_clocks_and_random() -> None:
    a = WasiConfig().deterministic(seed=7, wall_ns=1_700_000_000_000_000_000).build()
    b = WasiConfig().deterministic(seed=7, wall_ns=1_700_000_000_000_000_000).build()
    assert get_bytes(a.random, 16) == get_bytes(b.random, 16)
    assert get_u64(a.insecure_random) == get_u64(b.insecure_random)
    assert a.insecure_seed == b.insecure_seed
    assert a.wall.now() == 1_700_000_000_000_000_000
    assert a.monotonic.now() == 0
    custom = WasiConfig().clocks(VirtualMonotonicClock(5, step=1), FixedWallClock(9))
    ctx = custom.random(SeededRandom(1), SeededRandom(2)).insecure_seed((3, 4)).build()
    assert (ctx.monotonic.now(), ctx.monotonic.now()) == (5, 6)
    assert ctx.wall.now() == 9 and ctx.insecure_seed == (3, 4)


def test_real_random_differs() -> None:
    ctx = WasiConfig().build()
    assert len(get_bytes(ctx.random, 32)) == 32
    assert get_bytes(ctx.random, 32) != get_bytes(ctx.random, 32)


def test_preopen_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        WasiConfig().preopen_dir(tmp_path / "missing", "/x")


def test_public_surface() -> None:
    import witkit.wasi as wasi

    assert sorted(wasi.__all__) == ["Exit", "WasiConfig", "WasiContext", "add_to_linker"]
    for name in wasi.__all__:
        assert hasattr(wasi, name)
    import witkit.wasi.clocks
    import witkit.wasi.errno
    import witkit.wasi.filesystem
    import witkit.wasi.io
    import witkit.wasi.random
    import witkit.wasi.sockets

    for module in (
        witkit.wasi.clocks,
        witkit.wasi.errno,
        witkit.wasi.filesystem,
        witkit.wasi.io,
        witkit.wasi.random,
        witkit.wasi.sockets,
    ):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_inherit_without_host_stdio(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    monkeypatch.setattr(sys, "stdout", None)
    ctx = WasiConfig().inherit_stdio().build()
    with pytest.raises(StreamClosed):
        ctx.cli.get_stdin().read(1)
