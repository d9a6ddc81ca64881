"""Every ``trap_if`` of the spec that the ABI implements: a guest mistake raises ``Trap(rule)``."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.abi.reference_resources import InstanceHandles, Subtask, Table, Task
from witkit.abi import CanonicalOptions, Context, func_abi, type_abi
from witkit.abi.limits import MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH
from witkit.abi.testing import FakeMemory
from witkit.abi.trap import Rule
from witkit.errors import Trap
from witkit.types import (
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

MEMORY_SIZE = 1 << 16


def _cx(
    encoding: str = "utf8", realloc: Callable[[int, int, int, int], int] | None = None
) -> tuple[FakeMemory, Context]:
    mem = FakeMemory(MEMORY_SIZE)
    opts = CanonicalOptions(
        string_encoding=encoding,  # type: ignore[arg-type]
        memory=mem.memory,
        realloc=realloc or mem.realloc,
    )
    return mem, Context(opts)


def _traps(rule: Rule, fn: Callable[[], Any]) -> Trap:
    with pytest.raises(Trap) as info:
        fn()
    assert info.value.rule == rule, info.value
    return info.value


def _lift_result(
    t: ValType,
    flat: list[Any],
    encoding: str = "utf8",
    setup: Callable[[FakeMemory], None] | None = None,
) -> Any:
    mem, cx = _cx(encoding)
    if setup is not None:
        setup(mem)
    return func_abi(FuncType((), t), cx.opts).lift_results(cx, flat)


def _lift_param(
    t: ValType,
    flat: list[Any],
    encoding: str = "utf8",
    setup: Callable[[FakeMemory], None] | None = None,
) -> Any:
    mem, cx = _cx(encoding)
    if setup is not None:
        setup(mem)
    return func_abi(FuncType((("p", t),), None), cx.opts).lift_params(cx, flat)


def _put(ptr: int, data: bytes) -> Callable[[FakeMemory], None]:
    def setup(mem: FakeMemory) -> None:
        mem.data[ptr : ptr + len(data)] = data

    return setup


# --------------------------------------------------------------------------- bounds and alignment


@pytest.mark.parametrize(
    ("t", "flat"),
    [
        ("string", [MEMORY_SIZE - 2, 3]),
        ("string", [2**32 - 1, 2]),  # wraps in 32 bits, not in the check
        (ListType("u8"), [MEMORY_SIZE, 1]),
        (ListType("u32"), [MEMORY_SIZE - 8, 3]),
        (ListType(ListType("u8")), [MEMORY_SIZE - 8, 2]),
    ],
)
def test_pointer_past_the_end_of_memory(t: ValType, flat: list[int]) -> None:
    trap = _traps(Rule.OUT_OF_BOUNDS, lambda: _lift_param(t, flat))
    assert "past the end of memory" in trap.message


def test_spilled_result_pointer_out_of_bounds() -> None:
    _traps(Rule.OUT_OF_BOUNDS, lambda: _lift_result(TupleType(("u32", "u32")), [MEMORY_SIZE - 4]))


def test_spilled_params_pointer_out_of_bounds() -> None:
    _mem, cx = _cx()
    ft = FuncType(tuple((f"p{i}", "u64") for i in range(17)), None)
    _traps(Rule.OUT_OF_BOUNDS, lambda: func_abi(ft, cx.opts).lift_params(cx, [MEMORY_SIZE - 8]))


def test_out_param_pointer_out_of_bounds() -> None:
    _mem, cx = _cx()
    ft = FuncType((), TupleType(("u32", "u32")))
    lower = func_abi(ft, cx.opts).lower_results
    _traps(Rule.OUT_OF_BOUNDS, lambda: lower(cx, (1, 2), [MEMORY_SIZE]))
    _traps(Rule.MISALIGNED, lambda: lower(cx, (1, 2), [2]))


def test_nested_pointer_out_of_bounds() -> None:
    # A list<string> whose second string points past the end.
    data = struct.pack("<IIII", 100, 1, MEMORY_SIZE - 1, 2)
    _traps(
        Rule.OUT_OF_BOUNDS, lambda: _lift_param(ListType("string"), [64, 2], setup=_put(64, data))
    )


@pytest.mark.parametrize(
    ("t", "flat", "encoding"),
    [
        (ListType("u32"), [2, 1], "utf8"),
        (ListType("u16"), [1, 1], "utf8"),
        (ListType("u64"), [4, 1], "utf8"),
        (ListType(TupleType(("u8", "f64"))), [4, 1], "utf8"),
        ("string", [1, 1], "utf16"),
        ("string", [1, 1], "latin1+utf16"),
        ("string", [1, 1 | 1 << 31], "latin1+utf16"),
    ],
)
def test_misaligned_pointer(t: ValType, flat: list[int], encoding: str) -> None:
    _traps(Rule.MISALIGNED, lambda: _lift_param(t, flat, encoding))


def test_misaligned_spilled_result() -> None:
    _traps(Rule.MISALIGNED, lambda: _lift_result(TupleType(("u64", "u8")), [4]))


def test_load_at_a_bad_pointer() -> None:
    _mem, cx = _cx()
    abi = type_abi("u32", cx.opts)
    _traps(Rule.MISALIGNED, lambda: abi.load(cx, 2))
    _traps(Rule.OUT_OF_BOUNDS, lambda: abi.load(cx, MEMORY_SIZE - 4 + 4))


def test_string_and_list_length_limits() -> None:
    _traps(Rule.STRING_TOO_LONG, lambda: _lift_param("string", [0, MAX_STRING_BYTE_LENGTH + 1]))
    _traps(
        Rule.STRING_TOO_LONG,
        lambda: _lift_param("string", [0, MAX_STRING_BYTE_LENGTH // 2 + 1], "utf16"),
    )
    _traps(Rule.LIST_TOO_LONG, lambda: _lift_param(ListType("u8"), [0, MAX_LIST_BYTE_LENGTH + 1]))
    _traps(
        Rule.LIST_TOO_LONG, lambda: _lift_param(ListType("u64"), [0, MAX_LIST_BYTE_LENGTH // 8 + 1])
    )


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "data",
    [b"\xff", b"a\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"],
    ids=["ff", "truncated", "surrogate", "above-max", "overlong"],
)
def test_invalid_utf8(data: bytes) -> None:
    trap = _traps(
        Rule.INVALID_UTF8, lambda: _lift_param("string", [64, len(data)], setup=_put(64, data))
    )
    assert "UTF-8" in trap.message


@pytest.mark.parametrize(
    "units",
    [[0xDC00], [0xD800], [0xD800, 0x41], [0x41, 0xDFFF, 0xD800]],
    ids=["lone-low", "lone-high", "high-then-ascii", "reversed-pair"],
)
@pytest.mark.parametrize("encoding", ["utf16", "latin1+utf16"])
def test_invalid_utf16(units: list[int], encoding: str) -> None:
    data = struct.pack(f"<{len(units)}H", *units)
    length = len(units) | (1 << 31 if encoding == "latin1+utf16" else 0)
    _traps(
        Rule.INVALID_UTF16, lambda: _lift_param("string", [64, length], encoding, _put(64, data))
    )


@pytest.mark.parametrize("code", [0xD800, 0xDFFF, 0x110000, 0xFFFFFFFF])
def test_invalid_char(code: int) -> None:
    _traps(Rule.INVALID_CHAR, lambda: _lift_param("char", [code]))
    _traps(
        Rule.INVALID_CHAR,
        lambda: _load("char", struct.pack("<I", code)),
    )
    _traps(
        Rule.INVALID_CHAR,
        lambda: _lift_param(
            ListType("char"), [64, 2], setup=_put(64, struct.pack("<II", 65, code))
        ),
    )


def _load(t: ValType, data: bytes) -> Any:
    mem, cx = _cx()
    mem.data[64 : 64 + len(data)] = data
    return type_abi(t, cx.opts).load(cx, 64)


# --------------------------------------------------------------------------- discriminants

VARIANT = VariantType((("a", "u32"), ("b", None), ("c", "string")))


@pytest.mark.parametrize(
    ("t", "bad"),
    [
        (VARIANT, 3),
        (OptionType("u8"), 2),
        (ResultType("u8", None), 2),
        (ResultType(None, None), 255),
        (EnumType(("x", "y", "z")), 3),
        (EnumType(tuple(f"c{i}" for i in range(300))), 300),
    ],
)
def test_bad_discriminant(t: ValType, bad: int) -> None:
    mem, cx = _cx()
    abi = type_abi(t, cx.opts)
    flat = [bad] + [0] * (len(abi.lower_flat(cx, _first_case(t))) - 1)
    _traps(Rule.INVALID_DISCRIMINANT, lambda: abi.lift_flat(cx, flat))
    mem.data[64:68] = struct.pack("<I", bad)
    _traps(Rule.INVALID_DISCRIMINANT, lambda: abi.load(cx, 64))


def _first_case(t: ValType) -> Any:
    from witkit.abi.values import Ok, Variant

    if isinstance(t, VariantType):
        return Variant("a", 1)
    if isinstance(t, OptionType):
        return None
    if isinstance(t, ResultType):
        return Ok(1 if t.ok else None)
    assert isinstance(t, EnumType)
    return t.names[0]


def test_bad_discriminant_inside_a_list() -> None:
    data = bytes([0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0])
    _traps(
        Rule.INVALID_DISCRIMINANT,
        lambda: _lift_param(ListType(OptionType("u32")), [64, 2], setup=_put(64, data)),
    )


def test_flag_bits_past_the_labels_are_ignored_as_the_spec_says() -> None:
    # The spec removed this trap in 2022 ("Remove trapping checks on unused lifted
    # bytes"); unpack_flags_from_int only reads the labels' bits.  So do we.
    t = FlagsType(("a", "b", "c"))
    assert _lift_param(t, [0xFF]) == [frozenset({"a", "b", "c"})]
    assert _load(t, bytes([0b1000_0010])) == frozenset({"b"})


def test_bool_is_any_nonzero_as_the_spec_says() -> None:
    assert _load("bool", bytes([2])) is True
    assert _lift_param("bool", [-1]) == [True]


# --------------------------------------------------------------------------- realloc


def test_realloc_returning_a_misaligned_pointer() -> None:
    _, cx = _cx(realloc=lambda old, size, align, new: 2)
    for t, v in [(ListType("u32"), [1]), (ListType("string"), ["x"]), (ListType("u64"), [1])]:
        abi = type_abi(t, cx.opts)
        _traps(Rule.REALLOC_MISALIGNED, lambda: abi.lower_flat(cx, v))  # noqa: B023
    _, cx = _cx("utf16", realloc=lambda old, size, align, new: 3)
    _traps(Rule.REALLOC_MISALIGNED, lambda: type_abi("string", cx.opts).lower_flat(cx, "x"))


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "latin1+utf16"])
def test_realloc_returning_a_pointer_out_of_bounds(encoding: str) -> None:
    _, cx = _cx(encoding, realloc=lambda old, size, align, new: MEMORY_SIZE - 2)
    _traps(Rule.REALLOC_OUT_OF_BOUNDS, lambda: type_abi("string", cx.opts).lower_flat(cx, "abcdef"))
    _traps(
        Rule.REALLOC_OUT_OF_BOUNDS,
        lambda: type_abi(ListType("u8"), cx.opts).lower_flat(cx, b"abcdef"),
    )


def test_realloc_for_spilled_params_is_checked() -> None:
    _, cx = _cx(realloc=lambda old, size, align, new: 4)
    ft = FuncType(tuple((f"p{i}", "u64") for i in range(17)), None)
    _traps(Rule.REALLOC_MISALIGNED, lambda: func_abi(ft, cx.opts).lower_params(cx, list(range(17))))


# --------------------------------------------------------------------------- handles

R = ResourceType("file", defined=True)
OTHER = ResourceType("socket")


def _handles() -> tuple[InstanceHandles, Context, Context]:
    handles = InstanceHandles()
    mem = FakeMemory()
    return handles, Context(mem.options(), Subtask(handles)), Context(mem.options(), Task(handles))


def test_use_after_drop() -> None:
    handles, lifting, _ = _handles()
    i = handles.resource_new(R, 42)
    handles.resource_drop(R, i)
    _traps(Rule.UNKNOWN_HANDLE, lambda: handles.resource_rep(R, i))
    _traps(Rule.UNKNOWN_HANDLE, lambda: handles.resource_drop(R, i))
    abi = type_abi(OwnType(R), lifting.opts)
    _traps(Rule.UNKNOWN_HANDLE, lambda: abi.lift_flat(lifting, [i]))
    _traps(Rule.UNKNOWN_HANDLE, lambda: handles.resource_rep(R, 0))  # index 0 is never a handle
    _traps(Rule.UNKNOWN_HANDLE, lambda: handles.resource_rep(R, 99))


def test_own_moves_out_of_the_table() -> None:
    handles, lifting, _ = _handles()
    i = handles.resource_new(R, 42)
    abi = type_abi(OwnType(R), lifting.opts)
    assert abi.lift_flat(lifting, [i]) == 42
    _traps(Rule.UNKNOWN_HANDLE, lambda: abi.lift_flat(lifting, [i]))


def test_foreign_handle() -> None:
    handles, lifting, _ = _handles()
    i = handles.resource_new(OTHER, 1)
    _traps(
        Rule.WRONG_RESOURCE_TYPE, lambda: type_abi(OwnType(R), lifting.opts).lift_flat(lifting, [i])
    )
    _traps(Rule.WRONG_RESOURCE_TYPE, lambda: handles.resource_drop(R, i))
    _traps(Rule.WRONG_RESOURCE_TYPE, lambda: handles.resource_rep(R, i))
    handles.table.add("not a handle")
    _traps(Rule.WRONG_RESOURCE_TYPE, lambda: handles.resource_rep(R, 2))


def test_drop_own_with_live_borrows() -> None:
    from witkit.types import BorrowType

    handles, _, _ = _handles()
    i = handles.resource_new(R, 42)
    call = Subtask(handles)
    cx = Context(FakeMemory().options(), call)
    assert type_abi(BorrowType(R), cx.opts).lift_flat(cx, [i]) == 42
    trap = _traps(Rule.HANDLE_LENT, lambda: handles.resource_drop(R, i))
    assert "1 borrow" in trap.message
    _traps(Rule.HANDLE_LENT, lambda: type_abi(OwnType(R), cx.opts).lift_flat(cx, [i]))
    call.deliver_resolve()
    handles.resource_drop(R, i)


def test_borrow_is_not_own() -> None:
    from witkit.types import BorrowType

    handles = InstanceHandles()
    task = Task(handles)
    cx = Context(FakeMemory().options(), task)
    i = type_abi(BorrowType(OTHER), cx.opts).lower_flat(cx, 7)[0]
    _traps(Rule.NOT_OWN, lambda: handles.lift_own(OTHER, i))


def test_borrow_outlives_call() -> None:
    from witkit.types import BorrowType

    handles = InstanceHandles()
    task = Task(handles)
    cx = Context(FakeMemory().options(), task)
    i = type_abi(BorrowType(OTHER), cx.opts).lower_flat(cx, 7)[0]
    _traps(Rule.BORROW_OUTLIVES_CALL, task.return_)
    handles.resource_drop(OTHER, i)
    task.return_()


def test_table_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Table, "MAX_LENGTH", 3)
    handles = InstanceHandles()
    for rep in range(3):
        handles.resource_new(R, rep)
    _traps(Rule.TABLE_FULL, lambda: handles.resource_new(R, 3))
    handles.resource_drop(R, 2)
    assert handles.resource_new(R, 3) == 2  # freed indices are reused


def test_every_rule_is_tested() -> None:
    source = Path(__file__).read_text()
    assert [rule.name for rule in Rule if f"Rule.{rule.name}" not in source] == []


def test_records_of_handles_in_memory() -> None:
    _, lifting, lowering = _handles()
    t = RecordType((("f", OwnType(R)), ("n", "u8")))
    abi = type_abi(t, lowering.opts)
    ptr = 64
    from witkit.abi.values import record_class

    abi.store(lowering, record_class(t)(5, 1), ptr)
    assert abi.load(lifting, ptr) == record_class(t)(5, 1)


# --------------------------------------------------------------------------- the copy budget


def _aliased_lists(mem: FakeMemory, count: int, target: int, length: int, at: int = 0) -> None:
    """``count`` (pointer, length) pairs at ``at``, every one naming the same bytes."""
    mem.data[at : at + 8 * count] = struct.pack("<II", target, length) * count


@pytest.mark.parametrize(
    ("inner", "length"), [(ListType("u8"), 100), ("string", 100), (ListType("u32"), 25)]
)
def test_copy_limit_lifting_aliased_entries(inner: ValType, length: int) -> None:
    """Entries that all point at one region: each copy counts, past ``max_copy`` it traps."""
    mem, cx = _cx()
    cx.max_copy = 20_000
    _aliased_lists(mem, 200, 4096, length)  # 100 bytes (+ 64) each
    lift = func_abi(FuncType((("p", ListType(inner)),), None), cx.opts).lift_params
    trap = _traps(Rule.COPY_LIMIT, lambda: lift(cx, [0, 200]))
    assert "too much data is being copied" in trap.message and "max_copy" in trap.message
    # under the limit the same entries lift; the budget is per operation, not per context
    assert len(lift(cx, [0, 90])[0]) == 90
    assert len(lift(cx, [0, 90])[0]) == 90


def test_copy_limit_in_helper_functions() -> None:
    """A type deep enough to be lifted by helper functions shares one budget across them."""
    t: ValType = ListType("u8")
    for _ in range(12):
        t = ListType(t)  # list<list<...<list<u8>>...>>: the generator splits it
    mem, cx = _cx()
    cx.max_copy = 5_000
    # every level: one entry pointing at offset 0 (itself), the innermost bytes overlap too
    mem.data[0:8] = struct.pack("<II", 0, 1)
    abi = func_abi(FuncType((("p", t),), None), cx.opts)
    assert "def _load_" in abi.source  # the case this test is about
    assert abi.lift_params(cx, [0, 1]) is not None
    _aliased_lists(mem, 600, 0, 600)  # each level: 600 entries naming the level itself
    _traps(Rule.COPY_LIMIT, lambda: abi.lift_params(cx, [0, 600]))


def test_copy_limit_lowering() -> None:
    """Lowering counts too: one host object repeated is copied once per reference."""
    _mem, cx = _cx()
    cx.max_copy = 20_000
    blob = b"x" * 100
    lower = func_abi(FuncType((("p", ListType(ListType("u8"))),), None), cx.opts).lower_params
    _traps(Rule.COPY_LIMIT, lambda: lower(cx, [[blob] * 200]))
    _mem, cx = _cx()
    cx.max_copy = 20_000
    assert len(lower(cx, [[blob] * 50])) == 2


def test_copy_limit_default_lets_the_largest_list_through() -> None:
    from witkit.abi.context import DEFAULT_MAX_COPY

    assert DEFAULT_MAX_COPY > MAX_LIST_BYTE_LENGTH
    assert Context(CanonicalOptions()).max_copy == DEFAULT_MAX_COPY
