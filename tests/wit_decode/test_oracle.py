"""witkit against ``wasm-tools component wit``, the reference, over every input we can build.

* ``test_decode``: ``decode_wasm`` + ``print_resolve`` of each binary equals the
  oracle's text (trailing whitespace per line aside), and ``resolve_to_json``
  equals its ``--json`` as parsed JSON; where the oracle refuses a binary,
  witkit must refuse it too.  The WIT-package binaries here are the round trip
  WIT -> ``component wit --wasm`` -> witkit.
* ``test_print_wit`` / ``test_print_binary``: the printer on its own, fed the
  oracle's own model through ``resolve_from_json`` -- this isolates printer
  bugs from decoder bugs.
* ``test_json_round_trip``: reading and writing wasm-tools' JSON is lossless,
  byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.wit_decode.oracle import (
    Oracle,
    WitSource,
    input_names,
    input_path,
    oracle,
    strip_lines,
    wit_sources,
)
from witkit.errors import WitkitError
from witkit.wit.json import resolve_from_json, resolve_to_dict, resolve_to_json
from witkit.wit.model import PackageId
from witkit.wit.printer import escape_name, print_resolve

INPUTS = input_names()

SOURCES = {src.name: src for src in wit_sources()}


def _print_oracle_model(js: object, text: str) -> str:
    """Print wasm-tools' own model, its main package found from the header of its text."""
    resolve = resolve_from_json(json.dumps(js))
    first = next(line for line in text.split("\n") if line.startswith("package "))
    header = first.removeprefix("package ").removesuffix(";")
    for i, pkg in enumerate(resolve.packages):
        name = f"{escape_name(pkg.name.namespace)}:{escape_name(pkg.name.name)}"
        if pkg.name.version is not None:
            name += f"@{pkg.name.version}"
        if name == header:
            return print_resolve(resolve, PackageId(i))
    raise AssertionError(f"no package {header!r} in the oracle's JSON")


@pytest.mark.parametrize("name", INPUTS)
def test_decode(name: str) -> None:
    _check_decode(name)


def _check_decode(name: str) -> None:
    from witkit.wit.decode import decode_wasm

    path = input_path(name)
    expected = oracle(path)
    data = path.read_bytes()
    if expected.error is not None:
        with pytest.raises(WitkitError):
            decode_wasm(data)
        return
    decoded = decode_wasm(data)
    text = print_resolve(decoded.resolve, decoded.package)
    assert strip_lines(text) == strip_lines(expected.text or "")
    assert resolve_to_dict(decoded.resolve) == expected.json
    # and byte for byte, as wasm-tools writes it (no final newline)
    assert resolve_to_json(decoded.resolve) == expected.json_text


def _assert_witkit_rejects(path: Path) -> None:
    from witkit.wit.decode import decode_wasm

    with pytest.raises(WitkitError):
        decode_wasm(path.read_bytes())


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_print_wit(name: str) -> None:
    src: WitSource = SOURCES[name]
    expected = oracle(src.path, *src.flags)
    assert expected.error is None, expected.error
    assert _print_oracle_model(expected.json, expected.text or "") == expected.text


@pytest.mark.parametrize("name", INPUTS)
def test_print_binary(name: str) -> None:
    expected: Oracle = oracle(input_path(name))
    if expected.error is not None:
        # nothing to print: witkit must refuse the binary as well
        _assert_witkit_rejects(input_path(name))
        return
    assert _print_oracle_model(expected.json, expected.text or "") == expected.text


@pytest.mark.parametrize("name", INPUTS)
def test_json_round_trip(name: str) -> None:
    path: Path = input_path(name)
    expected = oracle(path)
    if expected.error is not None:
        _assert_witkit_rejects(path)
        return
    assert resolve_to_json(resolve_from_json(expected.json_text)) == expected.json_text
