"""Filesystem behaviour inside the sandbox: stat, times, readdir, links, rename, streams, flags."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.wasi.walk_belt import belt
from witkit.wasi import _walk
from witkit.wasi import filesystem as fs
from witkit.wasi.clocks import Datetime
from witkit.wasi.errno import FsError
from witkit.wasi.filesystem import Descriptor, NewTimestamp, open_preopen
from witkit.wasi.io import StreamClosed

NO: frozenset[str] = frozenset()
READ = frozenset({"read"})
RW = frozenset({"read", "write"})


@pytest.fixture
def root(tmp_path: Path) -> Descriptor:
    (tmp_path / "a.txt").write_bytes(b"alpha")
    (tmp_path / "dir").mkdir()
    return open_preopen(tmp_path, read_only=False)


def test_create_write_read_stat(root: Descriptor, tmp_path: Path) -> None:
    f = root.open_at(NO, "new.bin", frozenset({"create", "exclusive"}), RW)
    assert f.get_type() == "regular-file"
    assert f.get_flags() == RW
    assert f.write(b"0123456789", 0) == 10
    assert f.read(4, 3) == (b"3456", False)
    assert f.read(4, 10) == (b"", True)
    s = f.stat()
    assert (s.type, s.size, s.link_count) == ("regular-file", 10, 1)
    assert s.data_modification_timestamp is not None
    f.set_size(4)
    assert (tmp_path / "new.bin").read_bytes() == b"0123"
    f.sync()
    f.sync_data()
    f.advise(0, 4, "sequential")
    assert root.get_type() == "directory"
    assert root.get_flags() == frozenset({"read", "mutate-directory"})
    truncated = root.open_at(NO, "new.bin", frozenset({"truncate"}), frozenset({"write"}))
    assert truncated.stat().size == 0


def test_timestamps(root: Descriptor, tmp_path: Path) -> None:
    when = NewTimestamp("timestamp", Datetime(1_000_000_000, 123_456_789))
    root.set_times_at(NO, "a.txt", when, NewTimestamp("no-change"))
    st = os.stat(tmp_path / "a.txt")
    assert st.st_atime_ns == 1_000_000_000_123_456_789
    s = root.stat_at(NO, "a.txt")
    assert s.data_access_timestamp == Datetime(1_000_000_000, 123_456_789)
    f = root.open_at(NO, "a.txt", NO, RW)
    f.set_times(NewTimestamp("no-change"), when)
    assert os.stat(tmp_path / "a.txt").st_mtime_ns == 1_000_000_000_123_456_789
    assert os.stat(tmp_path / "a.txt").st_atime_ns == 1_000_000_000_123_456_789
    with pytest.raises(FsError) as info:
        f.set_times(NewTimestamp("timestamp", Datetime(0, 2_000_000_000)), when)
    assert info.value.code == "invalid"


def test_readdir(root: Descriptor, tmp_path: Path) -> None:
    os.symlink("a.txt", tmp_path / "link")
    stream = root.read_directory()
    entries = []
    while (e := stream.read_directory_entry()) is not None:
        entries.append((e.name, e.type))
    assert sorted(entries) == [
        ("a.txt", "regular-file"),
        ("dir", "directory"),
        ("link", "symbolic-link"),
    ]
    assert stream.read_directory_entry() is None
    # a second listing of the same descriptor sees everything again
    again = root.read_directory()
    assert again.read_directory_entry() is not None
    f = root.open_at(NO, "a.txt", NO, READ)
    with pytest.raises(FsError) as info:
        f.read_directory()
    assert info.value.code == "not-directory"


def test_links_rename_remove(root: Descriptor, tmp_path: Path) -> None:
    root.link_at(NO, "a.txt", root, "dir/hard")
    assert root.stat_at(NO, "a.txt").link_count == 2
    assert (tmp_path / "dir" / "hard").read_bytes() == b"alpha"
    root.symlink_at("../a.txt", "dir/soft")
    assert root.readlink_at("dir/soft") == "../a.txt"
    assert root.open_at(frozenset({"symlink-follow"}), "dir/soft", NO, READ).read(9, 0)[0] == (
        b"alpha"
    )
    sub = root.open_at(NO, "dir", frozenset({"directory"}), READ)
    root.rename_at("a.txt", sub, "moved.txt")
    assert (tmp_path / "dir" / "moved.txt").exists() and not (tmp_path / "a.txt").exists()
    with pytest.raises(FsError) as info:
        root.readlink_at("dir")
    assert info.value.code == "invalid"
    root.create_directory_at("dir/nested/")
    with pytest.raises(FsError) as info:
        root.create_directory_at("dir/nested")
    assert info.value.code == "exist"
    root.remove_directory_at("dir/nested")
    with pytest.raises(FsError) as info:
        root.unlink_file_at("dir")
    assert info.value.code in ("is-directory", "not-permitted")
    root.unlink_file_at("dir/soft")
    root.unlink_file_at("dir/hard")
    assert sorted(os.listdir(tmp_path / "dir")) == ["moved.txt"]
    assert root.is_same_object(root)
    assert not root.is_same_object(sub)
    assert root.metadata_hash() == root.metadata_hash_at(NO, ".")
    assert root.metadata_hash() != sub.metadata_hash()


def test_streams(root: Descriptor, tmp_path: Path) -> None:
    f = root.open_at(NO, "s.txt", frozenset({"create"}), RW)
    out = f.write_via_stream(2)
    out.blocking_write_and_flush(b"xyz")
    app = f.append_via_stream()
    app.write(b"!!")
    assert (tmp_path / "s.txt").read_bytes() == b"\0\0xyz!!"
    inp = f.read_via_stream(2)
    assert inp.blocking_read(3) == b"xyz"
    assert inp.read(100) == b"!!"
    with pytest.raises(StreamClosed):
        inp.read(1)
    assert inp.subscribe().ready()


def test_read_only_file_descriptor_on_writable_preopen(root: Descriptor) -> None:
    f = root.open_at(NO, "a.txt", NO, READ)
    with pytest.raises(FsError) as info:
        f.write(b"x", 0)
    assert info.value.code == "bad-descriptor"


def test_sync_flags_unsupported(root: Descriptor) -> None:
    with pytest.raises(FsError) as info:
        root.open_at(NO, "a.txt", NO, frozenset({"read", "file-integrity-sync"}))
    assert info.value.code == "unsupported"


def test_non_utf8_names_are_illegal_byte_sequence(root: Descriptor, tmp_path: Path) -> None:
    os.close(os.open(os.path.join(os.fsencode(tmp_path), b"bad\xff"), os.O_CREAT | os.O_WRONLY))
    stream = root.read_directory()
    codes = []
    while True:
        try:
            if stream.read_directory_entry() is None:
                break
        except FsError as err:
            codes.append(err.code)
    assert codes == ["illegal-byte-sequence"]


def test_trailing_slash_means_a_directory(root: Descriptor, tmp_path: Path) -> None:
    """`file/` is not a directory, and a new `name/` does not exist: as the kernel says."""
    with pytest.raises(FsError) as info:
        root.open_at(NO, "a.txt/", NO, READ)
    assert info.value.code == "not-directory"
    with pytest.raises(FsError) as info:
        root.link_at(NO, "a.txt", root, "link/")
    assert info.value.code == "no-entry"
    with pytest.raises(FsError) as info:
        root.symlink_at("a.txt", "target/")
    assert info.value.code == "no-entry"
    assert not (tmp_path / "link").exists() and not (tmp_path / "target").exists()
    assert root.open_at(NO, "dir/", NO, READ).get_type() == "directory"
    root.create_directory_at("made/")
    assert (tmp_path / "made").is_dir()


# --------------------------------------------------------------------------- the walk's rule

SPELLINGS = ("", "/", "/.", "//")
KINDS = ("dir", "file", "ldir", "lfile", "lout", "ldang", "nope")


def _spy(seen: list[str], func: Callable[..., Any], skip_first: bool = False) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        seen.extend(a for a in args[int(skip_first) : 2] if isinstance(a, str))
        return func(*args, **kwargs)

    return call


def _kernel_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path string the filesystem module hands the OS, through ``os`` or ctypes."""
    seen: list[str] = []
    for name in ("open", "stat", "readlink", "mkdir", "rmdir", "unlink", "rename", "link"):
        monkeypatch.setattr(os, name, _spy(seen, getattr(os, name)))
    # a symlink's first argument is its text, not a path the kernel resolves now
    monkeypatch.setattr(os, "symlink", _spy(seen, os.symlink, skip_first=True))
    monkeypatch.setattr(fs, "_utimensat", _spy(seen, fs._utimensat, skip_first=True))
    monkeypatch.setattr(_walk, "open_beneath", _spy(seen, _walk.open_beneath, skip_first=True))
    return seen


