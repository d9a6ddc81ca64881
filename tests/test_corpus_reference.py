"""The hand-written WAT fixtures behave as their comments say, checked on the reference runtime
(`wasmtime.component`), so tests of witkit's own runtime can rely on these behaviours."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime
from wasmtime import component as wc


@functools.cache
def _engine() -> wasmtime.Engine:
    # The compilation cache turns the ~10 s compile of an 18 MB guest into a load on later runs.
    config = wasmtime.Config()
    config.cache = True
    return wasmtime.Engine(config)


class Guest:
    """One instance of a component under wasmtime, with host functions supplied by the test."""

    def __init__(
        self, path: Path, define: Callable[[Any], None] | None = None, *, wasi: bool = False
    ) -> None:
        engine = _engine()
        self.store = wasmtime.Store(engine)
        linker = wc.Linker(engine)
        if wasi:
            self.store.set_wasi(wasmtime.WasiConfig())
            linker.add_wasip2()
        if define is not None:
            with linker.root() as root:
                define(root)
        self.instance = linker.instantiate(self.store, wc.Component.from_file(engine, str(path)))

    def __call__(self, name: str, *args: Any, interface: str | None = None) -> Any:
        if interface is None:
            func = self.instance.get_func(self.store, name)
        else:
            outer = self.instance.get_export_index(self.store, interface)
            inner = self.instance.get_export_index(self.store, name, outer)
            assert inner is not None, f"{interface} has no export {name}"
            func = self.instance.get_func(self.store, inner)
        assert func is not None, name
        result = func(self.store, *args)
        func.post_return(self.store)
        return result


def _record(**fields: Any) -> Any:
    record = wc.Record()
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def test_strings(corpus: dict[str, Path]) -> None:
    logged: list[str] = []

    def define(root: Any) -> None:
        root.add_func("log", lambda _store, message: logged.append(message))

    g = Guest(corpus["wat_strings"], define)
    assert g("greet", "wörld") == "Hello, wörld!"
    assert logged == ["greet called"]
    assert g("post-returns") == 1
    assert g("repeat", "ab", 3) == "ababab"
    assert g("sum", [1, 2, 2**32 - 1]) == 2**32 + 2
    assert g("concat", ["a", "bc", "", "déf"]) == "abcdéf"
    assert g("split-words", " the quick  brown fox") == ["the", "quick", "brown", "fox"]
    assert g("echo-utf16", "héllo😀") == "héllo😀"
    assert g("units-utf16", "héllo😀") == 7
    assert g("echo-latin1-utf16", "héllo") == "héllo"
    assert g("units-latin1-utf16", "héllo") == 5
    assert g("units-latin1-utf16", "h😀") == (1 << 31) | 3


def test_nested(corpus: dict[str, Path]) -> None:
    def define(root: Any) -> None:
        root.add_func("base", lambda _store, n: n * 10)

    g = Guest(corpus["wat_nested"], define)
    assert g("plus-two", 4) == 42
    assert g("times3", 5) == 15
    assert g("plus-one", 4, interface="ops") == 41
    assert g("times3", 2, interface="tripler") == 6


def test_resources_and_destructor(corpus: dict[str, Path]) -> None:
    g = Guest(corpus["wat_resources"])
    iface = "witkit:wat/counters@0.1.0"

    def call(name: str, *args: Any) -> Any:
        return g(name, *args, interface=iface)

    a = call("[constructor]counter", 5)
    b = call("[static]counter.zero")
    call("[method]counter.bump", b)
    call("[method]counter.bump", b)
    assert (call("[method]counter.get", a), call("[method]counter.get", b)) == (5, 2)
    assert (call("live"), call("dropped")) == (2, 0)
    merged = call("[static]counter.merge", a, b)  # b is consumed and dropped by the guest
    assert call("[method]counter.get", merged) == 7
    assert (call("live"), call("dropped")) == (2, 1)
    assert call("take", merged) == 7
    assert (call("live"), call("dropped")) == (1, 2)
    a.drop(g.store)  # a host drop runs the component's destructor
    assert (call("live"), call("dropped")) == (0, 3)


def test_interfaces(corpus: dict[str, Path]) -> None:
    drawn: list[Any] = []

    def parse(_store: Any, text: str) -> Any:
        x, _, y = text.partition(",")
        return _record(x=int(x), y=int(y))

    def draw(_store: Any, shape: Any, label: Any) -> int:
        drawn.append(shape)
        return 100 if shape is None else 10 if isinstance(shape, tuple) else 1

    def define(root: Any) -> None:
        root.add_func("version", lambda _store: 7)
        with root.add_instance("witkit:shapes/types@1.2.3") as types:
            types.add_func("parse", parse)
        with root.add_instance("witkit:shapes/canvas@1.2.3") as canvas:
            canvas.add_func("draw", draw)
            canvas.add_func("clear", lambda _store: None)

    g = Guest(corpus["wat_interfaces"], define)
    render = "witkit:shapes/render@1.2.3"
    p, q = _record(x=1, y=2), _record(x=3, y=4)
    flipped = g("flip", p, interface=render)
    assert (flipped.x, flipped.y) == (2, 1)
    # wasmtime-py passes this variant untagged: a record is `dot`, a tuple `line`, None `none`.
    assert g("classify", (p, q), interface=render) == "green"
    assert g("classify", None, interface=render) == "blue"
    assert g("count-styles", {"bold", "underline"}, interface=render) == 2
    label = g("echo-label", _record(text="héllo", color="blue", style={"italic"}), interface=render)
    assert (label.text, label.color, label.style) == ("héllo", "blue", {"italic"})
    parsed = g("call-parse", "3,4", interface=render)
    assert (parsed.x, parsed.y) == (3, 4)
    assert g("draw-all", [p, (p, q), None, q], interface=render) == 112
    assert len(drawn) == 4
    assert g("info") == 1007


def test_flat_limits(corpus: dict[str, Path]) -> None:
    def define(root: Any) -> None:
        root.add_func("sum17", lambda _store, *args: sum(args))

    g = Guest(corpus["wat_flat_limits"], define)
    assert g("weighted17", *range(1, 18)) == sum((i + 1) * v for i, v in enumerate(range(1, 18)))
    assert g("weighted16", *range(1, 17)) == sum((i + 1) * v for i, v in enumerate(range(1, 17)))
    assert g("call-sum17", 10) == sum(range(10, 27))
    assert g("divmod", 17, 5) == (3, 2)
    assert g("mixed") == (200, 2.5, -300)


def test_world_resource(corpus: dict[str, Path]) -> None:
    dropped: list[int] = []

    def rep_of(handle: Any, store: Any) -> int:
        # wasmtime-py hands the host a borrow as a ResourceAny that must be released within the
        # call; `to_host` does that (a `drop` as well would release it twice).
        return int(handle.to_host(store).rep)

    def define(root: Any) -> None:
        root.add_resource(
            "handle", wc.ResourceType.host(1), lambda _store, rep: dropped.append(rep)
        )
        root.add_func("open", lambda _store, id: wc.ResourceHost.own(id, 1))
        root.add_func("id-of", lambda store, handle: rep_of(handle, store))

    g = Guest(corpus["wat_world_resource"], define)
    assert g("churn", 4) == 0 + 1 + 2 + 3
    assert dropped == [0, 1, 2, 3]  # the guest's resource.drop reaches the host destructor
    handle = g("reopen", 41)
    assert g("peek", handle) == 42
    assert g("close", handle) == 42
    assert dropped[-1] == 42


def test_resource_import(corpus: dict[str, Path]) -> None:
    sizes: dict[int, int] = {}
    dropped: list[int] = []
    closed: list[int] = []

    def new_file(size: int) -> Any:
        rep = len(sizes) + 1
        sizes[rep] = size
        return wc.ResourceHost.own(rep, 7)

    def rep(handle: Any, store: Any) -> int:
        return int(handle.to_host(store).rep)

    def grow(store: Any, handle: Any, by: int) -> None:
        sizes[rep(handle, store)] += by

    def define(root: Any) -> None:
        with root.add_instance("witkit:host/files@0.1.0") as files:
            files.add_resource("file", wc.ResourceType.host(7), lambda _s, r: dropped.append(r))
            files.add_func("[constructor]file", lambda _store, size: new_file(size))
            files.add_func("[method]file.size", lambda store, h: sizes[rep(h, store)])
            files.add_func("[method]file.grow", grow)
            files.add_func("[static]file.dup", lambda store, h: new_file(sizes[rep(h, store)]))
            files.add_func("close", lambda store, h: closed.append(rep(h, store)))

    g = Guest(corpus["wat_resource_import"], define)
    made = g("make", 5)
    assert g("measure", made) == 5
    assert g("double", made) == 10
    assert g("copies", made, 3) == 30
    assert dropped == [2, 3, 4]  # the dups, dropped by the guest
    assert g("consume", made) == 10
    assert closed == [1]
    other = g("make", 1)
    g("discard", other)
    assert dropped[-1] == 5
    with pytest.raises(wasmtime.WasmtimeError, match="borrow"):
        g("leak", g("make", 2))


def test_values(corpus: dict[str, Path]) -> None:
    g = Guest(corpus["wat_values"])
    assert g("wide-u8") == 255
    assert g("wide-s8") == -128
    assert g("wide-u16") == 0x2345
    assert g("wide-s16") == -32768
    assert g("truthy") is True
    assert g("s64", -(2**63)) == -(2**63)
    assert g("u64", 2**64 - 1) == 2**64 - 1
    assert g("char", "😀") == "😀"
    assert g("max-char") == "\U0010ffff"


@pytest.mark.parametrize(
    "name",
    [
        "unreachable",
        "out-of-bounds",
        "bad-char",
        "bad-enum",
        "bad-option",
        "bad-utf8",
        "bad-pointer",
    ],
)
def test_traps(corpus: dict[str, Path], name: str) -> None:
    g = Guest(corpus["wat_traps"])
    assert g("ok") is True
    with pytest.raises(wasmtime.WasmtimeError):
        g(name)


# --- the componentize-py and jco libraries ---------------------------------------------------


def test_py_types(corpus: dict[str, Path]) -> None:
    g = Guest(corpus["py_types"], wasi=True)
    kitchen = "witkit:types/kitchen@1.2.0"
    assert g("version") == "types-lib 1.2.0"
    assert g("wide", *range(1, 18), interface=kitchen) == 1785
    assert g("divide", 7, 2, interface=kitchen) == 3
    assert g("next-colors", "blue", 3, interface=kitchen) == ["hot-pink", "red", "green"]
    assert g("reverse-string", "héllo", interface=kitchen) == "olléh"
    scalars = (True, -1, 255, -2, 65535, -3, 4000000000, -4, 2**64 - 1, 1.5, 2.25, "x", "s")
    assert g("scalars", *scalars, interface=kitchen) == scalars
    ada = g("lookup", 1, interface=kitchen)
    assert (ada.name, ada.age, ada.email) == ("ada", 36, "ada@example.org")
    assert g("bytes", 300, interface=kitchen) == bytes(i % 256 for i in range(300))
    geometry = "witkit:types/geometry@1.2.0"
    box = g("bounding-box", [_record(x=1.0, y=5.0), _record(x=-2.0, y=3.0)], interface=geometry)
    assert (box.origin.x, box.origin.y, box.size.w, box.size.h) == (-2.0, 3.0, 3.0, 2.0)


def test_py_resources(corpus: dict[str, Path]) -> None:
    g = Guest(corpus["py_resources"], wasi=True)
    counters = "witkit:resources/counters@0.3.0"

    def call(name: str, *args: Any) -> Any:
        return g(name, *args, interface=counters)

    a = call("[constructor]counter", "a", 5)
    b = call("make-counter", "b")
    assert call("[method]counter.increment", b, 3) == 3
    merged = call("[static]counter.merge", a, b)
    assert call("[method]counter.name", merged) == "a+b"
    assert call("sum-values", [a, b, merged]) == 16
    assert call("live-counters") == 3
    assert call("[static]counter.finish", merged) == 8


def test_js_shapes(corpus: dict[str, Path]) -> None:
    g = Guest(corpus["js_shapes"], wasi=True)
    shapes = "witkit:js-shapes/shapes@0.4.0"
    assert g("hello", "x") == "Hello, x, from JavaScript!"
    assert g("checksum", b"Wikipedia", interface=shapes) == 0x11E60398
    assert g("add-signed", -1, -2, -3, interface=shapes) == -6
    assert g("histogram", b"abca", interface=shapes) == [(97, 2), (98, 1), (99, 1)]
    point = g("parse-point", "1,2", interface=shapes)
    assert (point.x, point.y) == (1.0, 2.0)


def test_js_bank(corpus: dict[str, Path]) -> None:
    log: list[str] = []
    clock = iter(range(100, 200))

    def define(root: Any) -> None:
        with root.add_instance("witkit:js-bank/host@1.0.0") as host:
            host.add_func("now", lambda _store: next(clock))
            host.add_func("log", lambda _store, message: log.append(message))

    g = Guest(corpus["js_bank"], define, wasi=True)
    bank = "witkit:js-bank/bank@1.0.0"

    def call(name: str, *args: Any) -> Any:
        return g(name, *args, interface=bank)

    alice = call("[constructor]account", "alice", 50)
    bob = call("open", "bob")
    call("[static]account.transfer", alice, bob, 20)
    assert (call("[method]account.balance", alice), call("[method]account.balance", bob)) == (
        30,
        20,
    )
    assert call("total", [alice, bob]) == 50
    assert call("[method]account.history", alice) == [(100, 50), (102, -20)]
    assert call("close", bob) == 20
    assert log == ["opened alice with 50", "opened bob with 0", "closing bob"]
