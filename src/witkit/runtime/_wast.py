"""Run component ``.wast`` scripts (the format of the component-model spec tests).

Input is the JSON that ``wasm-tools json-from-wast`` writes (the CLI shell does
the conversion); this module interprets it with the public runtime API and
reports one ``Outcome`` per directive.  Supported directives: ``module``,
``module_definition``, ``module_instance``, ``register``, ``action``/``invoke``,
``assert_return``, ``assert_trap``, ``assert_invalid``, ``assert_malformed``,
``assert_unlinkable``, ``assert_uninstantiable``.

Rules, as the wasmtime CLI's ``wast`` applies them to components:

* A component's imports are served by earlier ``register``ed instances; what
  is still missing is defined as functions that trap when called.
* ``assert_trap`` passes on any ``Trap``; whether the spec's message text is a
  substring of ours is reported separately (``Outcome.exact``), since the
  texts are wasmtime's and ours name the same rules in other words.
* A directive that raises anything unexpected fails; the script goes on.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from witkit._record import record
from witkit.abi.values import Err, Ok, Record, Some, Variant
from witkit.binary import Features, read, validate
from witkit.errors import LinkError, Trap, WitkitError
from witkit.runtime.component import Component
from witkit.runtime.core import Engine, Store
from witkit.runtime.instance import Instance
from witkit.runtime.linker import Linker

__all__ = ["Outcome", "run_script", "run_json"]

#: seconds a single directive may run guest code before it is interrupted
DIRECTIVE_TIMEOUT = 20.0

_COMPONENT_LAYER = b"\x0d\x00\x01\x00"


@record
class Outcome:
    """The result of one directive."""

    line: int
    kind: str
    passed: bool
    message: str = ""
    #: for ``assert_trap`` and ``assert_invalid``: whether the expected text matched too
    exact: bool = True


class _Failure(Exception):
    pass


class _Runner:
    def __init__(self, engine: Engine, wasm_dir: Path, features: Features) -> None:
        self.engine = engine
        self.dir = wasm_dir
        self.features = features
        self.definitions: dict[str | None, Component | None] = {}
        self.instances: dict[str | None, Instance] = {}
        self.current: Instance | None = None
        self.registered: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers

    def load(self, filename: str) -> bytes:
        path = self.dir / filename
        data = path.read_bytes()
        if filename.endswith(".wat"):
            from witkit.wat import assemble

            return assemble(data.decode("utf-8"), filename)
        return data

    def compile(self, filename: str) -> Component | None:
        """A component, or None for a core module (compiled, to validate it)."""
        data = self.load(filename)
        if data[4:8] != _COMPONENT_LAYER:
            self.engine.compile(data, name=filename)
            return None
        return Component(self.engine, data, name=filename, features=self.features)

    def instantiate(self, component: Component | None) -> Instance | None:
        if component is None:
            return None
        linker = Linker(self.engine)
        for name, exports in self.registered.items():
            linker.define_instance(name, exports)
        linker.define_unknown_imports_as_traps(component)
        store = self.store()
        return linker.instantiate(component, store=store)

    def store(self) -> Store:
        if self.engine.config.epoch_interruption:
            return Store(self.engine, timeout=DIRECTIVE_TIMEOUT)
        return Store(self.engine)

    def instance(self, name: str | None) -> Instance:
        inst = self.instances.get(name) if name is not None else self.current
        if inst is None:
            raise _Failure(f"no component instance {name or ''} to act on".replace("  ", " "))
        return inst

    def invoke(self, action: dict[str, Any]) -> Any:
        if action.get("type") != "invoke":
            raise _Failure(f"unsupported action {action.get('type')}")
        inst = self.instance(action.get("module"))
        if self.engine.config.epoch_interruption:
            inst.store.set_timeout(DIRECTIVE_TIMEOUT)
        func = inst.exports[action["field"]]
        args = [to_python(a) for a in action.get("args", [])]
        return func(*args)

    # ------------------------------------------------------------------ directives

    def run(self, cmd: dict[str, Any]) -> Outcome:
        kind = cmd["type"]
        line = int(cmd.get("line", 0))
        try:
            return getattr(self, "do_" + kind)(cmd, line)  # type: ignore[no-any-return]
        except AttributeError as err:
            if not hasattr(self, "do_" + kind):
                return Outcome(line, kind, False, f"unsupported directive `{kind}`")
            return Outcome(line, kind, False, f"AttributeError: {err}")
        except _Failure as err:
            return Outcome(line, kind, False, str(err))
        except WitkitError as err:
            return Outcome(line, kind, False, f"{type(err).__name__}: {err}")
        except Exception as err:
            return Outcome(line, kind, False, f"{type(err).__name__}: {err}")

    def do_module(self, cmd: dict[str, Any], line: int) -> Outcome:
        component = self.compile(cmd["filename"])
        inst = self.instantiate(component)
        if inst is not None:
            self.current = inst
            self.instances[cmd.get("name")] = inst
        return Outcome(line, "module", True)

    def do_module_definition(self, cmd: dict[str, Any], line: int) -> Outcome:
        self.definitions[cmd.get("name")] = self.compile(cmd["filename"])
        return Outcome(line, "module_definition", True)

    def do_module_instance(self, cmd: dict[str, Any], line: int) -> Outcome:
        name = cmd.get("module")
        if name not in self.definitions:
            raise _Failure(f"no component definition {name}")
        inst = self.instantiate(self.definitions[name])
        if inst is not None:
            self.current = inst
            self.instances[cmd.get("instance")] = inst
        return Outcome(line, "module_instance", True)

    def do_register(self, cmd: dict[str, Any], line: int) -> Outcome:
        inst = self.instance(cmd.get("name"))
        self.registered[cmd["as"]] = inst.exports
        return Outcome(line, "register", True)

    def do_action(self, cmd: dict[str, Any], line: int) -> Outcome:
        self.invoke(cmd["action"])
        return Outcome(line, "action", True)

    def do_assert_return(self, cmd: dict[str, Any], line: int) -> Outcome:
        result = self.invoke(cmd["action"])
        expected = cmd.get("expected", [])
        if not expected:
            ok = result is None
            want: Any = None
        else:
            want = to_plain_expected(expected[0]) if len(expected) == 1 else None
            ok = same(to_plain(result), want)
        if ok:
            return Outcome(line, "assert_return", True)
        return Outcome(line, "assert_return", False, f"got {result!r}, expected {want!r}")

    def do_assert_trap(self, cmd: dict[str, Any], line: int) -> Outcome:
        text = cmd.get("text", "")
        try:
            if "action" in cmd:
                result = self.invoke(cmd["action"])
            else:
                self.instantiate(self.compile(cmd["filename"]))
                result = None
        except Trap as err:
            return Outcome(line, "assert_trap", True, str(err), text in str(err))
        return Outcome(line, "assert_trap", False, f"expected a trap ({text}), got {result!r}")

    def do_assert_uninstantiable(self, cmd: dict[str, Any], line: int) -> Outcome:
        return self._fails_to_instantiate(cmd, line, "assert_uninstantiable", Trap, "a trap")

    def do_assert_unlinkable(self, cmd: dict[str, Any], line: int) -> Outcome:
        return self._fails_to_instantiate(cmd, line, "assert_unlinkable", LinkError, "a link error")

    def _fails_to_instantiate(
        self, cmd: dict[str, Any], line: int, kind: str, error: type[Exception], what: str
    ) -> Outcome:
        """The module compiles but instantiating it must raise ``error``."""
        text = cmd.get("text", "")
        try:
            self.instantiate(self.compile(cmd["filename"]))
        except error as err:
            return Outcome(line, kind, True, str(err), text in str(err))
        return Outcome(line, kind, False, f"expected {what} ({text})")

    def _rejects(self, cmd: dict[str, Any], line: int) -> Outcome:
        kind = cmd["type"]
        text = cmd.get("text", "")
        try:
            data = self.load(cmd["filename"])
            decoded = read(data)
            if data[4:8] == _COMPONENT_LAYER:
                # as `wasmtime wast`: core function bodies are checked too (by wasmtime)
                validate(decoded, self.features, core_validator=self._validate_core)  # type: ignore[arg-type]
            else:
                self.engine.compile(data)
        except WitkitError as err:
            return Outcome(line, kind, True, str(err), text in str(err))
        return Outcome(line, kind, False, f"expected an error ({text}), but it was accepted")

    def _validate_core(self, module: bytes | memoryview) -> None:
        self.engine.validate(module)

    do_assert_invalid = _rejects
    do_assert_malformed = _rejects


# =========================================================================== values


def _int(value: str) -> int:
    return int(value)


def _float(kind: str, value: str) -> float:
    if value.startswith("nan"):
        return math.nan
    bits = int(value)
    if kind == "f32":
        return float(struct.unpack("<f", struct.pack("<I", bits))[0])
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


def to_python(v: dict[str, Any]) -> Any:
    """A wast value (``{"type": "u32", "value": "1"}``) as the Python value to pass."""
    kind = v["type"]
    value = v.get("value")
    if kind in ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"):
        return _int(value)  # type: ignore[arg-type]
    if kind in ("f32", "f64"):
        return _float(kind, value)  # type: ignore[arg-type]
    if kind in ("bool", "char", "string", "enum"):
        return value
    if kind == "list":
        return [to_python(x) for x in value]  # type: ignore[union-attr]
    if kind == "tuple":
        return tuple(to_python(x) for x in value)  # type: ignore[union-attr]
    if kind == "record":
        return {name: to_python(x) for name, x in value}  # type: ignore[union-attr]
    if kind == "variant":
        payload = value.get("payload")  # type: ignore[union-attr]
        return Variant(value["case"], None if payload is None else to_python(payload))  # type: ignore[index]
    if kind == "option":
        if value is None:
            return None
        inner = to_python(value)
        return Some(inner) if value.get("type") == "option" else inner
    if kind == "result":
        if "Ok" in value:  # type: ignore[operator]
            ok = value["Ok"]  # type: ignore[index]
            return Ok(None if ok is None else to_python(ok))
        err = value["Err"]  # type: ignore[index]
        return Err(None if err is None else to_python(err))
    if kind == "flags":
        return frozenset(value)  # type: ignore[arg-type]
    raise _Failure(f"unsupported wast value type `{kind}`")


def to_plain(value: Any) -> Any:
    """A lifted value in a comparable plain form (records as dicts, bytes as int lists...)."""
    if isinstance(value, Record):
        return {k: to_plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Variant):
        return ("variant", value.tag, to_plain(value.value))
    if isinstance(value, Ok):
        return ("ok", to_plain(value.value))
    if isinstance(value, Err):
        return ("err", to_plain(value.value))
    if isinstance(value, Some):
        return ("some", to_plain(value.value))
    if isinstance(value, bytes | bytearray):
        return list(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def to_plain_expected(v: dict[str, Any]) -> Any:
    """An expected wast value in the same plain form as ``to_plain``."""
    kind = v["type"]
    value = v.get("value")
    if kind == "record":
        return {name: to_plain_expected(x) for name, x in value}  # type: ignore[union-attr]
    if kind == "variant":
        payload = value.get("payload")  # type: ignore[union-attr]
        inner = None if payload is None else to_plain_expected(payload)
        return ("variant", value["case"], inner)  # type: ignore[index]
    if kind == "result":
        tag = "ok" if "Ok" in value else "err"  # type: ignore[operator]
        inner = value["Ok" if tag == "ok" else "Err"]  # type: ignore[index]
        return (tag, None if inner is None else to_plain_expected(inner))
    if kind == "option":
        if value is None:
            return None
        if value.get("type") == "option":
            return ("some", to_plain_expected(value))
        return to_plain_expected(value)
    if kind in ("list", "tuple"):
        return [to_plain_expected(x) for x in value]  # type: ignore[union-attr]
    if kind == "flags":
        return sorted(value)  # type: ignore[arg-type]
    return to_python(v)


def same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, float) and isinstance(expected, float):
        if math.isnan(actual) or math.isnan(expected):
            return math.isnan(actual) and math.isnan(expected)
        return struct.pack("<d", actual) == struct.pack("<d", expected)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in actual
        )
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected, strict=True)
        )
    return bool(actual == expected)


# =========================================================================== entry points


def run_script(
    commands: Iterable[dict[str, Any]],
    wasm_dir: str | Path,
    *,
    engine: Engine | None = None,
    features: Features | None = None,
) -> list[Outcome]:
    """Run the ``commands`` of a ``json-from-wast`` script whose files are in ``wasm_dir``."""
    engine = engine or Engine(epoch_interruption=True)
    runner = _Runner(engine, Path(wasm_dir), features or Features.spec_tests())
    return [runner.run(cmd) for cmd in commands]


def run_json(
    path: str | Path, *, engine: Engine | None = None, features: Features | None = None
) -> list[Outcome]:
    """Run a ``json-from-wast`` output file (its wasm files beside it or in its directory)."""
    path = Path(path)
    script = json.loads(path.read_text())
    wasm_dir = path.parent / path.stem if (path.parent / path.stem).is_dir() else path.parent
    commands: Sequence[dict[str, Any]] = script["commands"]
    return run_script(commands, wasm_dir, engine=engine, features=features)