def _tree(top: Path) -> None:
    (top / "dir" / "sub").mkdir(parents=True)
    (top / "file").write_bytes(b"f")
    (top / "ldir").symlink_to("dir")
    (top / "lfile").symlink_to("file")
    (top / "lout").symlink_to("../../outside")
    (top / "ldang").symlink_to("nope")


def _every_operation(root: Descriptor, top: str, path: str) -> list[Callable[[], object]]:
    when = NewTimestamp("timestamp", Datetime(1, 0))
    follow = frozenset({"symlink-follow"})
    return [
        lambda: root.open_at(NO, path, NO, READ),
        lambda: root.open_at(follow, path, frozenset({"directory"}), READ),
        lambda: root.open_at(follow, path, frozenset({"create"}), RW),
        lambda: root.stat_at(NO, path),
        lambda: root.stat_at(follow, path),
        lambda: root.metadata_hash_at(follow, path),
        lambda: root.set_times_at(follow, path, when, when),
        lambda: root.set_times_at(NO, path, when, when),
        lambda: root.readlink_at(path),
        lambda: root.link_at(NO, path, root, f"{top}/hard"),
        lambda: root.link_at(NO, f"{top}/file", root, path),
        lambda: root.symlink_at("dir", path),
        lambda: root.rename_at(path, root, f"{top}/moved"),
        lambda: root.rename_at(f"{top}/moved", root, path),
        lambda: root.unlink_file_at(path),
        lambda: root.remove_directory_at(path),
        lambda: root.create_directory_at(path),
    ]


