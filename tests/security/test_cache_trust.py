"""The compile cache is used only where no one else can write: ownership and modes.

Loading a cache entry runs what is in it (compiled machine code, generated
Python code, a pickled plan), so a directory someone else can write is a way
into every process that uses it.  Observed before the fix: root ran a pickle's
``__reduce__`` planted in a cache another user owned.  Checked here, through
``witkit run`` and through the Python API:

* a cache directory (the root, ``core/``, ``components/``, ``code-*/``) owned by
  another user, or writable by group or others, is refused with one warning
  and the run goes on without it, loading nothing from there;
* an ancestor that lets someone else swap the directory (writable by others
  without the sticky bit, or owned by another user, also through a symlink)
  is refused the same way; ``/tmp``-like sticky ancestors are fine;
* every directory witkit creates is 0700, whatever the umask leaves;
* a pickle that would run code is never unpickled, even in a trusted cache.

Foreign ownership needs ``chown``, so those cases run as root (as the suite
does here) and are skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.test_cache_entries import (
    Setup,
    Template,
    assert_runs_as,
    core,
    expected,
    make_command,
    prepared_entries,
    witkit_run,
)
from witkit.runtime import _prepared as prepared
from witkit.runtime import cache as cache_module
from witkit.runtime.cache import ModuleCache
from witkit.runtime.core import Engine

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory away needs root")


@pytest.fixture(autouse=True)
def fresh_verdicts() -> Iterator[None]:
    """Each test judges its directories afresh (verdicts and warnings are kept per process)."""
    for name in ("_verdicts", "_warned"):
        getattr(cache_module, name, {}).clear()
    yield
    for name in ("_verdicts", "_warned"):
        getattr(cache_module, name, {}).clear()


class Evil:
    """A pickle that creates a file when it is loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def warned_once(stderr: bytes, about: Path) -> None:
    lines = stderr.decode().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("witkit: warning: ") and str(about) in lines[0], lines
    assert "Traceback" not in lines[0]


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.rglob("*"))}


def chown_tree(directory: Path, uid: int) -> None:
    os.chown(directory, uid, -1)
    for path in directory.rglob("*"):
        os.chown(path, uid, -1, follow_symlinks=False)


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def filled(commands: Template, tmp_path: Path) -> Setup:
    """A cache in which ``witkit run`` has prepared the two commands (a copy of one)."""
    return Setup(commands, tmp_path)


# --------------------------------------------------------------------------- creation


@pytest.mark.parametrize("spelling", ["WITKIT_CACHE_DIR", "XDG_CACHE_HOME", "HOME"])
def test_every_directory_is_created_owner_only(tmp_path: Path, spelling: str) -> None:
    component = make_command(tmp_path, "a")
    home = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    if spelling == "WITKIT_CACHE_DIR":
        env["WITKIT_CACHE_DIR"] = str(tmp_path / "several" / "levels" / "witkit")
        env["HOME"] = str(home)
        top = tmp_path / "several"
    elif spelling == "XDG_CACHE_HOME":
        env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
        env["HOME"] = str(home)
        top = tmp_path / "xdg"
    else:
        env["HOME"] = str(home)
        home.mkdir(mode=0o755)
        top = home / ".cache"
    proc = subprocess.run(
        [sys.executable, "-m", "witkit", "run", str(component)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask, whatever pytest's is
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, expected("a"), b"")
    made = [top, *sorted(p for p in top.rglob("*") if p.is_dir())]
    names = {p.name for p in made}
    assert {"core", "components"} <= names and any(n.startswith("code-") for n in names)
    modes = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in made}
    assert set(modes.values()) == {"0o700"}, modes


# --------------------------------------------------------------------------- foreign owners


