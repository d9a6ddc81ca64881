"""Resources both ways: host classes as resource types, guest resources as handles.

``wat/resources.wat`` imports a host ``counter`` (constructor, method, static,
a function taking ownership) and exports a guest ``blob`` with a destructor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import witkit


class Counter:
    """A host resource: the object is the rep; ``drop`` runs when the guest drops it."""

    dropped: list[int]

    def __init__(self, start: int) -> None:
        self.n = start

    def bump(self, by: int) -> int:
        self.n += by
        return self.n

    @staticmethod
    def zero() -> Counter:
        return Counter(0)

    def drop(self) -> None:
        Counter.dropped.append(self.n)


@pytest.fixture
def exports(instantiate: Callable[..., witkit.Instance]) -> witkit.Exports:
    Counter.dropped = []
    consumed: list[int] = []

    def consume(c: Counter) -> int:
        consumed.append(c.n)
        return c.n

    return instantiate(
        "resources", **{"test:host/counters": {"counter": Counter, "consume": consume}}
    ).exports


def test_host_resource_lifecycle(exports: witkit.Exports) -> None:
    # constructor, two method calls through borrows, then the guest drops it
    assert exports["use-counter"](5) == 16
    assert Counter.dropped == [16]


def test_own_host_resource_moves_to_host(exports: witkit.Exports) -> None:
    assert exports["give-counter"](7) == 7
    assert Counter.dropped == []  # the host owns it now: the guest dropped nothing


def test_host_object_is_the_value(exports: witkit.Exports) -> None:
    zero = exports["zero-counter"]()
    assert isinstance(zero, Counter) and zero.n == 0
    assert exports["bump-counter"](zero, 3) == 3 and zero.n == 3
    # an own of a host resource given to the guest and returned is the same object
    assert exports["keep-counter"](zero) is zero


def test_wrong_host_value_is_a_type_error(exports: witkit.Exports) -> None:
    with pytest.raises(TypeError, match="Counter"):
        exports["bump-counter"](object(), 1)
    assert exports["use-counter"](1) == 12  # unharmed


def test_guest_resource_handles(exports: witkit.Exports) -> None:
    blob = exports["[constructor]blob"](42)
    assert isinstance(blob, witkit.ResourceHandle)
    assert blob.owned and blob.alive and blob.type.name == "blob"
    assert exports["[method]blob.value"](blob) == 42
    assert exports["[method]blob.value"](blob) == 42  # a borrow leaves it ours
    assert exports["dropped"]() == 0
    blob.drop()
    assert (exports["dropped"](), exports["last-dropped"]()) == (1, 42)
    with pytest.raises(ValueError, match="already dropped"):
        blob.drop()
    with pytest.raises(ValueError, match="already dropped"):
        exports["[method]blob.value"](blob)


def test_context_manager_drops(exports: witkit.Exports) -> None:
    with exports["[constructor]blob"](9) as blob:
        assert exports["[method]blob.value"](blob) == 9
    assert not blob.alive
    assert (exports["dropped"](), exports["last-dropped"]()) == (1, 9)


def test_own_handle_moves_into_the_guest(exports: witkit.Exports) -> None:
    blob = exports["[constructor]blob"](11)
    assert exports["blob-value-own"](blob) == 11  # the guest took it and dropped it
    assert not blob.alive
    assert exports["dropped"]() == 1


def test_borrow_must_end_with_the_call(exports: witkit.Exports) -> None:
    with pytest.raises(witkit.Trap) as info:
        exports["leak-borrow"](Counter(1))
    assert info.value.rule == "borrow-outlives-call"


def test_handles_of_two_instances_do_not_mix(
    instantiate: Callable[..., witkit.Instance],
) -> None:
    defs: dict[str, Any] = {"counter": Counter, "consume": lambda c: 0}
    a = instantiate("resources", **{"test:host/counters": defs}).exports
    b = instantiate("resources", **{"test:host/counters": defs}).exports
    blob = a["[constructor]blob"](1)
    with pytest.raises(TypeError, match="blob"):
        b["[method]blob.value"](blob)  # same component, other instance: another resource type
    assert a["[method]blob.value"](blob) == 1


def test_exported_resource_type(exports: witkit.Exports) -> None:
    blob = exports["[constructor]blob"](3)
    assert exports["blob"] is blob.type
    assert isinstance(exports["blob"], witkit.ResourceType)
