"""The filesystem sandbox: escape attempts fail with the spec's error code, and nothing outside changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from witkit.wasi.errno import FsError
from witkit.wasi.filesystem import Descriptor, NewTimestamp, open_preopen

NO_FLAGS: frozenset[str] = frozenset()
FOLLOW = frozenset({"symlink-follow"})
READ = frozenset({"read"})
WRITE = frozenset({"write"})
RW = frozenset({"read", "write"})
CREATE = frozenset({"create"})


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under root with its kind and content (files) or target (links)."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", b"")
            else:
                out[rel] = ("file", p.read_bytes())
    return out


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, Path, Descriptor]]:
    """``outside/secret`` beside ``sandbox/`` (the preopen), with links of every kind."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"top secret")
    box = tmp_path / "sandbox"
    box.mkdir()
    (box / "sub").mkdir()
    (box / "sub" / "deeper").mkdir()
    (box / "file.txt").write_bytes(b"hello")
    (box / "sub" / "inner.txt").write_bytes(b"inner")
    os.symlink("../outside/secret", box / "up-link")
    os.symlink(str(outside / "secret"), box / "abs-link")
    os.symlink(str(outside), box / "abs-dir-link")
    os.symlink("../../outside", box / "sub" / "up2-link")
    os.symlink("file.txt", box / "ok-link")
    os.symlink("sub/deeper/../../file.txt", box / "ok-dotdot-link")
    os.symlink("loop-b", box / "loop-a")
    os.symlink("loop-a", box / "loop-b")
    os.symlink("sub", box / "sub-link")
    root = open_preopen(box, read_only=False)
    yield outside, box, root


