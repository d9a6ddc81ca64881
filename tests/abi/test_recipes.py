"""ABI recipes: generated code reused for function types of the same shape, never for another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from witkit.abi import _codecache as codecache
from witkit.abi import _recipes as recipes
from witkit.abi import specialize
from witkit.abi.context import CanonicalOptions
from witkit.abi.values import record_class
from witkit.runtime._codecache import DiskCodeCache
from witkit.types import (
    BorrowType,
    FuncType,
    ListType,
    OwnType,
    RecordType,
    ResourceType,
    make_alias,
)

OPTS = CanonicalOptions()


def point() -> RecordType:
    return RecordType((("x", "s32"), ("name", "string")))


def shape(ft: FuncType) -> str:
    return recipes.shape_of(ft, "utf8", "i32")


def test_same_structure_same_shape() -> None:
    a = FuncType((("p", point()), ("q", "u8")), ListType("u32"))
    b = FuncType((("p", point()), ("q", "u8")), ListType("u32"))
    assert shape(a) == shape(b)


@pytest.mark.parametrize(
    "other",
    [
        FuncType((("p", RecordType((("y", "s32"), ("name", "string")))),), None),  # field name
        FuncType((("p", RecordType((("x", "s64"), ("name", "string")))),), None),  # field type
        FuncType((("q", point()),), None),  # parameter name
        FuncType((("p", point()),), "u8"),  # a result
    ],
)
def test_any_difference_is_another_shape(other: FuncType) -> None:
    assert shape(FuncType((("p", point()),), None)) != shape(other)


def test_sharing_is_part_of_the_shape() -> None:
    """One record object twice is not two equal records: generation names them differently."""
    r = point()
    shared = FuncType((("a", r), ("b", r)), None)
    apart = FuncType((("a", point()), ("b", point())), None)
    aliased = FuncType((("a", r), ("b", make_alias(r))), None)
    assert len({shape(shared), shape(apart), shape(aliased)}) == 3


def test_resources_by_root_identity_and_name() -> None:
    res = ResourceType("file")
    one = FuncType((("a", BorrowType(res)), ("b", OwnType(res))), None)
    two = FuncType(
        (("a", BorrowType(ResourceType("file"))), ("b", OwnType(ResourceType("file")))), None
    )
    renamed = FuncType((("a", BorrowType(ResourceType("dir"))),), None)
    assert shape(one) != shape(two)
    assert shape(FuncType((("a", BorrowType(res)),), None)) != shape(renamed)


def test_a_recipe_binds_the_other_types_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    res_a, res_b = ResourceType("r"), ResourceType("r")
    a = FuncType((("p", point()), ("h", BorrowType(res_a))), OwnType(res_a))
    b = FuncType((("p", point()), ("h", BorrowType(res_b))), OwnType(res_b))
    first = specialize.func_abi(a, OPTS)

    def no_generation(*args: Any) -> Any:
        raise AssertionError("generated although a recipe fits")

    monkeypatch.setattr(specialize, "_generate_func", no_generation)
    monkeypatch.setenv("WITKIT_CHECK_RECIPES", "0")
    second = specialize.func_abi(b, OPTS)
    assert second is not first and second.source == first.source
    recipe = recipes.find(shape(b))
    assert recipe is not None
    bound = recipes.bind(b, recipe)
    assert bound is not None
    values = list(bound.values())
    assert res_b in values and res_a not in values
    assert record_class(b.params[0][1]) in values


def test_kept_on_disk_for_the_next_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = DiskCodeCache(tmp_path)
    old = codecache.set_code_cache(disk)
    try:
        ft = FuncType((("v", ListType(point())),), "string")
        specialize.func_abi(ft, OPTS)
        key = shape(ft)
        monkeypatch.setattr(recipes, "_recipes", {})  # a new process: nothing in memory
        found = recipes.find(key)
        assert found is not None and found[1] == specialize.func_abi(ft, OPTS).source
        for entry in tmp_path.rglob("recipe-*"):  # damaged: a miss, never a wrong recipe
            entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")
        monkeypatch.setattr(recipes, "_recipes", {})
        assert recipes.find(key) is None
    finally:
        codecache.set_code_cache(old)


def test_checking_mode_compares_with_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """WITKIT_CHECK_RECIPES=1 (the test suite's setting) catches a recipe gone wrong."""
    a = FuncType((("n", "u64"),), "u64")
    specialize.func_abi(a, OPTS)
    s = shape(a)
    recipe = recipes.find(s)
    assert recipe is not None
    monkeypatch.setitem(recipes._recipes, s, (recipe[0], recipe[1] + "# tampered\n", *recipe[2:]))
    monkeypatch.setenv("WITKIT_CHECK_RECIPES", "1")
    with pytest.raises(AssertionError, match="differs from generation"):
        specialize.func_abi(FuncType((("n", "u64"),), "u64"), OPTS)
