"""The preopen walk under a race: a guest loops over every path operation while the name it
walks through is swapped with a symlink that points out of the preopen.

The guest is ``tests/fixtures/c/fs_race.c`` (wasi-libc, preview1 adapter), run in this process
by :func:`witkit.wasi.command.run_component`.  Every round spells each operation twice,
``race/d`` and ``race/d/`` (open, open-and-create through the directory descriptor, stat,
lstat, set-times both ways, readdir, mkdir, unlink, rmdir, rename both ends and the directory
itself, symlink, link both ends, readlink); ``stat`` also reaches ``metadata-hash-at``.

The attacker has two shapes:

* a host process exchanging ``race/d`` (a directory) and ``race/alt`` (``../../outdir``) with
  ``renameat2(RENAME_EXCHANGE)`` as fast as it can (``rename`` pairs where the call is missing);
* a second guest in the same process, sharing the preopen, moving ``race/d`` away and a
  relative symlink to the outside in its place, and back (no host help at all).

An escape is counted by the guest when it sees the outside (the canary's text, the outside
directory's link count or its entries, a link target); whatever it could change outside is
checked here: no file or directory beyond the preopen may have a new ctime, mtime, content or
entry.  The walk is run twice, with ``openat2`` as the belt and with the portable walk alone.

Default rounds keep each case to a few seconds; ``WITKIT_SECURITY_SCALE=N`` multiplies them
(``N=8`` gives 108 000 racing operations per case).
"""

from __future__ import annotations

import ctypes
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.build import Fixture, build_fixture
from tests.wasi.walk_belt import belt
from witkit.wasi import WasiConfig
from witkit.wasi.command import run_component

SCALE = max(1, int(os.environ.get("WITKIT_SECURITY_SCALE", "1")))
#: rounds of the operation loop (45 racing operations each) per case
ROUNDS = 300 * SCALE

#: the host attacker: exchange race/d and race/alt until the stop file appears
SWAPPER = r"""
import ctypes, os, sys
race, stop = sys.argv[1], sys.argv[2]
fd = os.open(race, os.O_RDONLY | os.O_DIRECTORY)
libc = ctypes.CDLL(None, use_errno=True)
exchange = getattr(libc, "renameat2", None)
swaps = 0
while not os.path.exists(stop):
    if swaps == 1000:
        print("ready", flush=True)  # running at full speed before the guest starts
    for _ in range(500):
        if exchange is not None:
            exchange(fd, b"d", fd, b"alt", 2)  # RENAME_EXCHANGE
        else:
            try:
                os.rename("d", "tmp", src_dir_fd=fd, dst_dir_fd=fd)
                os.rename("alt", "d", src_dir_fd=fd, dst_dir_fd=fd)
                os.rename("tmp", "alt", src_dir_fd=fd, dst_dir_fd=fd)
            except OSError:
                pass
        swaps += 1
print(swaps, flush=True)
"""

OLD = 1_000_000_000  # the outside's timestamps before the run (2001)


def race_guest() -> Path:
    return build_fixture(
        Fixture("c_fs_race", "c", ("c/fs_race.c",), "races path operations against swaps")
    )


def layout(outer: Path, *, with_alt: bool) -> None:
    """``outer/{outdir/, outside.txt, box/{race/d/, race/alt, priv/f}}``; box is the preopen."""
    out = outer / "outdir"
    outer.mkdir(exist_ok=True)
    for sub in ("victimdir", "s1", "s2"):
        (out / sub).mkdir(parents=True)
    (out / "canary.txt").write_text("OUTSIDE\n")
    (out / "victim").write_text("victim\n")
    (out / "lnk").symlink_to("outside-target")
    (outer / "outside.txt").write_text("OUTSIDE-FILE\n")
    inside = outer / "box" / "race" / "d"
    inside.mkdir(parents=True)
    (inside / "canary.txt").write_text("INSIDE\n")
    (inside / "lnk").symlink_to("inside-target")
    if with_alt:
        (outer / "box" / "race" / "alt").symlink_to("../../outdir")
    (outer / "box" / "priv").mkdir()
    (outer / "box" / "priv" / "f").write_text("f\n")
    for path in [*out.rglob("*"), out, outer / "outside.txt", outer]:
        os.utime(path, ns=(OLD, OLD), follow_symlinks=False)


