"""``witkit.build.targets`` and ``witkit component targets`` against ``wasm-tools component targets``.

Components are made the book's way (a dummy module embedded with a world, then
``wasm-tools component new``) from every world of ``cases/resources.wit``,
``targets/altered.wit`` and the C fixtures' worlds, and from every world of two
WASI packages; each is checked against every world of the same files.  The
verdict (fits or not) must be wasm-tools'; the problems name what differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.build import BuildError, Problem, embed, targets
from witkit.cli.main import main
from witkit.wit import parse_path
from witkit.wit.printer import escape_name

from ..wit_text.support import need_wasm_tools, wasi_layout, wasm_tools

HERE = Path(__file__).resolve().parent
RESOURCES = HERE / "cases" / "resources.wit"
ALTERED = HERE / "targets" / "altered.wit"
RESHAPED = HERE / "targets" / "reshaped.wit"
CALCULATOR = HERE.parent / "fixtures" / "c" / "calculator.wit"


def _worlds(path: Path) -> list[str]:
    resolve, package = parse_path(path)
    return [escape_name(w) for w in resolve.packages[package].worlds]


def _component(wit: Path, world: str, tmp_path: Path) -> Path:
    """A component of ``world``: witkit's dummy module and embedding, wasm-tools' ``new``."""
    module = tmp_path / f"{world}.module.wasm"
    module.write_bytes(embed(wit, None, world=world, dummy=True))
    out = tmp_path / f"{world}.component.wasm"
    made = wasm_tools("component", "new", module, "-o", out)
    assert made.returncode == 0, made.stderr.decode()
    return out


def _same_verdicts(wits: list[Path], tmp_path: Path) -> int:
    components = [_component(wit, w, tmp_path) for wit in wits for w in _worlds(wit)]
    count = 0
    for component in components:
        data = component.read_bytes()
        for wit in wits:
            for world in _worlds(wit):
                ref = wasm_tools("component", "targets", wit, "-w", world, component)
                problems = targets(wit, data, world=world)
                assert (not problems) == (ref.returncode == 0), (component.name, wit.name, world)
                count += 1
    return count


def test_verdicts_match_wasm_tools(tmp_path: Path) -> None:
    need_wasm_tools()
    assert _same_verdicts([RESOURCES, ALTERED, CALCULATOR], tmp_path) == 12 * 12


@pytest.mark.parametrize("package", ["wasi-cli", "wasi-http"])
def test_wasi_verdicts_match_wasm_tools(package: str, tmp_path: Path) -> None:
    need_wasm_tools()
    path = wasi_layout(tmp_path, "0.2.12", package)
    assert _same_verdicts([path], tmp_path) >= 1


def _problems(world: str, tmp_path: Path) -> list[str]:
    data = _component(RESOURCES, "host", tmp_path).read_bytes()
    return [str(p) for p in targets(ALTERED, data, world=world)]


def test_the_problems_are_named(tmp_path: Path) -> None:
    need_wasm_tools()
    assert _problems("same", tmp_path) == []
    assert _problems("fewer-exports", tmp_path) == []
    assert _problems("more-imports", tmp_path) == []
    assert _problems("more-exports", tmp_path) == ["missing export `extra: func(x: u32)`"]
    assert _problems("fewer-imports", tmp_path) == [
        "unexpected import `witkit:build-resources/store@1.2.3` (an interface)",
        "unexpected import `named` (an interface)",
        "unexpected import `make: func() -> local`",
    ]
    assert _problems("changed-signature", tmp_path) == [
        "type mismatch for export `run`: the world has `func(args: list<string>) ->"
        " result<_, string>`, the component `func(args: list<string>) -> result`"
    ]
    assert _problems("fewer-import-functions", tmp_path) == [
        "unexpected import `named#ping: func() -> string`"
    ]


def test_a_reshaped_type_is_reported_by_the_validator(tmp_path: Path) -> None:
    need_wasm_tools()
    data = _component(ALTERED, "uses-changed", tmp_path).read_bytes()
    [problem] = targets(RESHAPED, data, world="uses-changed")
    assert isinstance(problem, Problem) and problem.kind == "mismatch"
    assert str(problem).endswith("expected primitive `u64` found primitive `u32`")
    assert "\n" not in str(problem)


def test_a_core_module_is_an_error() -> None:
    module = embed(RESOURCES, None, world="empty", dummy=True)
    with pytest.raises(BuildError, match="core module, not a component"):
        targets(RESOURCES, module, world="empty")


def test_cli_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need_wasm_tools()
    component = str(_component(RESOURCES, "host", tmp_path))
    assert main(["component", "targets", str(ALTERED), "-w", "same", component]) == 0
    assert capsys.readouterr().out == ""
    assert main(["component", "targets", str(ALTERED), component, "-w", "more-exports"]) == 1
    assert capsys.readouterr().out == "missing export `extra: func(x: u32)`\n"


def test_corpus_verdicts_match_wasm_tools(corpus: dict[str, Path], tmp_path: Path) -> None:
    """Every built corpus component against the worlds of wasi:cli and wasi:http 0.2.12."""
    need_wasm_tools()
    wits = [wasi_layout(tmp_path, "0.2.12", p) for p in ("wasi-cli", "wasi-http")]
    count = fits = 0
    for name, component in sorted(corpus.items()):
        data = component.read_bytes()
        for wit in wits:
            for world in _worlds(wit):
                ref = wasm_tools("component", "targets", wit, "-w", world, component)
                problems = targets(wit, data, world=world)
                assert (not problems) == (ref.returncode == 0), (name, wit.name, world, problems)
                count += 1
                fits += not problems
    assert count >= 4 * len(corpus) and fits > 0
