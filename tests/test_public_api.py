"""The public surface, package by package: each ``__all__`` resolves, is unique, ordered, and private-free.

The public surface is what ``witkit``, ``witkit.wasi``, ``witkit.binary``,
``witkit.wit``, ``witkit.abi``, ``witkit.runtime`` and the submodules the README
and the package docstrings send users to export; everything else is internal
(and a module that is nothing but an internal helper is named ``_x``).
"""

from __future__ import annotations

import importlib

import pytest

#: the public packages, then the submodules users are sent to by name
PUBLIC = (
    "witkit",
    "witkit.wasi",
    "witkit.binary",
    "witkit.wit",
    "witkit.abi",
    "witkit.runtime",
    "witkit.errors",
    "witkit.types",
    "witkit.semver",
    "witkit.wat",
    "witkit.inspect",
    "witkit.abi.testing",
    "witkit.runtime.cache",
    "witkit.wit.decode",
    "witkit.wit.model",
    "witkit.wit.printer",
    "witkit.wit.resolve",
    "witkit.wave",
    "witkit.build",
    "witkit.wasi.preview1",
    "witkit.runtime.pruning",
)

#: modules whose ``__all__`` is grouped by purpose rather than sorted, and why
GROUPED = {
    "witkit": "running, values, errors: the order the README introduces them",
}


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's ``__all__`` order (RUF022): constants, then classes, then the rest."""
    if name.isupper():
        return 0, name
    return (1 if name[:1].isupper() else 2), name


@pytest.mark.parametrize("name", PUBLIC)
def test_all_resolves_is_unique_and_has_no_private_name(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported, f"{name}: empty __all__"
    assert len(exported) == len(set(exported)), f"{name}: a name is listed twice"
    private = [n for n in exported if n.startswith("_") and not n.startswith("__")]
    assert not private, f"{name}: private names in __all__: {private}"
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


@pytest.mark.parametrize("name", [n for n in PUBLIC if n not in GROUPED])
def test_all_is_sorted(name: str) -> None:
    exported = list(importlib.import_module(name).__all__)
    assert exported == sorted(exported, key=_isort_key), name


@pytest.mark.parametrize("name", PUBLIC)
def test_public_objects_do_not_come_from_private_modules_by_name(name: str) -> None:
    """A public name's object may live in a private module, but never under a private name."""
    module = importlib.import_module(name)
    for attr in module.__all__:
        value = getattr(module, attr)
        own = getattr(value, "__name__", attr)
        if isinstance(own, str) and callable(value):
            assert not own.startswith("_") or own.startswith("__"), f"{name}.{attr} is {own}"
