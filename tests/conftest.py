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


# Upstream conformance suites that are neither in this repository nor in CI (no network there):
# each is collected only where its variable names a fetched copy, and the summary says when one
# was left out (a skip would read as a pass in CI; see README).
UPSTREAM_TESTS = {
    "abi/test_spec_definitions.py": (
        "WITKIT_SPEC_DIR",
        "the ABI against the spec's definitions.py",
        "a component-model checkout",
    ),
    "wave/test_upstream_ui.py": (
        "WITKIT_WAVE_UI_DIR",
        "wasm-wave's tests/ui cases",
        "wasm-tools' crates/wasm-wave/tests/ui",
    ),
}
collect_ignore = [path for path, (var, _, _) in UPSTREAM_TESTS.items() if not os.environ.get(var)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for path in collect_ignore:
        var, what, where = UPSTREAM_TESTS[path]
        terminalreporter.write_line(
            f"not collected: tests/{path} ({what}); set {var} to {where} to run it"
        )