@pytest.mark.parametrize("on", [True, False], ids=["openat2", "portable"])
def test_the_kernel_only_ever_sees_one_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on: bool
) -> None:
    """Every operation, every kind of name, every spelling: no path with a slash reaches the OS.

    A slash is what lets the kernel follow a link we did not check (``name/`` follows even
    under ``O_NOFOLLOW``) or walk components we did not open ourselves."""
    with belt(monkeypatch, on):
        _every_spelling_of_every_operation(tmp_path, monkeypatch)


def _every_spelling_of_every_operation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "outside").mkdir()
    box = tmp_path / "box"
    box.mkdir()
    root = open_preopen(box, read_only=False)
    seen = _kernel_names(monkeypatch)
    n = 0
    for kind in KINDS:
        for spelling in SPELLINGS:
            for prefix in ("", "dir/sub/../../", "ldir/../"):
                n += 1
                top = box / f"t{n}"
                top.mkdir()
                _tree(top)
                for call in _every_operation(root, f"t{n}", f"t{n}/{prefix}{kind}{spelling}"):
                    with contextlib.suppress(FsError):
                        call()
    assert seen, "the spy saw nothing"
    assert sorted({name for name in seen if "/" in name or name in ("", "..")}) == []
    assert not any((tmp_path / "outside").iterdir())


def test_the_belt_flag_is_read_at_every_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``USE_OPENAT2`` is looked up when a component is opened, not copied at import: turned
    off, the next open is the portable walk's ``openat`` alone; turned on, it asks for openat2."""
    root = open_preopen(tmp_path, read_only=False)
    (tmp_path / "d").mkdir()
    for on in (False, True, False):
        with belt(monkeypatch, on):
            root.open_at(NO, "d", frozenset({"directory"}), READ).close()


def test_the_openat2_belt_refuses_what_the_walk_never_asks(tmp_path: Path) -> None:
    """Were the walk ever to hand over ``..`` or a name that is a link, the kernel refuses."""
    if not _walk.openat2_works():
        pytest.fail("this kernel has no openat2: the belt cannot be tested here")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "ldir").symlink_to("..")
    box = os.open(tmp_path / "box", os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(FsError) as info:
            _walk.open_beneath(box, "..", os.O_RDONLY | os.O_DIRECTORY)
        assert info.value.code == "not-permitted"
        # no O_NOFOLLOW here: RESOLVE_NO_SYMLINKS still refuses to follow
        with pytest.raises(OSError) as err:
            _walk.open_beneath(box, "ldir", os.O_RDONLY | os.O_DIRECTORY)
        assert err.value.errno == errno.ELOOP
        fd = _walk.open_beneath(box, ".", os.O_RDONLY | os.O_DIRECTORY)
        assert os.path.samestat(os.fstat(fd), os.fstat(box))
        os.close(fd)
    finally:
        os.close(box)
