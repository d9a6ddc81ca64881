"""The disk cache of generated code: round trip, damage is a miss, and the ABI hook uses it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import witkit
from witkit.abi import _codecache as codecache
from witkit.runtime._codecache import DiskCodeCache

SOURCE = "def f(x):\n    return x + 1\n"


@pytest.fixture
def hook() -> Iterator[None]:
    old = codecache.set_code_cache(None)
    memory = dict(codecache._memory)
    codecache._memory.clear()
    yield
    codecache.set_code_cache(old)
    codecache._memory.clear()
    codecache._memory.update(memory)


def run(code: object) -> object:
    namespace: dict[str, object] = {}
    exec(code, namespace)  # type: ignore[call-overload]
    return namespace["f"](41)  # type: ignore[operator]


def test_round_trip(tmp_path: Path) -> None:
    cache = DiskCodeCache(tmp_path)
    assert cache.get(SOURCE, "<t>") is None
    cache.put(SOURCE, "<t>", compile(SOURCE, "<t>", "exec"))
    again = DiskCodeCache(tmp_path)
    code = again.get(SOURCE, "<t>")
    assert code is not None and again.hits == 1
    assert code.co_filename == "<t>" and run(code) == 42
    assert again.get(SOURCE, "<other>") is None  # the filename is part of the key


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "empty"])
def test_damaged_files_are_misses(tmp_path: Path, damage: str) -> None:
    cache = DiskCodeCache(tmp_path)
    cache.put(SOURCE, "<t>", compile(SOURCE, "<t>", "exec"))
    (path,) = cache.directory.iterdir()
    data = path.read_bytes()
    if damage == "truncate":
        data = data[:-3]
    elif damage == "flip":
        data = data[:-1] + bytes([data[-1] ^ 0xFF])
    elif damage == "foreign":
        data = b"XXXX" + data[4:]
    else:
        data = b""
    path.write_bytes(data)
    assert cache.get(SOURCE, "<t>") is None and cache.rejected == 1
    assert not path.exists()
    cache.put(SOURCE, "<t>", compile(SOURCE, "<t>", "exec"))
    assert cache.get(SOURCE, "<t>") is not None


def test_an_entry_copied_over_another_is_a_miss(tmp_path: Path) -> None:
    """Its code would run in the other's namespace (``NameError`` at best)."""
    cache = DiskCodeCache(tmp_path)
    other = "def g(x):\n    return helper(x)\n"
    cache.put(SOURCE, "<t>", compile(SOURCE, "<t>", "exec"))
    cache.put(other, "<t>", compile(other, "<t>", "exec"))
    first, second = sorted(cache.directory.iterdir())
    second.write_bytes(first.read_bytes())
    assert [cache.get(SOURCE, "<t>"), cache.get(other, "<t>")].count(None) == 1
    assert cache.rejected == 1


def test_data_is_tied_to_its_key(tmp_path: Path) -> None:
    cache = DiskCodeCache(tmp_path)
    cache.put_data("recipe-one", ("one", 1))
    cache.put_data("recipe-two", ("two", 2))
    assert cache.get_data("recipe-one") == ("one", 1)
    (cache.directory / "recipe-two").write_bytes((cache.directory / "recipe-one").read_bytes())
    assert cache.get_data("recipe-two") is None and cache.rejected == 1


def test_unwritable_directory_is_a_no_op(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    cache = DiskCodeCache(blocker)  # its code directory cannot be created
    cache.put(SOURCE, "<t>", compile(SOURCE, "<t>", "exec"))
    assert cache.get(SOURCE, "<t>") is None


def test_hook_loads_instead_of_compiling(tmp_path: Path, hook: None) -> None:
    disk = DiskCodeCache(tmp_path)
    codecache.set_code_cache(disk)
    first = codecache.compile_source(SOURCE, "<hook>")
    assert disk.misses == 1 and len(os.listdir(disk.directory)) == 1
    codecache._memory.clear()  # a new process, as far as the cache can tell
    second = codecache.compile_source(SOURCE, "<hook>")
    assert disk.hits == 1 and second is not first and run(second) == 42


def _code_files(directory: Path) -> set[str]:
    """The generated-code entries under a cache directory (``code-<magic>/``)."""
    return {p.name for p in directory.glob("code-*/*") if not p.name.startswith(".")}


def _fresh_component(engine: witkit.Engine) -> witkit.Component:
    """A component whose export's type no process has generated code for yet: a
    parameter name of its own makes the generated source (and its recipe) new."""
    name = "p-" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex)
    return witkit.Component.from_wat(
        engine,
        f"""(component
          (core module $m (func (export "id") (param i32) (result i32) local.get 0))
          (core instance $i (instantiate $m))
          (func (export "id") (param "{name}" u32) (result u32) (canon lift (core func $i "id"))))""",
    )


def _call(engine: witkit.Engine, component: witkit.Component) -> None:
    instance = witkit.Linker(engine).instantiate(component)
    assert instance.exports["id"](7) == 7


def test_an_engine_without_cache_touches_no_disk_and_no_process_state(
    tmp_path: Path, hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building and calling with ``Engine(cache=False)`` writes no cache directory, and no
    engine, cache on or off, installs a code cache for the process."""
    monkeypatch.setenv("WITKIT_CACHE_DIR", str(tmp_path / "default"))
    cached = witkit.Engine(cache_dir=str(tmp_path / "on"))
    _call(cached, _fresh_component(cached))
    assert codecache.get_code_cache() is None  # the caching engine kept its cache to itself
    written = _code_files(tmp_path / "on")
    assert written  # ... and used it
    uncached = witkit.Engine(cache=False)
    _call(uncached, _fresh_component(uncached))
    assert codecache.get_code_cache() is None
    assert _code_files(tmp_path / "on") == written
    assert not (tmp_path / "default").exists()


def test_two_engines_keep_their_generated_code_apart(tmp_path: Path, hook: None) -> None:
    first = witkit.Engine(cache_dir=str(tmp_path / "first"))
    second = witkit.Engine(cache_dir=str(tmp_path / "second"))
    _call(first, _fresh_component(first))
    in_first = _code_files(tmp_path / "first")
    assert in_first and not _code_files(tmp_path / "second")
    _call(second, _fresh_component(second))
    in_second = _code_files(tmp_path / "second")
    assert in_second and _code_files(tmp_path / "first") == in_first
    assert in_first.isdisjoint(in_second)
    assert first.code_cache is not None and second.code_cache is not None
    assert first.code_cache.directory.parent == tmp_path / "first"


def test_the_installed_cache_serves_work_outside_any_engine(tmp_path: Path, hook: None) -> None:
    """``witkit run``'s process-wide cache; a scope (an engine's work) overrides it."""
    installed = DiskCodeCache(tmp_path / "installed")
    codecache.set_code_cache(installed)
    assert codecache.get_code_cache() is installed
    assert codecache.compiling_with(None, codecache.get_code_cache) is None
    scoped = DiskCodeCache(tmp_path / "scoped")
    assert codecache.compiling_with(scoped, codecache.get_code_cache) is scoped
    assert codecache.get_code_cache() is installed
