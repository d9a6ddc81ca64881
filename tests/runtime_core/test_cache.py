"""The on-disk module cache: hits, misses, damaged files, settings, concurrent processes."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from pathlib import Path

import pytest
import wasmtime

from witkit.runtime.cache import TRAILER_SIZE, ModuleCache, cache_key, default_cache_dir
from witkit.runtime.core import Engine, Store

ROOT = Path(__file__).resolve().parents[2]
ADD = bytes(
    wasmtime.wat2wasm(
        """(module (func (export "add") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.add))"""
    )
)


def _many_functions(count: int) -> bytes:
    """A module big enough that compiling it takes a noticeable moment."""
    body = " ".join(
        f'(func (export "f{i}") (param i32) (result i32) local.get 0 i32.const {i} i32.mul '
        f"i32.const {i + 1} i32.add i32.const 3 i32.rotl)"
        for i in range(count)
    )
    return bytes(wasmtime.wat2wasm(f"(module {body})"))


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.cwasm"))


def _works(engine: Engine, module: object) -> bool:
    instance = Store(engine).instantiate(module)  # type: ignore[arg-type]
    return bool(instance.func("add")(2, 3) == 5)


def test_miss_then_hit(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    engine = Engine(cache_dir=str(directory))
    first = engine.compile(ADD)
    assert not first.from_cache
    [entry] = _entries(directory)
    assert entry.stem == cache_key(ADD, engine.config.fingerprint())
    assert entry.read_bytes()[-TRAILER_SIZE:][:8] == b"WITKITCM"
    assert entry.read_bytes()[:4] == b"\x7fELF"  # wasmtime's artifact, mappable as it is
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700  # others may not plant code
    # the entry names its key, after the artifact and before the trailer
    assert entry.read_bytes()[-TRAILER_SIZE - 64 : -TRAILER_SIZE] == entry.stem.encode()
    second = Engine(cache_dir=str(directory)).compile(ADD)  # a fresh engine, as a new process
    assert second.from_cache
    assert _works(second.engine, second)
    assert second.engine.cache is not None and second.engine.cache.hits == 1


def test_settings_are_part_of_the_key(tmp_path: Path) -> None:
    Engine(cache_dir=str(tmp_path)).compile(ADD)
    other = Engine(cache_dir=str(tmp_path), opt_level="none").compile(ADD)
    assert not other.from_cache
    assert len(_entries(tmp_path)) == 2
    fuel = Engine(cache_dir=str(tmp_path), consume_fuel=True).compile(ADD)
    assert not fuel.from_cache
    # the cache location and the epoch tick do not change code: same key
    assert (
        Engine(cache_dir="/elsewhere", epoch_tick=0.5).config.fingerprint()
        == Engine(cache=False).config.fingerprint()
    )
    # the wasmtime build is identified by its native library (size and time stamp)
    assert "wasmtime=" in Engine(cache=False).config.fingerprint()
    assert "libwasmtime" in Engine(cache=False).config.fingerprint()


@pytest.mark.parametrize(
    "damage",
    [
        "flip-payload-byte",
        "truncate",
        "empty",
        "foreign",
        "bad-version",
        "other-key",
    ],
)
def test_damaged_files_are_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    Engine(cache_dir=str(tmp_path)).compile(ADD)
    [entry] = _entries(tmp_path)
    data = bytearray(entry.read_bytes())
    if damage == "flip-payload-byte":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    elif damage == "foreign":
        data = bytearray(b"\x7fELF" + bytes(100))
    elif damage == "bad-version":
        data[-TRAILER_SIZE + 8] = 99
    elif damage == "other-key":  # a whole entry, with a good CRC, stored under another key
        data[-TRAILER_SIZE - 1] ^= 1
    entry.write_bytes(bytes(data))

    engine = Engine(cache_dir=str(tmp_path))
    module = engine.compile(ADD)
    assert not module.from_cache
    assert engine.cache is not None and engine.cache.rejected == 1
    assert _works(engine, module)
    again = Engine(cache_dir=str(tmp_path)).compile(ADD)  # rewritten, good again
    assert again.from_cache


def test_an_entry_copied_over_another_is_a_miss(tmp_path: Path) -> None:
    """Whole and undamaged, but another module's: never loaded under this key."""
    engine = Engine(cache_dir=str(tmp_path))
    other = _many_functions(3)
    engine.compile(ADD)
    engine.compile(other)
    add_entry = tmp_path / f"{cache_key(ADD, engine.fingerprint)}.cwasm"
    other_entry = tmp_path / f"{cache_key(other, engine.fingerprint)}.cwasm"
    add_entry.write_bytes(other_entry.read_bytes())
    again = Engine(cache_dir=str(tmp_path))
    module = again.compile(ADD)
    assert not module.from_cache and _works(again, module)
    assert again.cache is not None and again.cache.rejected == 1
    assert again.load_cached(cache_key(ADD, engine.fingerprint)) is not None  # rewritten
    add_entry.write_bytes(other_entry.read_bytes())  # and through a remembered key
    assert again.load_cached(cache_key(ADD, engine.fingerprint)) is None


