"""Shared fixtures: one engine per session, and WAT components from ``wat/`` by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import witkit

WAT = Path(__file__).resolve().parent / "wat"


@pytest.fixture(scope="session")
def engine() -> witkit.Engine:
    return witkit.Engine()


@pytest.fixture(scope="session")
def component(engine: witkit.Engine) -> Callable[[str], witkit.Component]:
    """``component("values")`` compiles ``wat/values.wat`` (once per session)."""
    cache: dict[str, witkit.Component] = {}

    def load(name: str) -> witkit.Component:
        if name not in cache:
            cache[name] = witkit.Component.from_file(engine, WAT / f"{name}.wat")
        return cache[name]

    return load


@pytest.fixture
def instantiate(
    engine: witkit.Engine, component: Callable[[str], witkit.Component]
) -> Callable[..., witkit.Instance]:
    """``instantiate("values", **{"import-name": definition})``: a fresh instance."""

    def make(name: str, **defs: Any) -> witkit.Instance:
        linker = witkit.Linker(engine)
        for import_name, value in defs.items():
            if isinstance(value, dict):
                linker.define_instance(import_name, value)
            elif isinstance(value, type):
                linker.define_resource(import_name, value)
            else:
                linker.define_func(import_name, value)
        return linker.instantiate(component(name))

    return make


def wat_component(engine: witkit.Engine, text: str) -> witkit.Component:
    return witkit.Component.from_wat(engine, text)
