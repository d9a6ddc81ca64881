"""The Python value mapping: value classes, what lowering accepts, and its TypeErrors."""

from __future__ import annotations

import math
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import pytest

from witkit.abi import (
    Context,
    Err,
    Ok,
    Record,
    Some,
    UnwrapError,
    Variant,
    func_abi,
    python_name,
    record_class,
    type_abi,
)
from witkit.abi.testing import FakeMemory
from witkit.types import (
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    OptionType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
    make_alias,
)

PERSON = RecordType((("first-name", "string"), ("age", "u8"), ("from", "string")))


def _cx() -> Context:
    return FakeMemory().context()


def _round_trip(t: ValType, value: Any) -> Any:
    cx = _cx()
    abi = type_abi(t, cx.opts)
    return abi.lift_flat(cx, abi.lower_flat(cx, value))


def _lower(t: ValType, value: Any, name: str = "x") -> list[Any]:
    cx = _cx()
    return func_abi(FuncType(((name, t),), None), cx.opts).lower_params(cx, [value])


# --------------------------------------------------------------------------- records


def test_record_classes_have_snake_case_slots_and_item_access_by_either_name() -> None:
    Person = record_class(PERSON, "person")
    p = Person("Ada", 36, "London")
    assert p.first_name == "Ada"
    assert p["first-name"] == p["first_name"] == "Ada"
    assert p.from_ == p["from"] == "London"  # a keyword gets a trailing underscore
    assert Person(first_name="Ada", age=36, from_="London") == p
    assert repr(p) == "Person(first_name='Ada', age=36, from_='London')"
    assert p._asdict() == {"first-name": "Ada", "age": 36, "from": "London"}
    assert "first-name" in p and "nope" not in p
    with pytest.raises(KeyError):
        p["nope"]
    with pytest.raises(AttributeError):
        p.nope = 1  # type: ignore[attr-defined]
    p.age = 37  # type: ignore[attr-defined]
    assert p.age == 37  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        hash(p)


def test_one_class_per_record_type_and_its_aliases() -> None:
    assert record_class(PERSON) is record_class(PERSON)
    assert record_class(make_alias(PERSON)) is record_class(PERSON)
    other = RecordType(PERSON.fields)
    assert record_class(other) is not record_class(PERSON)
    # Equal fields are equal records, whatever type made them.
    assert record_class(other)("a", 1, "b") == record_class(PERSON)("a", 1, "b")
    assert isinstance(record_class(other)("a", 1, "b"), Record)


def test_records_lower_from_records_mappings_and_objects() -> None:
    Person = record_class(PERSON)
    expected = Person("Ada", 36, "London")
    for value in [
        expected,
        {"first-name": "Ada", "age": 36, "from": "London"},
        {"first_name": "Ada", "age": 36, "from_": "London"},
        {"first-name": "Ada", "age": 36, "from_": "London"},  # mixed: the fallback
        OrderedDict(first_name="Ada", age=36, from_="London"),
        SimpleNamespace(first_name="Ada", age=36, from_="London"),
        record_class(RecordType(PERSON.fields))("Ada", 36, "London"),
    ]:
        assert _round_trip(PERSON, value) == expected


def test_record_errors_name_the_missing_field() -> None:
    with pytest.raises(
        TypeError, match=r"argument `p`: record \{first-name, age, from\} is missing field `age`"
    ):
        _lower(PERSON, {"first-name": "Ada", "from": "x"}, "p")
    with pytest.raises(TypeError, match=r"argument `p`: expected record"):
        _lower(PERSON, 5, "p")
    with pytest.raises(TypeError, match=r"argument `p`\.age: expected u8 \(0\.\.255\), got 300"):
        _lower(PERSON, {"first-name": "Ada", "age": 300, "from": "x"}, "p")


def test_python_names() -> None:
    assert python_name("first-name") == "first_name"
    assert python_name("class") == "class_"
    assert python_name("HTTP-request") == "HTTP_request"


# --------------------------------------------------------------------------- variants and friends


