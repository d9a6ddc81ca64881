"""A battery of hostile guests: every broken rule is a ``witkit.Trap`` naming it, nothing worse.

``wat/hostile.wat`` has one export per rule.  Each case runs in a fresh
instance; after it, the same component instantiates again and works, so a
guest can never take the host process (or other instances) down with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import witkit


class Thing:
    """The host resource the hostile guest lends and moves."""


def host(calls: list[str], reenter: list[Callable[[], Any]]) -> dict[str, Any]:
    return {
        "thing": Thing,
        "borrow-and-own": lambda b, o: calls.append("borrow-and-own"),
        "call-back": lambda: reenter[0](),
        "ping": lambda: calls.append("ping"),
    }


@pytest.fixture
def hostile(instantiate: Callable[..., witkit.Instance]) -> Callable[[], witkit.Exports]:
    def make() -> witkit.Exports:
        calls: list[str] = []
        reenter: list[Callable[[], Any]] = []
        exports = instantiate("hostile", host=host(calls, reenter)).exports
        reenter.append(exports["ok"])
        return exports

    return make


# (export, arguments, rule of the trap, words the message must contain)
CASES: list[tuple[str, tuple[Any, ...], str, str]] = [
    ("string-out-of-bounds", (), "out-of-bounds", "past the end of memory"),
    ("string-wraps", (), "out-of-bounds", "past the end of memory"),
    ("retptr-misaligned", (), "misaligned-pointer", "aligned"),
    ("retptr-out-of-bounds", (), "out-of-bounds", "past the end of memory"),
    ("list-misaligned", (), "misaligned-pointer", "aligned"),
    ("list-too-long", (), "list-too-long", "list"),
    ("invalid-utf8", (), "invalid-utf8", "utf-8"),
    ("invalid-utf16", (), "invalid-utf16", "utf-16"),
    ("utf16-misaligned", (), "misaligned-pointer", "aligned"),
    ("bad-variant", (), "invalid-discriminant", "case index"),
    ("bad-enum", (), "invalid-discriminant", "case index"),
    ("bad-option", (), "invalid-discriminant", "case index"),
    ("bad-result", (), "invalid-discriminant", "case index"),
    ("surrogate-char", (), "invalid-char", "char"),
    ("too-big-char", (), "invalid-char", "char"),
    ("use-after-drop", (), "unknown-handle", "unknown handle"),
    ("double-drop", (), "unknown-handle", "unknown handle"),
    ("foreign-handle", (), "wrong-resource-type", "wrong type"),
    ("made-up-handle", (), "unknown-handle", "unknown handle"),
    ("made-up-own", (), "unknown-handle", "unknown handle"),
    ("lend-and-move", (), "handle-lent", "borrowed"),
    ("reenter", (), "may-not-enter", "cannot enter"),
    ("post-return-calls-out", (), "may-not-leave", "cannot leave"),
]


@pytest.mark.parametrize(("name", "args", "rule", "words"), CASES, ids=[c[0] for c in CASES])
def test_trap(
    hostile: Callable[[], witkit.Exports], name: str, args: tuple[Any, ...], rule: str, words: str
) -> None:
    exports = hostile()
    with pytest.raises(witkit.Trap) as info:
        exports[name](*args)
    assert info.value.rule == rule, str(info.value)
    assert words in str(info.value).lower()
    # the trapped instance stays closed; a new one works
    with pytest.raises(witkit.Trap, match="cannot enter"):
        exports["ok"]()
    assert hostile()["ok"]() == "ok"


@pytest.mark.parametrize(
    ("mode", "rule"),
    [(1, "realloc-misaligned"), (2, "realloc-out-of-bounds"), (3, "may-not-leave")],
    ids=["misaligned", "out-of-bounds", "calls-out"],
)
def test_bad_realloc(hostile: Callable[[], witkit.Exports], mode: int, rule: str) -> None:
    exports = hostile()
    exports["set-bad-realloc"](mode)
    with pytest.raises(witkit.Trap) as info:
        exports["take-list"]([1, 2, 3])
    assert info.value.rule == rule, str(info.value)
    assert hostile()["ok"]() == "ok"


def test_core_trap(hostile: Callable[[], witkit.Exports]) -> None:
    with pytest.raises(witkit.Trap, match="unreachable"):
        hostile()["unreachable"]()


def test_extra_flag_bits_are_ignored(hostile: Callable[[], witkit.Exports]) -> None:
    """The spec lifts flags by their labels' bits and ignores the rest (no trap)."""
    assert hostile()["extra-flag-bits"]() == frozenset({"p", "q"})


def test_host_exception_is_a_trap(instantiate: Callable[..., witkit.Instance]) -> None:
    """A host import that raises unwinds the guest; the caller gets a trap naming the
    import, caused by the same exception, and the instance is poisoned."""
    boom = ValueError("boom")

    def fail() -> None:
        raise boom

    defs = host([], [])
    defs["ping"] = fail
    exports = instantiate("hostile", host=defs).exports
    with pytest.raises(
        witkit.Trap, match=r"`ping` of import `host`.* raised ValueError: boom"
    ) as info:
        exports["call-ping"]()
    assert info.value.__cause__ is boom and info.value.rule == "host-error"
    with pytest.raises(witkit.Trap, match="trapped earlier"):
        exports["call-ping"]()
