"""The public surface: exports, Protocols, instantiation and lookup errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import witkit.runtime.core as core
from tests.runtime_core.conftest import compile_wat
from witkit.errors import LinkError, ValidationError
from witkit.runtime.core import (
    CoreFuncType,
    CoreImport,
    CoreMemoryType,
    CoreTagType,
    Engine,
    EngineConfig,
    Store,
)
from witkit.runtime.core.protocols import (
    EngineLike,
    FuncLike,
    InstanceLike,
    MemoryLike,
    ModuleLike,
    StoreLike,
)

LINKED = """(module $linked
  (import "env" "f" (func (param i32) (result i32)))
  (import "env" "mem" (memory 1))
  (func (export "g") (param i32) (result i32) local.get 0 call 0)
  (global (export "glob") i32 (i32.const 1))
  (memory (export "own") 1)
)"""
I2I = CoreFuncType(("i32",), ("i32",))


def test_all_lists_the_public_names() -> None:
    public = {name for name in vars(core) if not name.startswith("_")}
    modules = {"engine", "extern", "func", "instance", "memory", "store", "traps", "types"}
    modules |= {"protocols"}
    assert set(core.__all__) == public - modules


def test_engine_takes_each_setting_by_name() -> None:
    """One keyword per ``EngineConfig`` field, each overriding ``config``; no others."""
    import inspect

    keywords = set(inspect.signature(Engine).parameters) - {"config"}
    assert keywords == set(EngineConfig.__record_fields__)  # type: ignore[attr-defined]
    base = EngineConfig(opt_level="none", cache=False)
    engine = Engine(base, consume_fuel=True, epoch_tick=0.5)
    assert engine.config == EngineConfig(
        opt_level="none", cache=False, consume_fuel=True, epoch_tick=0.5
    )
    assert Engine(base).config == base
    with pytest.raises(TypeError, match="consume_fule"):
        Engine(cache=False, consume_fule=True)  # type: ignore[call-arg]


def test_the_adapter_satisfies_the_protocols(engine: Engine, store: Store) -> None:
    module = compile_wat(engine, LINKED)
    func = store.host_func(I2I, lambda x: x)
    memory = store.memory(CoreMemoryType(1))
    instance = store.instantiate(module, [func, memory])
    assert isinstance(engine, EngineLike)
    assert isinstance(module, ModuleLike)
    assert isinstance(store, StoreLike)
    assert isinstance(instance, InstanceLike)
    assert isinstance(func, FuncLike)
    assert isinstance(memory, MemoryLike)
    # and statically (mypy checks these assignments when it checks the tests)
    checks: tuple[EngineLike, ModuleLike, StoreLike, InstanceLike, FuncLike, MemoryLike] = (
        engine,
        module,
        store,
        instance,
        func,
        memory,
    )
    assert len(checks) == 6


def test_module_types(engine: Engine) -> None:
    module = compile_wat(engine, LINKED)
    assert module.imports == (
        CoreImport("env", "f", I2I),
        CoreImport("env", "mem", CoreMemoryType(1)),
    )
    assert [export.name for export in module.exports] == ["g", "glob", "own"]


TAG = """(module (tag (export "t") (param i32 i64)))"""
CATCHER = """(module
  (import "tag" "t" (tag $t (param i32 i64)))
  (func $throw (param i32) (throw $t (local.get 0) (i64.const 1)))
  (func (export "run") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $t $h) (call $throw (local.get 0)))
      (return (i32.const 99)))
    drop))"""


def test_tags_are_described_and_passed_along(engine: Engine, store: Store) -> None:
    tag_module = compile_wat(engine, TAG)
    catcher_module = compile_wat(engine, CATCHER)
    assert tag_module.exports[0].type == CoreTagType(("i32", "i64"))
    assert catcher_module.imports == (CoreImport("tag", "t", CoreTagType(("i32", "i64"))),)
    tag = store.instantiate(tag_module, []).export("t")
    assert tag.kind == "tag"
    assert store.instantiate(catcher_module, [tag]).func("run")(5) == 5


def test_instantiate_by_position_and_by_name(engine: Engine, store: Store) -> None:
    module = compile_wat(engine, LINKED)
    double = store.host_func(I2I, lambda x: 2 * x)
    memory = store.memory(CoreMemoryType(1))
    by_position = store.instantiate(module, [double, memory])
    by_name = store.instantiate(module, {("env", "mem"): memory, ("env", "f"): double})
    assert by_position.func("g")(4) == by_name.func("g")(4) == 8
    exports = by_name.exports()
    assert list(exports) == ["g", "glob", "own"]
    assert [extern.kind for extern in exports.values()] == ["func", "global", "memory"]
    assert by_name.func("g") is by_name.func("g")  # wrapped once


def test_instantiation_errors(engine: Engine, store: Store) -> None:
    module = compile_wat(engine, LINKED)
    double = store.host_func(I2I, lambda x: 2 * x)
    memory = store.memory(CoreMemoryType(1))
    with pytest.raises(LinkError, match="expects 2 imports, got 1"):
        store.instantiate(module, [double])
    with pytest.raises(LinkError, match=r"missing import env::mem"):
        store.instantiate(module, {("env", "f"): double})
    with pytest.raises(LinkError, match="cannot instantiate"):
        store.instantiate(module, [memory, double])  # wrong kinds, reported by wasmtime
    wrong = store.host_func(CoreFuncType(("i64",), ("i32",)), lambda x: 0)
    with pytest.raises(LinkError, match="incompatible import type"):
        store.instantiate(module, [wrong, memory])
    other = Store(engine)
    with pytest.raises(LinkError, match="another store"):
        store.instantiate(module, [other.host_func(I2I, lambda x: x), memory])
    with pytest.raises(LinkError, match="another engine"):
        store.instantiate(compile_wat(Engine(cache=False), LINKED), [double, memory])


def test_lookup_errors(engine: Engine, store: Store) -> None:
    module = compile_wat(engine, LINKED)
    instance = store.instantiate(
        module, [store.host_func(I2I, lambda x: x), store.memory(CoreMemoryType(1))]
    )
    assert instance.get("nope") is None
    with pytest.raises(LinkError, match="no export named 'nope'"):
        instance.export("nope")
    with pytest.raises(LinkError, match="is a global, not a memory"):
        instance.memory("glob")
    with pytest.raises(LinkError, match="is a func, not a table"):
        instance.table("g")


def test_invalid_modules_raise_validation_errors(engine: Engine) -> None:
    with pytest.raises(ValidationError) as info:
        engine.compile(b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00")
    assert info.value.offset is not None
    with pytest.raises(ValidationError):
        engine.compile(b"not wasm at all")


def test_a_deferred_host_func_is_built_on_its_first_call(engine: Engine, store: Store) -> None:
    module = compile_wat(engine, LINKED)
    built: list[int] = []

    def build() -> Callable[[int], int]:
        built.append(1)
        return lambda x: 3 * x

    func = store.deferred_host_func(I2I, build, name="triple")
    instance = store.instantiate(module, [func, store.memory(CoreMemoryType(1))])
    assert built == [] and func.type == I2I
    g = instance.func("g")
    assert g(2) == 6 and g(5) == 15 and built == [1]
    assert instance.exports()["g"].type == I2I  # an export's type, asked for on first use
