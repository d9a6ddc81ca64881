"""Real components (componentize-py, jco) through witkit and through ``wasmtime.component``.

The corpus is built from the project's guest sources (``tests/fixtures``); both
runtimes get the WASI host (witkit's ``witkit.wasi``, wasmtime's ``add_wasip2``)
and the same calls, and their answers are compared through the WIT types the
component itself declares (``norm_witkit``/``norm_wasmtime``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime
import wasmtime.component as wc

import witkit
from tests.runtime.test_differential import norm_wasmtime, norm_witkit, to_wasmtime
from witkit.types import FuncType, InstanceType
from witkit.wasi import WasiConfig, add_to_linker


def _fixture(name: str) -> Path:
    from tests.fixtures.build import build

    return build(name)


class Both:
    """One component instantiated by both runtimes, called by interface and function name."""

    def __init__(self, path: Path) -> None:
        engine = witkit.Engine()
        self.component = witkit.Component.from_file(engine, path)
        linker = witkit.Linker(engine)
        add_to_linker(linker, WasiConfig())
        self.ours = linker.instantiate(self.component).exports

        config = wasmtime.Config()
        config.cache = True
        w_engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(w_engine)
        self.store.set_wasi(wasmtime.WasiConfig())
        w_linker = wc.Linker(w_engine)
        w_linker.add_wasip2()
        self.theirs = w_linker.instantiate(self.store, wc.Component.from_file(w_engine, path))

    def functype(self, iface: str | None, name: str) -> FuncType:
        exports = self.component.exports
        ty = exports[name].ty if iface is None else exports[iface].ty
        if iface is not None:
            assert isinstance(ty, InstanceType)
            ty = ty.exports[name].ty
        assert isinstance(ty, FuncType)
        return ty

    def call_ours(self, iface: str | None, name: str, *args: Any) -> Any:
        exports = self.ours if iface is None else self.ours[iface]
        return exports[name](*args)

    def call_theirs(self, iface: str | None, name: str, *args: Any) -> Any:
        if iface is None:
            index = self.theirs.get_export_index(self.store, name)
        else:
            outer = self.theirs.get_export_index(self.store, iface)
            index = self.theirs.get_export_index(self.store, name, outer)
        func = self.theirs.get_func(self.store, index)
        result = func(self.store, *args)
        func.post_return(self.store)
        return result

    def same(self, iface: str | None, name: str, *args: Any) -> Any:
        """Call both; assert equal answers (through the WIT type); return witkit's."""
        ft = self.functype(iface, name)
        theirs_args = [to_wasmtime(a, t) for a, (_, t) in zip(args, ft.params, strict=True)]
        ours = self.call_ours(iface, name, *args)
        theirs = self.call_theirs(iface, name, *theirs_args)
        if ft.result is None:
            assert ours is None and theirs is None
        else:
            assert norm_witkit(ours, ft.result) == norm_wasmtime(theirs, ft.result)
        return ours


@pytest.fixture(scope="module")
def py_types() -> Both:
    return Both(_fixture("py_types"))


KITCHEN = "witkit:types/kitchen@1.2.0"
GEOMETRY = "witkit:types/geometry@1.2.0"

KITCHEN_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("lookup", (1,)),
    ("lookup", (2,)),
    ("lookup", (99,)),
    ("divide", (7, 2)),
    ("divide", (1, 0)),
    ("check", (True,)),
    ("check", (False,)),
    ("validate", ("",)),
    ("validate", ("ok",)),
    ("maybe-double", (None,)),
    ("maybe-double", (21,)),
    ("scalars", (True, -1, 2, -3, 4, -5, 6, -7, 8, 1.5, 2.5, "☃", "str ☃")),
    ("wide", tuple(range(17))),
    ("next-colors", ("blue", 5)),
    ("toggle", (frozenset({"read"}), frozenset({"read", "write", "admin"}))),
    ("invert-many", (frozenset({"f0", "f19"}),)),
    ("bytes", (300,)),
    ("reverse-string", ("héllo ☃ 😀",)),
    ("count-chars", ("héllo ☃ 😀",)),
    ("sum-pairs", ([(1, 2), (-3, 4), (2**40, -(2**40))],)),
    ("nothing", ()),
    ("nested", ([None, witkit.Ok(b"ab"), witkit.Err("hot-pink")],)),
]


@pytest.mark.parametrize(("name", "args"), KITCHEN_CALLS, ids=[c[0] for c in KITCHEN_CALLS])
def test_kitchen(py_types: Both, name: str, args: tuple[Any, ...]) -> None:
    py_types.same(KITCHEN, name, *args)


