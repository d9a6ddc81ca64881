"""``FuncABI.call`` and ``call_host``: the synchronous canon lift and canon lower sequences."""

from __future__ import annotations

from typing import Any

import pytest

from tests.abi.reference_resources import InstanceHandles, Subtask
from witkit.abi import CanonicalOptions, Context, func_abi, type_abi
from witkit.abi.testing import FakeMemory
from witkit.types import BorrowType, FuncType, FutureType, ListType, ResourceType, StreamType


def test_call_lowers_calls_lifts_then_post_returns() -> None:
    mem = FakeMemory()
    events: list[Any] = []
    opts = CanonicalOptions(
        memory=mem.memory,
        realloc=mem.realloc,
        post_return=lambda *r: events.append(("post-return", r)),
    )
    ft = FuncType((("s", "string"),), "string")
    abi = func_abi(ft, opts)
    cx = Context(opts)

    def callee(ptr: int, length: int) -> list[int]:
        events.append(("callee", bytes(mem.view[ptr : ptr + length])))
        ret = mem.realloc(0, 0, 4, 8)
        mem.view[ret : ret + 8] = ptr.to_bytes(4, "little") + length.to_bytes(4, "little")
        return [ret]

    assert abi.call(cx, callee, ["hé"]) == "hé"
    assert events[0] == ("callee", "hé".encode())
    assert events[1][0] == "post-return" and len(events[1][1]) == 1
    assert abi.flat_params == ("i32", "i32") and abi.flat_results == ("i32",)


def test_call_host_lifts_runs_and_lowers() -> None:
    mem = FakeMemory()
    cx = mem.context()
    ft = FuncType((("xs", ListType("u32")),), ListType("u32"))
    abi = func_abi(ft, cx.opts)
    flat = abi.lower_params(cx, [[1, 2, 3]])
    retptr = mem.realloc(0, 0, 4, 8)
    assert abi.call_host(cx, lambda xs: [x * 2 for x in xs], [*flat, retptr]) == []
    assert abi.lift_results(cx, [retptr]) == [2, 4, 6]


def test_borrow_scope_of_an_import_call() -> None:
    r = ResourceType("r")
    handles = InstanceHandles()
    i = handles.resource_new(r, 5)
    call = Subtask(handles)
    cx = Context(FakeMemory().options(), call)
    abi = func_abi(FuncType((("h", BorrowType(r)),), "u32"), cx.opts)
    assert abi.call_host(cx, lambda rep: rep + 1, [i]) == [6]
    call.deliver_resolve()
    handles.resource_drop(r, i)


class _Extras:
    """Hooks for error contexts and streams (optional parts of a resources object)."""

    def __init__(self) -> None:
        self.table: list[Any] = [None]

    def lift_own(self, rt: Any, i: int) -> Any:
        raise AssertionError

    lift_borrow = lower_own = lower_borrow = lift_own

    def lift_error_context(self, i: int) -> Any:
        return self.table[i]

    def lower_error_context(self, v: Any) -> int:
        self.table.append(v)
        return len(self.table) - 1

    def lift_stream(self, t: Any, i: int) -> Any:
        return ("stream", t, i)

    def lower_stream(self, t: Any, v: Any) -> int:
        return 9


def test_optional_hooks_for_error_contexts_and_streams() -> None:
    cx = Context(FakeMemory().options(), _Extras())  # type: ignore[arg-type]
    abi = type_abi("error-context", cx.opts)
    assert abi.lift_flat(cx, abi.lower_flat(cx, "oops")) == "oops"
    s = type_abi(StreamType("u8"), cx.opts)
    assert s.lower_flat(cx, object()) == [9]
    assert s.lift_flat(cx, [3]) == ("stream", "u8", 3)
    with pytest.raises(NotImplementedError, match="future"):
        type_abi(FutureType(None), cx.opts).lift_flat(cx, [1])
    with pytest.raises(TypeError, match="no resource hooks"):
        type_abi(BorrowType(ResourceType()), FakeMemory().options()).lift_flat(
            FakeMemory().context(), [1]
        )


def test_missing_memory_or_realloc_options() -> None:
    cx = Context(CanonicalOptions())
    with pytest.raises(TypeError, match="no `memory`"):
        type_abi("string", cx.opts).lift_flat(cx, [0, 0])
    mem = FakeMemory()
    cx = Context(CanonicalOptions(memory=mem.memory))
    with pytest.raises(TypeError, match="no `realloc`"):
        type_abi("string", cx.opts).lower_flat(cx, "x")
    with pytest.raises(ValueError, match="string_encoding"):
        CanonicalOptions(string_encoding="utf32")  # type: ignore[arg-type]
