"""WASI 0.1 core modules for the preview1 tests, built from C at test time (never committed).

``tests/fixtures/build.py`` turns C into *components* through the preview1 adapter; the
preview1 tests need the module before that step: the plain output of clang-14 and
wasi-libc, with wasi-libc's own ``_start`` (``crt1-command.o``), importing
``wasi_snapshot_preview1`` and nothing else.  Sources are the C fixtures of
``tests/fixtures/c/`` (the corpus programs, and ``preview1.c`` written for these tests);
builds are cached under ``$WITKIT_TEST_CACHE/modules/``, keyed by the source, the flags
and the toolchain, like the components.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.fixtures.build import FIXTURES_DIR, FixtureBuildError, cache_dir

__all__ = ["build_module"]

FLAGS = ("--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wall", "-Werror", "-Wl,--strip-debug")
LIBC = Path("/usr/lib/wasm32-wasi/libc.a")


def _key(source: Path) -> str:
    from tests.fixtures.build import _clang, _run

    if not LIBC.is_file():
        raise FixtureBuildError(f"wasi-libc ({LIBC}) missing")
    digest = hashlib.sha256()
    digest.update(source.read_bytes())
    digest.update(" ".join(FLAGS).encode())
    digest.update(_run([_clang(), "--version"]).splitlines()[0].encode())
    digest.update(hashlib.sha256(LIBC.read_bytes()).digest())
    return digest.hexdigest()[:20]


def build_module(name: str) -> Path:
    """The core module of ``tests/fixtures/c/NAME.c``, from the cache or built now."""
    from tests.fixtures.build import _clang, _locked, _run

    source = FIXTURES_DIR / "c" / f"{name}.c"
    final = cache_dir() / "modules" / f"{name}-{_key(source)}.wasm"
    if final.is_file():
        return final
    with _locked(cache_dir() / "locks" / f"module-{name}.lock"):
        if not final.is_file():
            final.parent.mkdir(parents=True, exist_ok=True)
            scratch = final.with_suffix(f".{os.getpid()}.tmp")
            _run([_clang(), *FLAGS, str(source), "-o", str(scratch)])
            scratch.replace(final)
    return final
