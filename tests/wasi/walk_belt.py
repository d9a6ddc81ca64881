"""The openat2 belt of :mod:`witkit.wasi._walk` turned on or off for a test, and proved so.

A test of "the portable walk alone" that silently ran with the belt on would pass and test
nothing: the flag is set with ``raising=True`` (so it cannot be set on a module that no longer
has it), and every ask for ``openat2`` during the test is counted, so that the portable case
fails if the belt was used and the belt case fails if it never was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from witkit.wasi import _walk


@contextlib.contextmanager
def belt(monkeypatch: pytest.MonkeyPatch, on: bool) -> Iterator[None]:
    if on and not _walk.openat2_works():
        pytest.fail("this kernel has no openat2: the belt cannot be tested here")
    monkeypatch.setattr(_walk, "USE_OPENAT2", on, raising=True)
    asked: list[None] = []
    probe = _walk._openat2

    def counted() -> Callable[..., int] | None:
        asked.append(None)
        return probe()

    monkeypatch.setattr(_walk, "_openat2", counted, raising=True)
    yield
    if on:
        assert asked, "the belt was on, yet no open asked for openat2"
    else:
        assert not asked, f"the portable walk asked for openat2 {len(asked)} times"
