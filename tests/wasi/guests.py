"""Guest programs of the WASI tests that are not in the shared corpus list.

``tests/fixtures/build.py`` builds only the fixtures in its own table; these C
sources live beside the corpus (``tests/fixtures/c/``) and are built by the same
builder, registered here under their names on first use, so the corpus table and
its cache keys stay untouched.
"""

from __future__ import annotations

from pathlib import Path

#: name -> (source under tests/fixtures/, what it covers)
EXTRA: dict[str, tuple[str, str]] = {
    "c_sandbox": (
        "c/sandbox.c",
        "command: tries .., absolute paths, symlinks out, writes to a read-only preopen",
    ),
    "c_fs_edges": (
        "c/fs_edges.c",
        "command: O_EXCL, seek, holes, truncate, utimensat, links, d_type, wrong-kind errors",
    ),
    "c_copy": ("c/copy.c", "command: copies a file (benchmarks)"),
}


def build_guest(name: str) -> Path:
    """The built component ``name``: an extra guest above, or any corpus fixture."""
    from tests.fixtures.build import FIXTURES, Fixture, build

    for extra, (source, covers) in EXTRA.items():
        FIXTURES.setdefault(extra, Fixture(extra, "c", (source,), covers))
    return build(name)
