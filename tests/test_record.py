"""``witkit._record.record`` behaves like the frozen, slotted dataclass it stands in for."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest

from witkit._record import record


@record
class Point:
    """A doc string survives."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    limit: ClassVar[int] = 3

    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@record(frozen=False)
class Box:
    items: list[int] = dataclasses.field(default_factory=list)
    label: str = "box"


@record(eq=False)
class Ident:
    value: int


def test_fields_defaults_and_methods() -> None:
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, ())
    assert p.norm() == 1
    assert Point.limit == 3
    assert Point.__doc__ == "A doc string survives."
    assert getattr(Point, "__slots__") == ("x", "y", "tags")  # noqa: B009
    assert not hasattr(p, "__dict__")


def test_frozen() -> None:
    p = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.y


def test_equality_hash_repr_match() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=())"
    match Point(5, 6):
        case Point(x, y):
            assert (x, y) == (5, 6)
        case _:  # pragma: no cover
            pytest.fail("no match")


def test_identity_records() -> None:
    a, b = Ident(1), Ident(1)
    assert a != b and a == a
    assert len({a, b}) == 2


def test_mutable_records_and_factories() -> None:
    one, two = Box(), Box()
    one.items.append(1)
    assert two.items == []
    one.label = "changed"
    assert one.label == "changed"
    with pytest.raises(TypeError):
        hash(one)


def test_dataclasses_helpers_work() -> None:
    p = Point(1, 2, ("a",))
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags"]
    assert dataclasses.replace(p, y=5) == Point(1, 5, ("a",))
    assert dataclasses.asdict(p) == {"x": 1, "y": 2, "tags": ("a",)}


def test_copy_and_pickle() -> None:
    p = Point(1, 2)
    assert copy.copy(p) == p
    assert copy.deepcopy(p) == p
    assert pickle.loads(pickle.dumps(p)) == p


def test_field_order_rule() -> None:
    with pytest.raises(TypeError, match="follows one with"):

        @record
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]


def test_init_is_compiled_on_first_use() -> None:
    """Defining a record compiles nothing; the first instance makes the real ``__init__``."""
    from witkit._record import _first_init

    @record
    class Lazy:
        a: int
        b: str = "x"

    assert Lazy.__dict__["__init__"] is _first_init
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'a'"):
        Lazy()
    assert Lazy(1) == Lazy(1, "x")
    assert Lazy.__dict__["__init__"] is not _first_init
    assert Lazy(a=2, b="y").b == "y"
    with pytest.raises(TypeError):
        Lazy(1, "x", 3)  # type: ignore[call-arg]
