"""No grant, no socket: ``create-tcp-socket``/``create-udp-socket`` and lookups, against wasmtime.

The guest (``wat/sockets.wat``) creates one TCP socket, one UDP socket, or looks up
``localhost``, and reports 0 or 1 + the error-code case.  Each ``witkit run`` flag set
is built by witkit's own command-line code and compared with ``wasmtime run --invoke``
given the same flags.  Without ``-S inherit-network`` no host socket may even be made.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import wasmtime

import witkit
from witkit.cli.main import build_parser
from witkit.cli.run import build
from witkit.wasi.sockets import _ip_socket

WAT = Path(__file__).parent / "wat" / "sockets.wat"
ACCESS_DENIED = 1 + 1
PERMANENT_RESOLVER_FAILURE = 1 + 20

FLAGS: list[list[str]] = [
    [],
    ["-S", "inherit-network"],
    ["-S", "allow-ip-name-lookup"],
    ["-S", "inherit-network", "-S", "tcp=n"],
    ["-S", "inherit-network", "-S", "udp=n"],
]


def _wasmtime() -> str:
    import wasmtime_cli  # type: ignore[import-untyped]

    return os.path.join(os.path.dirname(wasmtime_cli.__file__), "wasmtime")


@pytest.fixture(scope="module")
def wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sockets") / "sockets.wasm"
    path.write_bytes(wasmtime.wat2wasm(WAT.read_text()))
    return path


def _witkit(wasm: Path, flags: list[str], export: str) -> int:
    config, _ = build(build_parser("run").parse_args(["run", *flags, str(wasm)]))
    engine = witkit.Engine(cache=False)
    linker = witkit.Linker(engine)
    linker.add_wasi(config)
    return int(linker.instantiate(witkit.Component(engine, wasm.read_bytes())).exports[export]())


def _oracle(wasm: Path, flags: list[str], export: str) -> int:
    done = subprocess.run(
        [_wasmtime(), "run", *flags, "--invoke", f"{export}()", str(wasm)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: " ".join(f) or "no-flags")
@pytest.mark.parametrize("export", ["tcp", "udp", "lookup"])
def test_same_answer_as_wasmtime(wasm: Path, flags: list[str], export: str) -> None:
    assert _witkit(wasm, flags, export) == _oracle(wasm, flags, export)


@pytest.mark.parametrize("export", ["tcp", "udp"])
def test_no_host_socket_without_a_grant(
    wasm: Path, export: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []
    real = _ip_socket.new_socket

    def counting(*args: Any) -> Any:
        made.append(args)
        return real(*args)

    monkeypatch.setattr(_ip_socket, "new_socket", counting)
    for flags in ([], ["-S", f"{export}=n", "-S", "inherit-network"]):
        assert _witkit(wasm, flags, export) == ACCESS_DENIED
    assert made == []
    assert _witkit(wasm, ["-S", "inherit-network"], export) == 0
    assert len(made) == 1  # the check is not vacuous: with the grant, one socket is made


def test_lookup_has_its_own_grant(wasm: Path) -> None:
    assert _witkit(wasm, ["-S", "inherit-network"], "lookup") == PERMANENT_RESOLVER_FAILURE
    assert _witkit(wasm, ["-S", "allow-ip-name-lookup"], "lookup") == 0
