"""``witkit.build.embed`` and ``witkit component embed`` against ``wasm-tools component embed``.

Every world of the WIT corpus (the C fixtures' worlds, the WIT text cases, this
folder's cases, every WASI package jco ships) is embedded in a dummy module with
each string encoding; with wasm-tools' producer entry the bytes are identical to
``wasm-tools component embed --dummy``.  Embedding into a given module (text or
binary, with or without a ``component-type`` section already) is identical too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.build import BuildError, embed
from witkit.cli.main import main
from witkit.errors import WitError
from witkit.wit import parse_path
from witkit.wit.encode import WASM_TOOLS_PRODUCER
from witkit.wit.printer import escape_name

from ..wit_text.support import (
    CASES,
    need_wasm_tools,
    wasi_layout,
    wasi_packages,
    wasi_versions,
    wasm_tools,
)
from ..wit_text.test_cases import flags_of

HERE = Path(__file__).resolve().parent
FIXTURES_C = HERE.parent / "fixtures" / "c"
ENCODINGS = ["utf8", "utf16", "compact-utf16"]


def _local_inputs() -> list[Path]:
    own = sorted((HERE / "cases").glob("*.wit"))
    texts = [p for p in sorted(CASES.glob("*.wit")) if not flags_of(p)]
    c = [p for p in sorted(FIXTURES_C.glob("*.wit")) if "wasi:" not in p.read_text()]
    return own + texts + c


def _worlds(path: Path) -> list[str]:
    resolve, package = parse_path(path)
    return [escape_name(w) for w in resolve.packages[package].worlds]


def _check_dummy(path: Path, tmp_path: Path, encodings: list[str]) -> int:
    count = 0
    for world in _worlds(path):
        for enc in encodings:
            out = tmp_path / "ref.wasm"
            ref = wasm_tools(
                "component", "embed", path, "--dummy", "-w", world, "--encoding", enc, "-o", out
            )
            assert ref.returncode == 0, ref.stderr.decode()
            ours = embed(path, None, world=world, dummy=True, string_encoding=enc,  # type: ignore[arg-type]
                         producer=WASM_TOOLS_PRODUCER)  # fmt: skip
            assert ours == out.read_bytes(), (path.name, world, enc)
            count += 1
    return count


@pytest.mark.parametrize("path", _local_inputs(), ids=lambda p: p.name)
def test_dummy_modules_are_byte_identical(path: Path, tmp_path: Path) -> None:
    need_wasm_tools()
    _check_dummy(path, tmp_path, ENCODINGS)


@pytest.mark.parametrize(
    ("version", "package"),
    [(v, p.name) for v in wasi_versions() for p in wasi_packages(v)],
    ids=lambda x: x,
)
def test_wasi_dummy_modules_are_byte_identical(version: str, package: str, tmp_path: Path) -> None:
    need_wasm_tools()
    path = wasi_layout(tmp_path, version, package)
    _check_dummy(path, tmp_path, ["utf8"])


MODULE = '(module (func (export "f")) (memory (export "memory") 1))'


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_embedding_in_a_module_is_byte_identical(encoding: str, tmp_path: Path) -> None:
    need_wasm_tools()
    wit = HERE / "cases" / "resources.wit"
    (tmp_path / "m.wat").write_text(MODULE)
    ref = tmp_path / "ref.wasm"
    args = ("component", "embed", wit, "-w", "host", "--encoding", encoding)
    assert wasm_tools(*args, tmp_path / "m.wat", "-o", ref).returncode == 0
    ours = embed(wit, MODULE.encode(), world="host", string_encoding=encoding,  # type: ignore[arg-type]
                 producer=WASM_TOOLS_PRODUCER)  # fmt: skip
    assert ours == ref.read_bytes()
    # a module that already has a `component-type` section gets a second one, as in wasm-tools
    twice = tmp_path / "twice.wasm"
    assert wasm_tools("component", "embed", wit, "-w", "empty", ref, "-o", twice).returncode == 0
    again = embed(wit, ours, world="empty", producer=WASM_TOOLS_PRODUCER)
    assert again == twice.read_bytes()
    assert again.count(b"\x0ecomponent-type") == 2


def test_only_custom_is_the_payload(tmp_path: Path) -> None:
    need_wasm_tools()
    wit = FIXTURES_C / "calculator.wit"
    ref = tmp_path / "ref.wasm"
    assert wasm_tools("component", "embed", wit, "--only-custom", "--encoding", "utf16",
                      "-o", ref).returncode == 0  # fmt: skip
    ours = embed(wit, None, only_custom=True, string_encoding="utf16", producer=WASM_TOOLS_PRODUCER)
    assert ours == ref.read_bytes()


def test_errors_are_data() -> None:
    wit = HERE / "cases" / "resources.wit"
    with pytest.raises(BuildError, match="unknown string encoding `latin1`"):
        embed(wit, None, world="host", dummy=True, string_encoding="latin1")  # type: ignore[arg-type]
    with pytest.raises(WitError, match="multiple worlds"):
        embed(wit, None, dummy=True)
    with pytest.raises(WitError):
        embed(wit, None, world="nope", dummy=True)
    with pytest.raises(BuildError, match="neither wasm nor wasm text"):
        embed(wit, b"\xff\xfe", world="empty")


def test_cli_embed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wit = HERE / "cases" / "resources.wit"
    (tmp_path / "m.wat").write_text(MODULE)
    out = tmp_path / "out.wasm"
    assert main(["component", "embed", str(wit), "-w", "host", str(tmp_path / "m.wat"),
                 "-o", str(out)]) == 0  # fmt: skip
    assert out.read_bytes() == embed(wit, MODULE.encode(), world="host")
    assert main(["component", "embed", str(wit), "-w", "host", "--dummy", "-o", str(out)]) == 0
    assert out.read_bytes() == embed(wit, None, world="host", dummy=True)
    assert main(["component", "embed", str(wit), "-w", "host", "-o", str(out)]) == 1
    assert "a MODULE is needed" in capsys.readouterr().err
