"""The Canonical ABI against the spec's own ``definitions.py`` (``tools/abi_spec_diff.py``).

The spec's reference implementation is not in this repository or in CI, so this
module is collected only where ``$WITKIT_SPEC_DIR`` names a component-model
checkout (``tests/conftest.py`` leaves it out otherwise and says so in the test
summary).  Configured, a missing ``definitions.py`` is a failure, not a skip.
Each check of the tool is one test: random types and values go through our
generated code and through the spec's, with the same memory and ``realloc``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "abi_spec_diff", ROOT / "tools" / "abi_spec_diff.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


@pytest.fixture(scope="module")
def definitions() -> Path:
    from abi_spec_oracle import spec_definitions  # on sys.path once the tool is loaded

    checkout = os.environ.get("WITKIT_SPEC_DIR")
    assert checkout, "run with WITKIT_SPEC_DIR set to a component-model checkout"
    path = spec_definitions(Path(checkout))
    assert path.is_file(), f"WITKIT_SPEC_DIR is set but {path} does not exist"
    return path


@pytest.mark.parametrize("check", TOOL.CHECKS, ids=lambda check: check.__name__)
def test_agrees_with_the_spec(definitions: Path, check: Callable[[], None]) -> None:
    TOOL.use(definitions)
    check()
