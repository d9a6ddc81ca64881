"""Every path operation on every kind of last component, written ``x``, ``x/``, ``x/.`` and
``x//``: witkit answers as wasmtime does, leaves the same files, and touches nothing outside.

The guest is ``tests/fixtures/c/fs_slash.c``: 24 operations (open with eight flag sets, stat,
lstat, utimensat with and without following, opendir, mkdir, unlink, rmdir, rename from and to
with and without a slash, symlink, link from and to, readlink) on ten kinds of name (a
directory, an empty one, a file, links to each, links out of the preopen to a directory and a
file, a dangling link, nothing), each case in a tree of its own, one line per case.  The
oracles are ``wasmtime run`` (``--dir``) and wasmtime's own WASI host with
``fs_mutable=False`` (``--dir-ro``).  witkit runs in this process, with the ``openat2`` belt
and with the portable walk alone.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.build import Fixture, build_fixture
from tests.wasi.test_differential import TIMEOUT, tree, wasmtime_binary
from tests.wasi.test_sandbox_guest import run_in_wasmtime_py
from tests.wasi.walk_belt import belt
from witkit.wasi import WasiConfig
from witkit.wasi.command import run_component

#: 24 operations x 10 kinds of name x 4 spellings, one tree each
TREES = 960
LINKS = {
    "ldir": "dir",
    "lfile": "file",
    "lempty": "empty",
    "lout": "../../../outside",
    "loutf": "../../../outside.txt",
    "ldang": "nope",
}


def slash_guest() -> Path:
    return build_fixture(
        Fixture("c_fs_slash", "c", ("c/fs_slash.c",), "path operations x, x/, x/., x//")
    )


def layout(outer: Path) -> Path:
    """``outer/{outside/out.txt, outside.txt, box/c/0..959/...}``: returns the preopen ``box``."""
    (outer / "outside").mkdir(parents=True)
    (outer / "outside" / "out.txt").write_text("OUTSIDE\n")
    (outer / "outside.txt").write_text("OUTSIDE-FILE\n")
    box = outer / "box"
    for i in range(TREES):
        t = box / "c" / str(i)
        (t / "dir").mkdir(parents=True)
        (t / "dir" / "inner.txt").write_text("inner\n")
        (t / "empty").mkdir()
        (t / "src_dir").mkdir()
        (t / "file").write_text("file\n")
        (t / "src_file").write_text("src\n")
        for name, target in LINKS.items():
            (t / name).symlink_to(target)
    return box


def outside(outer: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(outer)): (p.lstat().st_ctime_ns, p.lstat().st_mtime_ns)
        for p in (outer, outer / "outside", outer / "outside" / "out.txt", outer / "outside.txt")
    }


def results(stdout: bytes) -> dict[str, str]:
    lines = stdout.decode().splitlines()
    assert lines[-1] == f"trees {TREES}"
    return dict(line.split(" -> ", 1) for line in lines[:-1])


def run_witkit(box: Path, *, read_only: bool) -> bytes:
    out = io.BytesIO()
    config = (
        WasiConfig()
        .args("fs_slash", "/sb")
        .preopen_dir(box, "/sb", read_only=read_only)
        .stdout(out)
    )
    assert run_component(slash_guest(), config) == 0
    return out.getvalue()


def run_wasmtime_cli(box: Path) -> bytes:
    proc = subprocess.run(
        [str(wasmtime_binary()), "run", "--dir", f"{box}::/sb", str(slash_guest()), "/sb"],
        capture_output=True,
        timeout=TIMEOUT,
        check=True,
    )
    return proc.stdout


def run_wasmtime_read_only(box: Path) -> bytes:
    """wasmtime's WASI host with the preopen not mutable (the CLI has no such flag)."""
    return run_in_wasmtime_py(
        slash_guest(), ["fs_slash", "/sb"], [(box, "/sb", False)], box.parent / "stdout"
    )


@pytest.fixture(scope="module")
def oracle(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[bytes, dict[str, bytes | str]]]:
    """wasmtime's answers (and the trees it left), once for both walks."""
    answers = {}
    for mode, runner in (("dir", run_wasmtime_cli), ("dir-ro", run_wasmtime_read_only)):
        box = layout(tmp_path_factory.mktemp(f"wasmtime-{mode}"))
        answers[mode] = (runner(box), tree(box))
    return answers


@pytest.fixture(params=["openat2", "portable"])
def walk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways of opening one component: with the openat2 belt and without (proved)."""
    with belt(monkeypatch, request.param == "openat2"):
        yield request.param


@pytest.mark.parametrize("mode", ["dir", "dir-ro"])
def test_same_answers_and_files_as_wasmtime(
    tmp_path: Path,
    walk: str,
    mode: str,
    oracle: dict[str, tuple[bytes, dict[str, bytes | str]]],
) -> None:
    box = layout(tmp_path)
    before = outside(tmp_path)
    stdout = run_witkit(box, read_only=mode == "dir-ro")
    expected, expected_tree = oracle[mode]
    mine, theirs = results(stdout), results(expected)
    assert [f"{k} -> {v}  (wasmtime: {theirs[k]})" for k, v in mine.items() if theirs[k] != v] == []
    assert tree(box) == expected_tree
    assert outside(tmp_path) == before


def test_the_cases_named_in_the_issue(tmp_path: Path) -> None:
    """Open-at directory|no-follow on a link is loop; renaming ``link_to_dir/`` is not-directory."""
    got = results(run_witkit(layout(tmp_path), read_only=False))
    assert got["open_dir_nofollow ldir"] == "Symbolic link loop"
    assert got["rename_from ldir/"] == "Not a directory"
    # and a trailing slash never reaches outside, whatever the operation
    for case, answer in got.items():
        if case.split()[1].startswith(("lout/", "loutf/", "lout//", "loutf//")):
            assert "OUTSIDE" not in answer and answer != "ok", case
