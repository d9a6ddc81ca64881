"""``witkit run``'s command line: wasmtime spellings and long forms become the same grants."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from witkit.cli import add_command
from witkit.cli import run as run_cli
from witkit.errors import WitkitError


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_command(sub, run_cli)
    return parser.parse_args(["run", *argv])


def test_wasmtime_spellings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_HOST", "yes")
    args = parse(
        "--dir",
        f"{tmp_path}::/data",
        "--dir-ro",
        str(tmp_path),
        "--env",
        "A=1",
        "--env",
        "FROM_HOST",
        "--argv0",
        "prog",
        "-S",
        "inherit-network,allow-ip-name-lookup",
        "-S",
        "udp=n",
        "-W",
        "fuel=1000",
        "-W",
        "timeout=250ms",
        "-W",
        "max-memory-size=2MiB",
        "app.wasm",
        "--flag",
        "x",
    )
    config, limits = run_cli.build(args)
    ctx = config.build()
    assert ctx.cli.get_arguments() == ["prog", "--flag", "x"]
    assert dict(ctx.cli.get_environment()) == {"A": "1", "FROM_HOST": "yes"}
    assert [(g, d.read_only) for d, g in ctx.preopens] == [("/data", False), (str(tmp_path), True)]
    assert ctx.network.tcp and not ctx.network.udp and ctx.network.ip_name_lookup
    assert ctx.network.address_check(("10.0.0.1", 80), "tcp-connect")
    assert (limits.fuel, limits.timeout, limits.max_memory) == (1000, 0.25, 2 * 1024 * 1024)


def test_long_forms_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INHERITED", "1")
    config, limits = run_cli.build(
        parse("--inherit-env", "--fuel", "5", "--timeout", "2s", "app.wat")
    )
    ctx = config.build()
    assert ctx.cli.get_arguments() == ["app.wat"]
    assert ("INHERITED", "1") in ctx.cli.get_environment()
    assert not ctx.network.address_check(("127.0.0.1", 80), "tcp-bind")  # no inherit-network
    assert (limits.fuel, limits.timeout, limits.max_memory) == (5, 2.0, None)


def test_nothing_granted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET", "1")
    ctx = run_cli.build(parse("app.wasm"))[0].build()
    assert ctx.cli.get_environment() == [] and ctx.preopens == []


def test_bad_options(tmp_path: Path) -> None:
    for argv in (("-S", "bogus", "a.wasm"), ("-W", "fuel=x", "a.wasm"), ("--dir", "/nope/x", "a")):
        with pytest.raises(WitkitError):
            run_cli.build(parse(*argv))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("fuel=10MiB", "-W fuel=10MiB: not a whole number of fuel units: '10MiB'"),
        ("fuel=", "-W fuel=: not a whole number of fuel units: ''"),
        ("fuel=-5", "-W fuel=-5: not a whole number of fuel units: '-5'"),
        ("timeout=2x", "-W timeout=2x: not a duration: '2x'"),
        ("max-memory-size=lots", "-W max-memory-size=lots: "),
    ],
)
def test_bad_limit_values_say_what_was_wrong(option: str, message: str) -> None:
    with pytest.raises(WitkitError) as err:
        run_cli.build(parse("-W", option, "a.wasm"))
    assert str(err.value).startswith(message)
    assert "int()" not in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "value"), [("1048576", 1 << 20), ("64KiB", 64 << 10), ("2m", 2 << 20), ("1G", 1 << 30)]
)
def test_sizes(text: str, value: int) -> None:
    assert run_cli.parse_size(text) == value


@pytest.mark.parametrize(("text", "value"), [("3", 3.0), ("500ms", 0.5), ("1.5m", 90.0)])
def test_durations(text: str, value: float) -> None:
    assert run_cli.parse_duration(text) == value


def test_repeated_env_reaches_the_guest_twice() -> None:
    """As ``wasmtime run``: ``--env A=1 --env A=2`` gives the guest both entries, in order."""
    ctx = run_cli.build(parse("--env", "A=1", "--env", "B=x", "--env", "A=2", "app.wasm"))[0]
    assert ctx.build().cli.get_environment() == [("A", "1"), ("B", "x"), ("A", "2")]


def test_library_env_replaces_in_place() -> None:
    from witkit.wasi import WasiConfig

    config = WasiConfig().env("A", "1").env("B", "x").env("A", "2", replace=False).env("A", "3")
    assert config.build().cli.get_environment() == [("A", "3"), ("B", "x")]


def test_no_cache_flag() -> None:
    assert parse("--no-cache", "app.wasm").no_cache
    assert not parse("app.wasm").no_cache
