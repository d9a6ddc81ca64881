"""Shared fixtures: an engine with the disk cache off, a store, and WAT assembly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import wasmtime

from witkit.runtime.core import CoreInstance, CoreModule, Engine, Store

Instantiate = Callable[..., CoreInstance]


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(cache=False)


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def compile_wat(engine: Engine, text: str) -> CoreModule:
    return engine.compile(wasmtime.wat2wasm(text))


@pytest.fixture
def instantiate(engine: Engine, store: Store) -> Instantiate:
    """``instantiate(wat, *imports)`` in the test's store."""

    def make(text: str, *imports: object) -> CoreInstance:
        return store.instantiate(compile_wat(engine, text), list(imports))  # type: ignore[arg-type]

    return make
