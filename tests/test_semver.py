"""Versions in interface names: one rule (wasmtime's) for validation, the linker and the WASI host."""

from __future__ import annotations

import pytest

from witkit.errors import LinkError
from witkit.semver import (
    Version,
    canonical_version,
    is_semver,
    lookup,
    parse_version,
    split_version,
    track,
)
from witkit.types import ComponentType, ExternItem, InstanceType
from witkit.wasi import WasiConfig
from witkit.wasi.host import interfaces
from witkit.wasi.typecheck import check_imports


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("wasi:io/streams@0.2.9", "wasi:io/streams@0.2"),
        ("wasi:io/streams@1.2.3", "wasi:io/streams@1"),
        ("x:y/z@1.0.0", "x:y/z@1"),
        ("x:y/z@2.1.2+abc", "x:y/z@2"),
        ("x:y/z@0.2.3+abc", "x:y/z@0.2"),
        ("a:b/c@1.2.0+build.7", "a:b/c@1"),
        ("a:b/c@0.2", "a:b/c@0.2"),
        ("a:b/c@1", "a:b/c@1"),
        # on no track: only ever matched exactly
        ("a:b/c@0.0.7", None),
        ("a:b/c@0.0.7+b", None),
        ("a:b/c@0.0.7", None),
        ("a:b/c@1.0.0-rc.1", None),
        ("a:b/c@0.1.0-pre", None),
        ("a:b/c@0.0.1-pre", None),
        ("a:b/c@01.0.0", None),
        ("a:b/c@1.0", None),
        ("plain", None),
        ("a:b/c", None),
    ],
)
def test_track(name: str, key: str | None) -> None:
    assert track(name) == key


def test_lookup_prefers_exact_then_newest() -> None:
    defined = {"x:y/z@0.2.1": 1, "x:y/z@0.2.7": 2, "x:y/z@0.3.0": 3, "plain": 4}
    assert lookup(defined, "x:y/z@0.2.1") == ("x:y/z@0.2.1", 1)
    assert lookup(defined, "x:y/z@0.2.3") == ("x:y/z@0.2.7", 2)
    assert lookup(defined, "x:y/z@0.2") == ("x:y/z@0.2.7", 2)
    assert lookup(defined, "x:y/z@0.4.0") is None
    assert lookup(defined, "plain") == ("plain", 4)
    assert lookup(defined, "other") is None


def test_build_metadata_is_ignored_for_matching() -> None:
    assert lookup({"a:b/c@1.2.0+build": 1}, "a:b/c@1.0.0") == ("a:b/c@1.2.0+build", 1)
    assert lookup({"a:b/c@1.0.0": 1}, "a:b/c@1.2.0+build") == ("a:b/c@1.0.0", 1)
    assert lookup({"a:b/c@1.2.0+build": 1}, "a:b/c@1") == ("a:b/c@1.2.0+build", 1)
    # the highest version serves; build metadata only breaks a tie
    defined = {"a:b/c@1.2.0+b.2": 1, "a:b/c@1.2.0": 2, "a:b/c@1.2.0+b.10": 3, "a:b/c@1.1.9+z": 4}
    assert lookup(defined, "a:b/c@1.0.0") == ("a:b/c@1.2.0+b.10", 3)
    # 0.0.x is on no track, whatever its build metadata
    assert lookup({"a:b/c@0.0.1+x": 1}, "a:b/c@0.0.1") is None


def test_pre_releases_match_only_themselves() -> None:
    assert lookup({"a:b/c@1.0.0-rc.1": 1}, "a:b/c@1.0.0") is None
    assert lookup({"a:b/c@1.0.0": 1}, "a:b/c@1.0.0-rc.1") is None
    assert lookup({"a:b/c@1.0.0-rc.1": 1}, "a:b/c@1.0.0-rc.1") == ("a:b/c@1.0.0-rc.1", 1)
    assert lookup({"a:b/c@1.0.0-rc.1": 1, "a:b/c@1.0.1": 2}, "a:b/c@1.0.0") == (
        "a:b/c@1.0.1",
        2,
    )


@pytest.mark.parametrize(
    ("version", "canonical"),
    [
        ("1.2.3", "1"),
        ("1.2.0+build", "1"),
        ("0.2.6", "0.2"),
        ("0.2.6+b", "0.2"),
        ("0.0.1", "0.0.1"),
        ("0.0.1+b", "0.0.1"),
        ("1.0.0-rc.1", "1.0.0-rc.1"),
        ("1.0.0-rc.1+b", "1.0.0-rc.1"),
    ],
)
def test_canonical_version(version: str, canonical: str) -> None:
    assert canonical_version(version) == canonical


def test_the_canonical_version_names_the_track() -> None:
    """Validation's ``canonversion`` and the linker's track agree on every stable version."""
    for version in ("1.2.3", "1.2.0+build", "0.2.6", "0.2.6+b", "10.0.0"):
        assert track(f"a:b/c@{version}") == f"a:b/c@{canonical_version(version)}"


def test_parse_version_is_strict() -> None:
    assert parse_version("1.2.3-rc.1+b.5") == Version(1, 2, 3, "rc.1", "b.5")
    assert parse_version("0.2.0") == Version(0, 2, 0, "", "")
    for bad in ("1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "v1.2.3", "1.2.3 "):
        assert parse_version(bad) is None
        assert not is_semver(bad)
    assert is_semver("1.2.3-0a.1+001")


def test_split_version() -> None:
    assert split_version("wasi:io/poll@0.2.1") == ("wasi:io/poll", "0.2.1")
    assert split_version("wasi:io/poll") == ("wasi:io/poll", None)
    assert split_version("wasi:io/poll@0.2.0-rc.1") == ("wasi:io/poll", "0.2.0-rc.1")
    assert split_version("label") == ("label", None)


@pytest.mark.parametrize("version", ["0.2.0-rc.1", "0.2.0-rc-2023-11-10", "0.0.2"])
def test_wasi_host_refuses_what_the_linker_would_not_match(version: str) -> None:
    component = ComponentType(imports={f"wasi:io/poll@{version}": ExternItem(InstanceType({}))})
    with pytest.raises(LinkError, match=r"serves WASI 0\.2\.x only"):
        check_imports(component, interfaces(WasiConfig().build()))


def test_wasi_host_serves_build_metadata_and_canonical_names() -> None:
    host = interfaces(WasiConfig().build())
    for version in ("0.2.0+build", "0.2", "0.2.99"):
        check_imports(
            ComponentType(imports={f"wasi:io/poll@{version}": ExternItem(InstanceType({}))}), host
        )
