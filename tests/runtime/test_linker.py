"""The linker: names (exact, then semver), the spec's subtyping, and the errors it gives."""

from __future__ import annotations

from typing import Any

import pytest

import witkit
from tests.runtime.conftest import wat_component

STREAMS = """(component
  (import "wasi:io/streams@0.2.9" (instance $s
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "n" u32) (result u32)))
    (export "get" (func (result (own $os))))))
  (alias export $s "output-stream" (type $os))
  (core func $get (canon lower (func $s "get")))
  (core func $write (canon lower (func $s "[method]output-stream.write")))
  (core func $drop (canon resource.drop $os))
  (core module $M
    (import "" "get" (func $get (result i32)))
    (import "" "write" (func $write (param i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (param $n i32) (result i32)
      (local $h i32) (local $r i32)
      (local.set $h (call $get))
      (local.set $r (call $write (local.get $h) (local.get $n)))
      (call $drop (local.get $h))
      (local.get $r)))
  (core instance $m (instantiate $M (with "" (instance
    (export "get" (func $get)) (export "write" (func $write)) (export "drop" (func $drop))))))
  (func (export "run") (param "n" u32) (result u32) (canon lift (core func $m "run"))))"""


class OutputStream:
    def __init__(self) -> None:
        self.written = 0

    def write(self, n: int) -> int:
        self.written += n
        return self.written


@pytest.fixture(scope="module")
def streams(engine: witkit.Engine) -> witkit.Component:
    return wat_component(engine, STREAMS)


def test_semver_compatible_import(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_instance(
        "wasi:io/streams@0.2.0", {"output-stream": OutputStream, "get": OutputStream}
    )
    assert linker.instantiate(streams).exports["run"](5) == 5


def test_incompatible_version_is_missing(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_instance("wasi:io/streams@0.3.0", {})
    with pytest.raises(witkit.LinkError, match=r"import `wasi:io/streams@0\.2\.9` is not defined"):
        linker.instantiate(streams)


def test_missing_function(engine: witkit.Engine, streams: witkit.Component) -> None:
    class NoWrite:
        pass

    linker = witkit.Linker(engine)
    linker.define_instance("wasi:io/streams@0.2.0", {"output-stream": NoWrite, "get": NoWrite})
    with pytest.raises(witkit.LinkError) as info:
        linker.instantiate(streams)
    assert str(info.value) == (
        "import `wasi:io/streams@0.2.9`: missing function `[method]output-stream.write`: "
        "func(self: borrow<output-stream>, n: u32) -> u32"
    )


def test_missing_resource(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_instance("wasi:io/streams@0.2.9", {"get": OutputStream})
    with pytest.raises(witkit.LinkError, match="missing resource `output-stream`"):
        linker.instantiate(streams)


def test_explicit_method_entry_wins(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_instance(
        "wasi:io/streams@0.2.9",
        {
            "output-stream": OutputStream,
            "get": OutputStream,
            "[method]output-stream.write": lambda self, n: n * 100,
        },
    )
    assert linker.instantiate(streams).exports["run"](2) == 200


def test_wrong_kind(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_func("wasi:io/streams@0.2.9", lambda: None)
    with pytest.raises(witkit.LinkError, match="must be an instance"):
        linker.instantiate(streams)


def test_shadowing(engine: witkit.Engine) -> None:
    linker = witkit.Linker(engine)
    linker.define_func("f", print)
    with pytest.raises(witkit.LinkError, match="already defined"):
        linker.define_func("f", print)
    witkit.Linker(engine, allow_shadowing=True).define_func("f", print)


def test_unknown_imports_as_traps(engine: witkit.Engine, streams: witkit.Component) -> None:
    linker = witkit.Linker(engine)
    linker.define_unknown_imports_as_traps(streams)
    with pytest.raises(witkit.Trap, match="undefined import"):
        linker.instantiate(streams).exports["run"](1)


ADD_USER = """(component
  (import "docs:adder/add@0.1.0" (instance $a
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (core func $add (canon lower (func $a "add")))
  (core module $M (import "" "add" (func $add (param i32 i32) (result i32)))
    (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
  (core instance $m (instantiate $M (with "" (instance (export "add" (func $add))))))
  (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $m "twice"))))"""

ADDER = """(component
  (core module $M (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
  (core instance $m (instantiate $M))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add")))
  (instance $i (export "add" (func $add)))
  (export "docs:adder/add@0.1.2" (instance $i)))"""

WRONG_ADDER = ADDER.replace('(param "b" u32)', '(param "c" u32)')


def test_another_components_exports_serve_imports(engine: witkit.Engine) -> None:
    adder = witkit.Linker(engine).instantiate(wat_component(engine, ADDER)).exports
    linker = witkit.Linker(engine)
    linker.define_instance("docs:adder/add@0.1.0", adder["docs:adder/add@0.1.2"])
    assert linker.instantiate(wat_component(engine, ADD_USER)).exports["twice"](21) == 42


def test_typed_definitions_are_checked(engine: witkit.Engine) -> None:
    wrong = witkit.Linker(engine).instantiate(wat_component(engine, WRONG_ADDER)).exports
    linker = witkit.Linker(engine)
    linker.define_instance("docs:adder/add@0.1.0", wrong["docs:adder/add@0.1.2"])
    with pytest.raises(witkit.LinkError, match="expected parameter named `b`, found `c`"):
        linker.instantiate(wat_component(engine, ADD_USER))


def test_the_issue_example(engine: witkit.Engine) -> None:
    """The API of issue 3, end to end."""
    linker = witkit.Linker(engine)
    defs: dict[str, Any] = {"add": lambda a, b: a + b}
    linker.define_instance("docs:adder/add@0.1.0", defs)
    inst = linker.instantiate(wat_component(engine, ADD_USER))
    assert inst.exports["twice"](4) == 8
    assert inst.exports.funcs() == ["twice"]


def test_other_engine(engine: witkit.Engine) -> None:
    other = witkit.Engine()
    comp = wat_component(other, ADDER)
    with pytest.raises(witkit.LinkError, match="another engine"):
        witkit.Linker(engine).instantiate(comp)


def test_instantiate_takes_the_store_limits_by_name(engine: witkit.Engine) -> None:
    """Every ``Store`` limit is a keyword of ``instantiate``; nothing else is accepted."""
    import inspect

    store_limits = set(inspect.signature(witkit.Store).parameters) - {"engine"}
    keywords = set(inspect.signature(witkit.Linker.instantiate).parameters)
    assert store_limits <= keywords
    assert keywords - store_limits == {"self", "component", "store", "max_copy"}
    comp = wat_component(engine, ADDER)
    linker = witkit.Linker(engine)
    assert (
        linker.instantiate(comp, max_instances=10, max_memory=1 << 20).exports[
            "docs:adder/add@0.1.2"
        ]["add"](1, 2)
        == 3
    )
    with pytest.raises(TypeError, match="max_memroy"):
        linker.instantiate(comp, max_memroy=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="not both"):
        linker.instantiate(comp, store=witkit.Store(engine), max_instances=1)
    with pytest.raises(ValueError, match="consume_fuel"):
        linker.instantiate(comp, fuel=10)
