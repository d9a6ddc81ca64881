"""Shared pytest set-up: the tree under test, and the built component corpus of `tests/fixtures/`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Test the tree these tests live in, not whatever `witkit` an editable install (perhaps of
# another clone) points at: first on sys.path here, and for the subprocesses tests start.
_SRC = str(Path(__file__).resolve().parent.parent / "src")
if sys.path[0] != _SRC:
    sys.path.insert(0, _SRC)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC, os.environ.get("PYTHONPATH", "")) if p)
# Every use of an ABI recipe (witkit.abi._recipes) is checked against fresh code
# generation, in this process and in the witkit processes tests start.
os.environ.setdefault("WITKIT_CHECK_RECIPES", "1")

from tests.fixtures.build import corpus as build_corpus  # noqa: E402


@pytest.fixture(scope="session")
def corpus() -> dict[str, Path]:
    """name -> built component `.wasm` for every fixture (built once, then cached on disk)."""
    return build_corpus()


# The check of the ABI against the spec's definitions.py needs a copy of the spec, which is
# neither in this repository nor in CI: collected only where WITKIT_SPEC_DIR names one, and
# the summary says when it was left out (a skip would read as a pass in CI; see README).
SPEC_TESTS = "abi/test_spec_definitions.py"
collect_ignore = [] if os.environ.get("WITKIT_SPEC_DIR") else [SPEC_TESTS]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if collect_ignore:
        terminalreporter.write_line(
            f"not collected: tests/{SPEC_TESTS} (the ABI against the spec's definitions.py); "
            "set WITKIT_SPEC_DIR to a component-model checkout to run it"
        )
