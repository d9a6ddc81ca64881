"""The README tells the truth: its Python examples run, its first command works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_python_tour_runs() -> None:
    """The first two Python blocks (the runtime tour and WASI) run as written, in order."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) >= 3
    code = blocks[0] + blocks[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    assert "guest logged 42" in result.stdout


def test_first_command_runs_the_example() -> None:
    first = README.split("```sh\n", 1)[1].splitlines()[0]
    assert first.startswith("pip install . && witkit run examples/hello.wat")
    result = subprocess.run(
        [sys.executable, "-m", "witkit", "run", "examples/hello.wat"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"


def test_ci_runs_the_readme_test_command() -> None:
    second = README.split("```sh\n", 1)[1].splitlines()[1]
    assert second.startswith("bash .ci/run")
    assert "pytest" in (ROOT / ".ci" / "run").read_text()
