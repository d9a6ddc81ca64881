"""Values through every ABI direction: host -> guest -> host import -> guest -> host.

Each case is (type, value, expected lifted value); the pass-through component
(``passthrough.py``) runs it under all three string encodings, so every type
is lowered and lifted by ``canon lift`` and ``canon lower`` with each option set.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import witkit
from tests.runtime.passthrough import build
from witkit import Err, Ok, Record, Some, Variant
from witkit.types import (
    EnumType,
    FlagsType,
    ListType,
    OptionType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

POINT = RecordType((("x", "s32"), ("y", "s32"), ("first-name", "string")))
SHAPE = VariantType((("none", None), ("circle", "f64"), ("label", "string"), ("big", "u64")))

CASES: list[tuple[ValType, Any, Any]] = [
    ("bool", True, True),
    ("bool", False, False),
    ("u8", 255, 255),
    ("s8", -128, -128),
    ("u16", 65535, 65535),
    ("s16", -32768, -32768),
    ("u32", 2**32 - 1, 2**32 - 1),
    ("s32", -(2**31), -(2**31)),
    ("u64", 2**64 - 1, 2**64 - 1),
    ("s64", -(2**63), -(2**63)),
    ("f32", 1.5, 1.5),
    ("f32", -0.0, -0.0),
    ("f64", 1e300, 1e300),
    ("f64", math.inf, math.inf),
    ("char", "a", "a"),
    ("char", "☃", "☃"),
    ("char", "\U0010ffff", "\U0010ffff"),
    ("string", "", ""),
    ("string", "ascii", "ascii"),
    ("string", "latin-1: é ü ÿ", "latin-1: é ü ÿ"),
    ("string", "snow ☃ and 😀 beyond the BMP", "snow ☃ and 😀 beyond the BMP"),
    (ListType("u8"), b"\x00\x01\xff", b"\x00\x01\xff"),
    (ListType("u8"), [1, 2, 3], b"\x01\x02\x03"),
    (ListType("u32"), [0, 1, 2**32 - 1], [0, 1, 2**32 - 1]),
    (ListType("string"), ["a", "", "☃"], ["a", "", "☃"]),
    (ListType(ListType("s16")), [[1, -1], [], [7]], [[1, -1], [], [7]]),
    (TupleType(("u8", "string", "f64")), (1, "x", 2.5), (1, "x", 2.5)),
    (FlagsType(("read", "write", "exec")), {"read", "exec"}, frozenset({"read", "exec"})),
    (FlagsType(tuple(f"f{i}" for i in range(32))), {"f0", "f31"}, frozenset({"f0", "f31"})),
    (EnumType(("red", "green", "blue")), "blue", "blue"),
    (OptionType("string"), None, None),
    (OptionType("string"), "some", "some"),
    (OptionType(OptionType("u8")), Some(None), Some(None)),
    (OptionType(OptionType("u8")), Some(3), Some(3)),
    (ResultType("string", "u32"), Ok("fine"), Ok("fine")),
    (ResultType("string", "u32"), Err(404), Err(404)),
    (ResultType(None, None), Ok(), Ok(None)),
    (ResultType(None, "string"), Err("no"), Err("no")),
    (SHAPE, Variant("none"), Variant("none")),
    (SHAPE, "none", Variant("none")),
    (SHAPE, Variant("circle", 0.5), Variant("circle", 0.5)),
    (SHAPE, Variant("label", "☃"), Variant("label", "☃")),
    (SHAPE, Variant("big", 2**64 - 1), Variant("big", 2**64 - 1)),
    (TupleType(tuple("u32" for _ in range(20))), tuple(range(20)), tuple(range(20))),
]


@pytest.fixture(scope="module", params=["utf8", "utf16", "latin1+utf16"])
def passthrough(request: pytest.FixtureRequest) -> Callable[[int, Any], Any]:
    engine = witkit.Engine()
    types = [t for t, _, _ in CASES] + [POINT, ListType(POINT)]
    component = witkit.Component.from_wat(engine, build(types, request.param))
    linker = witkit.Linker(engine)
    for n in range(len(types)):
        linker.define_func(f"g-{n}", lambda x: x)
    exports = linker.instantiate(component).exports
    return lambda n, value: exports[f"f-{n}"](value)


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=lambda c: repr(c)[:40])
def test_round_trip(passthrough: Callable[[int, Any], Any], index: int, case: Any) -> None:
    _, value, expected = case
    got = passthrough(index, value)
    assert got == expected
    assert type(got) is type(expected)
    if isinstance(expected, float):
        assert math.copysign(1, got) == math.copysign(1, expected)


def test_records(passthrough: Callable[[int, Any], Any]) -> None:
    n = len(CASES)
    got = passthrough(n, {"x": 1, "y": -2, "first-name": "Ada"})
    assert isinstance(got, Record)
    assert (got.x, got.y, got.first_name, got["first-name"]) == (1, -2, "Ada", "Ada")
    # a record from a lift goes back in as it is; snake-case keys and attribute objects too
    assert passthrough(n, got) == got
    assert passthrough(n, {"x": 0, "y": 0, "first_name": "b"}).first_name == "b"

    class P:
        x, y, first_name = 5, 6, "c"

    assert passthrough(n + 1, [P(), got])[0].x == 5


def test_f32_nan_is_canonical(passthrough: Callable[[int, Any], Any]) -> None:
    index = next(i for i, (t, _, _) in enumerate(CASES) if t == "f32")
    assert math.isnan(passthrough(index, math.nan))


def test_type_errors_name_the_parameter(passthrough: Callable[[int, Any], Any]) -> None:
    u8 = next(i for i, (t, _, _) in enumerate(CASES) if t == "u8")
    with pytest.raises(TypeError, match=r"argument `x`.*u8"):
        passthrough(u8, 256)
    with pytest.raises(TypeError, match=r"argument `x`"):
        passthrough(u8, "1")
    s = next(i for i, (t, _, _) in enumerate(CASES) if t == "string")
    with pytest.raises(TypeError, match=r"argument `x`"):
        passthrough(s, b"bytes")
    # the instance is unharmed by the host's mistakes
    assert passthrough(u8, 7) == 7


def test_host_import_result_is_checked(engine: witkit.Engine) -> None:
    component = witkit.Component.from_wat(engine, build(["u8"]))
    linker = witkit.Linker(engine)
    linker.define_func("g-0", lambda x: 1000)
    exports = linker.instantiate(component).exports
    # a host's bad result unwinds the guest: a trap naming the import, the TypeError its cause
    with pytest.raises(witkit.Trap, match=r"for import `g-0` \(func\(x: u8\) -> u8\)") as info:
        exports["f-0"](1)
    assert isinstance(info.value.__cause__, TypeError) and "u8" in str(info.value.__cause__)
