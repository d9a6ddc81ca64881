"""The instance-flag rules: the generated fast paths' snippets do what ``flags``' functions do."""

from __future__ import annotations

from typing import Any

import pytest

from witkit.errors import Trap
from witkit.runtime.canon import flags


class FakeInstance:
    def __init__(self, may_enter: bool = True, poisoned: bool = False) -> None:
        self.may_enter = may_enter
        self.may_leave = True
        self.poisoned = poisoned


def state(inst: FakeInstance, depth: flags.CallDepth) -> tuple[bool, bool, bool, int]:
    return inst.may_enter, inst.may_leave, inst.poisoned, depth.n


def run_snippet(snippet: str, inst: FakeInstance, depth: flags.CallDepth, n: int = 0) -> Any:
    namespace = dict(flags.SNIPPET_NAMESPACE, inst=inst, depth=depth, n=n)
    exec(snippet, namespace)
    return namespace["n"]


CASES = [
    (True, False, 0),
    (True, False, flags.MAX_CALL_DEPTH - 1),
    (True, False, flags.MAX_CALL_DEPTH),
    (False, False, 3),
    (False, True, 3),
]


@pytest.mark.parametrize(("may_enter", "poisoned", "n"), CASES)
def test_enter_snippet_is_enter(may_enter: bool, poisoned: bool, n: int) -> None:
    results = []
    for use_snippet in (False, True):
        inst, depth = FakeInstance(may_enter, poisoned), flags.CallDepth()
        depth.n = n
        try:
            if use_snippet:
                old = run_snippet(flags.ONE_INSTANCE.enter, inst, depth)
            else:
                old = flags.enter((inst,), depth)  # type: ignore[arg-type]
            outcome: object = old
        except Trap as trap:
            outcome = trap.rule
        results.append((outcome, state(inst, depth)))
    assert results[0] == results[1]


@pytest.mark.parametrize("rule", ["leave", "poison"])
def test_leave_and_poison_snippets(rule: str) -> None:
    results = []
    for use_snippet in (False, True):
        inst, depth = FakeInstance(may_enter=False), flags.CallDepth()
        depth.n = 5
        if use_snippet:
            run_snippet(getattr(flags.ONE_INSTANCE, rule), inst, depth, n=4)
        else:
            getattr(flags, rule)((inst,), depth, 4)
        results.append(state(inst, depth))
    assert results[0] == results[1]


def test_check_leave_snippet() -> None:
    inst, depth = FakeInstance(), flags.CallDepth()
    inst.may_leave = False
    for call in (
        lambda: flags.check_leave(inst),  # type: ignore[arg-type]
        lambda: run_snippet(flags.ONE_INSTANCE.check_leave, inst, depth),
    ):
        with pytest.raises(Trap) as info:
            call()
        assert info.value.rule == "may-not-leave"