def test_variant_ok_err_some_are_immutable_hashable_values() -> None:
    v = Variant("circle", 2.0)
    assert v == Variant("circle", 2.0) and v != Variant("circle", 3.0)
    assert hash(v) == hash(Variant("circle", 2.0))
    assert repr(v) == "Variant('circle', 2.0)" and repr(Variant("empty")) == "Variant('empty')"
    with pytest.raises(AttributeError):
        v.tag = "x"  # type: ignore[misc]
    assert Ok(1) != Err(1) and Ok(1) == Ok(1) and Some(None) != Ok(None)
    assert {Ok(1), Ok(1), Err(1)} == {Ok(1), Err(1)}
    assert repr(Err("e")) == "Err('e')" and repr(Some(None)) == "Some(None)"
    match v:
        case Variant("circle", r):
            assert r == 2.0
    match Ok(5):
        case Ok(value):
            assert value == 5


def test_unwrap() -> None:
    assert Ok(5).unwrap() == 5
    assert Ok().unwrap() is None
    with pytest.raises(UnwrapError) as info:
        Err("boom").unwrap()
    assert info.value.error == "boom"


def test_options_nest_with_some() -> None:
    t = OptionType(OptionType("u32"))
    assert _round_trip(t, None) is None
    assert _round_trip(t, Some(None)) == Some(None)
    assert _round_trip(t, Some(3)) == Some(3)
    assert _round_trip(OptionType("u32"), 3) == 3
    assert _round_trip(OptionType("u32"), Some(3)) == 3  # Some is accepted where unneeded
    with pytest.raises(TypeError, match=r"expected option<option<u32>> \(None or Some"):
        _lower(t, 3)


def test_variants_lower_from_names_of_payloadless_cases() -> None:
    t = VariantType((("empty-set", None), ("one", "u8")))
    assert _round_trip(t, "empty-set") == Variant("empty-set")
    assert _round_trip(t, Variant("empty_set")) == Variant("empty-set")  # snake spelling
    with pytest.raises(TypeError, match=r"expected variant \{empty-set, one\} case"):
        _lower(t, Variant("two"))
    with pytest.raises(TypeError, match="with a payload"):
        _lower(t, "one")
    assert _round_trip(t, Variant("empty-set", "ignored")) == Variant("empty-set")


def test_enums_flags_results_maps() -> None:
    color = EnumType(("red", "hot-pink"))
    assert _round_trip(color, "hot_pink") == "hot-pink"
    with pytest.raises(
        TypeError, match=r"expected enum \{red, hot-pink\} \(one of red, hot-pink\), got 'blue'"
    ):
        _lower(color, "blue")
    perms = FlagsType(("read", "write-all"))
    assert _round_trip(perms, ["write_all"]) == frozenset({"write-all"})
    assert _round_trip(perms, set()) == frozenset()
    with pytest.raises(TypeError, match=r"'exec' is not a flag of flags \{read, write-all\}"):
        _lower(perms, {"exec"})
    with pytest.raises(TypeError, match="a set of flag names"):
        _lower(perms, "read")
    result = ResultType("u8", None)
    assert _round_trip(result, Err()) == Err(None)
    with pytest.raises(TypeError, match=r"expected result<u8, _> \(Ok\(\.\.\.\) or Err"):
        _lower(result, 5)
    m = MapType("string", "u8")
    assert _round_trip(m, [("a", 1), ("a", 2)]) == {"a": 2}  # the last duplicate wins
    assert _round_trip(m, {"b": 3}) == {"b": 3}


# --------------------------------------------------------------------------- primitives


