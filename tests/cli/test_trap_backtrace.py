"""A trap's backtrace names the same frames, at the same file offsets, as ``wasmtime run``.

The engine reports offsets within each core module; ``wasmtime run`` reports them
within the component file.  These run trapping components under both and compare
the frame lines (offset, module and function), nested components included.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wasi.test_differential import wasmtime_binary

ROOT = Path(__file__).resolve().parents[2]

#: one frame of either tool: index, offset, ``module!function``
FRAME = re.compile(r"^ +\d+: +(0x[0-9a-f]+) - (\S.*)$")

NESTED = """\
(component
  (core module $pad (func (export "x") (result i32) (i32.const 7)))
  (component $inner
    (core module $m
      (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "divide") (param i32 i32) (result i32)
        (call $div (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (func (export "divide") (param "a" s32) (param "b" s32) (result s32)
      (canon lift (core func $i "divide"))))
  (instance $c (instantiate $inner))
  (export "divide" (func $c "divide")))
"""


def _frames(stderr: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in map(FRAME.match, stderr.splitlines()) if m is not None]


def _both(*argv: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), RUST_BACKTRACE="0")
    theirs = subprocess.run(
        [str(wasmtime_binary()), "run", *argv], capture_output=True, text=True, env=env
    )
    ours = subprocess.run(
        [sys.executable, "-m", "witkit", "run", *argv], capture_output=True, text=True, env=env
    )
    assert ours.returncode == theirs.returncode == 134, (ours.stderr, theirs.stderr)
    assert "Traceback" not in ours.stderr
    return _frames(ours.stderr), _frames(theirs.stderr), ours.stderr


def test_c_program_trap_frames_match_wasmtime(corpus: dict[str, Path]) -> None:
    ours, theirs, text = _both(str(corpus["c_exit_code"]), "trap")
    assert len(ours) >= 3, text  # main, __main_void, _start, the adapter's run
    assert ours == theirs


@pytest.mark.parametrize("call", ["divide(1, 0)", "unreachable()", "out-of-bounds()"])
def test_wat_trap_frames_match_wasmtime(corpus: dict[str, Path], call: str) -> None:
    ours, theirs, text = _both("--invoke", call, str(corpus["wat_traps"]))
    assert ours, text
    assert ours == theirs


def test_nested_component_frames_match_wasmtime(tmp_path: Path) -> None:
    path = tmp_path / "nested.wat"
    path.write_text(NESTED)
    ours, theirs, text = _both("--invoke", "divide(1, 0)", str(path))
    assert [name for _, name in ours] == ["m!div", "m!<wasm function 1>"], text
    assert ours == theirs


def test_module_offsets_without_a_component() -> None:
    """A trap nobody placed keeps the engine's own text (a plain core module's are the file's)."""
    from witkit.runtime.core import CoreTrap

    trap = CoreTrap("wasm trap: unreachable", backtrace="    0:     0x2a - <unknown>!f")
    assert trap.render().endswith("    0:     0x2a - <unknown>!f")
