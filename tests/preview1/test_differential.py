"""WASI 0.1 core modules under ``witkit run`` and ``wasmtime run``: same output, status, files.

No adapter anywhere: the C programs are built by clang-14 + wasi-libc into core
modules importing ``wasi_snapshot_preview1`` (``tests/preview1/modules.py``), and both
CLIs run the same file, wasmtime with its own preview1 layer, witkit with
``witkit.wasi.preview1``.  The comparison is ``tests/wasi/test_differential.py``'s:
stdout, stderr (where both print the program's own text), exit status and the files
left in the preopened directory.

The programs: the C corpus commands (files, directory walks, poll, stdin, limits...),
reused with the same arguments and set-ups as for components, and ``preview1.c``,
which makes each preview1 call itself and prints the errno of each, so a difference
in any one answer shows as one line (escapes out of the preopen included).  The WAT
modules of ``tests/preview1/wat/`` pin how a bad call ends a run.

Run: ``pytest tests/preview1 -q``.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.preview1.modules import build_module
from tests.wasi.test_differential import CASES as COMPONENT_CASES
from tests.wasi.test_differential import (
    ROOT,
    TIMEOUT,
    Case,
    check_against_wasmtime,
    run_both,
    tree,
)

WAT = Path(__file__).resolve().parent / "wat"

#: corpus cases (tests/wasi/test_differential.py) whose program is plain WASI 0.1 C
REUSED = [
    "hello",
    "args_env",
    "argv0",
    "argv0_default",
    "stdin_echo",
    "stdin_empty",
    "stdin_binary",
    "big_output",
    "files",
    "fs_edges",
    "clocks_random",
    "stdout_closed",
    "guest_flags",
    "inherit_env_override",
    "env_passthrough",
    "env_repeated",
    "copy",
    "copy_missing",
    "copy_into_missing_dir",
    "copy_usage",
    "walk",
    "poll_sleep",
    "cpu_loop_small",
    "heap_layout",
    "fuel_exhausted",
    "fuel_enough",
    "timeout",
    "max_memory_grow",
    "max_memory_instantiate",
]


def _preview1_setup(root: Path) -> None:
    """What preview1.c tries to escape to: a file beside the preopen, links pointing out."""
    (root.parent / "outside.txt").write_bytes(b"outside\n")
    (root / "link_out").symlink_to("../outside.txt")
    (root / "link_abs").symlink_to("/etc/passwd")


def _error(path: Path | None = None, **kw: object) -> Case:
    """A run that ends in an error: same status and stdout, each runtime's own message."""
    return Case(None, path=path, same_stderr=False, check_cause=False, **kw)  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    **{
        f"corpus_{name}": dataclasses.replace(COMPONENT_CASES[name], fixture=f"module:{name}")
        for name in REUSED
    },
    "calls": Case("p1:preview1", args=["calls", "/sandbox"], setup=_preview1_setup),
    "exit_0": Case("p1:preview1", args=["exit", "0"]),
    "exit_3": Case("p1:preview1", args=["exit", "3"]),
    "exit_125": Case("p1:preview1", args=["exit", "125"]),
    "exit_126": dataclasses.replace(_error(), fixture="p1:preview1", args=["exit", "126"]),
    "exit_255": dataclasses.replace(_error(), fixture="p1:preview1", args=["exit", "255"]),
    "return_5": Case("p1:preview1", args=["return", "5"]),
    "trap": Case("p1:preview1", args=["trap"], same_stderr=False),
    **{
        f"invalid_{i}": dataclasses.replace(
            _error(), fixture="p1:preview1", args=["invalid", str(i)], setup=lambda root: None
        )
        for i in range(10)
    },
    # exit_code.c imports wasi:cli/exit directly: not a WASI 0.1 module, refused by both
    "foreign_import": dataclasses.replace(_error(), fixture="p1:exit_code", args=["code", "3"]),
    "wat_oob": _error(WAT / "oob.wat"),
    "wat_exit126": _error(WAT / "exit126.wat"),
    "wat_no_memory": _error(WAT / "no_memory.wat"),
    "wat_misaligned": Case(None, path=WAT / "misaligned.wat"),
    "wat_initialize_exit": Case(None, path=WAT / "initialize_exit.wat"),
    "wat_unknown_import": _error(WAT / "unknown_import.wat"),
    "wat_wrong_type": _error(WAT / "wrong_type.wat"),
    # not a WASI 0.1 module: wasmtime fails to link it (1); witkit says what it imports
    # before compiling, a file that cannot be run as asked (2, as a library component)
    "wat_env_import": _error(WAT / "env_import.wat", status=2),
    "wat_args_env": Case(
        None, path=WAT / "args_env.wat", args=["a", "b c", "ü"], flags=["--env", "K=v=w"]
    ),
}


def _module(case: Case) -> Case:
    """The case with its program replaced by the built core module."""
    if case.fixture is None:
        return case
    kind, _, name = case.fixture.partition(":")
    if kind == "module":
        source = COMPONENT_CASES[name].fixture
        assert source is not None and source.startswith("c_")
        name = source[2:]
    return dataclasses.replace(case, fixture=None, path=build_module(name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_wasmtime(name: str, tmp_path: Path) -> None:
    case = _module(CASES[name])
    kerr = check_against_wasmtime(case, tmp_path)
    if kerr is not None and case.status == 2:  # a usage error: what the file is, and where help is
        assert kerr.startswith(b"witkit run: error: ") and b"witkit run --help" in kerr, kerr
    elif kerr is not None:
        assert kerr.startswith(b"witkit run: error: ") and kerr.count(b"\n") == 1, kerr
    for tool in ("wasmtime", "witkit"):  # what preview1.c tried to reach is untouched
        outside = tmp_path / tool / "outside.txt"
        assert not outside.exists() or outside.read_bytes() == b"outside\n"
        assert sorted(p.name for p in (tmp_path / tool).iterdir()) in (
            ["sandbox"],
            ["outside.txt", "sandbox"],
        )


def test_nothing_to_run(tmp_path: Path) -> None:
    """A module with neither ``_start`` nor ``_initialize``: one line saying so, status 1
    (``wasmtime run`` runs nothing and exits 0)."""
    proc = subprocess.run(
        [sys.executable, "-m", "witkit", "run", str(WAT / "nothing_to_run.wat")],
        capture_output=True,
        timeout=TIMEOUT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        f"witkit run: error: {WAT / 'nothing_to_run.wat'}: the module exports no `_start` "
        "(nor `_initialize`): nothing to run (exports: main, memory)"
    ]


def test_trees_are_compared(tmp_path: Path) -> None:
    """The harness sees the files preview1.c leaves (so ``ktree == wtree`` means something)."""
    case = _module(CASES["calls"])
    (_, _, _, wtree), _ = run_both(case, tmp_path)
    assert {"a.txt", "renamed.txt", "d", "made_out", "link_out"} <= set(wtree)
    assert tree(tmp_path / "witkit" / "sandbox") == wtree