ESCAPES = [
    "..",
    "../outside/secret",
    "sub/../../outside/secret",
    "sub/deeper/../../../outside/secret",
    "./../outside",
    "sub/./../..",
    "/etc/passwd",
    "/",
    "//outside",
    "sub-link/../../outside/secret",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_dotdot_and_absolute_paths_are_not_permitted(
    world: tuple[Path, Path, Descriptor], path: str
) -> None:
    outside, _box, root = world
    before = snapshot(outside.parent)
    for attempt in (
        lambda: root.open_at(NO_FLAGS, path, NO_FLAGS, READ),
        lambda: root.open_at(FOLLOW, path, CREATE, WRITE),
        lambda: root.stat_at(FOLLOW, path),
        lambda: root.stat_at(NO_FLAGS, path),
        lambda: root.create_directory_at(path + "/newdir"),
        lambda: root.unlink_file_at(path),
        lambda: root.readlink_at(path),
        lambda: root.symlink_at("x", path + "/x"),
    ):
        with pytest.raises(FsError) as info:
            attempt()
        assert info.value.code == "not-permitted", (path, info.value)
    assert snapshot(outside.parent) == before


@pytest.mark.parametrize(
    "link", ["up-link", "abs-link", "abs-dir-link/secret", "sub/up2-link/secret"]
)
def test_symlinks_leading_outside_are_not_followed(
    world: tuple[Path, Path, Descriptor], link: str
) -> None:
    _outside, _box, root = world
    with pytest.raises(FsError) as info:
        root.open_at(FOLLOW, link, NO_FLAGS, READ)
    assert info.value.code == "not-permitted"
    with pytest.raises(FsError) as info:
        root.stat_at(FOLLOW, link)
    assert info.value.code == "not-permitted"


def test_writing_through_outside_symlink_changes_nothing(
    world: tuple[Path, Path, Descriptor],
) -> None:
    outside, _box, root = world
    before = snapshot(outside)
    for flags in (CREATE, frozenset({"truncate"})):
        with pytest.raises(FsError) as info:
            root.open_at(FOLLOW, "up-link", flags, WRITE)
        assert info.value.code == "not-permitted"
    # without follow the final symlink itself is refused, never traversed
    with pytest.raises(FsError) as info:
        root.open_at(NO_FLAGS, "up-link", frozenset({"truncate"}), WRITE)
    assert info.value.code == "loop"
    with pytest.raises(FsError):
        root.set_times_at(FOLLOW, "abs-link", NewTimestamp("now"), NewTimestamp("now"))
    assert snapshot(outside) == before


def test_symlinks_within_the_sandbox_work(world: tuple[Path, Path, Descriptor]) -> None:
    _outside, _box, root = world
    for link in ("ok-link", "ok-dotdot-link"):
        f = root.open_at(FOLLOW, link, NO_FLAGS, READ)
        assert f.read(100, 0) == (b"hello", False)
    assert root.stat_at(NO_FLAGS, "ok-link").type == "symbolic-link"
    assert root.stat_at(FOLLOW, "ok-link").type == "regular-file"
    inner = root.open_at(NO_FLAGS, "sub-link/inner.txt", NO_FLAGS, READ)
    assert inner.read(100, 0)[0] == b"inner"
    assert root.readlink_at("up-link") == "../outside/secret"  # reading a link is fine


@pytest.mark.parametrize("link", ["abs-link", "abs-dir-link"])
def test_absolute_link_targets_are_not_revealed(
    world: tuple[Path, Path, Descriptor], link: str
) -> None:
    """readlink of a link to a host path is not-permitted: the text would name host directories
    (wasmtime's readlink-at goes through cap-std's read_link, which refuses it too)."""
    _outside, _box, root = world
    with pytest.raises(FsError) as info:
        root.readlink_at(link)
    assert info.value.code == "not-permitted"
    assert root.stat_at(NO_FLAGS, link).type == "symbolic-link"  # the link itself is visible


def test_symlink_loops_are_loop(world: tuple[Path, Path, Descriptor]) -> None:
    _o, _b, root = world
    with pytest.raises(FsError) as info:
        root.open_at(FOLLOW, "loop-a", NO_FLAGS, READ)
    assert info.value.code == "loop"
    with pytest.raises(FsError) as info:
        root.stat_at(NO_FLAGS, "loop-a/x")
    assert info.value.code == "loop"


def test_hard_links_to_outside_cannot_be_made(world: tuple[Path, Path, Descriptor]) -> None:
    _outside, box, root = world
    for old in ("../outside/secret", "up-link/..", "abs-link"):
        with pytest.raises(FsError):
            root.link_at(FOLLOW if old == "abs-link" else NO_FLAGS, old, root, "stolen")
    assert not (box / "stolen").exists()
    # a link of the symlink itself is a link to the symlink, not to the secret
    root.link_at(NO_FLAGS, "up-link", root, "link-of-link")
    assert (box / "link-of-link").is_symlink()
    with pytest.raises(FsError) as info:
        root.open_at(FOLLOW, "link-of-link", NO_FLAGS, READ)
    assert info.value.code == "not-permitted"


def test_rename_out_of_the_sandbox_is_refused(world: tuple[Path, Path, Descriptor]) -> None:
    outside, _box, root = world
    before = snapshot(outside.parent)
    for old, new in (
        ("file.txt", "../escaped"),
        ("../outside/secret", "got-it"),
        ("file.txt", "/tmp/x"),
    ):
        with pytest.raises(FsError) as info:
            root.rename_at(old, root, new)
        assert info.value.code == "not-permitted"
    assert snapshot(outside.parent) == before


def test_directory_descriptor_below_cannot_climb_out(world: tuple[Path, Path, Descriptor]) -> None:
    _o, _b, root = world
    sub = root.open_at(NO_FLAGS, "sub", frozenset({"directory"}), READ)
    # the sandbox is the preopen, but a sub-descriptor is rooted at itself, like cap-std
    with pytest.raises(FsError) as info:
        sub.open_at(NO_FLAGS, "../file.txt", NO_FLAGS, READ)
    assert info.value.code == "not-permitted"
    assert sub.open_at(NO_FLAGS, "deeper/../inner.txt", NO_FLAGS, READ).read(5, 0)[0] == b"inner"


def test_symlink_swapped_during_use(world: tuple[Path, Path, Descriptor]) -> None:
    """A directory repeatedly swapped for an outside symlink never lets a read escape."""
    outside, box, root = world
    (box / "swap").mkdir()
    (box / "swap" / "secret").write_bytes(b"inside")
    stop = threading.Event()

    def swapper() -> None:
        while not stop.is_set():
            os.rename(box / "swap", box / "swap.real")
            os.symlink(str(outside), box / "swap")
            os.unlink(box / "swap")
            os.rename(box / "swap.real", box / "swap")

    t = threading.Thread(target=swapper)
    t.start()
    seen: set[bytes] = set()
    try:
        for _ in range(3000):
            for follow in (NO_FLAGS, FOLLOW):
                try:
                    f = root.open_at(follow, "swap/secret", NO_FLAGS, READ)
                except FsError as err:
                    assert err.code in ("not-permitted", "no-entry", "not-directory", "loop")
                    continue
                seen.add(f.read(100, 0)[0])
    finally:
        stop.set()
        t.join()
    assert b"top secret" not in seen
    assert seen <= {b"inside"}


def test_read_only_preopen_refuses_every_mutation(tmp_path: Path) -> None:
    box = tmp_path / "ro"
    box.mkdir()
    (box / "f").write_bytes(b"data")
    (box / "d").mkdir()
    before = snapshot(box)
    root = open_preopen(box, read_only=True)
    f = root.open_at(NO_FLAGS, "f", NO_FLAGS, READ)
    attempts: dict[str, Callable[[], object]] = {
        "open-write": lambda: root.open_at(NO_FLAGS, "f", NO_FLAGS, WRITE),
        "open-create": lambda: root.open_at(NO_FLAGS, "new", CREATE, READ),
        "open-truncate": lambda: root.open_at(NO_FLAGS, "f", frozenset({"truncate"}), READ),
        "mkdir": lambda: root.create_directory_at("nd"),
        "rmdir": lambda: root.remove_directory_at("d"),
        "unlink": lambda: root.unlink_file_at("f"),
        "rename": lambda: root.rename_at("f", root, "g"),
        "symlink": lambda: root.symlink_at("f", "l"),
        "link": lambda: root.link_at(NO_FLAGS, "f", root, "h"),
        "set-times-at": lambda: root.set_times_at(
            NO_FLAGS, "f", NewTimestamp("now"), NewTimestamp("now")
        ),
        "set-times": lambda: f.set_times(NewTimestamp("now"), NewTimestamp("now")),
        "set-size": lambda: f.set_size(0),
        "write": lambda: f.write(b"x", 0),
        "write-via-stream": lambda: f.write_via_stream(0),
        "append-via-stream": lambda: f.append_via_stream(),
    }
    for name, attempt in attempts.items():
        with pytest.raises(FsError) as info:
            attempt()
        assert info.value.code == "not-permitted", name
    assert snapshot(box) == before
    # reading still works
    assert f.read(10, 0) == (b"data", False)
    assert root.get_flags() == READ


def test_error_codes_of_ordinary_failures(world: tuple[Path, Path, Descriptor]) -> None:
    _o, _box, root = world
    cases: dict[str, Callable[[], object]] = {
        "no-entry": lambda: root.open_at(NO_FLAGS, "missing", NO_FLAGS, READ),
        "exist": lambda: root.open_at(
            NO_FLAGS, "file.txt", frozenset({"create", "exclusive"}), WRITE
        ),
        "not-directory": lambda: root.open_at(NO_FLAGS, "file.txt/x", NO_FLAGS, READ),
        "is-directory": lambda: root.open_at(NO_FLAGS, "sub", NO_FLAGS, WRITE),
        "not-empty": lambda: root.remove_directory_at("sub"),
        "invalid": lambda: root.open_at(NO_FLAGS, "sub", frozenset({"directory", "create"}), READ),
    }
    for code, attempt in cases.items():
        with pytest.raises(FsError) as info:
            attempt()
        assert info.value.code == code
    f = root.open_at(NO_FLAGS, "file.txt", NO_FLAGS, READ)
    with pytest.raises(FsError) as info:
        f.open_at(NO_FLAGS, "x", NO_FLAGS, READ)
    assert info.value.code == "not-directory"
    with pytest.raises(FsError) as info:
        root.read(1, 0)
    assert info.value.code == "bad-descriptor"
    with pytest.raises(FsError) as info:
        root.read_via_stream(0)
    assert info.value.code == "is-directory"
