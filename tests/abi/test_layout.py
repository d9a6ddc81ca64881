"""Static layout: despecialize, alignment, elem_size, discriminants, flattening, join."""

from __future__ import annotations

import pytest

from witkit.abi.layout import (
    alignment,
    contains_borrow,
    contains_ptr,
    despecialize,
    discriminant_type,
    elem_size,
    field_offsets,
    flatten_functype,
    flatten_type,
    flatten_upto,
    join,
    payload_offset,
    size_and_alignment,
)
from witkit.abi.limits import MAX_FLAT_PARAMS
from witkit.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    PrimType,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

R = ResourceType("r")


def _flags(n: int) -> FlagsType:
    return FlagsType(tuple(f"f{i}" for i in range(n)))


# (type, alignment, elem_size, flat) for 32-bit memories
LAYOUTS: list[tuple[ValType, int, int, tuple[str, ...]]] = [
    ("bool", 1, 1, ("i32",)),
    ("s8", 1, 1, ("i32",)),
    ("u16", 2, 2, ("i32",)),
    ("s32", 4, 4, ("i32",)),
    ("u64", 8, 8, ("i64",)),
    ("f32", 4, 4, ("f32",)),
    ("f64", 8, 8, ("f64",)),
    ("char", 4, 4, ("i32",)),
    ("string", 4, 8, ("i32", "i32")),
    ("error-context", 4, 4, ("i32",)),
    (PrimType("u64"), 8, 8, ("i64",)),
    (ListType("u8"), 4, 8, ("i32", "i32")),
    (ListType("u64", 3), 8, 24, ("i64", "i64", "i64")),
    (ListType("string", 2), 4, 16, ("i32",) * 4),
    (TupleType(("u8", "u32", "u8")), 4, 12, ("i32", "i32", "i32")),
    (RecordType((("a", "u8"), ("b", "u16"), ("c", "u64"))), 8, 16, ("i32", "i32", "i64")),
    (EnumType(("a", "b")), 1, 1, ("i32",)),
    (EnumType(tuple(f"c{i}" for i in range(257))), 2, 2, ("i32",)),
    (OptionType("u8"), 1, 2, ("i32", "i32")),
    (OptionType("u64"), 8, 16, ("i32", "i64")),
    (OptionType("string"), 4, 12, ("i32", "i32", "i32")),
    (ResultType(None, None), 1, 1, ("i32",)),
    (ResultType("f32", "u32"), 4, 8, ("i32", "i32")),
    (ResultType("f32", "f64"), 8, 16, ("i32", "i64")),
    (ResultType("u8", "f32"), 4, 8, ("i32", "i32")),
    (VariantType((("a", "f32"), ("b", TupleType(("u64", "f32"))))), 8, 24, ("i32", "i64", "f32")),
    (_flags(1), 1, 1, ("i32",)),
    (_flags(8), 1, 1, ("i32",)),
    (_flags(9), 2, 2, ("i32",)),
    (_flags(16), 2, 2, ("i32",)),
    (_flags(17), 4, 4, ("i32",)),
    (_flags(32), 4, 4, ("i32",)),
    # Past the spec's 32: one i32 per 32 flags, as the spec had it before the cap.
    (_flags(33), 4, 8, ("i32", "i32")),
    (_flags(65), 4, 12, ("i32", "i32", "i32")),
    (MapType("string", "u8"), 4, 8, ("i32", "i32")),
    (OwnType(R), 4, 4, ("i32",)),
    (BorrowType(R), 4, 4, ("i32",)),
]


@pytest.mark.parametrize(("t", "align", "size", "flat"), LAYOUTS)
def test_layout(t: ValType, align: int, size: int, flat: tuple[str, ...]) -> None:
    assert alignment(t) == align
    assert elem_size(t) == size
    assert flatten_type(t) == flat


def test_64_bit_memories_have_8_byte_pointers() -> None:
    assert (alignment("string", "i64"), elem_size("string", "i64")) == (8, 16)
    assert flatten_type(ListType("u8"), "i64") == ("i64", "i64")
    assert elem_size(OptionType("string"), "i64") == 24


def test_record_and_variant_offsets() -> None:
    r = RecordType((("a", "u8"), ("b", "string"), ("c", "u16")))
    assert field_offsets(r) == (0, 4, 12)
    assert elem_size(r) == 16
    v = despecialize(OptionType("u64"))
    assert isinstance(v, VariantType)
    assert payload_offset(v) == 8


@pytest.mark.parametrize(
    ("n", "disc"), [(1, "u8"), (2, "u8"), (256, "u8"), (257, "u16"), (65536, "u16"), (65537, "u32")]
)
def test_discriminant_type(n: int, disc: str) -> None:
    assert discriminant_type(range(n)) == disc


