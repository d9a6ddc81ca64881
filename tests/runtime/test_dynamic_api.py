"""The dynamic API explains itself (issue 12, point 3), on the corpus's real libraries.

componentize-py's ``py_plugin`` (host resources, a root function, an enum) and
jco's ``js_bank`` (a host interface, a guest resource): what a new user writing
a host meets first is a ``LinkError`` or a failing call, so these pin what they
say.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest

import witkit
from witkit.wasi import WasiConfig, add_to_linker

HOST = "witkit:js-bank/host@1.0.0"
BANK = "witkit:js-bank/bank@1.0.0"


def _fixture(name: str) -> Path:
    from tests.fixtures.build import build

    return build(name)


@pytest.fixture(scope="module")
def engine() -> witkit.Engine:
    return witkit.Engine()


@pytest.fixture(scope="module")
def bank(engine: witkit.Engine) -> witkit.Component:
    return witkit.Component.from_file(engine, _fixture("js_bank"))


@pytest.fixture(scope="module")
def plugin(engine: witkit.Engine) -> witkit.Component:
    return witkit.Component.from_file(engine, _fixture("py_plugin"))


def _linker(engine: witkit.Engine) -> witkit.Linker:
    linker = witkit.Linker(engine)
    add_to_linker(linker, WasiConfig())
    return linker


def _bank(engine: witkit.Engine, bank: witkit.Component, **host: Any) -> witkit.Exports:
    linker = _linker(engine)
    linker.define_instance(HOST, {"now": lambda: 7, "log": lambda message: None, **host})
    exports: witkit.Exports = linker.instantiate(bank).exports[BANK]
    return exports


# ---------------------------------------------------------------------- link errors


def test_link_error_lists_every_problem_with_types(
    engine: witkit.Engine, plugin: witkit.Component
) -> None:
    linker = _linker(engine)
    linker.define_instance("witkit:plugin/logging@2.0.0-rc.1", {"log": lambda level: None})
    linker.define_func("get-confg", lambda key: None)
    with pytest.raises(witkit.LinkError) as info:
        linker.instantiate(plugin)
    problems = info.value.problems
    assert len(problems) == 4, problems
    assert str(info.value).startswith("4 imports are not satisfied:\n")
    assert problems[0] == (
        "import `witkit:plugin/logging@2.0.0-rc.1`: `log` takes 1 argument, the import "
        "passes 2: func(level: level, message: string)"
    )
    assert problems[1].startswith(
        "import `witkit:plugin/blobs@2.0.0-rc.1` is not defined (an instance): interface {"
    )
    assert (
        "[static]blob.concat: func(lhs: borrow<blob>, rhs: borrow<blob>) -> blob;" in (problems[1])
    )
    assert problems[2] == (
        "import `get-config` is not defined (a function): func(key: string) -> option<string>"
        " (did you mean `get-confg`?)"
    )
    assert problems[3] == "import `tick` is not defined (a function): func() -> u64"


def test_did_you_mean_a_member_and_a_version(engine: witkit.Engine, bank: witkit.Component) -> None:
    linker = _linker(engine)
    linker.define_instance(HOST, {"now": lambda: 1, "logg": print})
    with pytest.raises(witkit.LinkError) as info:
        linker.instantiate(bank)
    assert info.value.problems == (
        f"import `{HOST}`: missing function `log`: func(message: string) (did you mean `logg`?)",
    )
    linker = _linker(engine)
    linker.define_instance("witkit:js-bank/host@0.1.0", {"now": lambda: 1, "log": print})
    with pytest.raises(witkit.LinkError, match=r"did you mean `witkit:js-bank/host@0.1.0`\?"):
        linker.instantiate(bank)


def test_interfaces_of_types_only_need_no_definition(engine: witkit.Engine) -> None:
    component = witkit.Component.from_wat(
        engine,
        """(component
          (type $point (record (field "x" u32)))
          (import "a:b/types" (instance (export "point" (type (eq $point)))))
        )""",
    )
    witkit.Linker(engine).instantiate(component)


def test_arity_checked_at_link_time_defaults_allowed(
    engine: witkit.Engine, bank: witkit.Component
) -> None:
    with pytest.raises(witkit.LinkError, match=r"`now` takes 1 argument, the import passes 0"):
        _bank(engine, bank, now=lambda a: 1)
    # a default makes a parameter optional; *args are not checked
    _bank(engine, bank, now=lambda a=0: 1, log=lambda *args: None)


# ---------------------------------------------------------------------- host failures


def _deposit(exports: witkit.Exports) -> Any:
    """``open`` calls no import; ``deposit`` calls ``now`` and ``log``."""
    account = exports["open"]("ann")
    return exports["[method]account.deposit"](account, 5)


def test_wrong_return_value_names_the_import_and_its_type(
    engine: witkit.Engine, bank: witkit.Component
) -> None:
    exports = _bank(engine, bank, now=lambda: "x")
    with pytest.raises(witkit.Trap) as info:
        _deposit(exports)
    assert str(info.value) == (
        f"host function `now` of import `{HOST}` (func() -> u64) returned a value that does "
        "not fit: result: expected u64 (0..18446744073709551615), got 'x'"
    )
    assert info.value.rule == "host-error"
    assert isinstance(info.value.__cause__, TypeError)


def test_resultless_import_must_return_none(engine: witkit.Engine, bank: witkit.Component) -> None:
    exports = _bank(engine, bank, log=lambda message: 5)
    with pytest.raises(witkit.Trap, match=r"`log` .* returned 5 from a function without a result"):
        _deposit(exports)


def test_host_exception_is_a_trap_that_poisons(
    engine: witkit.Engine, bank: witkit.Component
) -> None:
    boom = ValueError("boom")

    def now() -> int:
        raise boom

    exports = _bank(engine, bank, now=now)
    with pytest.raises(witkit.Trap, match=r"`now` of import .* raised ValueError: boom") as info:
        _deposit(exports)
    assert info.value.__cause__ is boom
    with pytest.raises(witkit.Trap, match="trapped earlier"):
        exports["open"]("bob")


def test_a_hosts_own_trap_and_interrupts_pass_unchanged(
    engine: witkit.Engine, bank: witkit.Component
) -> None:
    mine = witkit.Trap("the host refuses", "mine")

    def refuse() -> int:
        raise mine

    with pytest.raises(witkit.Trap) as info:
        _deposit(_bank(engine, bank, now=refuse))
    assert info.value is mine

    def interrupt() -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _deposit(_bank(engine, bank, now=interrupt))


# ---------------------------------------------------------------------- WIT in str and repr

KITCHEN = "witkit:types/kitchen@1.2.0"
GEOMETRY = "witkit:types/geometry@1.2.0"


@pytest.fixture(scope="module")
def types_lib(engine: witkit.Engine) -> witkit.Instance:
    component = witkit.Component.from_file(engine, _fixture("py_types"))
    return _linker(engine).instantiate(component)


def test_func_knows_its_export_name_and_prints_wit(types_lib: witkit.Instance) -> None:
    echo = types_lib.exports[KITCHEN]["echo-person"]
    assert str(echo) == f"{KITCHEN}#echo-person: func(p: person) -> person"
    assert repr(echo) == f"<witkit.Func {echo}>"
    assert str(types_lib.exports["version"]) == "version: func() -> string"
    # a type alone has no names around it: its structure, in WIT syntax
    assert str(echo.type).startswith("func(p: record { id: u64, name: string, age: u8, ")
    area = types_lib.exports[GEOMETRY]["area"]
    assert str(area) == f"{GEOMETRY}#area: func(s: shape) -> f64"


def test_exports_and_component_print_wit(types_lib: witkit.Instance) -> None:
    kitchen = str(types_lib.exports[KITCHEN])
    assert kitchen.startswith(f"{KITCHEN}: interface {{\n")
    assert "\n  enum color { red, green, blue, hot-pink }\n" in kitchen
    assert "\n  type id = u64;\n" in kitchen
    assert "\n  type figure = shape;\n" in kitchen
    assert "\n  lookup: func(id: id) -> result<person, lookup-error>;\n" in kitchen
    assert "version: func() -> string" in str(types_lib.exports)
    text = str(types_lib.component)
    assert "\n  export version: func() -> string;\n" in text
    assert "\n    now: func() -> datetime;\n" in text  # wasi:clocks/wall-clock, imported


def test_lifted_records_carry_their_wit_name(types_lib: witkit.Instance) -> None:
    found = types_lib.exports[KITCHEN]["lookup"](1)
    assert repr(found).startswith("Ok(Person(id=1, name='ada', ")
    box = types_lib.exports[GEOMETRY]["bounding-box"]([{"x": 1.0, "y": 2.0}])
    assert repr(box) == "Rect(origin=Point(x=1.0, y=2.0), size=Size(w=0.0, h=0.0))"


# ---------------------------------------------------------------------- small walls


def test_from_bytes_of_text_is_a_clear_type_error(engine: witkit.Engine) -> None:
    with pytest.raises(TypeError, match=r"got str \(text: Component.from_wat\)"):
        witkit.Component.from_bytes(engine, "(component)")  # type: ignore[arg-type]


def test_dir_shows_the_api_only() -> None:
    shown = dir(witkit)
    assert "Linker" in shown and "Trap" in shown
    assert not {"Any", "TYPE_CHECKING", "Callable", "annotations", "importlib"} & set(shown)


# ---------------------------------------------------------------------- guest resources as classes


@pytest.fixture
def resources_lib(engine: witkit.Engine) -> witkit.Exports:
    component = witkit.Component.from_file(engine, _fixture("py_resources"))
    return _linker(engine).instantiate(component).exports


def test_componentize_py_resource_reads_like_a_class(resources_lib: witkit.Exports) -> None:
    counters = resources_lib.counters  # witkit:resources/counters@0.3.0, by its own name
    assert counters is resources_lib["witkit:resources/counters@0.3.0"]
    counter = counters.counter
    assert counter is counters["counter"]
    a = counter("a", 5)  # [constructor]counter
    b = counters["counter"]("b", 7)
    assert (a.increment(3), a.value(), a.name()) == (8, 8, "a")  # [method]counter.*
    merged = counter.merge(a, b)  # [static]counter.merge
    assert counter.finish(merged) == 15
    assert not merged.alive  # finish took ownership
    assert counters.sum_values([a, b]) == 15  # kebab -> snake
    with pytest.raises(AttributeError, match=r"no method `nope` \(methods: increment, name"):
        a.nope  # noqa: B018
    # a handle that reached the host from another interface has its methods too
    store = resources_lib.kv.store()
    store.set("k", b"v")
    assert (store.get("k"), store.keys()) == (b"v", ["k"])
    assert store.writes().value() == 1


def test_jco_resource_reads_like_a_class(engine: witkit.Engine, bank: witkit.Component) -> None:
    linker = _linker(engine)
    linker.define_instance(HOST, {"now": lambda: 7, "log": lambda message: None})
    bank_ = linker.instantiate(bank).exports.bank
    account = bank_.account("ann", 10)
    account.deposit(5)
    assert account.balance() == 15
    assert account.withdraw(100) == witkit.Err(witkit.Variant("insufficient-funds", 15))
    other = bank_.open("bob")
    assert bank_.account.transfer(account, other, 3) == witkit.Ok(None)
    assert (account.balance(), other.balance()) == (12, 3)
    with account:
        pass
    assert not account.alive


def test_attribute_errors_say_what_there_is(resources_lib: witkit.Exports) -> None:
    with pytest.raises(
        AttributeError, match=r"no export `countrs` \(as attributes: counters, exports, kv\)"
    ):
        resources_lib.countrs  # noqa: B018
    assert list(resources_lib.keys()) == list(resources_lib)  # Mapping methods keep meaning


# ---------------------------------------------------------------------- typed host values


class Level(enum.Enum):
    DEBUG = 0
    INFO = 1
    WARN = 2
    ERROR = 3


class Partial(enum.Enum):
    """Annotations are resolved in the function's module: a class defined there."""

    DEBUG = 0
    INFO = 1