def outside(outer: Path) -> dict[str, tuple[int, int, str]]:
    """Everything beyond the preopen: ctime, mtime and content (or link target) of each entry."""
    seen: dict[str, tuple[int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(outer):
        if Path(dirpath) == outer:
            dirnames.remove("box")
        for name in [".", *dirnames, *filenames]:
            path = Path(dirpath, name)
            s = path.lstat()
            if path.is_symlink():
                body = "-> " + os.readlink(path)
            elif path.is_dir():
                body = "<dir>"
            else:
                body = path.read_text()
            seen[str(path.relative_to(outer))] = (s.st_ctime_ns, s.st_mtime_ns, body)
    return seen


def run_guest(box: Path, *args: str, read_only: bool = False) -> tuple[int, str]:
    out = io.BytesIO()
    config = (
        WasiConfig()
        .args("fs_race", "/sb", *args)
        .preopen_dir(box, "/sb", read_only=read_only)
        .stdout(out)
    )
    status = run_component(race_guest(), config)
    return status, out.getvalue().decode()


def changed(before: dict[str, tuple[int, int, str]], outer: Path) -> list[str]:
    """Entries beyond the preopen that are new, gone or touched since ``before``."""
    after = outside(outer)
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def counts(stdout: str) -> tuple[int, dict[str, int]]:
    ops, escapes = 0, {}
    for line in stdout.splitlines():
        word, *rest = line.split()
        if word == "ops":
            ops = int(rest[0])
        elif word == "escape":
            escapes[rest[0]] = int(rest[1])
    return ops, escapes


@pytest.fixture(params=["openat2", "portable"])
def walk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways of opening one component: with the openat2 belt and without (proved)."""
    with belt(monkeypatch, request.param == "openat2"):
        yield request.param


@pytest.mark.parametrize("read_only", [False, True], ids=["dir", "dir-ro"])
def test_host_swapping_a_symlink_in(tmp_path: Path, walk: str, read_only: bool) -> None:
    """A host process exchanges race/d and an escaping symlink while the guest races."""
    outer = tmp_path / "outer"
    layout(outer, with_alt=True)
    before = outside(outer)
    stop = tmp_path / "stop"
    swapper = subprocess.Popen(
        [sys.executable, "-c", SWAPPER, str(outer / "box" / "race"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert swapper.stdout is not None
        assert swapper.stdout.readline().strip() == "ready"
        started = time.monotonic()
        status, stdout = run_guest(outer / "box", "ops", str(ROUNDS), read_only=read_only)
        elapsed = time.monotonic() - started
    finally:
        stop.touch()
        swapped, _ = swapper.communicate(timeout=60)
    ops, escapes = counts(stdout)
    touched = changed(before, outer)
    print(f"{walk} ro={read_only}: {ops} ops in {elapsed:.2f}s, {swapped.strip()} swaps")
    print(f"  escapes seen by the guest {escapes}, touched outside {touched}")
    assert status == 0
    assert ops >= 40 * ROUNDS
    assert int(swapped) > 0
    assert (escapes, touched) == ({}, [])


@pytest.mark.parametrize("read_only", [False, True], ids=["dir", "dir-ro"])
def test_two_guests_sharing_a_preopen(tmp_path: Path, walk: str, read_only: bool) -> None:
    """No host help: a second guest in this process swaps in the symlink by rename (the
    victim's grant of the same directory may be read-only; the attacker's is not)."""
    layout(tmp_path, with_alt=False)
    before = outside(tmp_path)
    box = tmp_path / "box"
    swapper: dict[str, tuple[int, str]] = {}

    def swap() -> None:
        swapper["result"] = run_guest(box, "swap")

    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    try:
        status, stdout = run_guest(box, "ops", str(ROUNDS), read_only=read_only)
    finally:
        (box / "race" / "done").touch()
        thread.join(timeout=60)
    ops, escapes = counts(stdout)
    touched = changed(before, tmp_path)
    swap_status, swap_out = swapper["result"]
    print(f"{walk} ro={read_only}: {ops} ops, {swap_out.strip()}")
    print(f"  escapes seen by the guest {escapes}, touched outside {touched}")
    assert (status, swap_status) == (0, 0)
    assert ops >= 40 * ROUNDS
    assert int(swap_out.split()[1]) > 0
    assert (escapes, touched) == ({}, [])


def test_renameat2_is_what_the_swapper_calls() -> None:
    """The host attacker exchanges atomically where libc has renameat2 (glibc 2.28+)."""
    assert hasattr(ctypes.CDLL(None), "renameat2")