def test_join() -> None:
    assert join("i32", "i32") == "i32"
    assert join("i32", "f32") == join("f32", "i32") == "i32"
    assert join("i32", "i64") == join("f32", "f64") == join("f64", "i32") == "i64"


def test_despecialize() -> None:
    t = despecialize(TupleType(("u8", "s8")))
    assert isinstance(t, RecordType) and [n for n, _ in t.fields] == ["0", "1"]
    o = despecialize(OptionType("u8"))
    assert isinstance(o, VariantType) and o.cases == (("none", None), ("some", "u8"))
    r = despecialize(ResultType("u8", None))
    assert isinstance(r, VariantType) and r.cases == (("ok", "u8"), ("error", None))
    e = despecialize(EnumType(("a",)))
    assert isinstance(e, VariantType) and e.cases == (("a", None),)
    m = despecialize(MapType("string", "u8"))
    assert isinstance(m, ListType) and isinstance(m.element, RecordType)
    assert despecialize(PrimType("char")) == "char"
    assert despecialize("string") == "string"  # strings keep their own ABI
    f = _flags(3)
    assert despecialize(f) is f
    assert despecialize(t) is despecialize(t)  # repeatable: cached


def test_flatten_functype_spills() -> None:
    def ft(params: int, result: ValType | None) -> FuncType:
        return FuncType(tuple((f"p{i}", "u32") for i in range(params)), result)

    assert flatten_functype(ft(16, "u32"), "lift").params == ("i32",) * 16
    big = flatten_functype(ft(MAX_FLAT_PARAMS + 1, "u32"), "lift")
    assert (big.params, big.results) == (("i32",), ("i32",))
    lifted = flatten_functype(ft(1, "string"), "lift")
    assert (lifted.params, lifted.results) == (("i32",), ("i32",))  # a pointer to the result
    lowered = flatten_functype(ft(1, "string"), "lower")
    assert (lowered.params, lowered.results) == (("i32", "i32"), ())  # a pointer to fill in
    assert flatten_functype(ft(0, None), "lower").params == ()
    assert flatten_functype(ft(1, "string"), "lower", ptr_type="i64").params == ("i32", "i64")
    # async: 4 flat params for lowering, results always through memory, an i32 status back
    assync = flatten_functype(ft(5, "u32"), "lower", sync=False)
    assert (assync.params, assync.results) == (("i32", "i32"), ("i32",))
    lifted_async = flatten_functype(ft(5, "u32"), "lift", sync=False, callback=True)
    assert (lifted_async.params, lifted_async.results) == (("i32",) * 5, ("i32",))


def test_contains_borrow() -> None:
    assert contains_borrow(ListType(OptionType(BorrowType(R))))
    assert not contains_borrow(ListType(OwnType(R)))
    assert contains_borrow(FuncType((("a", TupleType(("u8", BorrowType(R)))),), None))
    assert not contains_borrow(FuncType((), "u8"))


@pytest.mark.parametrize("t", [RecordType(()), VariantType(()), FlagsType(()), EnumType(())])
def test_empty_types_are_rejected(t: ValType) -> None:
    with pytest.raises(ValueError):
        elem_size(t)


@pytest.mark.parametrize(("t", "align", "size", "flat"), LAYOUTS)
def test_validation_entry_points_agree_with_the_abi(
    t: ValType, align: int, size: int, flat: tuple[str, ...]
) -> None:
    """``size_and_alignment``/``flatten_upto`` (validation's) are the same functions."""
    for ptr in ("i32", "i64"):
        assert size_and_alignment(t, ptr, {}) == (elem_size(t, ptr), alignment(t, ptr))
    assert flatten_upto(t, "i32", len(flat)) == flat
    assert flatten_upto(t, "i32", len(flat) - 1) is None


def test_flatten_upto_stops_at_the_limit() -> None:
    """A hostile fixed-length list costs what the limit allows, not what it declares."""
    huge = ListType(ListType("u8", 1 << 20), 1 << 20)
    assert flatten_upto(huge, "i32", MAX_FLAT_PARAMS) is None
    assert flatten_upto(RecordType((("a", "string"), ("b", huge))), "i64", 16) is None
    assert flatten_upto(ListType("u32", 16), "i32", 16) == ("i32",) * 16


def test_variant_dags_are_walked_once_per_node() -> None:
    t: ValType = "u8"
    for _ in range(200):  # 2**200 paths
        t = VariantType((("a", t), ("b", t)))
    assert flatten_upto(t, "i32", MAX_FLAT_PARAMS) is None  # 201 discriminants
    memo: dict[int, tuple[object, int, int]] = {}
    assert size_and_alignment(t, "i32", memo)[0] > 0
    assert len(memo) == 200
    assert not contains_ptr(t)
    assert contains_ptr(ListType(OptionType(MapType("u8", "u8"))))
    assert contains_ptr(ListType("string", 4))
    assert not contains_ptr(ListType("u8", 4))
