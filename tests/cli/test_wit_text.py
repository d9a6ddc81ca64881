"""`witkit wit` on WIT text: printing, --check, --world, --wasm -o, and caret diagnostics."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.test_inspect_wit import witkit

PACKAGE = """\
package demo:shapes@0.1.0;

interface geometry {
  record point { x: f64, y: f64 }
  area: func(points: list<point>) -> f64;
}

/// Draws shapes.
world drawing {
  import geometry;
  export render: func(scale: u32) -> string;
}

world other {
  export geometry;
}
"""


def _wit(tmp_path: Path, text: str = PACKAGE) -> Path:
    path = tmp_path / "shapes.wit"
    path.write_text(text)
    return path


def _oracle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["wasm-tools", "component", "wit", *args], capture_output=True, text=True)


def test_prints_what_wasm_tools_prints(tmp_path: Path) -> None:
    path = _wit(tmp_path)
    ours = witkit("wit", str(path))
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == _oracle(str(path)).stdout


def test_check_prints_nothing(tmp_path: Path) -> None:
    result = witkit("wit", "--check", str(_wit(tmp_path)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_package_binary_is_read_back_by_wasm_tools(tmp_path: Path) -> None:
    out = tmp_path / "pkg.wasm"
    result = witkit("wit", "--wasm", "-o", str(out), str(_wit(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert _oracle(str(out)).stdout == _oracle(str(tmp_path / "shapes.wit")).stdout


def test_world_binary_is_that_world(tmp_path: Path) -> None:
    out = tmp_path / "world.wasm"
    result = witkit("wit", "--wasm", "--world", "drawing", "-o", str(out), str(_wit(tmp_path)))
    assert result.returncode == 0, result.stderr
    printed = _oracle(str(out)).stdout
    assert "world drawing {" in printed and "world other" not in printed


def test_unknown_world_is_one_line(tmp_path: Path) -> None:
    path = _wit(tmp_path)
    result = witkit("wit", "--world", "nope", str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"witkit wit: error: {path}: world `nope` not found in package `demo:shapes@0.1.0`"
    )


def test_diagnostic_has_place_caret_and_suggestion(tmp_path: Path) -> None:
    path = _wit(tmp_path, PACKAGE.replace("x: f64, y: f64", "x: f64, y: strng"))
    result = witkit("wit", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    head, source, caret = result.stderr.rstrip("\n").splitlines()[:3]
    assert head.startswith(f"witkit wit: error: {path}:4:")
    assert "strng" in head and "did you mean `string`?" in head
    assert "record point { x: f64, y: strng }" in source
    assert caret.strip().startswith("^")
    assert _oracle(str(path)).returncode != 0


def test_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "pkg.wasm"
    result = witkit("wit", "--wasm", "-o", str(target), str(_wit(tmp_path)))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not target.parent.exists()
