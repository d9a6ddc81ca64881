"""Property tests on generated WIT packages (see ``generate.py``).

* Round trip: resolve the text, print the model with the printer, resolve the
  printed text again: printing that model gives the same text, and from then
  on resolving and printing are a fixpoint (the models compared through their
  JSON, so every id and every order counts).  The first round may renumber --
  the printer puts a world's interfaces before its functions, as wasm-tools
  does -- and may move docs (an interface's docs are shown on a plain-named
  import of it, and read back as the import's), so it is compared as text.
* Differential (fewer examples, one wasm-tools run each): the model equals the
  one wasm-tools resolves from the same text.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from witkit.wit import parse_text
from witkit.wit.json import resolve_to_json
from witkit.wit.printer import print_resolve

from .generate import wit_packages
from .support import wasm_tools


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wit_packages())
def test_print_and_reparse_give_the_same_model(text: str) -> None:
    resolve, package = parse_text(text, "generated.wit", all_features=True)
    printed = print_resolve(resolve, package)
    again, package_again = parse_text(printed, "printed.wit", all_features=True)
    assert print_resolve(again, package_again) == printed


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=wit_packages())
def test_generated_packages_resolve_as_wasm_tools_does(text: str, tmp_path: Path) -> None:
    source = tmp_path / "generated.wit"
    source.write_text(text, encoding="utf-8")
    expected = wasm_tools("component", "wit", "--all-features", "--json", source)
    assert expected.returncode == 0, expected.stderr.decode()
    resolve, _ = parse_text(text, "generated.wit", all_features=True)
    assert resolve_to_json(resolve) == expected.stdout.decode().rstrip("\n")
