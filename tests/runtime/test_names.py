"""Import names: exact first, then semver-compatible (Explainer.md, "Canonical Interface Name")."""

from __future__ import annotations

import pytest

from witkit.runtime.names import canonical_key, lookup


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("wasi:io/streams@0.2.9", "wasi:io/streams@0.2"),
        ("wasi:io/streams@1.2.3", "wasi:io/streams@1"),
        ("a:b/c@0.0.7", "a:b/c@0.0.7"),
        ("a:b/c@1.0.0-rc.1", "a:b/c@1.0.0-rc.1"),
        ("a:b/c@0.2", "a:b/c@0.2"),
        ("plain", "plain"),
        ("a:b/c", "a:b/c"),
    ],
)
def test_canonical_key(name: str, key: str) -> None:
    assert canonical_key(name) == key


def test_lookup_prefers_exact_then_newest() -> None:
    defined = {"x:y/z@0.2.1": 1, "x:y/z@0.2.7": 2, "x:y/z@0.3.0": 3, "plain": 4}
    assert lookup(defined, "x:y/z@0.2.1") == ("x:y/z@0.2.1", 1)
    assert lookup(defined, "x:y/z@0.2.3") == ("x:y/z@0.2.7", 2)
    assert lookup(defined, "x:y/z@0.2") == ("x:y/z@0.2.7", 2)
    assert lookup(defined, "x:y/z@0.4.0") is None
    assert lookup(defined, "plain") == ("plain", 4)
    assert lookup(defined, "other") is None
    assert lookup({"a:b/c@1.0.0-rc.1": 1}, "a:b/c@1.0.0") is None
