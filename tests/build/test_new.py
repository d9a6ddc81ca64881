"""``witkit.build.new`` (``component new``, simplest cases) against ``wasm-tools component new``.

Each module of ``new/`` (WAT with its world beside it) and the dummy module of
each function-only world is embedded, made a component by witkit and by
wasm-tools; witkit's validates and prints the same WIT, and calls give the same
results as on wasm-tools' component.  What is not supported yet is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit import Component, Engine, Linker, Store
from witkit.build import BuildError, embed, new
from witkit.cli.main import main

from ..wit_text.support import need_wasm_tools, wasm_tools

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE / "new").glob("*.wat"))


def _same_wit(ours: bytes, module: Path, tmp_path: Path) -> Path:
    (tmp_path / "ours.wasm").write_bytes(ours)
    ref = tmp_path / "ref.wasm"
    made = wasm_tools("component", "new", module, "-o", ref)
    assert made.returncode == 0, made.stderr.decode()
    checked = wasm_tools("validate", tmp_path / "ours.wasm")
    assert checked.returncode == 0, checked.stderr.decode()
    assert (
        wasm_tools("component", "wit", tmp_path / "ours.wasm").stdout
        == wasm_tools("component", "wit", ref).stdout
    )
    return ref


@pytest.mark.parametrize("wat", CASES, ids=lambda p: p.stem)
def test_modules(wat: Path, tmp_path: Path) -> None:
    need_wasm_tools()
    module = tmp_path / "m.wasm"
    module.write_bytes(embed(wat.with_suffix(".wit"), wat.read_bytes()))
    _same_wit(new(module.read_bytes()), module, tmp_path)


@pytest.mark.parametrize(
    "wit",
    [
        HERE / "new" / "scalar.wit",
        HERE / "new" / "strings.wit",
        HERE.parent / "fixtures" / "c" / "calculator.wit",
    ],
    ids=lambda p: p.stem,
)
def test_dummy_modules_standard_names(wit: Path, tmp_path: Path) -> None:
    need_wasm_tools()
    module = tmp_path / "m.wasm"
    module.write_bytes(embed(wit, None, dummy=True))
    _same_wit(new(module.read_bytes()), module, tmp_path)


def test_calls_agree(tmp_path: Path) -> None:
    need_wasm_tools()
    wat = HERE / "new" / "strings.wat"
    module = tmp_path / "m.wasm"
    module.write_bytes(embed(wat.with_suffix(".wit"), wat.read_bytes(), string_encoding="utf16"))
    ref = _same_wit(new(module.read_bytes()), module, tmp_path)
    results = []
    engine = Engine()
    for data in (new(module.read_bytes()), ref.read_bytes()):
        instance = Linker(engine).instantiate(Component(engine, data), store=Store(engine))
        results.append((instance.exports["sum"]([1.0]), instance.exports["pair"]()))
    assert results[0] == results[1] == (None, (1, 2))


def test_unsupported_is_refused(tmp_path: Path) -> None:
    wit = HERE / "cases" / "resources.wit"
    with pytest.raises(BuildError, match="not supported yet"):
        new(embed(wit, None, world="host", dummy=True))
    with pytest.raises(BuildError, match="embeds no world"):
        new(b"\0asm\x01\0\0\0")
    with pytest.raises(BuildError, match="not a core wasm module"):
        new(b"\0asm\x0d\0\x01\0")


def test_cli_new(tmp_path: Path) -> None:
    need_wasm_tools()
    wat = HERE / "new" / "scalar.wat"
    module = tmp_path / "m.wasm"
    module.write_bytes(embed(wat.with_suffix(".wit"), wat.read_bytes()))
    out = tmp_path / "c.wasm"
    assert main(["component", "new", str(module), "-o", str(out)]) == 0
    assert out.read_bytes() == new(module.read_bytes())
