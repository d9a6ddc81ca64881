"""The sandbox promises of SECURITY.md, for WASI 0.1 core modules run without the adapter.

``tests/wasi/test_sandbox_guest.py`` holds them for components: ``sandbox.c`` tries
``..``, absolute paths, symlinks out (the host's and its own) and every mutation of a
read-only preopen.  Here the same program is built as a plain ``wasi_snapshot_preview1``
module, so every attempt reaches witkit through ``path_open``, ``path_rename``,
``path_symlink``... of ``witkit.wasi.preview1`` and from there the 0.2 walk.  The verdicts
must be wasmtime's (``wasmtime run`` on the same module) and those the component battery
expects; with ``--dir-ro`` every mutation is refused and nothing outside changes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.preview1.modules import build_module
from tests.wasi.test_differential import tree
from tests.wasi.test_sandbox_guest import (
    EXPECTED_READ_ONLY,
    layout,
    normalise,
    outcome,
    run_sandbox,
)


def _run(tool: str, outer: Path, ro_flag: str) -> subprocess.CompletedProcess[bytes]:
    return run_sandbox(tool, outer, ro_flag, build_module("sandbox"))


def test_escapes_refused_as_wasmtime(tmp_path: Path) -> None:
    """Both CLIs on the module, /ro writable: the same verdicts and files; every escape refused."""
    results = []
    for tool in ("wasmtime", "witkit"):
        outer = tmp_path / tool
        outer.mkdir()
        layout(outer)
        proc = _run(tool, outer, "--dir")
        results.append((proc.returncode, proc.stdout, proc.stderr, normalise(tree(outer), outer)))
    assert results[1] == results[0]
    escapes = {k: v for k, v in outcome(results[1][1]).items() if not k.startswith("ro_")}
    assert escapes == {k: v for k, v in EXPECTED_READ_ONLY.items() if not k.startswith("ro_")}


def test_read_only_preopen(tmp_path: Path) -> None:
    """``--dir-ro`` through preview1: every escape and mutation refused, nothing else changes."""
    outer = tmp_path / "witkit"
    outer.mkdir()
    layout(outer)
    before = normalise(tree(outer), outer)
    proc = _run("witkit", outer, "--dir-ro")
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert outcome(proc.stdout) == EXPECTED_READ_ONLY
    after = normalise(tree(outer), outer)
    # the one change: the relative symlink the guest may make inside its own preopen
    assert after == {**before, "sandbox/guest_up": "-> ../outside.txt"}