def test_records_and_variants(py_types: Both) -> None:
    ada = py_types.same(KITCHEN, "lookup", 1).value
    assert ada.name == "ada"
    person = {
        "id": 7,
        "name": "eve",
        "age": 30,
        "email": None,
        "tags": ["x", "y"],
        "favourite": "hot-pink",
        "perms": frozenset({"exec"}),
    }
    py_types.same(KITCHEN, "echo-person", person)
    inventory = {
        "owner": person,
        "items": [("apple", 3), ("pear", 0)],
        "location": {"x": 1.5, "y": -2.0},
        "drawing": witkit.Variant("circle", ({"x": 0.0, "y": 0.0}, 2.0)),
    }
    py_types.same(KITCHEN, "summarize", inventory)
    square = witkit.Variant("rect", {"origin": {"x": 0.0, "y": 0.0}, "size": {"w": 2.0, "h": 3.0}})
    assert py_types.same(GEOMETRY, "area", square) == 6.0
    py_types.same(GEOMETRY, "area", witkit.Variant("poly", [{"x": 0.0, "y": 0.0}] * 3))
    py_types.same(GEOMETRY, "area", witkit.Variant("empty"))
    py_types.same(GEOMETRY, "bounding-box", [{"x": 1.0, "y": 2.0}, {"x": -1.0, "y": 5.0}])
    py_types.same(GEOMETRY, "bounding-box", [])
    py_types.same(GEOMETRY, "translate", square, 1.0, -1.0)
    py_types.same(None, "version")


@pytest.fixture(scope="module")
def py_resources() -> Both:
    return Both(_fixture("py_resources"))


COUNTERS = "witkit:resources/counters@0.3.0"
KV = "witkit:resources/kv@0.3.0"


def _scenario(call: Callable[..., Any], drop: Callable[[Any], None]) -> list[Any]:
    """The same resource story in either runtime; returns the plain answers it saw."""
    out: list[Any] = []
    a = call(COUNTERS, "[constructor]counter", "a", 5)
    out.append(call(COUNTERS, "[method]counter.increment", a, 3))
    out.append(call(COUNTERS, "[method]counter.name", a))
    b = call(COUNTERS, "make-counter", "b")
    m = call(COUNTERS, "[static]counter.merge", a, b)
    out.append(call(COUNTERS, "[method]counter.value", m))
    out.append(call(COUNTERS, "sum-values", [a, b, m]))
    out.append(call(COUNTERS, "[static]counter.finish", m))
    drop(b)
    s = call(KV, "[constructor]store")
    call(KV, "[method]store.set", s, "k", b"v")
    out.append(call(KV, "[method]store.get", s, "k"))
    out.append(call(KV, "[method]store.keys", s))
    w = call(KV, "[method]store.writes", s)
    out.append(call(COUNTERS, "[method]counter.value", w))
    entry = call(KV, "tag", "key", a)
    out.append(call(KV, "open-entry", entry))
    drop(w)
    drop(s)
    return out


def test_resources_behave_the_same(py_resources: Both) -> None:
    ours = _scenario(py_resources.call_ours, lambda h: h.drop())
    store = py_resources.store
    theirs = _scenario(py_resources.call_theirs, lambda h: h.drop(store))
    assert ours == theirs


def test_kv_results_with_handles(py_resources: Both) -> None:
    ok = py_resources.call_ours(KV, "from-pairs", [("a", b"1")])
    assert isinstance(ok, witkit.Ok) and isinstance(ok.value, witkit.ResourceHandle)
    assert ok.value.type.name == "store"
    err = py_resources.call_ours(KV, "from-pairs", [("a", b"1"), ("a", b"2")])
    assert err == witkit.Err("duplicate key 'a'")
    ok.value.drop()


@pytest.fixture(scope="module")
def js_shapes() -> Both:
    return Both(_fixture("js_shapes"))


SHAPES = "witkit:js-shapes/shapes@0.4.0"
SHAPES_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("area", (witkit.Variant("circle", 1.0),)),
    ("area", (witkit.Variant("rectangle", (2.0, 3.5)),)),
    ("area", (witkit.Variant("dot"),)),
    ("describe", (witkit.Variant("square", 2.0), "inch")),
    ("parse-point", ("1.5,-2",)),
    ("parse-point", ("nope",)),
    ("centroid", ([{"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 4.0}],)),
    ("centroid", ([],)),
    ("restyle", ({"text": "t ☃", "style": frozenset({"bold"}), "at": None}, frozenset({"italic"}))),
    ("histogram", (b"abracadabra",)),
    ("scale", ([{"x": 1.0, "y": -2.0}], 2.5)),
    ("checksum", (b"Wikipedia",)),
    ("add-signed", (-100, 1000, -(2**31) + 5000)),
]


@pytest.mark.parametrize(("name", "args"), SHAPES_CALLS, ids=[c[0] for c in SHAPES_CALLS])
def test_js_shapes(js_shapes: Both, name: str, args: tuple[Any, ...]) -> None:
    js_shapes.same(SHAPES, name, *args)
