"""The disk cache of generated code: round trip, damage is a miss, and the ABI hook uses it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from witkit.abi import codecache
from witkit.runtime.codecache import DiskCodeCache

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


def test_a_component_installs_the_disk_cache_when_the_engine_caches(
    tmp_path: Path, hook: None
) -> None:
    import witkit

    witkit.Component.from_wat(witkit.Engine(cache=False), "(component)")
    assert codecache.get_code_cache() is None
    witkit.Component.from_wat(witkit.Engine(cache_dir=str(tmp_path)), "(component)")
    installed = codecache.get_code_cache()
    assert isinstance(installed, DiskCodeCache) and installed.directory.parent == tmp_path
