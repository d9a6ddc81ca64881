"""``witkit._lazy``: names and modules imported on first use, then kept."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest

from witkit._lazy import Deferred, attribute


def test_attribute_imports_the_home_once_and_keeps_the_value() -> None:
    namespace: dict[str, Any] = {}
    homes = {"dumps": "json"}
    value = attribute("pkg", namespace, homes, "dumps")
    assert value is sys.modules["json"].dumps
    assert namespace == {"dumps": value}
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'loads'"):
        attribute("pkg", namespace, homes, "loads")


def test_deferred_rebinds_its_name_to_the_module_on_first_use() -> None:
    loaded: list[str] = []

    def load(name: str) -> ModuleType:
        loaded.append(name)
        return sys.modules[name] if name in sys.modules else __import__(name)

    namespace: dict[str, Any] = {}
    namespace["string"] = Deferred("string", namespace, load)
    assert "deferred" in repr(namespace["string"])
    assert namespace["string"].ascii_lowercase == "abcdefghijklmnopqrstuvwxyz"
    assert namespace["string"] is sys.modules["string"]
    assert loaded == ["string"]


def test_packages_resolve_their_lazy_names() -> None:
    import witkit
    import witkit.runtime
    import witkit.wit

    for package in (witkit, witkit.runtime, witkit.wit):
        for name in package.__all__:
            assert getattr(package, name) is not None
        with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute"):
            package.no_such_name  # noqa: B018
