"""The `inspect` and `wit` commands as a person meets them: output, exit status, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.wat"


def witkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "witkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].split(": error: ")[0] in ("witkit inspect", "witkit wit"), lines[0]
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture(scope="module")
def hello_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "hello.wasm"
    path.write_bytes(wasmtime.wat2wasm(HELLO.read_text()))
    return path


def test_wit_of_example_matches_wasm_tools(hello_wasm: Path) -> None:
    ours = witkit("wit", str(HELLO))
    theirs = subprocess.run(
        ["wasm-tools", "component", "wit", str(hello_wasm)], capture_output=True, text=True
    )
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def test_wit_json_is_the_resolved_model(hello_wasm: Path) -> None:
    result = witkit("wit", "--json", str(hello_wasm))
    assert result.returncode == 0, result.stderr
    theirs = subprocess.run(
        ["wasm-tools", "component", "wit", "--json", str(hello_wasm)],
        capture_output=True,
        text=True,
    )
    assert result.stdout == theirs.stdout
    doc = json.loads(result.stdout)
    names = [p["name"] for p in doc["packages"]]
    assert names == ["wasi:io@0.2.0", "wasi:cli@0.2.0", "root:component"]


def test_inspect_tells_the_structure(hello_wasm: Path) -> None:
    result = witkit("inspect", str(hello_wasm))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"{hello_wasm}: component, ")
    assert 'module 0 "Memory"' in out and 'module 1 "Main"' in out
    assert "instantiate module Main with host=instance 1" in out
    assert (
        "[method]output-stream.blocking-write-and-flush: func(self: borrow<output-stream>,\n"
        "          contents: list<u8>) -> result<_, stream-error>;" in out
    )
    assert "export wasi:cli/run@0.2.0 {\n      run: func() -> result;\n    }" in out
    # the world comes first, before the parts
    assert out.index("world (3 imports, 1 export):") < out.index("core modules (2):")


def test_inspect_json(hello_wasm: Path) -> None:
    result = witkit("inspect", "--json", str(hello_wasm))
    doc = json.loads(result.stdout)
    assert doc["kind"] == "component"
    assert doc["size"] == hello_wasm.stat().st_size
    assert [m["name"] for m in doc["component"]["modules"]] == ["Memory", "Main"]
    assert [i["name"] for i in doc["component"]["imports"]] == [
        "wasi:io/error@0.2.0",
        "wasi:io/streams@0.2.0",
        "wasi:cli/stdout@0.2.0",
    ]


def test_inspect_core_module(tmp_path: Path) -> None:
    path = tmp_path / "core.wasm"
    path.write_bytes(wasmtime.wat2wasm('(module (memory (export "m") 1) (func (export "f")))'))
    result = witkit("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "core module" in result.stdout and "export f" in result.stdout


def test_missing_file() -> None:
    assert_one_line_error(witkit("wit", "no/such.wasm"), "no/such.wasm")


def test_truncated_file(hello_wasm: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.wasm"
    cut.write_bytes(hello_wasm.read_bytes()[:100])
    for command in ("wit", "inspect"):
        assert_one_line_error(witkit(command, str(cut)), "offset")


def test_wrong_layer(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x0d\x00\x07\x00")
    assert_one_line_error(witkit("inspect", str(bad)), "offset")


def test_random_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "random.bin"
    bad.write_bytes(bytes(range(7, 250, 3)))
    assert_one_line_error(witkit("wit", str(bad)))


def test_core_module_where_component_expected(tmp_path: Path) -> None:
    path = tmp_path / "core.wasm"
    path.write_bytes(wasmtime.wat2wasm("(module)"))
    assert_one_line_error(witkit("wit", str(path)), "core")


def test_bad_wat_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.wat"
    path.write_text('(component\n  (import "x" (func (param u32)))\n  (bogus)\n)\n')
    assert_one_line_error(witkit("wit", str(path)), f"{path}:")


def test_bad_flag_is_a_usage_error() -> None:
    result = witkit("wit", "--no-such-flag", "x.wasm")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--no-such-flag" in result.stderr


def test_broken_pipe_is_quiet(hello_wasm: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        f"{sys.executable} -m witkit inspect {hello_wasm} | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "Traceback" not in proc.stderr
    assert "Broken pipe" not in proc.stderr


def test_help_has_examples() -> None:
    for command in ("wit", "inspect"):
        result = witkit(command, "--help")
        assert result.returncode == 0
        assert "examples:" in result.stdout


def test_cli_start_up_imports_no_library() -> None:
    """Start-up is paid on every command: building the parser must not import the library."""
    code = (
        "import sys, witkit.cli.main as m; m.build_parser(); "
        "print(sorted(n for n in sys.modules if n.startswith(('witkit.binary', 'witkit.wit.', "
        "'witkit.runtime', 'witkit.abi', 'witkit.wasi', 'wasmtime'))))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_long_export_lists_stay_one_readable_line(tmp_path: Path) -> None:
    funcs = "".join(f'(func (export "f{i}"))' for i in range(12))
    exports = " ".join(f'(export "f{i}" (func $m "f{i}"))' for i in range(12))
    path = tmp_path / "many.wat"
    path.write_text(
        f"(component (core module $M {funcs}) (core instance $m (instantiate $M))"
        f" (core instance {exports}))"
    )
    result = witkit("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "1: exports {f0, f1, f2, f3, f4, f5, f6, f7, ... (4 more)}" in result.stdout


def test_nested_components_show_their_types(tmp_path: Path) -> None:
    path = tmp_path / "nested.wat"
    path.write_text(
        "(component"
        ' (component $inner (import "x" (func (param "n" u32) (result string))))'
        ' (component $other (import "y" (func (param "flag" bool)))))'
    )
    result = witkit("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "x: func(n: u32) -> string" in result.stdout
    assert "y: func(flag: bool)" in result.stdout


def test_a_named_command_loads_only_its_own_module() -> None:
    code = (
        "import sys, witkit.cli.main as m; m.build_parser(m._chosen_command(['wit', 'x.wasm'])); "
        "print(sorted(n for n in sys.modules if n.startswith('witkit.cli.')))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "['witkit.cli.main', 'witkit.cli.wit']"
