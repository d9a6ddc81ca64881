"""Resolving our own WIT packages gives what wasm-tools gives: same model, same text.

Each entry of ``cases/`` is a ``.wit`` file or a package directory (with
``deps/``); a ``<case>.flags`` file beside it holds ``wasm-tools component
wit`` flags (``--features a,b`` or ``--all-features``), applied to both sides.

The model is compared through wasm-tools' own JSON (``--json``, which is
wit-parser's ``Resolve`` serialised arena by arena, so ids and order must match
exactly); the text through the printer, after normalising trailing whitespace.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from witkit.wit import parse_path, select_world
from witkit.wit.json import resolve_to_json
from witkit.wit.printer import print_resolve

from .support import CASES, normalise, wasm_tools


def case_paths() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix == ".wit" or p.is_dir())


def flags_of(case: Path) -> list[str]:
    sidecar = case.with_name(case.name + ".flags")
    return shlex.split(sidecar.read_text()) if sidecar.exists() else []


def options(flags: list[str]) -> tuple[list[str], bool]:
    features: list[str] = []
    if "--features" in flags:
        features = flags[flags.index("--features") + 1].split(",")
    return features, "--all-features" in flags


@pytest.mark.parametrize("case", case_paths(), ids=lambda p: p.name)
def test_model_and_text_match_wasm_tools(case: Path) -> None:
    flags = flags_of(case)
    expected_json = wasm_tools("component", "wit", "--json", *flags, case)
    assert expected_json.returncode == 0, expected_json.stderr.decode()
    expected_text = wasm_tools("component", "wit", *flags, case).stdout.decode()

    features, all_features = options(flags)
    resolve, package = parse_path(case, features=features, all_features=all_features)

    assert json.loads(resolve_to_json(resolve)) == json.loads(expected_json.stdout)
    assert resolve_to_json(resolve) == expected_json.stdout.decode().rstrip("\n")
    assert normalise(print_resolve(resolve, package)) == normalise(expected_text)


def test_select_world() -> None:
    resolve, package = parse_path(CASES / "worlds.wit")
    everything = select_world(resolve, package, "everything")
    assert resolve.worlds[everything].name == "everything"
    assert (
        select_world(resolve, package, "demo:worlds/multi@1.0.0")
        == resolve.packages[package].worlds["multi"]
    )
    resolve, package = parse_path(CASES / "nested.wit")
    with pytest.raises(Exception, match="multiple"):
        select_world(resolve, [package, package])