class Blob:
    """The plugin's host resource ``blob``."""

    def __init__(self, init: bytes) -> None:
        self.data = bytearray(init)

    def write(self, data: bytes) -> None:
        self.data += data

    def read(self, n: int) -> bytes:
        return bytes(self.data[:n])

    def size(self) -> int:
        return len(self.data)

    @staticmethod
    def concat(lhs: Blob, rhs: Blob) -> Blob:
        return Blob(lhs.data + rhs.data)


def _plugin(engine: witkit.Engine, plugin: witkit.Component, log: Any) -> witkit.Exports:
    linker = _linker(engine)
    linker.define_instance("witkit:plugin/logging@2.0.0-rc.1", {"log": log}, typed=True)
    linker.define_instance("witkit:plugin/blobs@2.0.0-rc.1", {"blob": Blob})
    linker.define_func("get-config", lambda key: None)
    linker.define_func("tick", lambda: 1)
    exports: witkit.Exports = linker.instantiate(plugin).exports
    return exports


def test_a_host_function_can_ask_for_enum_members(
    engine: witkit.Engine, plugin: witkit.Component
) -> None:
    seen: list[tuple[Level, str]] = []

    def log(level: Level, message: str) -> None:
        seen.append((level, message))

    exports = _plugin(engine, plugin, log)
    assert isinstance(exports["run"](b"abc"), witkit.Ok)
    assert seen and all(isinstance(level, Level) for level, _ in seen)
    assert seen[0][0] is Level.INFO