@as_root
@pytest.mark.parametrize("which", ["root", "core", "components", "code"])
def test_foreign_cache_directory_is_refused_by_witkit_run(
    filled: Setup, tmp_path: Path, which: str
) -> None:
    setup = filled
    cache, a = setup.cache, setup.a
    marker = tmp_path / "pwned"
    # The other user plants well-formed entries: b's module under a's key, a
    # pickle that runs a command as a's prepared entry.  Only ownership tells.
    if which in ("root", "core"):
        modules = ModuleCache(core(cache))
        payload = modules.load(setup.b_main.stem)
        assert payload is not None
        assert modules.store(setup.a_main.stem, payload)
    if which != "code":
        prepared.store(core(cache), setup.prepared_a_path.name, Evil(marker))  # type: ignore[arg-type]
    victim = {
        "root": cache,
        "core": core(cache),
        "components": core(cache) / "components",
        "code": next(core(cache).glob("code-*")),
    }[which]
    chown_tree(victim, NOBODY)
    before = snapshot(cache)

    proc = witkit_run(cache, a)
    assert (proc.returncode, proc.stdout) == (0, expected("a")), proc
    warned_once(proc.stderr, victim)
    assert not marker.exists()
    assert snapshot(cache) == before  # nothing read from there was trusted, nothing written


@as_root
def test_files_left_by_another_user_are_not_read(filled: Setup, tmp_path: Path) -> None:
    """The directories are ours again (say, after the warning's advice), but what someone
    else planted while they were writable is still theirs: each such file is a miss."""
    cache, a = filled.cache, filled.a
    marker = tmp_path / "pwned"
    modules = ModuleCache(core(cache))
    payload = modules.load(filled.b_main.stem)
    assert payload is not None and modules.store(filled.a_main.stem, payload)
    prepared.store(core(cache), filled.prepared_a_path.name, Evil(marker))  # type: ignore[arg-type]
    code = sorted(next(core(cache).glob("code-*")).iterdir())
    for entry in code[1:]:
        entry.write_bytes(code[0].read_bytes())
    for planted in (filled.a_main, filled.prepared_a_path, *code[1:]):
        os.chown(planted, NOBODY, -1)
    assert_runs_as(cache, a, "a")
    assert not marker.exists()
    for planted in (filled.a_main, filled.prepared_a_path):
        assert planted.stat().st_uid == os.geteuid()  # replaced by our own
    assert_runs_as(cache, a, "a")


@as_root
def test_foreign_cache_is_refused_by_the_api_with_one_warning(tmp_path: Path) -> None:
    location = tmp_path / "cache"
    location.mkdir(mode=0o700)
    marker = tmp_path / "pwned"
    key = "0" * 64
    prepared.store(location, key, Evil(marker))  # type: ignore[arg-type]
    chown_tree(location, NOBODY)
    with pytest.warns(cache_module.CacheWarning, match=str(location)) as caught:
        first = Engine(cache_dir=str(location))
        second = Engine(cache_dir=str(location))
        assert prepared.load(location, key) is None
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it names the caller's line, not witkit's
    assert first.cache is None and second.cache is None
    assert not marker.exists()


@as_root
def test_root_refuses_a_cache_owned_by_another_user_even_if_private(tmp_path: Path) -> None:
    """Mode 0700 but another owner: that user can write it, and root would run it."""
    location = tmp_path / "theirs"
    location.mkdir(mode=0o700)
    os.chown(location, NOBODY, -1)
    with pytest.warns(cache_module.CacheWarning, match="owned by"):
        assert Engine(cache_dir=str(location)).cache is None


# --------------------------------------------------------------------------- modes


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o730, 0o707, 0o702, 0o1777])
def test_group_or_other_writable_cache_is_refused(tmp_path: Path, mode: int) -> None:
    location = tmp_path / "cache"
    location.mkdir()
    os.chmod(location, mode)
    with pytest.warns(cache_module.CacheWarning, match="writable"):
        assert Engine(cache_dir=str(location)).cache is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Engine(cache_dir=str(location)).cache is None  # said once only


