"""``witkit inspect`` for a person: the world first, ``--summary``, ``--depth``, lines that fit.

``--json`` is for scripts and keeps everything; the text is cut to the width
(100 columns when not on a terminal) and can be cut down to the world and sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from witkit.cli.inspect import _elide, _wrap

ROOT = Path(__file__).resolve().parents[2]

NESTED = """\
(component
  (import "host" (instance (export "f" (func (param "x" u32)))))
  (component $outer
    (import "y" (func (param "flag" bool)))
    (component $inner (import "z" (func (param "n" u32) (result string)))))
)
"""


def witkit(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "witkit", "inspect", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inspect") / "nested.wat"
    path.write_text(NESTED)
    return path


def test_world_leads_with_wit_declarations(nested: Path) -> None:
    out = witkit(str(nested)).stdout
    lines = out.splitlines()
    assert lines[1] == "  world (1 import, 0 exports):"
    assert lines[2:5] == ["    import host {", "      f: func(x: u32);", "    }"]
    assert "import y: func(flag: bool);" in out
    assert "import z: func(n: u32) -> string;" in out


def test_depth_limits_instances_and_nested_components(nested: Path) -> None:
    zero = witkit("--depth", "0", str(nested)).stdout
    assert "    import host;  // 1 function" in zero
    assert "f: func" not in zero
    assert 'component 0 "outer": ' in zero  # named as the component-name section says
    assert "flag: bool" not in zero
    one = witkit("--depth", "1", str(nested)).stdout
    assert "f: func(x: u32);" in one and "import y: func(flag: bool);" in one
    assert "n: u32" not in one  # the component inside the nested one is two levels down
    two = witkit("--depth", "2", str(nested)).stdout
    assert 'component 0 "inner": ' in two and "n: u32" in two


def test_depth_must_be_a_level() -> None:
    result = witkit("--depth", "-1", "x.wasm")
    assert result.returncode == 2
    assert "not a depth" in result.stderr and "Traceback" not in result.stderr


def test_summary_is_the_world_and_the_sizes(corpus: dict[str, Path]) -> None:
    out = witkit("--summary", str(corpus["py_types"])).stdout
    assert "core modules (14):" in out
    assert "import wasi:io/poll@0.2.9;  // 2 functions, 1 resource" in out
    assert "export version: func() -> string;" in out
    assert "core instances" not in out and "processed-by" not in out
    assert len(out.splitlines()) < 60


def test_lines_fit_the_width_and_json_keeps_everything(corpus: dict[str, Path]) -> None:
    component = str(corpus["py_types"])
    for columns, width in ((None, 100), (72, 72)):
        lines = witkit(component, columns=columns).stdout.splitlines()[1:]  # [0]: the path
        assert max(map(len, lines)) <= width, max(lines, key=len)
    doc = json.loads(witkit("--json", component).stdout)
    args = [d for d in doc["component"]["core_instances"] if " with " in d]
    assert max(map(len, args)) > 1000  # instantiation arguments are never cut in JSON
    assert not any("... (" in d for d in args)


def test_wrap_breaks_after_commas_and_before_arrows() -> None:
    text = "f: func(alpha: u32, beta: list<string>) -> result<u64, error-code>;"
    for width in (30, 40, 50):
        lines = _wrap("  ", text, width)
        assert len(lines) > 1 and max(map(len, lines)) <= width, lines
        assert all(line.startswith("      ") for line in lines[1:])
        assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost
    assert _wrap("  ", "f: func(a: u32) -> result<u64, error-code>;", 26)[1:] == [
        "      -> result<u64,",
        "      error-code>;",
    ]
    assert _wrap("", "short", 40) == ["short"]


def test_elide_keeps_what_fits_and_counts_the_rest() -> None:
    text = "exports {" + ", ".join(f"name{i}" for i in range(30)) + "}"
    line = _elide("  ", text, 50)
    assert len(line) <= 50 and line.endswith(" more)}") and line.startswith("  exports {name0")
    args = "instantiate module m with " + ", ".join(f"a{i}=instance {i}" for i in range(20))
    line = _elide("", args, 60)
    assert len(line) <= 60 and "... (" in line
    long_name = "exports {" + "x" * 200 + ", y}"
    line = _elide("", long_name, 60)
    assert len(line) <= 60 and "…" in line and line.endswith("... (1 more)}")
