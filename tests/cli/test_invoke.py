"""``witkit run --invoke`` against ``wasmtime run --invoke``, and what ``witkit run`` says first.

The differential cases run the same call through both CLIs on components the
fixtures build (``wat_library`` above all: every kind of value, a function
without a result, a ``result`` error, two interfaces sharing a function name)
and compare stdout and the exit status; where both fail, both must exit 1 and
witkit must say why in one line, without a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.build import _tool
from witkit import types as wt
from witkit.cli.invoke import Invocation, find_function, library_message
from witkit.cli.kind import classify_file, component_kind
from witkit.errors import WitkitError
from witkit.wave import parse_call

#: calls whose output and status must be wasmtime's exactly, on wat_library
SAME = [
    "nothing()",
    "add(40, 2)",
    "add(4294967295, 1)",
    "id-bool(true)",
    "id-s8(-128)",
    "id-u16(65535)",
    "id-s64(-9223372036854775808)",
    "id-u64(18446744073709551615)",
    "id-f32(0.1)",
    "id-f32(nan)",
    "id-f32(-inf)",
    "id-f64(-0.0)",
    "id-f64(1e300)",
    "nan()",
    "id-char('☃')",
    "id-char('\\'')",
    'echo-string("tab\\there \\u{1F30A} \\"q\\"")',
    'echo-string("")',
    'echo-list(["a", "", "c"])',
    "echo-list([])",
    "echo-bytes([0, 255])",
    'echo-point({x: 1, y: -2, label: "hi"})',
    'echo-point({label: "order", y: 2, x: 1})',
    'pair(3, "x")',
    "id-color(green)",
    "id-color(%blue)",
    "id-perms({read, exec})",
    "id-perms({})",
    "echo-shape(circle(1.5))",
    "echo-shape(square(7))",
    "echo-shape(dot)",
    "maybe(none)",
    "maybe(some(3))",
    "maybe(3)",
    "first(1)",
    "first(1, 2)",
    'first(1, none, "c")',
    "check(0)",
    "check(5)",
    "unit-result(true)",
    "unit-result(false)",
    'example:lib/text.echo("t")',
    'example:lib/math.echo@1.0.0("m")',
    'example:lib/math.echo@1.0.1("a compatible version")',
    "example:lib/math.add@1.0.0(1, 2)",
    "add(1, 2) // a comment",
    # errors: both exit 1
    "nope()",
    'echo("ambiguous")',
    'example:lib/math.echo("no version")',
    "add(1)",
    "add(1, 2, 3)",
    'add(1, "x")',
    "add(1, 2",
    "id-s8(128)",
    "id-color(purple)",
    "echo-point({x: 1})",
]

#: (fixture, call): other components of the corpus
OTHERS = [
    ("wat_add", "add(40, 2)"),
    ("wat_values", "wide-s8()"),
    ("wat_values", "nan32()"),
    ("wat_values", "max-char()"),
    ("wat_traps", "unreachable()"),
    ("wat_traps", "divide(1, 0)"),
    ("wat_traps", "recurse(100000000)"),
    ("wat_traps", "bad-char()"),
    ("wat_traps", "bad-enum()"),
    ("wat_traps", "bad-option()"),
    ("wat_traps", "bad-utf8()"),
    ("wat_traps", "bad-pointer()"),
    ("wat_resources", "live()"),
    ("wat_resources", "take(0)"),
    ("c_calculator", "add(2, 40)"),
    ("c_calculator", 'greet("ada")'),
    ("c_calculator", "mean([1.0, 2.0, 6.0])"),
    ("c_hello", "run()"),
    ("py_types", "translate(circle(({x: 1.0, y: 2.0}, 3.0)), 1.0, -1.0)"),
    ("py_types", "bounding-box([{x: 1.0, y: 2.0}, {x: -1.0, y: 5.5}])"),
    ("py_types", "witkit:types/kitchen.divide@1.2.0(7, 0)"),
    ("js_shapes", 'hello("js")'),
    ("js_shapes", "histogram([1, 1, 2])"),
    ("js_shapes", 'parse-point("x")'),
    ("js_shapes", "add-signed(-1, -2, -3)"),
]


def _run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


def _witkit(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return _run(sys.executable, "-m", "witkit", "run", *argv)


def _compare(component: Path, call: str) -> None:
    theirs = _run(_tool("wasmtime"), "run", "--invoke", call, str(component))
    ours = _witkit("--invoke", call, str(component))
    detail = f"{call}: wasmtime {theirs.stderr[:300]!r}, witkit {ours.stderr!r}"
    assert ours.returncode == theirs.returncode, detail
    assert ours.stdout == theirs.stdout, detail
    if ours.returncode == 1:
        message = ours.stderr.decode()
        assert message.startswith("witkit run: error: ") and message.count("\n") == 1, message
        assert "Traceback" not in message


@pytest.mark.parametrize("call", SAME)
def test_same_as_wasmtime_on_the_library(corpus: dict[str, Path], call: str) -> None:
    _compare(corpus["wat_library"], call)


@pytest.mark.parametrize(("name", "call"), OTHERS, ids=[f"{n}:{c}" for n, c in OTHERS])
def test_same_as_wasmtime_on_the_corpus(corpus: dict[str, Path], name: str, call: str) -> None:
    _compare(corpus[name], call)


def test_wasmtime_spelling_and_the_exports_own_both_work(corpus: dict[str, Path]) -> None:
    # wasmtime reads only `iface.f@1.0.0`; witkit also reads the export's own spelling
    done = _witkit("--invoke", 'example:lib/math@1.0.0.echo("m")', str(corpus["wat_library"]))
    assert (done.returncode, done.stdout) == (0, b'"m"\n')


def test_errors_name_what_exists(corpus: dict[str, Path]) -> None:
    lib = corpus["wat_library"]
    ambiguous = _witkit("--invoke", 'echo("x")', str(lib)).stderr.decode()
    assert "example:lib/text.echo" in ambiguous and "example:lib/math.echo@1.0.0" in ambiguous
    unknown = _witkit("--invoke", "nope()", str(lib)).stderr.decode()
    assert "'nope'" in unknown and "add" in unknown
    bad = _witkit("--invoke", 'add(1, "x")', str(lib)).stderr.decode()
    assert "expected a u32" in bad and "1:8" in bad
    resource = _witkit("--invoke", "take(0)", str(corpus["wat_resources"])).stderr.decode()
    assert "OwnType" in resource or "resource" in resource


def test_find_function_prefers_the_root() -> None:
    func = wt.FuncType((("a", "u32"),), "u32")
    exports = {
        "add": wt.ExternItem(func),
        "ns:pkg/iface@1.2.0": wt.ExternItem(wt.InstanceType({"add": wt.ExternItem(func)})),
    }
    assert find_function(exports, parse_call("add(1)").name).instance is None
    found = find_function(exports, parse_call("ns:pkg/iface.add@1.0.0(1)").name)
    assert found.instance == "ns:pkg/iface@1.2.0"  # same track, as wasmtime links
    with pytest.raises(WitkitError):
        find_function(exports, parse_call("ns:pkg/iface.add@2.0.0(1)").name)


def test_a_malformed_call_is_refused_before_loading() -> None:
    with pytest.raises(WitkitError, match="1:6"):
        Invocation("add(1")
    done = _witkit("--invoke", "add(", "/nonexistent.wasm")
    assert done.returncode == 1 and b"nonexistent" not in done.stderr


# --------------------------------------------------------------------------- what a file is


def test_a_library_is_told_how_to_call_it_before_compiling(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    lib = corpus["wat_library"]
    done = _witkit("--no-cache", str(lib))
    text = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b""
    assert "library component" in text and "add: func(a: u32, b: u32) -> u32" in text
    assert "example:lib/math.echo@1.0.0: func(s: string) -> string" in text
    assert f"witkit run --invoke 'add(1, 1)' {lib}" in text
    assert "witkit.Component.from_file" in text


def test_the_check_runs_before_compilation(corpus: dict[str, Path], tmp_path: Path) -> None:
    from witkit.cli.run import UsageError
    from witkit.runtime import Component, Engine

    compiled: list[str] = []
    engine = Engine(cache=False)
    real = engine.compile

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append("x")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    engine.compile = counting  # type: ignore[method-assign]

    def refuse(ty: wt.ComponentType) -> None:
        raise UsageError(component_kind(ty))

    with pytest.raises(UsageError, match="library"):
        Component.from_file(engine, corpus["wat_library"], check=refuse)
    assert compiled == []


def test_library_message_without_functions() -> None:
    assert "no functions" in library_message("e.wasm", wt.ComponentType())


def test_an_http_proxy_is_sent_to_serve(corpus: dict[str, Path]) -> None:
    done = _witkit(str(corpus["py_http"]))
    assert done.returncode == 2
    assert b"HTTP component" in done.stderr and b"witkit serve" in done.stderr


def test_kinds(corpus: dict[str, Path], tmp_path: Path) -> None:
    import wasmtime

    core = tmp_path / "core.wasm"
    core.write_bytes(wasmtime.wat2wasm('(module (import "env" "f" (func)) (func (export "g")))'))
    wasip1 = tmp_path / "p1.wat"
    wasip1.write_text(
        ';; a comment\n(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))'
    )
    assert classify_file(core).kind == "core"
    assert classify_file(core).imports == (("env", "f", "func"),)
    assert classify_file(wasip1).kind == "wasip1"
    assert classify_file(corpus["c_hello"]).kind == "component"
    done = _witkit(str(core))
    assert done.returncode == 2 and b"env.f (func)" in done.stderr and b"g (func)" in done.stderr
