"""Table-driven round trips: lower (or store) a value, lift (or load) it back, get it again.

Every case runs through the four paths of a value type (flat and memory, both
ways) and through a function whose parameter and result it is, under each
string encoding and both address types, on a memory that starts small so that
lowering has to grow (and so move) it.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.abi.helpers import same
from witkit.abi import CanonicalOptions, Context, func_abi, type_abi
from witkit.abi.layout import flatten_functype
from witkit.abi.testing import FakeMemory
from witkit.abi.values import Err, Ok, Some, Variant, record_class
from witkit.types import (
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    OptionType,
    PrimType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

POINT = RecordType((("x", "f64"), ("y", "f64")))
Point = record_class(POINT, "point")
PERSON = RecordType(
    (
        ("first-name", "string"),
        ("age", "u8"),
        ("email", OptionType("string")),
        ("tags", ListType("string")),
        ("home", POINT),
    )
)
Person = record_class(PERSON, "person")
SHAPE = VariantType(
    (("circle", TupleType((POINT, "f64"))), ("poly", ListType(POINT)), ("empty", None))
)
JOINED = VariantType((("f", "f32"), ("i", "u32"), ("l", "u64"), ("d", "f64"), ("s", "string")))
COLOR = EnumType(("red", "green", "blue", "hot-pink"))


def _flags(n: int) -> FlagsType:
    return FlagsType(tuple(f"f{i}" for i in range(n)))


CASES: list[tuple[str, ValType, Any]] = [
    ("bool true", "bool", True),
    ("bool false", "bool", False),
    *[
        (f"{t} min", t, lo)
        for t, lo in [("s8", -128), ("s16", -(2**15)), ("s32", -(2**31)), ("s64", -(2**63))]
    ],
    *[
        (f"{t} max", t, hi)
        for t, hi in [("u8", 255), ("u16", 2**16 - 1), ("u32", 2**32 - 1), ("u64", 2**64 - 1)]
    ],
    ("s32 -1", "s32", -1),
    ("f32", "f32", 1.5),
    ("f32 inf", "f32", -math.inf),
    ("f32 nan", "f32", math.nan),
    ("f32 -0", "f32", -0.0),
    ("f64 pi", "f64", math.pi),
    ("f64 nan", "f64", math.nan),
    ("f64 tiny", "f64", 5e-324),
    ("char ascii", "char", "a"),
    ("char bmp", "char", "é"),
    ("char astral", "char", "😀"),
    ("char max", "char", "\U0010ffff"),
    ("string empty", "string", ""),
    ("string ascii", "string", "hello"),
    ("string latin1", "string", "façade"),
    ("string bmp", "string", "Ā日本"),
    ("string astral", "string", "a😀b\U0010ffff"),
    ("alias of u32", PrimType("u32"), 7),
    ("list<u8>", ListType("u8"), b"\x00\x01\xff"),
    ("list<u8> empty", ListType("u8"), b""),
    ("list<s16>", ListType("s16"), [-1, 0, 32767]),
    ("list<u64>", ListType("u64"), [0, 2**64 - 1]),
    ("list<f32> nan", ListType("f32"), [1.0, math.nan, -math.inf]),
    ("list<f64>", ListType("f64"), [0.1, math.nan]),
    ("list<bool>", ListType("bool"), [True, False, True]),
    ("list<char>", ListType("char"), ["a", "é", "😀"]),
    ("list<string>", ListType("string"), ["", "a", "😀é"]),
    ("list<list<string>>", ListType(ListType("string")), [["a"], [], ["b", "c"]]),
    ("list<tuple<u32,s8>>", ListType(TupleType(("u32", "s8"))), [(1, -1), (2**32 - 1, 127)]),
    ("list<point>", ListType(POINT), [Point(1.0, 2.0), Point(-0.5, math.inf)]),
    ("list<option<string>>", ListType(OptionType("string")), [None, "x", None]),
    ("list<result>", ListType(ResultType("u8", "string")), [Ok(1), Err("e")]),
    ("list<enum>", ListType(COLOR), ["hot-pink", "red"]),
    ("list<flags>", ListType(_flags(3)), [frozenset(), frozenset({"f1"})]),
    ("list<u32, 3>", ListType("u32", 3), [1, 2, 3]),
    ("list<u8, 4>", ListType("u8", 4), b"abcd"),
    ("list<f32, 2>", ListType("f32", 2), [math.nan, 2.5]),
    ("list<string, 2>", ListType("string", 2), ["a", "😀"]),
    ("list<point, 2>", ListType(POINT, 2), [Point(1.0, 2.0), Point(3.0, 4.0)]),
    ("list<option<u8>, 3>", ListType(OptionType("u8"), 3), [None, 1, 2]),
    ("tuple", TupleType(("u8", "string", "f64")), (1, "x", 2.0)),
    ("point", POINT, Point(1.0, -2.0)),
    ("person", PERSON, Person("Ada", 36, None, ["math", "😀"], Point(0.0, 1.0))),
    ("person with email", PERSON, Person("Bo", 1, "b@x", [], Point(0.0, 1.0))),
    ("variant circle", SHAPE, Variant("circle", (Point(1.0, 1.0), 3.0))),
    ("variant poly", SHAPE, Variant("poly", [Point(1.0, 2.0)])),
    ("variant empty", SHAPE, Variant("empty")),
    *[
        (f"joined {tag}", JOINED, Variant(tag, v))
        for tag, v in [("f", 1.25), ("i", 2**32 - 1), ("l", 2**64 - 1), ("d", -1e300), ("s", "é")]
    ],
    ("joined f nan", JOINED, Variant("f", math.nan)),
    ("enum", COLOR, "hot-pink"),
    ("enum 300 cases", EnumType(tuple(f"c{i}" for i in range(300))), "c299"),
    (
        "variant 300 cases",
        VariantType(tuple((f"c{i}", "u8" if i % 2 else None) for i in range(300))),
        Variant("c299", 9),
    ),
    ("option none", OptionType("u32"), None),
    ("option some", OptionType("string"), "x"),
    ("option<option> none", OptionType(OptionType("u32")), None),
    ("option<option> some none", OptionType(OptionType("u32")), Some(None)),
    ("option<option> some some", OptionType(OptionType("u32")), Some(5)),
    ("option^3", OptionType(OptionType(OptionType("u8"))), Some(Some(None))),
    ("option^3 deep", OptionType(OptionType(OptionType("u8"))), Some(Some(1))),
    ("result ok", ResultType("string", "u32"), Ok("fine")),
    ("result err", ResultType("string", "u32"), Err(404)),
    ("result unit ok", ResultType(None, None), Ok()),
    ("result unit err", ResultType(None, None), Err()),
    ("result<_, string> err", ResultType(None, "string"), Err("no")),
    ("result<f32, f64>", ResultType("f32", "f64"), Err(0.5)),
    *[(f"flags {n}", _flags(n), frozenset({"f0", f"f{n - 1}"})) for n in (1, 8, 9, 16, 17, 32)],
    ("flags 33 (past the spec's 32)", _flags(33), frozenset({"f0", "f32"})),
    ("flags 70 (past the spec's 32)", _flags(70), frozenset({"f1", "f40", "f69"})),
    ("flags none set", _flags(12), frozenset()),
    ("map", MapType("string", "u32"), {"a": 1, "é": 2}),
    ("map empty", MapType("u8", ListType("string")), {}),
    ("map of records", MapType("char", POINT), {"x": Point(1.0, 2.0)}),
]

OPTIONS = [
    pytest.param("utf8", "i32", id="utf8"),
    pytest.param("utf16", "i32", id="utf16"),
    pytest.param("latin1+utf16", "i32", id="latin1+utf16"),
    pytest.param("utf8", "i64", id="utf8-memory64"),
    pytest.param("latin1+utf16", "i64", id="latin1+utf16-memory64"),
]


def _context(encoding: str, addrtype: str) -> tuple[FakeMemory, Context]:
    # A small memory that grows in small steps: lowering moves it, often.
    mem = FakeMemory(256, grow_by=64)
    opts = CanonicalOptions(
        string_encoding=encoding,  # type: ignore[arg-type]
        memory=mem.memory,
        realloc=mem.realloc,
        addrtype=addrtype,  # type: ignore[arg-type]
    )
    return mem, Context(opts)


@pytest.mark.parametrize(("encoding", "addrtype"), OPTIONS)
@pytest.mark.parametrize(("t", "value"), [pytest.param(t, v, id=name) for name, t, v in CASES])
def test_value_round_trips(t: ValType, value: Any, encoding: str, addrtype: str) -> None:
    mem, cx = _context(encoding, addrtype)
    abi = type_abi(t, cx.opts)
    assert same(abi.lift_flat(cx, abi.lower_flat(cx, value)), value)
    ptr = mem.realloc(0, 0, 8, 1024)
    abi.store(cx, value, ptr)
    assert same(abi.load(cx, ptr), value)


@pytest.mark.parametrize(("encoding", "addrtype"), OPTIONS)
@pytest.mark.parametrize(("t", "value"), [pytest.param(t, v, id=name) for name, t, v in CASES])
def test_function_round_trips(t: ValType, value: Any, encoding: str, addrtype: str) -> None:
    mem, cx = _context(encoding, addrtype)
    ft = FuncType((("a", "u8"), ("v", t)), t)
    func_abi(ft, cx.opts)
    _call_both_ways(mem, cx, ft, [3, value], value)


def _call_both_ways(
    mem: FakeMemory, cx: Context, ft: FuncType, args: list[Any], result: Any
) -> None:
    """Arguments host -> guest -> host, and the result host -> guest -> host."""
    abi = func_abi(ft, cx.opts)
    flat = abi.lower_params(cx, args)
    lowered = flatten_functype(ft, "lower", ptr_type=cx.opts.addrtype)
    retptr = mem.realloc(0, 0, 8, 4096)
    spilled = len(lowered.params) > len(flat)
    assert same(abi.lift_params(cx, [*flat, retptr] if spilled else flat), args)
    out = abi.lower_results(cx, result, [*flat, retptr] if spilled else flat)
    assert same(abi.lift_results(cx, out if out else [retptr]), result)


def test_seventeen_flat_params_spill_to_memory() -> None:
    _mem, cx = _context("utf8", "i32")
    params = tuple((f"p{i}", "u32" if i % 2 else "f64") for i in range(17))
    ft = FuncType(params, None)
    args = [i if i % 2 else i + 0.5 for i in range(17)]
    flat = func_abi(ft, cx.opts).lower_params(cx, args)
    assert len(flat) == 1  # one pointer to the tuple of arguments
    assert func_abi(ft, cx.opts).lift_params(cx, flat) == args
    # Sixteen still go in registers.
    ft16 = FuncType(params[:16], None)
    assert len(func_abi(ft16, cx.opts).lower_params(cx, args[:16])) == 16


def test_strings_count_two_flat_values_towards_the_limit() -> None:
    mem, cx = _context("utf16", "i32")
    ft = FuncType(tuple((f"s{i}", "string") for i in range(9)), TupleType(("string", "u8")))
    args = [f"é{i}" for i in range(9)]
    _call_both_ways(mem, cx, ft, args, ("😀", 7))
    assert len(func_abi(ft, cx.opts).lower_params(cx, args)) == 1


def test_multi_value_results_spill_through_a_return_area() -> None:
    mem, cx = _context("utf8", "i32")
    ft = FuncType((), TupleType(("u64", "string")))
    abi = func_abi(ft, cx.opts)
    assert abi.flat_results == ("i32",)
    ret = mem.realloc(0, 0, 8, 16)
    assert abi.lower_results(cx, (2**64 - 1, "é"), [ret]) == []
    assert abi.lift_results(cx, [ret]) == (2**64 - 1, "é")


def test_lowering_survives_memory_moving_on_every_realloc() -> None:
    mem = FakeMemory(64, grow_by=8)
    cx = Context(mem.options())
    t = ListType(RecordType((("name", "string"), ("tags", ListType("string")))))
    cls = record_class(t.element)  # type: ignore[arg-type]
    value = [cls(f"n{i}" * 10, [f"t{j}" * 5 for j in range(i)]) for i in range(20)]
    abi = type_abi(t, cx.opts)
    flat = abi.lower_flat(cx, value)
    assert mem.moves > 20
    assert abi.lift_flat(cx, flat) == value


def test_lifted_i32_may_come_signed_from_the_engine() -> None:
    _, cx = _context("utf8", "i32")
    ft = FuncType((), "u32")
    assert func_abi(ft, cx.opts).lift_results(cx, [-1]) == 2**32 - 1
    ft = FuncType((), "s8")
    assert func_abi(ft, cx.opts).lift_results(cx, [-1]) == -1
    ft = FuncType((), "u64")
    assert func_abi(ft, cx.opts).lift_results(cx, [-1]) == 2**64 - 1


def test_narrow_integers_ignore_high_bits_as_the_spec_says() -> None:
    _, cx = _context("utf8", "i32")
    assert func_abi(FuncType((), "u8"), cx.opts).lift_results(cx, [0x1FF]) == 0xFF
    assert func_abi(FuncType((), "s16"), cx.opts).lift_results(cx, [0x18000]) == -32768
    assert func_abi(FuncType((), "bool"), cx.opts).lift_results(cx, [2]) is True


def test_lowered_flat_integers_are_unsigned() -> None:
    _, cx = _context("utf8", "i32")
    ft = FuncType((("a", "s32"), ("b", "s64"), ("c", "s8")), None)
    assert func_abi(ft, cx.opts).lower_params(cx, [-1, -1, -2]) == [2**32 - 1, 2**64 - 1, 2**32 - 2]
