"""A guest that uses up every file descriptor gets its error code; the host carries on.

The guest (``wat/sockets.wat``, ``exhaust``) creates TCP sockets until one fails, then,
with no descriptor left, makes the host do things for the first time: create a UDP
socket, look up a name.  Those first calls need host work done lazily (the ABI code of
the import is generated, ``socket`` and the ``idna`` codec are imported, the code cache
is read): that work must not fail for want of a descriptor, or the whole run dies with
``OSError: Too many open files`` naming one of witkit's own files.

It runs in a child process (fresh imports, lowered ``RLIMIT_NOFILE``), with and without
the on-disk code cache (warm: the generated code is found on disk, not generated).
Sockets are only ever created, never bound or connected.  The same through ``witkit run``
with a C guest (``c/emfile.c``) that opens files instead, against ``wasmtime run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import wasmtime

WAT = Path(__file__).parent / "wat" / "sockets.wat"

#: error-code cases (WASI 0.2 sockets) the statuses name, as 1 + the case index
NEW_SOCKET_LIMIT = 1 + 10

_EXHAUST = """
    import resource, sys
    from witkit.runtime._codecache import use_disk_code_cache
    if sys.argv[2] != "-":
        use_disk_code_cache(sys.argv[2])
    import witkit
    from witkit.wasi import WasiConfig
    engine = witkit.Engine(cache=False)
    component = witkit.Component(engine, open(sys.argv[1], "rb").read())
    linker = witkit.Linker(engine)
    config = WasiConfig().allow_tcp().allow_udp().allow_ip_name_lookup()
    linker.add_wasi(config.socket_address_check(lambda addr, purpose: addr[0] == "127.0.0.1"))
    instance = linker.instantiate(component)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[3]), hard))
    try:
        r = instance.exports["exhaust"](100000)
        print("count", r >> 15, "tcp", r >> 10 & 31, "udp", r >> 5 & 31, "lookup", r & 31)
    except BaseException as exc:
        print("escaped", type(exc).__name__, exc)
    # the host carries on: the same instance runs again, once descriptors are free
    print("again", instance.exports["tcp"]())
    print("carried on")
"""


def _env() -> dict[str, str]:
    """The children's environment: as a user's (checked recipes would import the generator
    up front, so a warm start would never load it lazily, which is the case tested)."""
    env = dict(os.environ)
    env.pop("WITKIT_CHECK_RECIPES", None)
    return env


def _exhaust(wasm: Path, cache: str, limit: int) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_EXHAUST), str(wasm), cache, str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    words = done.stdout.split()
    assert "escaped" not in words, done.stdout
    return dict(zip(words[::2], words[1::2], strict=False))


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_guest_exhausting_descriptors_gets_its_error(tmp_path: Path, cache: str) -> None:
    wasm = tmp_path / "sockets.wasm"
    wasm.write_bytes(wasmtime.wat2wasm(WAT.read_text()))
    where = "-"
    if cache == "warm":
        where = str(tmp_path / "code")
        _exhaust(wasm, where, 64)  # fills the code cache
    out = _exhaust(wasm, where, 64)
    assert int(out["count"]) > 10, out  # it did get sockets before the limit
    assert int(out["tcp"]) == NEW_SOCKET_LIMIT, out
    assert int(out["udp"]) == NEW_SOCKET_LIMIT, out
    assert int(out["lookup"]) != 0, out  # some error code: the lookup itself has no descriptor
    assert out["again"] == "0" and "carried" in out, out


# --------------------------------------------------------------------------- witkit run

_RUN = """
    import resource, sys
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), hard))
    from witkit.cli.main import main
    status = main(["run", "--dir", sys.argv[2] + "::/sb", sys.argv[3]])
    print("status", status, flush=True)
"""


def _errno_line(text: str) -> str:
    """``then errno N (...)`` of the guest's report (how many it opened may differ)."""
    line = next(line for line in text.splitlines() if line.startswith("opened "))
    return line.split(", ", 1)[1]


def test_witkit_run_carries_on_after_emfile(tmp_path: Path) -> None:
    """The C guest opens files until the host has no descriptor left, then prints.

    Run twice with one fresh cache directory: the second start is warm, so the
    generated code of the stdout write is on disk and the generator never imported
    -- until the guest, with every descriptor taken, first writes.
    """
    from tests.fixtures.build import Fixture, build_fixture

    wasm = build_fixture(
        Fixture("c_security_emfile", "c", ("../security/c/emfile.c",), "opens files to EMFILE")
    )
    sandbox = tmp_path / "sb"
    sandbox.mkdir()
    (sandbox / "f.txt").write_text("x")
    env = {**_env(), "WITKIT_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(_RUN), "40", str(sandbox), str(wasm)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.stdout.splitlines()[-1:] == ["status 0"], done.stdout + done.stderr
    # the oracle: wasmtime run under the same descriptor limit reports the same error
    wasmtime_run = f"ulimit -n 40; exec {_wasmtime()} run --dir {sandbox}::/sb {wasm}"
    oracle = subprocess.run(["sh", "-c", wasmtime_run], capture_output=True, text=True, timeout=60)
    assert oracle.returncode == 0, oracle.stderr
    assert _errno_line(done.stdout) == _errno_line(oracle.stdout)


def _wasmtime() -> str:
    import wasmtime_cli  # type: ignore[import-untyped]

    return os.path.join(os.path.dirname(wasmtime_cli.__file__), "wasmtime")