@pytest.mark.parametrize("mode", [0o700, 0o750, 0o755])
def test_owner_only_writable_cache_is_used(tmp_path: Path, mode: int) -> None:
    location = tmp_path / "cache"
    location.mkdir()
    os.chmod(location, mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Engine(cache_dir=str(location)).cache is not None


def test_writable_subdirectory_is_refused_through_witkit_run(filled: Setup, tmp_path: Path) -> None:
    cache, a = filled.cache, filled.a
    components = core(cache) / "components"
    marker = tmp_path / "pwned"
    for entry in prepared_entries(cache):
        # what someone else could have put there: a's entry, as a pickle that runs a command
        prepared.store(core(cache), entry.name, Evil(marker))  # type: ignore[arg-type]
    os.chmod(components, 0o777)
    proc = witkit_run(cache, a)
    assert (proc.returncode, proc.stdout) == (0, expected("a")), proc
    warned_once(proc.stderr, components)
    assert not marker.exists()


# --------------------------------------------------------------------------- ancestors


@pytest.mark.parametrize(
    ("mode", "owner", "refused"),
    [
        (0o777, None, True),  # anyone may rename the cache away and put theirs in its place
        (0o1777, None, False),  # sticky, like /tmp: only the cache's owner may rename it
        (0o775, None, True),
        (0o755, None, False),
        (0o755, NOBODY, True),  # its owner may swap the cache
        (0o1777, NOBODY, True),  # a sticky directory's owner may too
    ],
)
def test_ancestors_that_let_someone_swap_the_cache(
    tmp_path: Path, mode: int, owner: int | None, refused: bool
) -> None:
    if owner is not None and os.geteuid() != 0:
        pytest.skip("giving a directory away needs root")
    parent = tmp_path / "parent"
    parent.mkdir()
    location = parent / "witkit" / "core"
    location.mkdir(parents=True, mode=0o700)
    os.chmod(parent / "witkit", 0o700)
    os.chmod(parent, mode)
    if owner is not None:
        os.chown(parent, owner, -1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine = Engine(cache_dir=str(location))
    assert (engine.cache is None) == refused
    assert len(caught) == (1 if refused else 0), [str(w.message) for w in caught]
    if refused:
        assert caught[0].category is cache_module.CacheWarning
        assert str(parent) in str(caught[0].message)


def test_symlink_in_a_writable_directory_is_refused(tmp_path: Path) -> None:
    """The link itself can be swapped by whoever can write where it lives."""
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    public = tmp_path / "public"
    public.mkdir()
    os.chmod(public, 0o777)
    (public / "cache").symlink_to(real)
    with pytest.warns(cache_module.CacheWarning, match=str(public)):
        assert Engine(cache_dir=str(public / "cache")).cache is None


def test_symlink_to_a_writable_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.chmod(target, 0o777)
    (tmp_path / "link").symlink_to(target)
    with pytest.warns(cache_module.CacheWarning, match=str(target)):
        assert Engine(cache_dir=str(tmp_path / "link")).cache is None


def test_symlink_to_a_private_directory_is_used(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Engine(cache_dir=str(tmp_path / "link")).cache is not None


# --------------------------------------------------------------------------- the pickle


def test_a_pickle_that_runs_code_is_never_loaded_even_from_a_trusted_cache(
    filled: Setup, tmp_path: Path
) -> None:
    """Defence in depth: prepared entries unpickle witkit's record classes only."""
    cache, a = filled.cache, filled.a
    marker = tmp_path / "pwned"
    entries = prepared_entries(cache)
    for entry in entries:
        prepared.store(core(cache), entry.name, Evil(marker))  # type: ignore[arg-type]
    assert_runs_as(cache, a, "a")
    assert not marker.exists()
    assert_runs_as(cache, a, "a")  # and the entry was rewritten with the real plan
    assert not marker.exists()
    # a's entry holds its plan again; b's still holds the pickle, and loads as nothing
    loaded = [prepared.load(core(cache), entry.name) for entry in entries]
    assert len(entries) == 2 and sorted(x is None for x in loaded) == [False, True]
    assert not marker.exists()


def test_refused_cache_still_runs_without_it(filled: Setup) -> None:
    cache, b = filled.cache, filled.b
    os.chmod(core(cache), 0o777)
    shutil.rmtree(core(cache) / "components")
    for _ in range(2):
        proc = witkit_run(cache, b)
        assert (proc.returncode, proc.stdout) == (0, expected("b"))
        warned_once(proc.stderr, core(cache))
    assert not (core(cache) / "components").exists()  # nothing stored in a refused cache
