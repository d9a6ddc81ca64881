"""``witkit wast`` finds ``wasm-tools`` beside its interpreter when it is not on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from witkit.cli import wast

ROOT = Path(__file__).resolve().parents[2]
BASICS = ROOT / "tests" / "runtime" / "wast" / "basics.wast"


def test_found_in_the_interpreters_environment_without_path(tmp_path: Path) -> None:
    scripts = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    if not any(os.access(os.path.join(d, "wasm-tools"), os.X_OK) for d in scripts):
        pytest.skip("wasm-tools is not installed in this interpreter's environment")
    done = subprocess.run(
        [sys.executable, "-m", "witkit", "wast", "-q", str(BASICS)],
        env={**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done
    assert "17 passed, 0 failed" in done.stdout


def test_missing_everywhere_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert wast.find_wasm_tools() is None
    (tmp_path / "wasm-tools").write_text("#!/bin/sh\n")
    (tmp_path / "wasm-tools").chmod(0o755)
    assert wast.find_wasm_tools() == str(tmp_path / "wasm-tools")
    with pytest.raises(Exception, match="neither on PATH nor beside this Python"):
        (tmp_path / "wasm-tools").unlink()
        wast._convert(BASICS, tmp_path)
