"""Instantiation per Explainer.md: nested components, aliases, component-to-component calls.

``wat/nested.wat`` instantiates two child components that share a core module of
the parent through outer aliases; one speaks UTF-16 and the other UTF-8, so the
call between them transcodes; the host sees both through re-exports.
"""

from __future__ import annotations

import pytest

import witkit
from tests.runtime.conftest import wat_component


@pytest.fixture
def nested(engine: witkit.Engine, component: object) -> tuple[witkit.Exports, list[str]]:
    logs: list[str] = []
    linker = witkit.Linker(engine)
    linker.define_instance("test:log/log@0.1.0", {"log": logs.append})
    comp = component("nested")  # type: ignore[operator]
    return linker.instantiate(comp).exports, logs


def test_component_to_component_with_transcoding(nested: tuple[witkit.Exports, list[str]]) -> None:
    exports, logs = nested
    assert exports["greet"]("wörld ☃") == "HELLO, WöRLD ☃"
    assert logs == ["HELLO, WöRLD ☃"]
    assert exports["upper"]("abc😀") == "ABC😀"


def test_exported_instance_and_semver_lookup(nested: tuple[witkit.Exports, list[str]]) -> None:
    exports, _ = nested
    api = exports["test:nested/api@1.2.3"]
    assert isinstance(api, witkit.Exports)
    assert sorted(api) == ["calls", "greet"]
    api["greet"]("a")
    assert exports["test:nested/api@1.0.0"]["calls"]() == 1  # compatible version finds it
    with pytest.raises(KeyError, match="no export"):
        exports["test:nested/api@2.0.0"]


def test_translation_is_flat(component: object) -> None:
    t = component("nested").translation  # type: ignore[operator]
    assert t.instances == (None, 0, 0)  # the root and its two children
    assert len(t.steps) == 4  # two $Libc instances, two $M instances
    assert [spec.name for spec in t.imports] == ["test:log/log@0.1.0"]
    assert set(t.exports) == {"greet", "upper", "test:nested/api@1.2.3"}


def test_two_instances_are_isolated(engine: witkit.Engine) -> None:
    comp = wat_component(
        engine,
        """(component
          (core module $M (global $g (mut i32) (i32.const 0))
            (func (export "bump") (result i32)
              (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
          (core instance $m (instantiate $M))
          (func (export "bump") (result u32) (canon lift (core func $m "bump"))))""",
    )
    a = witkit.Linker(engine).instantiate(comp).exports
    b = witkit.Linker(engine).instantiate(comp).exports
    assert (a["bump"](), a["bump"](), b["bump"]()) == (1, 2, 1)


def test_reentrance_between_components_traps(engine: witkit.Engine) -> None:
    """A child calls the host, which calls back into the same child: the spec traps."""
    comp = wat_component(
        engine,
        """(component
          (import "back" (func $back))
          (component $C
            (import "back" (func $back))
            (core func $back' (canon lower (func $back)))
            (core module $M (import "" "back" (func $back))
              (func (export "run") (call $back)) (func (export "ok") (result i32) (i32.const 7)))
            (core instance $m (instantiate $M (with "" (instance (export "back" (func $back'))))))
            (func (export "run") (canon lift (core func $m "run")))
            (func (export "ok") (result u32) (canon lift (core func $m "ok"))))
          (instance $c (instantiate $C (with "back" (func $back))))
          (export "run" (func $c "run"))
          (export "ok" (func $c "ok")))""",
    )
    box: list[witkit.Exports] = []
    linker = witkit.Linker(engine)
    linker.define_func("back", lambda: box[0]["ok"]())
    box.append(linker.instantiate(comp).exports)
    with pytest.raises(witkit.Trap) as info:
        box[0]["run"]()
    assert info.value.rule == "may-not-enter"


def test_core_start_function_runs(engine: witkit.Engine) -> None:
    comp = wat_component(
        engine,
        """(component
          (core module $M (global $g (mut i32) (i32.const 0))
            (func $start (global.set $g (i32.const 42))) (start $start)
            (func (export "get") (result i32) (global.get $g)))
          (core instance $m (instantiate $M))
          (func (export "get") (result u32) (canon lift (core func $m "get"))))""",
    )
    assert witkit.Linker(engine).instantiate(comp).exports["get"]() == 42


def test_type_exports_and_imports(engine: witkit.Engine) -> None:
    comp = wat_component(
        engine,
        """(component
          (import "t" (type $t (sub resource)))
          (import "make" (func $make (result (own $t))))
          (import "name" (func $name (param "x" (borrow $t)) (result string)))
          (core module $Libc (memory (export "mem") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))
          (core instance $libc (instantiate $Libc))
          (core func $make' (canon lower (func $make)))
          (core func $name' (canon lower (func $name) (memory (core memory $libc "mem"))
            (realloc (core func $libc "realloc"))))
          (core func $drop (canon resource.drop $t))
          (core module $M
            (import "" "make" (func $make (result i32)))
            (import "" "name" (func $name (param i32 i32)))
            (import "" "drop" (func $drop (param i32)))
            (func (export "run") (result i32)
              (local $h i32)
              (local.set $h (call $make))
              (call $name (local.get $h) (i32.const 8))
              (call $drop (local.get $h))
              (i32.const 8)))
          (core instance $m (instantiate $M (with "" (instance
            (export "make" (func $make')) (export "name" (func $name')) (export "drop" (func $drop))))))
          (func (export "run") (result string)
            (canon lift (core func $m "run") (memory (core memory $libc "mem")))))""",
    )
    dropped: list[str] = []

    class T:
        def __init__(self, name: str) -> None:
            self.name = name

        def drop(self) -> None:
            dropped.append(self.name)

    linker = witkit.Linker(engine)
    linker.define_resource("t", T)
    linker.define_func("make", lambda: T("tee"))
    linker.define_func("name", lambda x: x.name)
    assert linker.instantiate(comp).exports["run"]() == "tee"
    assert dropped == ["tee"]


def test_start_function_with_values(engine: witkit.Engine) -> None:
    """🪙 ``(start $f (value $name) (result (value $greeting)))``, then a value export."""
    from tests.runtime.conftest import WAT
    from witkit.binary import Features

    comp = witkit.Component.from_file(engine, WAT / "start.wat", features=Features(cm_values=True))
    linker = witkit.Linker(engine)
    linker.define_value("name", "world")
    assert linker.instantiate(comp).exports["greeting"] == "hello world"