def test_an_enum_class_must_cover_every_case(
    engine: witkit.Engine, plugin: witkit.Component
) -> None:
    def log(level: Partial, message: str) -> None:
        pass

    with pytest.raises(witkit.LinkError, match=r"`log`: parameter `level`: Partial has no member"):
        _plugin(engine, plugin, log)


def test_untyped_hosts_get_names(engine: witkit.Engine, plugin: witkit.Component) -> None:
    seen: list[object] = []
    exports = _plugin(engine, plugin, lambda level, message: seen.append(level))
    exports["run"](b"")
    assert seen[0] == "info"


class Perm(enum.Flag):
    READ = enum.auto()
    WRITE = enum.auto()
    EXEC = enum.auto()


def _toggle(p: Perm, mask: Perm) -> Perm:
    return p ^ mask


def test_flags_both_ways() -> None:
    from witkit.runtime._typed_host import typed_host_func
    from witkit.types import FlagsType, FuncType

    perms = FlagsType(("read", "write", "exec"))
    served = typed_host_func(_toggle, FuncType((("p", perms), ("mask", perms)), perms))
    assert callable(served) and served is not _toggle
    assert served(frozenset({"read"}), frozenset({"read", "exec"})) == frozenset({"exec"})
    # a function that asks for nothing is served as it is
    plain = FuncType((("p", perms),), None)
    assert typed_host_func(print, plain) is print
