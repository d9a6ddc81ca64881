"""Prepared components: an unchanged file loads without decoding; a changed one never loads stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import witkit
from witkit.binary import Features
from witkit.runtime import _prepared as prepared

TEMPLATE = """
(component
  (core module $m
    (func (export "answer") (result i32) i32.const {value}))
  (core instance $i (instantiate $m))
  (func (export "answer") (result u32) (canon lift (core func $i "answer"))))
"""


def write(path: Path, value: int, *, settle: bool = True) -> None:
    """Write the component; ``settle`` waits out the window in which it is too fresh."""
    path.write_text(TEMPLATE.format(value=value))
    if settle:
        time.sleep(prepared.RACY_FINE_NS / 1e9 + 0.01)


def answer(engine: witkit.Engine, path: Path) -> tuple[int, bool]:
    """The component's answer, and whether it was loaded prepared."""
    component = witkit.Component.from_file(engine, path)
    got = witkit.Linker(engine).instantiate(component).exports["answer"]()
    return got, component._validated is None


def entries(cache: Path) -> list[str]:
    directory = cache / prepared.SUBDIRECTORY
    return sorted(os.listdir(directory)) if directory.is_dir() else []


@pytest.fixture
def engine(tmp_path: Path) -> witkit.Engine:
    return witkit.Engine(cache_dir=str(tmp_path / "cache"))


def test_second_load_is_prepared_and_equal(engine: witkit.Engine, tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 42)
    assert answer(engine, path) == (42, False)
    assert len(entries(tmp_path / "cache")) == 1
    assert answer(engine, path) == (42, True)
    again = witkit.Component.from_file(engine, path)
    # what validation would say is still there, decoded on demand
    assert again.validated.type.exports.keys() == again.exports.keys() == {"answer"}
    assert again.type is not None and set(again.exports) == {"answer"}


def test_a_changed_file_is_never_loaded_stale(engine: witkit.Engine, tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 1)
    assert answer(engine, path) == (1, False)
    before = os.stat(path)
    # same size, and the modification time set back: only the change time tells
    write(path, 2, settle=False)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert answer(engine, path) == (2, False)
    time.sleep(prepared.RACY_FINE_NS / 1e9 + 0.01)
    assert answer(engine, path) == (2, False)  # prepared only now that it has settled
    assert answer(engine, path) == (2, True)


def test_a_file_fresh_from_a_write_is_not_prepared(
    engine: witkit.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within a timestamp tick a second write of the same size could look the same."""
    monkeypatch.setattr(prepared, "RACY_FINE_NS", 3_600 * 10**9)  # "recent": the last hour
    monkeypatch.setattr(prepared, "RACY_COARSE_NS", 3_600 * 10**9)
    path = tmp_path / "c.wat"
    write(path, 3, settle=False)
    assert answer(engine, path) == (3, False)
    assert answer(engine, path) == (3, False)
    assert entries(tmp_path / "cache") == []
    monkeypatch.setattr(prepared, "RACY_FINE_NS", 0)
    monkeypatch.setattr(prepared, "RACY_COARSE_NS", 0)
    assert answer(engine, path) == (3, False)
    assert answer(engine, path) == (3, True)


def test_a_replaced_file_is_a_new_entry(engine: witkit.Engine, tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 5)
    assert answer(engine, path) == (5, False)
    other = tmp_path / "d.wat"
    write(other, 6)
    os.replace(other, path)
    assert answer(engine, path) == (6, False)


def test_damaged_entry_is_a_miss(engine: witkit.Engine, tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 7)
    answer(engine, path)
    (name,) = entries(tmp_path / "cache")
    entry = tmp_path / "cache" / prepared.SUBDIRECTORY / name
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert answer(engine, path) == (7, False)  # decoded again, and the entry rewritten
    assert answer(engine, path) == (7, True)
    entry.write_bytes(b"")
    assert answer(engine, path) == (7, False)


def test_an_entry_copied_over_another_is_a_miss(engine: witkit.Engine, tmp_path: Path) -> None:
    one, two = tmp_path / "one.wat", tmp_path / "two.wat"
    write(one, 11, settle=False)
    write(two, 12)
    assert answer(engine, one) == (11, False)
    before = set(entries(tmp_path / "cache"))
    assert answer(engine, two) == (12, False)
    (name_two,) = set(entries(tmp_path / "cache")) - before
    (name_one,) = before
    directory = tmp_path / "cache" / prepared.SUBDIRECTORY
    (directory / name_two).write_bytes((directory / name_one).read_bytes())
    assert answer(engine, two) == (12, False)  # one's plan is not two's
    assert answer(engine, two) == (12, True)


class _Runs:
    """Pickles as a call of ``print``: what the loader must never make."""

    def __reduce__(self) -> tuple[object, ...]:
        return (print, ("unpickled",))


def test_loading_calls_nothing_but_witkit_records(
    engine: witkit.Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.wat"
    write(path, 13)
    assert answer(engine, path) == (13, False)
    (name,) = entries(tmp_path / "cache")
    cache = tmp_path / "cache"
    real = prepared.load(cache, name)
    assert real is not None
    for planted in (_Runs(), (real, _Runs()), {"x": [_Runs()]}):
        assert prepared.store(cache, name, planted)  # type: ignore[arg-type]
        assert prepared.load(cache, name) is None
    assert capsys.readouterr().out == ""
    assert answer(engine, path) == (13, False)
    assert answer(engine, path) == (13, True)


def test_missing_compiled_module_falls_back(engine: witkit.Engine, tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 8)
    answer(engine, path)
    for compiled in (tmp_path / "cache").glob("*.cwasm"):
        compiled.unlink()
    assert answer(engine, path) == (8, False)
    assert answer(engine, path) == (8, True)


def test_engine_settings_and_features_take_part(tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 9)
    cache = str(tmp_path / "cache")
    assert answer(witkit.Engine(cache_dir=cache), path) == (9, False)
    assert answer(witkit.Engine(cache_dir=cache, consume_fuel=True), path) == (9, False)
    assert answer(witkit.Engine(cache_dir=cache, consume_fuel=True), path) == (9, True)
    engine = witkit.Engine(cache_dir=cache)
    component = witkit.Component.from_file(engine, path, features=Features.all())
    assert component._validated is not None  # other features: validated afresh


def test_no_cache_prepares_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 3)
    engine = witkit.Engine(cache=False, cache_dir=str(tmp_path / "cache"))
    assert answer(engine, path) == (3, False)
    assert answer(engine, path) == (3, False)
    assert entries(tmp_path / "cache") == []


def test_unwritable_cache_still_runs(tmp_path: Path) -> None:
    path = tmp_path / "c.wat"
    write(path, 4)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the directory should be")
    engine = witkit.Engine(cache_dir=str(blocker))
    assert answer(engine, path) == (4, False)
    assert answer(engine, path) == (4, False)
