"""Guest programs of the WASI tests that are not in the shared corpus list.

``tests/fixtures/build.py`` builds only the fixtures in its own table; these sources
live beside the corpus (``tests/fixtures/{c,py,js}/``) and are built by the same
builder (``build_fixture``) but never enter its table, so ``corpus()``, the tests
that enumerate it and its cache keys stay untouched (and those tests do not grow by
an 18 MB Python component per app).
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
    "py_filter": Extra(
        "py",
        "py/filter",
        "Python command: stdin to stdout transformed, counts on stderr, sys.exit(status)",
        world="filter",
    ),
    "py_args": Extra(
        "py",
        "py/args",
        "Python command: argparse over argv, environment by prefix, usage errors and --help",
        world="args",
    ),
    "py_files": Extra(
        "py",
        "py/files",
        "Python command: mkdir/write/append/seek/truncate/rename/replace/copy/utime/symlink/"
        "link/scandir/walk/rmtree and error classes in a preopen",
        world="files",
    ),
    "js_filter": Extra(
        "js",
        "js/filter",
        "JS command on the raw WASI imports: stdin blockingRead to closed, stderr stream, "
        "environment, exit-with-code, a file written and listed through wasi:filesystem",
        world="filter",
    ),
}


def build_guest(name: str) -> Path:
    """The built component ``name``: an extra guest above, or any corpus fixture."""
    from tests.fixtures.build import Fixture, build, build_fixture

    guest = EXTRA.get(name)
    if guest is None:
        return build(name)
    return build_fixture(
        Fixture(name, guest.kind, (guest.source,), guest.covers, world=guest.world)
    )
