"""wasmtime's ``-S``/``-W``/``-O``/``-D`` keys under ``witkit run``, and its usage errors.

The key lists are checked against ``wasmtime run -X help`` itself, so a wasmtime
that learns a key makes this test name it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.build import _tool
from witkit.cli import run as run_cli
from witkit.cli.main import build_parser
from witkit.cli.options import OPTIONS, WITKIT_ONLY, help_text, parse_group
from witkit.cli.run import UsageError

GROUPS = ("S", "W", "O", "D")


def _wasmtime_keys(group: str) -> list[str]:
    done = subprocess.run(
        [_tool("wasmtime"), "run", f"-{group}", "help"], capture_output=True, text=True, timeout=60
    )
    return re.findall(rf"^\s+-{group}\s+([a-z0-9-]+)", done.stdout, re.M)


def _witkit(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "witkit", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def parse(*argv: str) -> object:
    return build_parser("run").parse_args(["run", *argv])


@pytest.mark.parametrize("group", GROUPS)
def test_every_wasmtime_key_is_known(group: str) -> None:
    theirs = _wasmtime_keys(group)
    assert len(theirs) > 10
    ours = [key for key in OPTIONS[group] if (group, key) not in WITKIT_ONLY]
    assert theirs == ours  # same keys, same order


@pytest.mark.parametrize(
    ("group", "key"), [(g, k) for g in GROUPS for k in OPTIONS[g]], ids=lambda x: str(x)
)
def test_every_key_is_accepted(group: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    option = OPTIONS[group][key]
    value = {
        "bool": "y",
        "bool-auto": "auto",
        "number": "7",
        "size": "64KiB",
        "duration": "2s",
        "text": "x",
        "opt-level": "1",
        "regalloc": "single-pass",
    }[option.shape]
    if key == "cwd":
        value = "/"
    args = parse(f"-{group}", f"{key}={value}", "app.wasm")
    run_cli.build(args)  # type: ignore[arg-type]
    err = capsys.readouterr().err
    if option.implemented:
        assert "note" not in err
    else:
        assert err == f"witkit: note: -{group} {key} has no effect in witkit: {option.note}\n"


def test_implemented_keys_reach_config_and_limits() -> None:
    args = parse(
        "-S",
        "inherit-stdin=n,cwd=/work",
        "-W",
        "max-wasm-stack=1MiB,nan-canonicalization",
        "-O",
        "opt-level=0",
        "app.wasm",
    )
    config, limits = run_cli.build(args)  # type: ignore[arg-type]
    assert dict(limits.engine) == {
        "max_wasm_stack": 1 << 20,
        "nan_canonicalization": True,
        "opt_level": "none",
    }
    assert config.build().cli.initial_cwd() == "/work"


def test_nothing_is_granted_by_accepted_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET", "1")
    every = [f"{k}" for k, o in OPTIONS["S"].items() if not o.implemented and o.shape == "bool"]
    args = parse("-S", ",".join(every), "-S", "cli,cli-exit-with-code,common", "app.wasm")
    ctx = run_cli.build(args)[0].build()  # type: ignore[arg-type]
    assert ctx.cli.get_environment() == [] and ctx.preopens == []
    assert not ctx.network.address_check(("127.0.0.1", 80), "tcp-connect")
    assert not ctx.network.ip_name_lookup


@pytest.mark.parametrize(
    ("group", "text", "message"),
    [
        ("S", "bogus", "unknown -S option 'bogus'"),
        ("S", "tcp=maybe", "-S tcp=maybe: expected y or n, got 'maybe'"),
        ("W", "fuel", "-W fuel: a value is required"),
        ("O", "opt-level=3", "-O opt-level=3: expected one of 0, 1, 2, s, got '3'"),
        ("D", "max-backtrace=x", "-D max-backtrace=x: not a whole number: 'x'"),
    ],
)
def test_bad_keys_and_values(group: str, text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_group(group, [text])
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    "argv",
    [
        ("run", "-S", "bogus", "a.wasm"),
        ("run", "-W", "fuel=x", "a.wasm"),
        ("run", "-O", "opt-level=9", "a.wasm"),
        ("run",),
        ("run", "--no-such-flag", "a.wasm"),
        ("inspect",),
        ("wit",),
    ],
)
def test_usage_errors_exit_2_and_point_at_help(argv: tuple[str, ...]) -> None:
    done = _witkit(*argv)
    assert done.returncode == 2, done.stderr
    assert "--help" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("group", GROUPS)
def test_help_lists_every_key_with_its_status(group: str) -> None:
    done = _witkit("run", f"-{group}", "help")
    assert done.returncode == 0
    assert done.stdout.strip() == help_text(group)
    for key, option in OPTIONS[group].items():
        line = next(x for x in done.stdout.splitlines() if re.search(rf" {key}[=\[]", x))
        assert ("yes:" in line) == option.implemented, line
    assert _witkit("run", f"-{group}", "help-long").returncode == 0


def test_exit_with_code_line_from_wasmtime_works(corpus: dict[str, Path]) -> None:
    done = _witkit("run", "-S", "cli-exit-with-code", str(corpus["c_exit_code"]), "code", "42")
    assert done.returncode == 42 and done.stderr == ""