@pytest.mark.parametrize(
    ("t", "value", "message"),
    [
        ("u32", -1, "argument `x`: expected u32 (0..4294967295), got -1"),
        ("u32", 2**32, "argument `x`: expected u32 (0..4294967295), got 4294967296"),
        ("s8", 128, "argument `x`: expected s8 (-128..127), got 128"),
        ("u8", True, "argument `x`: expected u8 (0..255), got True"),
        ("u8", 1.0, "argument `x`: expected u8 (0..255), got 1.0"),
        ("u64", "1", "argument `x`: expected u64 (0..18446744073709551615), got '1'"),
        ("f64", "1.0", "argument `x`: expected f64, got '1.0'"),
        ("f32", None, "argument `x`: expected f32, got None"),
        ("bool", 2, "argument `x`: expected bool, got 2"),
        ("char", "ab", "argument `x`: expected char (one Unicode scalar value), got 'ab'"),
        ("char", "\udc00", "argument `x`: expected char (one Unicode scalar value), got '\\udc00'"),
        ("string", b"x", "argument `x`: expected string, got b'x' (bytes)"),
        (
            ListType("u8"),
            [256],
            "argument `x`: expected list<u8> (bytes or integers 0..255), got [256] (list)",
        ),
        (ListType("u32"), [1, -1], "argument `x`[1]: expected u32 (0..4294967295), got -1"),
        (ListType("f32"), [1, "x"], "argument `x`[1]: expected f32, got 'x'"),
        (ListType("string"), "abc", "argument `x`: expected list<string>, got 'abc'"),
        (
            TupleType(("u8", "u8")),
            (1,),
            "argument `x`: expected tuple<u8, u8> (2 items), got (1,) (tuple)",
        ),
        (
            ListType("u8", 2),
            b"abc",
            "argument `x`: expected list<u8, 2> (2 bytes), got b'abc' (bytes)",
        ),
        (ListType(ListType("bool")), [[True, 3]], "argument `x`[*][1]: expected bool, got 3"),
    ],
)
def test_type_errors_name_the_argument_and_the_wit_type(
    t: ValType, value: Any, message: str
) -> None:
    with pytest.raises(TypeError) as info:
        _lower(t, value)
    assert str(info.value) == message


def test_near_types_are_accepted() -> None:
    class Index:
        def __index__(self) -> int:
            return 7

    assert _round_trip("u32", Index()) == 7
    assert _round_trip("f64", 3) == 3.0
    assert _round_trip("bool", 1) is True
    assert _round_trip(ListType("u8"), bytearray(b"ab")) == b"ab"
    assert _round_trip(ListType("u8"), memoryview(b"ab")) == b"ab"
    assert _round_trip(ListType("u8"), [1, 2]) == b"\x01\x02"
    assert _round_trip(ListType("u32"), (x for x in range(3))) == [0, 1, 2]
    assert _round_trip(ListType("char"), "a😀") == ["a", "😀"]
    assert _round_trip(ListType("bool"), [True, 0]) == [True, False]
    assert _round_trip(TupleType(("u8", "u8")), [1, 2]) == (1, 2)


def test_floats() -> None:
    cx = _cx()
    f32 = type_abi("f32", cx.opts)
    f32.store(cx, 0.1, 64)
    assert f32.load(cx, 64) == 0.10000000149011612  # rounded to f32 in memory
    # In registers the engine rounds (wasm's f32 parameter); we only fix what it cannot:
    assert f32.lower_flat(cx, 1e300) == [math.inf]  # IEEE rounding: too large is infinite
    assert _round_trip(ListType("f32"), [1e300]) == [math.inf]
    nan = _round_trip("f64", -math.nan)
    assert math.isnan(nan) and math.copysign(1.0, nan) == 1.0  # the one canonical NaN
    with pytest.raises(TypeError, match="integer too large"):
        _lower("f64", 10**400)


def test_arity() -> None:
    cx = _cx()
    abi = func_abi(FuncType((("a", "u8"), ("b", "u8")), None), cx.opts)
    with pytest.raises(TypeError, match=r"expected 2 arguments \(a, b\), got 1"):
        abi.lower_params(cx, [1])


def test_arity_of_non_sequences_and_of_nullary_functions() -> None:
    cx = _cx()
    with pytest.raises(TypeError, match=r"expected 1 arguments \(a\), got 5, not a sequence"):
        func_abi(FuncType((("a", "u8"),), None), cx.opts).lower_params(cx, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected 0 arguments \(none\), got 1"):
        func_abi(FuncType((), None), cx.opts).lower_params(cx, [1])
    assert func_abi(FuncType((), None), cx.opts).lower_params(cx, []) == []
