"""The public surface: ``__all__`` of every ABI module names exactly its public definitions."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "witkit.abi",
    "witkit.abi.codegen",
    "witkit.abi.codegen.calls",
    "witkit.abi.codegen.emitter",
    "witkit.abi.codegen.generator",
    "witkit.abi.codegen.lifting",
    "witkit.abi.codegen.lowering",
    "witkit.abi.context",
    "witkit.abi.layout",
    "witkit.abi.specialize",
    "witkit.abi.strings",
    "witkit.abi.testing",
    "witkit.abi.trap",
    "witkit.abi.values",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported)
    if name == "witkit.abi":
        return  # the package re-exports a curated selection
    defined = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == name
    }
    assert defined <= exported, defined - exported


def test_package_exports_resolve() -> None:
    import witkit.abi as abi

    for n in abi.__all__:
        assert getattr(abi, n) is not None