def test_a_remembered_key_is_checked_like_any_load(tmp_path: Path) -> None:
    """``load_cached`` (the prepared components' warm path) checks the CRC too."""
    engine = Engine(cache_dir=str(tmp_path))
    key = engine.compile(ADD).key
    assert key is not None
    [entry] = _entries(tmp_path)
    data = bytearray(entry.read_bytes())
    data[len(data) // 3] ^= 0x08
    entry.write_bytes(bytes(data))
    assert engine.load_cached(key) is None
    assert engine.cache is not None and engine.cache.rejected == 1
    assert not entry.exists()


@pytest.mark.parametrize("helper", [True, False])
def test_lookup_all_checks_every_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    """Split between two threads or not, each entry gets its own verdict."""
    from witkit.runtime import cache as cache_module

    monkeypatch.setattr(cache_module, "_PARALLEL_BYTES", 0 if helper else 1 << 62)
    monkeypatch.setattr(cache_module, "_cores", lambda: 2)
    cache = ModuleCache(tmp_path)
    keys = [f"k{n}" for n in range(6)]
    for n, key in enumerate(keys):
        assert cache.store(key, bytes([n]) * (1000 * (n + 1)))
    mine, theirs = cache_module._share([cache.path_for(k) for k in keys])
    assert sorted(mine + theirs) == list(range(6)) and bool(theirs) == helper
    damaged = Path(cache.path_for("k1"))
    damaged.write_bytes(b"x" + damaged.read_bytes()[1:])
    Path(cache.path_for("k4")).unlink()
    found = cache.lookup_all(keys)
    assert [p is not None for p in found] == [True, False, True, True, False, True]
    assert (cache.hits, cache.misses, cache.rejected) == (4, 1, 1)
    assert not damaged.exists()


def test_created_directories_are_owner_only(tmp_path: Path) -> None:
    """Each level made, not only the last (``os.makedirs`` gives the others 0755)."""
    old = os.umask(0o022)
    try:
        Engine(cache_dir=str(tmp_path / "a" / "b" / "c")).compile(ADD)
    finally:
        os.umask(old)
    for level in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level


def test_engine_refusal_with_a_good_crc_is_recompiled(tmp_path: Path) -> None:
    """A file our checks accept but wasmtime does not (other version, settings, garbage)."""
    engine = Engine(cache_dir=str(tmp_path))
    key = cache_key(ADD, engine.config.fingerprint())
    assert engine.cache is not None
    engine.cache.store(key, b"not a compiled module" * 10)
    module = engine.compile(ADD)
    assert not module.from_cache
    assert engine.cache.rejected == 1 and engine.cache.hits == 0
    assert _works(engine, module)
    assert Engine(cache_dir=str(tmp_path)).compile(ADD).from_cache


def test_disabled_cache_writes_nothing(tmp_path: Path) -> None:
    engine = Engine(cache=False, cache_dir=str(tmp_path))
    assert engine.cache is None
    assert not engine.compile(ADD).from_cache
    assert not engine.compile(ADD).from_cache
    assert list(tmp_path.iterdir()) == []


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WITKIT_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit" / "core"
    monkeypatch.delenv("WITKIT_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "witkit" / "core"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "witkit" / "core"
    monkeypatch.setenv("WITKIT_CACHE_DIR", str(tmp_path / "env"))
    engine = Engine()
    engine.compile(ADD)
    assert len(_entries(tmp_path / "env" / "core")) == 1


def test_unwritable_cache_is_a_no_op(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    engine = Engine(cache_dir=str(blocker / "cache"))
    assert _works(engine, engine.compile(ADD))  # compiles fine, caches nothing
    assert blocker.read_text() == "not a directory"


def test_concurrent_writers_never_expose_a_partial_file(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    payloads = [bytes([n]) * (1 << 20) for n in range(4)]
    stop = threading.Event()
    seen: list[bytes] = []

    def writer(payload: bytes) -> None:
        while not stop.is_set():
            cache.store("k", payload)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    try:
        # stores are fsynced: wait for the first to land, then read while they race
        deadline = time.monotonic() + 30
        while not os.path.exists(cache.path_for("k")) and time.monotonic() < deadline:
            time.sleep(0.001)
        for _ in range(200):
            loaded = cache.load("k")
            if loaded is not None:
                seen.append(bytes(loaded))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert cache.rejected == 0
    assert seen and all(item in payloads for item in seen)
    # no temporary debris (a first store may leave the stamp of its size check)
    names = {p.name for p in tmp_path.iterdir()} - {".witkit-size-checked"}
    assert names == {"k.cwasm"}


SCRIPT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {src!r})
    from witkit.runtime.core import Engine, Store
    wasm = open(sys.argv[1], "rb").read()
    deadline = float(sys.argv[2])
    while time.time() < deadline:  # start compiling at (nearly) the same moment
        pass
    module = Engine(cache_dir=sys.argv[3]).compile(wasm)
    assert Store(module.engine).instantiate(module).func("f7")(1) == ((7 + 8) << 3 | 0)
    print("cached" if module.from_cache else "compiled")
    """
)


def test_two_processes_compiling_the_same_module(tmp_path: Path) -> None:
    wasm_path = tmp_path / "big.wasm"
    wasm_path.write_bytes(_many_functions(3000))
    script = tmp_path / "compile.py"
    script.write_text(SCRIPT.format(src=str(ROOT / "src")))
    cache_dir = tmp_path / "cache"
    deadline = time.time() + 3.0  # time for both interpreters to start
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(wasm_path), str(deadline), str(cache_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    results = sorted(out.strip() for out, _ in outputs)
    # the per-key lock makes one process compile while the other waits and loads
    assert results == ["cached", "compiled"]
    [entry] = _entries(cache_dir)
    data = entry.read_bytes()
    _, _, crc, length, key_length = struct.unpack("<8sIIQI", data[-TRAILER_SIZE:])
    assert zlib.crc32(data[:length]) == crc
    assert data[length : length + key_length] == entry.stem.encode()
    # no lock or temp files (a first store may leave the stamp of its size check)
    names = {p.name for p in cache_dir.iterdir()} - {".witkit-size-checked"}
    assert names == {entry.name}
    assert os.access(entry, os.R_OK)


def test_serialize_and_deserialize(tmp_path: Path) -> None:
    engine = Engine(cache=False)
    data = engine.compile(ADD).serialize()
    assert _works(engine, engine.deserialize(data))
    assert _works(engine, engine.deserialize(bytearray(data)))
    with pytest.raises(ValueError):
        engine.deserialize(b"garbage")
