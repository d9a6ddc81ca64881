"""Limits a hostile guest cannot get past: bytes copied per call, call depth, host memory.

The guests are hand-written WAT in ``wat/`` (assembled at test time).  Whatever could
eat the machine on a regression runs in a child process under ``RLIMIT_AS``: the
child takes its instances first (each reserves its linear memory's address space),
then caps its address space at what it uses plus some headroom, so a host that
copies without bound gets a ``MemoryError`` there instead of swapping here.

``WITKIT_SECURITY_SCALE`` (default 1) multiplies the chain length and the entry count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime

import witkit
from witkit.runtime.canon import MAX_CALL_DEPTH

WAT = Path(__file__).parent / "wat"
SCALE = max(1, int(os.environ.get("WITKIT_SECURITY_SCALE", "1")))
MIB = 1 << 20


def assemble(name: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{name}.wasm"
    path.write_bytes(wasmtime.wat2wasm((WAT / f"{name}.wat").read_text()))
    return path


def child(code: str, *args: str, timeout: float = 60) -> list[str]:
    """Run ``code`` in a fresh interpreter; its stdout lines (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


# The child's side: instances first, then the address-space cap, then the hostile calls.
_AMPLIFY = """
    import resource, sys, witkit
    wasm, headroom, count, max_copy = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    engine = witkit.Engine(cache=False)
    component = witkit.Component(engine, open(wasm, "rb").read())
    linker = witkit.Linker(engine)
    kw = {} if max_copy == "default" else {"max_copy": int(max_copy)}
    instances = [linker.instantiate(component, **kw) for _ in range(3)]
    size = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1])
    cap = size * 1024 + headroom
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    for inst, name in zip(instances, ["amp", "amp-strings"]):
        try:
            value = inst.exports[name](count, 1 << 20)
            print(name, "returned", len(value))
            del value
        except witkit.Trap as trap:
            print(name, "trap", trap.rule, str(trap).replace(chr(10), " "))
        except BaseException as exc:
            print(name, "escaped", type(exc).__name__)
    # the host carries on: the third instance still answers
    print("after", len(instances[2].exports["amp"](4, 1024)))
    print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def _amplify(path: Path, headroom: int, count: int, max_copy: str) -> dict[str, str]:
    lines = child(_AMPLIFY, str(path), str(headroom), str(count), max_copy)
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in lines}


def test_aliased_lists_stop_at_the_copy_limit(tmp_path: Path) -> None:
    """4096 entries naming one MiB: 4 GiB of host bytes without the limit, a trap with it."""
    path = assemble("amplify", tmp_path)
    started = time.monotonic()
    out = _amplify(path, 1024 * MIB, 4096 * SCALE, "default")
    for name in ("amp", "amp-strings"):
        assert out[name].startswith("trap copy-limit"), out
        assert "too much data is being copied" in out[name]
        assert "max_copy" in out[name] and "-W max-copy" in out[name]  # how to raise it
    assert out["after"] == "4"
    # the default budget is 320 MiB: the host never held much more than that
    assert int(out["maxrss"]) < 900 * MIB, out
    assert time.monotonic() - started < 30


def test_wasmtime_refuses_the_same_call(tmp_path: Path) -> None:
    """The oracle: wasmtime stops this guest too ("too much data is being copied")."""
    from wasmtime import component as wc

    engine = wasmtime.Engine()
    component = wc.Component(engine, assemble("amplify", tmp_path).read_bytes())
    store = wasmtime.Store(engine)
    func = wc.Linker(engine).instantiate(store, component).get_func(store, "amp")
    assert func is not None
    with pytest.raises(wasmtime.WasmtimeError, match="too much data is being copied"):
        func(store, 4096, MIB)


def test_memory_error_is_a_trap(tmp_path: Path) -> None:
    """With the budget raised past what the host has, running out is a trap, not MemoryError."""
    path = assemble("amplify", tmp_path)
    out = _amplify(path, 256 * MIB, 4096 * SCALE, str(1 << 40))
    for name in ("amp", "amp-strings"):
        assert out[name].startswith("trap resource-exhausted"), out
        assert "ran out of memory" in out[name]
    assert out["after"] == "4"


def test_copy_limit_is_configurable(tmp_path: Path) -> None:
    engine = witkit.Engine(cache=False)
    component = witkit.Component(engine, assemble("amplify", tmp_path).read_bytes())
    linker = witkit.Linker(engine)

    def amp(n: int, **limits: Any) -> Callable[[], Any]:
        exports = linker.instantiate(component, **limits).exports
        return lambda: exports["amp"](n, MIB)

    assert len(amp(100)()) == 100  # 100 MiB: under the default
    with pytest.raises(witkit.Trap) as info:
        amp(400)()  # 400 MiB: over it
    assert info.value.rule == "copy-limit"
    with pytest.raises(witkit.Trap) as info:
        amp(20, max_copy=10 * MIB)()
    assert info.value.rule == "copy-limit" and str(10 * MIB) in str(info.value)
    assert len(amp(9, max_copy=10 * MIB)()) == 9
    with pytest.raises(ValueError, match="max_copy"):
        linker.instantiate(component, max_copy=-1)


def test_copy_limit_from_the_command_line() -> None:
    """``witkit run -W max-copy=N`` reaches the limits the command runs with."""
    from witkit.cli.main import build_parser
    from witkit.cli.run import build

    args = build_parser("run").parse_args(["run", "-W", "max-copy=64MiB", "x.wasm"])
    assert build(args)[1].max_copy == 64 * MIB
    args = build_parser("run").parse_args(["run", "x.wasm"])
    assert build(args)[1].max_copy is None


# --------------------------------------------------------------------------- call depth


def _chain(tmp_path: Path, length: int) -> tuple[Callable[[int], Any], list[witkit.Instance]]:
    """``length`` instances in one store; ``start(k)`` runs a chain ``k`` levels deep."""
    engine = witkit.Engine(cache=False)
    component = witkit.Component(engine, assemble("chain", tmp_path).read_bytes())
    store = witkit.Store(engine)
    instances: list[witkit.Instance] = []

    def g(k: int) -> int:
        return 0 if k == 0 else int(instances[k - 1].exports["f"](k - 1))

    linker = witkit.Linker(engine)
    linker.define_func("g", g)
    instances += [linker.instantiate(component, store=store) for _ in range(length)]
    return lambda k: instances[k - 1].exports["f"](k - 1), instances


def test_deep_chain_traps_at_the_documented_depth(tmp_path: Path) -> None:
    length = 1000 * SCALE
    start, _ = _chain(tmp_path, length)
    began = time.monotonic()
    with pytest.raises(witkit.Trap) as info:
        start(length)
    assert time.monotonic() - began < 2
    assert info.value.rule == "call-depth", info.value
    assert str(MAX_CALL_DEPTH) in str(info.value)


def test_chain_up_to_the_limit_runs(tmp_path: Path) -> None:
    start, instances = _chain(tmp_path, MAX_CALL_DEPTH + 1)
    assert start(MAX_CALL_DEPTH) == MAX_CALL_DEPTH
    assert start(MAX_CALL_DEPTH) == MAX_CALL_DEPTH  # the count went back to zero
    with pytest.raises(witkit.Trap) as info:
        start(MAX_CALL_DEPTH + 1)
    assert info.value.rule == "call-depth"
    # the instances the trap unwound through are poisoned; untouched ones still work,
    # and so does the process: a new store runs a fresh chain
    assert instances[-1].exports["f"] is not None
    again, _ = _chain(tmp_path, 10)
    assert again(10) == 10


def test_recursion_limit_inside_a_chain_is_a_trap(tmp_path: Path) -> None:
    """A host already deep in its own stack meets Python's limit first: still a trap."""
    import inspect

    start, _ = _chain(tmp_path, MAX_CALL_DEPTH)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 300)  # ~40 levels of the chain
    try:
        with pytest.raises(witkit.Trap) as info:
            start(MAX_CALL_DEPTH)
    finally:
        sys.setrecursionlimit(old)
    assert info.value.rule == "resource-exhausted", info.value
    assert "recursion" in str(info.value)
