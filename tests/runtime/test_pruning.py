"""The cache as a whole: sizes per kind, clean, least-recently-used pruning, its triggers.

Every case fills a private cache through the real writers (``witkit run``, the
module and code caches), so the formats checked here are the ones on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import witkit
from witkit.runtime import _codecache as codecache
from witkit.runtime import _prepared as prepared
from witkit.runtime import cache as cache_module
from witkit.runtime import pruning
from witkit.wat import assemble

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.wat"


def run_hello(cache_root: Path, *extra_env: tuple[str, str]) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "WITKIT_CACHE_DIR": str(cache_root), "PYTHONPATH": str(ROOT / "src")}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "witkit", "run", str(HELLO)],
        env=env,
        capture_output=True,
        check=False,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache ``witkit run`` filled with all three kinds of entry."""
    root = tmp_path_factory.mktemp("template") / "witkit"
    done = run_hello(root)
    assert done.returncode == 0 and done.stdout == b"Hello, world!\n", done
    return root


@pytest.fixture
def root(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "witkit"
    shutil.copytree(template, copy, symlinks=True)
    for path in [copy, *copy.rglob("*")]:
        if path.is_dir():
            path.chmod(0o700)
    return copy


def core(root: Path) -> Path:
    return root / cache_module.SUBDIRECTORY


def files(root: Path) -> dict[str, list[Path]]:
    """The cache's files by kind, links (and what is behind them) left out."""
    location = core(root)

    def real(paths: list[Path]) -> list[Path]:
        return sorted(p for p in paths if not p.is_symlink() and not p.parent.is_symlink())

    return {
        "modules": real(list(location.glob("*.cwasm"))),
        "code": real([p for p in location.glob("code-*/*") if "." not in p.name]),
        "prepared": real(list((location / prepared.SUBDIRECTORY).glob("*"))),
    }


def test_the_formats_are_the_writers() -> None:
    assert pruning._MODULE_MAGIC == cache_module.MAGIC
    assert pruning._TRAILER_SIZE == cache_module.TRAILER_SIZE
    assert pruning._MODULE_SUFFIX == cache_module._SUFFIX
    assert pruning._CODE_MAGIC == codecache._MAGIC
    assert pruning._PREPARED_MAGIC == prepared._MAGIC
    assert pruning._PREPARED_DIRECTORY == prepared.SUBDIRECTORY


def test_usage_counts_each_kind(root: Path) -> None:
    found = files(root)
    assert all(found.values()), found
    usage = pruning.usage(str(core(root)))
    for kind, paths in found.items():
        assert usage.entries[kind] == len(paths)
        assert usage.bytes[kind] == sum(p.stat().st_blocks * 512 for p in paths)
    assert usage.entries["other"] == 0


def test_usage_of_a_missing_cache_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    assert pruning.usage(str(tmp_path / "none" / "core")).total_entries == 0
    assert not (tmp_path / "none").exists()


def plant_outside(root: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    """Links from the cache to files and directories outside it, and foreign files inside."""
    location = core(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = []
    for path in files(root)["modules"][:1] + files(root)["prepared"][:1]:
        copy = outside / path.name
        shutil.copy(path, copy)  # a valid witkit file, but not in the cache
        victims.append(copy)
    (location / "link.cwasm").symlink_to(victims[0])
    (location / "linked-dir").symlink_to(outside, target_is_directory=True)
    (location / "code-linked").symlink_to(outside, target_is_directory=True)
    for name in ("notes.txt", f"{'0' * 64}.cwasm"):  # the second: a cwasm name, not our format
        (location / name).write_bytes(b"mine, not witkit's")
        victims.append(location / name)
    foreign = location / prepared.SUBDIRECTORY / ("f" * 64)
    foreign.write_bytes(b"not a prepared entry")
    victims.append(foreign)
    return outside, victims


def test_clean_removes_witkit_files_only_and_follows_no_link(root: Path, tmp_path: Path) -> None:
    outside, victims = plant_outside(root, tmp_path)
    before = pruning.usage(str(core(root)))
    removed = pruning.clean(str(core(root)))
    assert removed.entries["modules"] == before.entries["modules"] - 1  # the foreign .cwasm
    assert removed.total_entries == before.total_entries - 3  # notes.txt, the foreign prepared
    remaining = {path for paths in files(root).values() for path in paths}
    assert remaining == {victims[3], victims[4]}
    for victim in victims:
        assert victim.exists(), victim
    for link in ("link.cwasm", "linked-dir", "code-linked"):
        assert (core(root) / link).is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == sorted(v.name for v in victims[:2])
    assert (core(root) / prepared.SUBDIRECTORY).is_dir()  # a foreign file keeps it
    assert not list(core(root).glob("code-*[!d]"))  # the emptied code directory is gone


def test_prune_never_touches_links_or_foreign_files(root: Path, tmp_path: Path) -> None:
    _, victims = plant_outside(root, tmp_path)
    pruning.prune(str(core(root)), 0)
    remaining = {path for paths in files(root).values() for path in paths}
    assert remaining == {victims[3], victims[4]}
    for victim in victims:
        assert victim.exists(), victim


def test_prune_removes_least_recently_used_first(root: Path) -> None:
    location = core(root)
    entries = [p for paths in files(root).values() for p in paths]
    now = time.time()
    for age, path in enumerate(entries):  # entries[0] is the newest
        os.utime(path, (now - age * 10, now - age * 10))
    sizes = [p.stat().st_blocks * 512 for p in entries]
    keep = len(entries) // 2
    removed = pruning.prune(str(location), sum(sizes[:keep]))
    assert removed.total_entries == len(entries) - keep
    assert [p.exists() for p in entries] == [True] * keep + [False] * (len(entries) - keep)
    assert pruning.prune(str(location), sum(sizes[:keep])).total_entries == 0


def test_prune_removes_stale_debris(root: Path) -> None:
    location = core(root)
    old, fresh = location / f".{'a' * 64}.lock", location / f"{'b' * 64}.cwasm.1.2.tmp"
    old.touch()
    fresh.touch()
    os.utime(old, (time.time() - 2 * pruning.STALE_AFTER,) * 2)
    removed = pruning.prune(str(location), 1 << 40)
    assert removed.entries["debris"] == 1 and not old.exists() and fresh.exists()


def test_an_untrusted_cache_is_refused(root: Path) -> None:
    location = core(root)
    location.chmod(0o777)
    cache_module._verdicts.clear()
    for action in (pruning.usage, pruning.clean, lambda where: pruning.prune(where, 0)):
        with pytest.raises(pruning.CacheRefused, match="writable by group and others"):
            action(str(location))
    assert all(files(root).values())


def test_a_load_records_use_at_most_hourly(tmp_path: Path) -> None:
    store = cache_module.ModuleCache(tmp_path / "core")
    store.max_size = 1 << 40
    assert store.store("k" * 64, b"artifact")
    path = Path(store.path_for("k" * 64))
    hour = pruning.USE_RESOLUTION
    os.utime(path, (0, time.time() - hour / 2))
    recent = path.stat().st_mtime_ns
    assert store.lookup("k" * 64) == str(path)
    assert path.stat().st_mtime_ns == recent  # within the hour: no write
    os.utime(path, (0, time.time() - 2 * hour))
    assert store.lookup("k" * 64) == str(path)
    assert time.time() - path.stat().st_mtime < 60
    assert cache_module._USE_RESOLUTION == pruning.USE_RESOLUTION


def test_configured_max_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WITKIT_CACHE_MAX_SIZE", raising=False)
    assert pruning.configured_max_size() == pruning.DEFAULT_MAX_SIZE == 512 << 20
    assert pruning.configured_max_size(5) == 5
    for text, size in (("2GiB", 2 << 30), ("800M", 800 << 20), ("off", None), ("junk", 512 << 20)):
        monkeypatch.setenv("WITKIT_CACHE_MAX_SIZE", text)
        assert pruning.configured_max_size() == size
    assert [pruning.parse_size(t) for t in ("0", "64KiB", "1k", "3 MB", "x", "")] == [
        0,
        64 << 10,
        1 << 10,
        3 << 20,
        None,
        None,
    ]


def test_a_store_prunes_at_most_once_per_interval(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = core(root)
    monkeypatch.setattr(pruning, "_next_check", 0.0)
    engine = witkit.Engine(cache_dir=str(location), cache_max_size=0)
    assert engine.cache is not None and engine.cache.max_size == 0
    stamp = location / pruning.STAMP
    stamp.unlink(missing_ok=True)

    engine.compile(assemble('(module (func (export "a")))'))
    # over the limit (0): everything but what cannot be removed is gone, the stamp is set
    assert not any(files(root).values()) and stamp.is_file()

    monkeypatch.setattr(pruning, "_next_check", 0.0)  # another process: the stamp says wait
    engine.compile(assemble('(module (func (export "b")))'))
    assert len(files(root)["modules"]) == 1

    monkeypatch.setattr(pruning, "_next_check", 0.0)
    os.utime(stamp, (0, time.time() - pruning.CHECK_INTERVAL - 1))
    engine.compile(assemble('(module (func (export "c")))'))
    assert not files(root)["modules"]


def test_the_environment_limit_reaches_witkit_run(root: Path) -> None:
    stamp = core(root) / pruning.STAMP
    modules = len(files(root)["modules"])
    stamp.unlink(missing_ok=True)
    pruning.clean(str(core(root)))
    done = run_hello(root, ("WITKIT_CACHE_MAX_SIZE", "0"))
    assert done.returncode == 0, done
    # the first store pruned (everything, against a limit of 0); the next ones waited
    assert stamp.is_file() and len(files(root)["modules"]) == modules - 1
    stamp.unlink()
    pruning.clean(str(core(root)))
    done = run_hello(root, ("WITKIT_CACHE_MAX_SIZE", "off"))
    assert done.returncode == 0 and not stamp.exists() and files(root)["modules"]


def test_pruning_while_other_processes_load(root: Path) -> None:
    """Entries removed while warm runs map and read them: every run still succeeds.

    Each removal is an unlink, so a reader that holds the file keeps it; a
    reader that finds the name gone compiles again.  (Pruning by truncating the
    files instead ends these runs with SIGBUS or wrong results.)
    """
    location = str(core(root))
    stop = threading.Event()
    pruned = [0]

    def pruner() -> None:
        while not stop.is_set():
            pruned[0] += pruning.prune(location, 0).total_entries
            time.sleep(0.002)

    thread = threading.Thread(target=pruner)
    thread.start()
    try:
        runs = []
        deadline = time.monotonic() + 6 * float(os.environ.get("WITKIT_SECURITY_SCALE", "1"))
        while time.monotonic() < deadline or len(runs) < 8:
            batch = [
                subprocess.Popen(
                    [sys.executable, "-m", "witkit", "run", str(HELLO)],
                    env={
                        **os.environ,
                        "WITKIT_CACHE_DIR": str(root),
                        "PYTHONPATH": str(ROOT / "src"),
                    },
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                for _ in range(2)
            ]
            for proc in batch:
                out, err = proc.communicate()
                runs.append((proc.returncode, out, err))
    finally:
        stop.set()
        thread.join()
    assert pruned[0] > len(runs) // 2
    for status, out, err in runs:
        assert (status, out, err) == (0, b"Hello, world!\n", b"")


MAPPED = """
import sys
import witkit
from witkit.runtime import pruning
from witkit.wat import assemble

location = sys.argv[1]
body = "".join(f"(func (export \\"f{i}\\") (result i32) i32.const {i})" for i in range(2000))
wasm = assemble(f"(module {body})")
witkit.Engine(cache_dir=location).compile(wasm)  # stored
engine = witkit.Engine(cache_dir=location)
module = engine.compile(wasm)
assert module.from_cache  # mapped from the file
assert pruning.prune(location, 0).entries["modules"] == 1
instance = witkit.Store(engine).instantiate(module, [])
print(sum(instance.func(f"f{i}")() for i in range(2000)))
"""


def test_a_module_mapped_from_a_pruned_file_keeps_running(tmp_path: Path) -> None:
    """wasmtime runs machine code from the mapped file: pruning unlinks, so the pages stay.
    (A pruner that truncated the file instead kills this process with SIGBUS.)"""
    done = subprocess.run(
        [sys.executable, "-c", MAPPED, str(tmp_path / "core")],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "WITKIT_CACHE_MAX_SIZE": "off"},
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"%d\n" % sum(range(2000)), b"")
