"""Guest programs of the WASI tests that are not in the shared corpus list.

``tests/fixtures/build.py`` builds only the fixtures in its own table; these sources
live beside the corpus (``tests/fixtures/{c,py,js}/``) and are built by the same
builder, registered here under their names on first use, so the corpus table and
its cache keys stay untouched (and the tests that enumerate the corpus do not grow
by an 18 MB Python component per app).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple


class Extra(NamedTuple):
    """One guest: a C file, or a Python/JavaScript app directory with its world."""

    kind: Literal["c", "py", "js"]
    #: a path under tests/fixtures/: ``c/NAME.c`` or an app directory ``py/NAME``, ``js/NAME``
    source: str
    covers: str
    world: str | None = None


EXTRA: dict[str, Extra] = {
    "c_sandbox": Extra(
        "c",
        "c/sandbox.c",
        "command: tries .., absolute paths, symlinks out, writes to a read-only preopen",
    ),
    "c_fs_edges": Extra(
        "c",
        "c/fs_edges.c",
        "command: O_EXCL, seek, holes, truncate, utimensat, links, d_type, wrong-kind errors",
    ),
    "c_copy": Extra("c", "c/copy.c", "command: copies a file (benchmarks)"),
    "c_walk": Extra(
        "c",
        "c/walk.c",
        "command: recursive openat/fdopendir/fstatat/readlinkat walk; nlink, mtime ns, "
        "symlink targets, rewinddir/seekdir",
    ),
    "c_poll_sleep": Extra(
        "c",
        "c/poll_sleep.c",
        "command: poll/select on stdin, stdout, files, a bad fd; nanosleep, clock_nanosleep, "
        "clock_gettime/getres",
    ),
}


def build_guest(name: str) -> Path:
    """The built component ``name``: an extra guest above, or any corpus fixture."""
    from tests.fixtures.build import FIXTURES, Fixture, build

    for extra, guest in EXTRA.items():
        fixture = Fixture(extra, guest.kind, (guest.source,), guest.covers, world=guest.world)
        FIXTURES.setdefault(extra, fixture)
    return build(name)
