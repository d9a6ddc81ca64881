"""Benchmark of the core-engine adapter against wasmtime-py's own API, measured in one run.

What it measures (each row: witkit, the peer, and how many times faster witkit is):

* a Python -> guest call of ``add(i32, i32) -> i32``: ``CoreFunc.call`` against
  wasmtime-py's ``Func.__call__`` and against a typed ctypes call of
  ``wasmtime_func_call_unchecked`` (the ~1.4 us "raw C API" figure);
* a guest -> Python call: a guest loop calling an imported ``(i32, i32) -> i32``
  host function, ours (``Store.host_func``) against ``wasmtime.Func(store, ty, fn)``;
* copying 1 MiB into and out of linear memory: ``CoreMemory.view()`` slices against
  wasmtime-py's ``Memory.write`` / ``Memory.read``;
* a big module (the libpython core module of a componentize-py component): cold
  compile against a warm load from the on-disk cache.

Run:

    python benchmarks/bench_core.py              # everything (builds the big module once)
    python benchmarks/bench_core.py --quick      # skip the big-module compile
    python benchmarks/bench_core.py --big X.wasm # use this component or core module

Per-call figures are the median over rounds of the mean CPU time per call
(``time.process_time``: the machine is shared, and wall time there mostly
measures the neighbours); compile figures are wall time, since compilation
uses several threads.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import wasmtime
from wasmtime import _ffi as ffi

from witkit.runtime.core import CoreFuncType, Engine, Store

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".witkit-test-cache" / "bench_core"

GUEST = """(module
  (import "host" "f" (func $f (param i32 i32) (result i32)))
  (memory (export "mem") 32)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "call_host") (param i32) (result i32) (local i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (call $f (local.get 0) (local.get 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    local.get 1)
)"""


def per_op(run: Callable[[int], object], ops: int, rounds: int) -> float:
    """Median over ``rounds`` of the mean CPU seconds per op of ``run(ops)``."""
    run(max(1, ops // 10))  # warm up
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        run(ops)
        samples.append((time.process_time() - start) / ops)
    return statistics.median(samples)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


Row = tuple[str, float, str, float]


def print_table(rows: list[Row]) -> None:
    print(f"{'case':34s} {'witkit':>10s}   {'peer':>10s}  {'speedup':>8s}  peer")
    print("-" * 100)
    for name, ours, peer_name, peer in rows:
        ratio = peer / ours
        print(f"{name:34s} {fmt(ours):>10s}   {fmt(peer):>10s}  {ratio:7.1f}x  {peer_name}")


def _add(x: int, y: int) -> int:
    return (x + y) & 0x7FFF_FFFF


def bench_calls(rounds: int) -> list[Row]:
    wasm = wasmtime.wat2wasm(GUEST)
    rows: list[Row] = []

    # ours
    engine = Engine(cache=False)
    store = Store(engine)
    host = store.host_func(CoreFuncType(("i32", "i32"), ("i32",)), _add)
    instance = store.instantiate(engine.compile(wasm), [host])
    add = instance.func("add").call
    call_host = instance.func("call_host").call
    memory = instance.memory("mem")

    # the peer: wasmtime-py's high-level API, same engine settings (defaults)
    wt_engine = wasmtime.Engine()
    wt_store = wasmtime.Store(wt_engine)
    wt_type = wasmtime.FuncType([wasmtime.ValType.i32()] * 2, [wasmtime.ValType.i32()])
    wt_host = wasmtime.Func(wt_store, wt_type, _add)
    wt_instance = wasmtime.Instance(wt_store, wasmtime.Module(wt_engine, wasm), [wt_host])
    wt_exports = wt_instance.exports(wt_store)
    wt_add = wt_exports["add"]
    wt_call_host = wt_exports["call_host"]
    wt_memory = wt_exports["mem"]
    assert isinstance(wt_add, wasmtime.Func) and isinstance(wt_call_host, wasmtime.Func)
    assert isinstance(wt_memory, wasmtime.Memory)

    # a typed ctypes call through wasmtime-py's bindings: the "raw C API" baseline
    raw_call = ffi.dll.wasmtime_func_call_unchecked
    raw_ctx = wt_store._context()
    raw_func = wt_add._func
    raw_args = (ffi.wasmtime_val_raw_t * 2)()
    raw_trap = ctypes.POINTER(ffi.wasm_trap_t)()

    def ours_call(n: int) -> None:
        for _ in range(n):
            add(1, 2)

    def peer_call(n: int) -> None:
        for _ in range(n):
            wt_add(wt_store, 1, 2)

    def raw_c_call(n: int) -> None:
        byref = ctypes.byref
        for _ in range(n):
            raw_args[0].i32 = 1
            raw_args[1].i32 = 2
            raw_call(raw_ctx, byref(raw_func), raw_args, 2, byref(raw_trap))
            _ = raw_args[0].i32

    assert add(1, 2) == wt_add(wt_store, 1, 2) == 3
    ours = per_op(ours_call, 200_000, rounds)
    peer = per_op(peer_call, 20_000, rounds)
    raw = per_op(raw_c_call, 100_000, rounds)
    rows.append(("core call add(i32,i32)->i32", ours, "wasmtime Func.__call__", peer))
    rows.append(("core call add (vs raw C API)", ours, "typed ctypes unchecked call", raw))

    assert call_host(1000) == wt_call_host(wt_store, 1000)
    ours_host = per_op(call_host, 200_000, rounds)
    peer_host = per_op(lambda n: wt_call_host(wt_store, n), 20_000, rounds)
    rows.append(
        ("host call guest->Python (i32,i32)", ours_host, "wasmtime Func(store,ty,fn)", peer_host)
    )

    # 1 MiB in and out
    data = os.urandom(1 << 20)
    size = len(data)

    def ours_in(n: int) -> None:
        for _ in range(n):
            memory.view()[0:size] = data

    def ours_out(n: int) -> None:
        for _ in range(n):
            bytes(memory.view()[0:size])

    def peer_in(n: int) -> None:
        for _ in range(n):
            wt_memory.write(wt_store, data, 0)

    def peer_out(n: int) -> None:
        for _ in range(n):
            wt_memory.read(wt_store, 0, size)

    ours_in(1)
    assert memory.read(0, size) == data
    rows.append(
        (
            "copy 1 MiB into memory",
            per_op(ours_in, 200, rounds),
            "Memory.write",
            per_op(peer_in, 200, rounds),
        )
    )
    rows.append(
        (
            "copy 1 MiB out of memory",
            per_op(ours_out, 200, rounds),
            "Memory.read",
            per_op(peer_out, 200, rounds),
        )
    )
    return rows


# --- the big module ---------------------------------------------------------------------

WORLD = """package witkit:bench@0.1.0;
world adder {
  export add: func(a: u32, b: u32) -> u32;
}
"""
APP = """import wit_world


class WitWorld(wit_world.WitWorld):
    def add(self, a: int, b: int) -> int:
        return (a + b) & 0xFFFFFFFF
"""


def build_component() -> Path | None:
    """A componentize-py component (~18 MB), built once into the git-ignored cache."""
    target = BUILD_DIR / "adder.wasm"
    if target.exists():
        return target
    if shutil.which("componentize-py") is None:
        return None
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "wit").mkdir()
        (Path(work) / "wit" / "world.wit").write_text(WORLD)
        (Path(work) / "app.py").write_text(APP)
        print("building a componentize-py component (once, ~10 s)...", file=sys.stderr)
        subprocess.run(
            [
                "componentize-py",
                "-d",
                "wit",
                "-w",
                "adder",
                "componentize",
                "app",
                "-o",
                "adder.wasm",
            ],
            cwd=work,
            check=True,
            capture_output=True,
        )
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(work) / "adder.wasm"), target)
    return target


def core_modules(data: bytes) -> list[bytes]:
    """The core modules directly inside a component (section id 1), or the module itself."""
    if data[4:8] == b"\x01\x00\x00\x00":
        return [data]
    modules = []
    offset = 8
    while offset < len(data):
        section_id = data[offset]
        size, offset = _leb(data, offset + 1)
        if section_id == 1:
            modules.append(data[offset : offset + size])
        offset += size
    return modules


def _leb(data: bytes, offset: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, offset


def bench_compile(path: Path) -> list[Row]:
    modules = core_modules(path.read_bytes())
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as cache_dir:
        # cold: each module compiled (and stored); warm: a fresh engine loads them all
        start = time.perf_counter()
        cold_engine = Engine(cache_dir=cache_dir)
        timings = []
        for wasm in modules:
            t0 = time.perf_counter()
            cold_engine.compile(wasm)
            timings.append((time.perf_counter() - t0, len(wasm), wasm))
        cold_total = time.perf_counter() - start
        start = time.perf_counter()
        warm_engine = Engine(cache_dir=cache_dir)
        loaded = [warm_engine.compile(wasm) for wasm in modules]
        warm_total = time.perf_counter() - start
        assert all(module.from_cache for module in loaded)
        slowest, size, wasm = max(timings, key=lambda item: item[0])
        warm = []
        for _ in range(5):
            fresh = Engine(cache_dir=cache_dir)
            t0 = time.perf_counter()
            fresh.compile(wasm)
            warm.append(time.perf_counter() - t0)
        name = f"{size / 1e6:.1f} MB core module: cache load"
        rows.append((name, statistics.median(warm), "cold compile (Cranelift)", slowest))
        name = f"all {len(modules)} modules ({path.stat().st_size / 1e6:.0f} MB comp.)"
        rows.append((name, warm_total, "cold compile + store", cold_total))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the big-module compile")
    parser.add_argument("--big", type=Path, help="a component or core module to compile")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(
        f"wasmtime {version('wasmtime')}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs; medians of {args.rounds} rounds\n"
    )
    rows = bench_calls(args.rounds)
    if not args.quick:
        big = args.big or build_component()
        if big is None:
            print("(componentize-py not found: big-module compile skipped)", file=sys.stderr)
        else:
            rows += bench_compile(big)
    print_table(rows)


if __name__ == "__main__":
    main()
