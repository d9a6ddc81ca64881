"""``witkit wast``: our own scripts through the CLI, and the same scripts under ``wasmtime wast``.

The spec's ``.wast`` files are not in this repository (nor in CI): run them with
``python tools/spec_wast.py SPEC/test``, which compares per file with the
wasmtime CLI.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from witkit.cli.main import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_basics(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["wast", str(HERE / "wast" / "basics.wast")])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "17 passed, 0 failed" in out
    assert "PASS" in out and "register" in out


def test_async_without_waiting(capsys: pytest.CaptureFixture[str]) -> None:
    """Async lifts and lowers of callees that finish at once, with wasmtime's trap texts."""
    status = main(["wast", "--strict-messages", str(HERE / "wast" / "async_sync.wast")])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "15 passed, 0 failed" in out


def test_wasmtime_agrees_on_async() -> None:
    """The async script holds for wasmtime too: it tests the spec, not only witkit."""
    spec = importlib.util.spec_from_file_location("spec_wast", ROOT / "tools" / "spec_wast.py")
    assert spec is not None and spec.loader is not None
    tool: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    done = subprocess.run(
        [
            tool.wasmtime_cli(),
            "wast",
            "-W",
            tool.WASMTIME_FLAGS,
            str(HERE / "wast" / "async_sync.wast"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WASMTIME_BACKTRACE_DETAILS": "0"},
    )
    assert done.returncode == 0, done.stderr


def test_failure_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "bad.wast"
    script.write_text(
        """(component
          (core module $M (func (export "f") (result i32) (i32.const 1)))
          (core instance $m (instantiate $M))
          (func (export "f") (result u32) (canon lift (core func $m "f"))))
        (assert_return (invoke "f") (u32.const 2))"""
    )
    assert main(["wast", "-q", str(script)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 passed, 1 failed" in out
