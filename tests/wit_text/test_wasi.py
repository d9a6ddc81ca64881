"""Every WASI package jco ships resolves exactly as wasm-tools resolves it.

For each WASI version directory of jco (``0.2.x``, ``0.3.x``) and each package
in it, a temporary directory is laid out with that package as the main package
and every other package of the version under ``deps/`` (symlinks; no WASI WIT
is copied into the repository).  jco's own ``jco:node`` package is checked the
same way on top of the newest WASI 0.2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.wit import parse_path
from witkit.wit.json import resolve_to_json
from witkit.wit.printer import print_resolve

from .support import jco_dir, normalise, wasi_layout, wasi_packages, wasi_versions, wasm_tools


def wasi_cases() -> list[tuple[str, str]]:
    return [(v, p.name) for v in wasi_versions() for p in wasi_packages(v)]


def check_against_wasm_tools(path: Path) -> None:
    expected = wasm_tools("component", "wit", "--json", path)
    assert expected.returncode == 0, expected.stderr.decode()
    text = wasm_tools("component", "wit", path).stdout.decode()
    resolve, package = parse_path(path)
    assert resolve_to_json(resolve) == expected.stdout.decode().rstrip("\n")
    assert normalise(print_resolve(resolve, package)) == normalise(text)


@pytest.mark.parametrize(("version", "package"), wasi_cases(), ids=lambda x: x)
def test_wasi_package(tmp_path: Path, version: str, package: str) -> None:
    check_against_wasm_tools(wasi_layout(tmp_path, version, package))


def test_jco_node_package(tmp_path: Path) -> None:
    jco = jco_dir()
    versions = [v for v in wasi_versions() if v.startswith("0.2.")]
    assert versions, "the pinned jco ships WASI 0.2"
    builtin = jco / "lib" / "wit" / "builtin"
    node = next((p for p in builtin.iterdir() if p.name.startswith("jco-node")), None)
    tls = next((p for p in builtin.iterdir() if p.name.startswith("wasi-tls")), None)
    assert node is not None and tls is not None, "the pinned jco ships jco:node and wasi:tls"
    top = tmp_path / "node"
    (top / "deps").mkdir(parents=True)
    for wit in node.glob("*.wit"):
        (top / wit.name).symlink_to(wit)
    for pkg in wasi_packages(versions[-1]):
        (top / "deps" / pkg.name).symlink_to(pkg, target_is_directory=True)
    (top / "deps" / tls.name).symlink_to(tls, target_is_directory=True)
    check_against_wasm_tools(top)
    check_against_wasm_tools(tls)


def test_there_is_something_to_test() -> None:
    assert jco_dir().is_dir()
    assert len(wasi_cases()) >= 7
