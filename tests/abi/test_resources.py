"""The reference handle tables in use: handles crossing calls the way the spec describes."""

from __future__ import annotations

from tests.abi.reference_resources import InstanceHandles, Subtask, Task
from witkit.abi import Context, func_abi
from witkit.abi.testing import FakeMemory
from witkit.types import (
    BorrowType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    ResourceType,
    make_alias,
)

FILE = ResourceType("file", defined=True)


def test_own_passed_into_an_export_becomes_the_callee_s_to_drop() -> None:
    callee = InstanceHandles()
    mem = FakeMemory()
    ft = FuncType((("f", OwnType(FILE)),), None)
    task = Task(callee)
    cx = Context(mem.options(), task)
    [i] = func_abi(ft, cx.opts).lower_params(cx, [42])
    assert callee.resource_rep(FILE, i) == 42
    dropped: list[int] = []
    callee.resource_drop(FILE, i, dtor=dropped.append)
    assert dropped == [42]
    task.return_()


def test_borrows_into_an_export_must_be_dropped_before_it_returns() -> None:
    callee = InstanceHandles()
    ft = FuncType((("fs", ListType(BorrowType(FILE))),), None)
    task = Task(callee)
    cx = Context(FakeMemory().options(), task)
    abi = func_abi(ft, cx.opts)
    ptr, n = abi.lower_params(cx, [[1, 2]])
    assert task.num_borrows == 2
    indices = [
        int.from_bytes(cx.memory()[ptr + 4 * k : ptr + 4 * k + 4], "little") for k in range(n)
    ]
    for i in indices:
        callee.resource_drop(FILE, i)  # dropping a borrow calls no destructor
    task.return_()


def test_borrow_of_a_resource_the_callee_implements_is_its_rep() -> None:
    callee = InstanceHandles(implements={FILE})
    task = Task(callee)
    cx = Context(FakeMemory().options(), task)
    ft = FuncType((("f", BorrowType(FILE)),), None)
    assert func_abi(ft, cx.opts).lower_params(cx, [42]) == [42]
    assert task.num_borrows == 0
    assert len(callee.table) == 0


def test_an_import_lends_the_caller_s_handles_until_it_resolves() -> None:
    caller = InstanceHandles()
    i = caller.resource_new(FILE, 7)
    call = Subtask(caller)
    cx = Context(FakeMemory().options(), call)
    ft = FuncType((("a", BorrowType(FILE)), ("b", BorrowType(make_alias(FILE)))), OwnType(FILE))
    abi = func_abi(ft, cx.opts)
    assert abi.lift_params(cx, [i, i]) == [7, 7]  # an alias is the same resource type
    handle = caller.table.get(i)
    assert handle.num_lends == 2
    [j] = abi.lower_results(cx, 8, [i, i])  # the import returns a new own handle
    call.deliver_resolve()
    assert handle.num_lends == 0
    assert caller.resource_rep(FILE, j) == 8
    caller.resource_drop(FILE, i)


def test_own_results_move_out_of_the_callee() -> None:
    callee = InstanceHandles()
    i = callee.resource_new(FILE, 9)
    task = Task(callee)
    cx = Context(FakeMemory().options(), task)
    ft = FuncType((), OptionType(OwnType(FILE)))
    mem = cx.memory()
    mem[64:72] = bytes([1, 0, 0, 0]) + i.to_bytes(4, "little")  # some(handle), spilled
    assert func_abi(ft, cx.opts).lift_results(cx, [64]) == 9
    assert len(callee.table) == 0
