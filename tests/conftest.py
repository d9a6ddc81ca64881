"""Shared pytest fixtures: the built component corpus of `tests/fixtures/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.build import corpus as build_corpus


@pytest.fixture(scope="session")
def corpus() -> dict[str, Path]:
    """name -> built component `.wasm` for every fixture (built once, then cached on disk)."""
    return build_corpus()
