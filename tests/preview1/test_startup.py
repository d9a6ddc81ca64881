"""Start-up: ``witkit run`` on a component loads nothing of WASI 0.1; on a module, only that.

A command component is what ``witkit run`` starts most, and its start-up is measured
(``benchmarks/bench_run.py``): telling a core module from a component costs one read of
the file's first bytes, and ``witkit.wasi.preview1`` is imported only for a module.
Checked with ``python -X importtime``, which lists every module a process imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.preview1.modules import build_module
from tests.wasi.test_differential import ROOT, TIMEOUT


def _imported(wasm: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "witkit", "run", str(wasm)],
        capture_output=True,
        timeout=TIMEOUT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stderr.decode().splitlines()
    return {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")}


def test_a_component_imports_no_preview1_module() -> None:
    from tests.fixtures.build import build

    names = _imported(build("c_hello"))
    assert "witkit.wasi.cli" in names  # the measurement sees witkit's own imports
    assert not {n for n in names if n.startswith("witkit.wasi.preview1")}


def test_a_module_imports_preview1_and_no_component_reader() -> None:
    names = _imported(build_module("hello"))
    assert "witkit.wasi.preview1.host" in names
    # no component machinery: no binary reader, WIT, ABI code generation or linker
    heavy = ("witkit.binary", "witkit.wit", "witkit.abi.codegen", "witkit.runtime.linker")
    assert not {n for n in names if n.startswith(heavy)}
