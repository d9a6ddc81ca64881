"""A guest that uses up every file descriptor gets its error code; the host carries on.

The guest (``wat/sockets.wat``, ``exhaust``) creates TCP sockets until one fails, then,
with no descriptor left, makes the host do things for the first time: create a UDP
socket, look up a name.  Those first calls need host work done lazily (the ABI code of
the import is generated, ``socket`` and the ``idna`` codec are imported, the code cache
is read): that work must not fail for want of a descriptor, or the whole run dies with
``OSError: Too many open files`` naming one of witkit's own files.

It runs in a child process (fresh imports, lowered ``RLIMIT_NOFILE``), with and without
the on-disk code cache (warm: the generated code is found on disk, not generated).
Sockets are only ever created, never bound or connected.
"""

from __future__ import annotations

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
    from witkit.runtime.codecache import use_disk_code_cache
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


def _exhaust(wasm: Path, cache: str, limit: int) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_EXHAUST), str(wasm), cache, str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
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
