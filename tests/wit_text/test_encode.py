"""WIT package binaries and world component types, against wasm-tools.

For every case of ``cases/`` and every WASI package jco ships:

* ``encode_package`` with wasm-tools' producer entry is byte-identical to
  ``wasm-tools component wit --wasm``; with witkit's own entry, wasm-tools
  validates it and prints the same WIT from it as from the source;
* ``encode_world`` is byte-identical to ``wasm-tools component embed
  --only-custom`` for every world;
* witkit's decoder (when present) reads witkit's encoding back to the model
  wasm-tools reads from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.wit import encode_package, encode_world, parse_path
from witkit.wit.encode import WASM_TOOLS_PRODUCER, component_type_section
from witkit.wit.printer import escape_name

from .support import CASES, normalise, wasi_layout, wasi_packages, wasi_versions, wasm_tools
from .test_cases import case_paths, flags_of, options


def _inputs() -> list[tuple[str, str, str]]:
    out = [("case", p.name, "") for p in case_paths()]
    out += [("wasi", v, p.name) for v in wasi_versions() for p in wasi_packages(v)]
    return out


def _path(kind: str, a: str, b: str, tmp_path: Path) -> Path:
    return CASES / a if kind == "case" else wasi_layout(tmp_path, a, b)


@pytest.mark.parametrize(("kind", "a", "b"), _inputs(), ids=lambda x: x)
def test_package_binary(kind: str, a: str, b: str, tmp_path: Path) -> None:
    path = _path(kind, a, b, tmp_path)
    flags = flags_of(path) if kind == "case" else []
    features, all_features = options(flags)
    resolve, package = parse_path(path, features=features, all_features=all_features)

    expected = wasm_tools("component", "wit", *flags, "--wasm", "-o", tmp_path / "wt.wasm", path)
    assert expected.returncode == 0, expected.stderr.decode()
    assert (
        encode_package(resolve, package, producer=WASM_TOOLS_PRODUCER)
        == (tmp_path / "wt.wasm").read_bytes()
    )

    ours = tmp_path / "witkit.wasm"
    ours.write_bytes(encode_package(resolve, package))
    assert wasm_tools("validate", "--features", "all", ours).returncode == 0
    printed = wasm_tools("component", "wit", ours)
    assert printed.returncode == 0, printed.stderr.decode()
    reference = wasm_tools("component", "wit", tmp_path / "wt.wasm").stdout.decode()
    assert normalise(printed.stdout.decode()) == normalise(reference)


@pytest.mark.parametrize(("kind", "a", "b"), _inputs(), ids=lambda x: x)
def test_world_component_types(kind: str, a: str, b: str, tmp_path: Path) -> None:
    path = _path(kind, a, b, tmp_path)
    flags = flags_of(path) if kind == "case" else []
    features, all_features = options(flags)
    resolve, package = parse_path(path, features=features, all_features=all_features)
    for world_name, world in resolve.packages[package].worlds.items():
        out = tmp_path / f"{world_name}.wasm"
        expected = wasm_tools(
            "component", "embed", *flags, path, "--world", escape_name(world_name),
            "--only-custom", "-o", out,
        )  # fmt: skip
        assert expected.returncode == 0, expected.stderr.decode()
        assert encode_world(resolve, world, producer=WASM_TOOLS_PRODUCER) == out.read_bytes()
        payload = encode_world(resolve, world)
        out.write_bytes(payload)
        assert wasm_tools("component", "wit", out).returncode == 0
        section = component_type_section(resolve, world)
        assert section.endswith(payload) and section[0] == 0


def test_decoder_reads_the_encoding_back(tmp_path: Path) -> None:
    from witkit.wit import decode
    from witkit.wit.json import resolve_to_json

    for case in ["types.wit", "worlds.wit", "docs.wit", "use.wit"]:
        resolve, package = parse_path(CASES / case)
        data = encode_package(resolve, package)
        (tmp_path / "p.wasm").write_bytes(data)
        expected = wasm_tools("component", "wit", "--json", tmp_path / "p.wasm")
        decoded = decode.decode_wasm(data)
        assert resolve_to_json(decoded.resolve) == expected.stdout.decode().rstrip("\n")
