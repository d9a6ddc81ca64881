"""Diagnostics: malformed and ill-typed WIT, each with its expected rendered error.

Every entry of ``fail/`` (a ``.wit`` file, or a package directory with
``deps/``) must be rejected by witkit with a ``WitError`` whose rendering --
``file:line:col: message, hint``, the source line and a caret -- equals the
golden file beside it (``<case>.wit.expected`` or ``<dir>.expected``), and must
be rejected by ``wasm-tools component wit`` too.  ``BLESS=1`` rewrites the
goldens from witkit's output.  Paths are relative to this directory so goldens
do not depend on where the repository is checked out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from witkit.errors import WitError
from witkit.wit import parse_path

from .support import FAIL, HERE, wasm_tools

BLESS = os.environ.get("BLESS") == "1"


def fail_cases() -> list[Path]:
    return sorted(p for p in FAIL.iterdir() if p.suffix == ".wit" or p.is_dir())


def golden_of(case: Path) -> Path:
    return case.with_name(case.name + ".expected")


@pytest.mark.parametrize("case", fail_cases(), ids=lambda p: p.name)
def test_rejected_with_expected_diagnostic(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    relative = case.relative_to(HERE).as_posix()
    with pytest.raises(WitError) as info:
        parse_path(relative)
    rendered = info.value.render() + "\n"
    golden = golden_of(case)
    if BLESS:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with BLESS=1"
    assert rendered == golden.read_text(encoding="utf-8")

    oracle = wasm_tools("component", "wit", relative)
    assert oracle.returncode != 0, "wasm-tools accepts this input"


def test_every_golden_has_a_case() -> None:
    cases = {golden_of(c).name for c in fail_cases()}
    goldens = {p.name for p in FAIL.iterdir() if p.name.endswith(".expected")}
    assert goldens == cases


def test_enough_distinct_cases() -> None:
    assert len(fail_cases()) >= 40


def test_errors_carry_spans() -> None:
    with pytest.raises(WitError) as info:
        parse_path(FAIL / "unknown-type.wit")
    span = info.value.span
    assert span is not None
    assert (span.line, span.column, span.length) == (4, 23, 5)
    assert span.source_line.strip() == "greet: func(name: strng) -> string;"
    assert info.value.hint == "did you mean `string`?"
