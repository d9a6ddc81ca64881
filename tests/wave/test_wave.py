"""witkit.wave: reading and writing WAVE text, by example (the README's table, the
edge cases of the grammar, errors and their positions, calls, hostile input)."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from typing import Any

import pytest

from witkit import types as wt
from witkit import wave
from witkit.abi.values import Err, Ok, Some, Variant, record_class
from witkit.errors import WitkitError

_PERMS = wt.FlagsType(("read", "write", "exec"))
_RESPONSE = wt.VariantType((("empty", None), ("body", wt.ListType("u8")), ("err", "string")))
_STATUS = wt.EnumType(("ok", "not-found"))
_EXAMPLE = wt.RecordType((("must-have", "u8"), ("optional", wt.OptionType("u8"))))
_ALL_OPTIONAL = wt.RecordType((("optional", wt.OptionType("u8")),))


def _round(text: str, ty: wt.ValType) -> str:
    return wave.to_wave(wave.parse(text, ty), ty)


@pytest.mark.parametrize(
    ("ty", "text", "value", "canonical"),
    [
        ("bool", "true", True, "true"),
        ("s32", "-9", -9, "-9"),
        ("u64", "18446744073709551615", 2**64 - 1, "18446744073709551615"),
        ("f64", "3.14", 3.14, "3.14"),
        ("f64", "6.022e+23", 6.022e23, "602200000000000000000000"),
        ("f64", "-inf", -math.inf, "-inf"),
        ("char", "'x'", "x", "'x'"),
        ("char", "'\\''", "'", "'\\''"),
        ("char", "'\\u{0}'", "\0", "'\\u{0}'"),
        ("char", "'☃'", "☃", "'☃'"),
        ("string", '"abc\\t123"', "abc\t123", '"abc\\t123"'),
        (wt.TupleType(("string", "u8")), '("abc", 123)', ("abc", 123), '("abc", 123)'),
        (wt.ListType("u8"), "[1, 2, 3,]", b"\x01\x02\x03", "[1, 2, 3]"),
        (wt.ListType("char"), "[]", [], "[]"),
        (wt.ListType("u16", 2), "[1, 2]", [1, 2], "[1, 2]"),
        (_RESPONSE, "empty", Variant("empty"), "empty"),
        (_RESPONSE, "body([79, 75])", Variant("body", b"OK"), "body([79, 75])"),
        (_RESPONSE, '%err("oops")', Variant("err", "oops"), '%err("oops")'),
        (_STATUS, "%ok", "ok", "%ok"),
        (_STATUS, "not-found", "not-found", "not-found"),
        (wt.OptionType("string"), '"flat some"', "flat some", 'some("flat some")'),
        (wt.OptionType("string"), 'some("x")', "x", 'some("x")'),
        (wt.OptionType("string"), "none", None, "none"),
        (wt.ResultType("string", None), '"flat ok"', Ok("flat ok"), 'ok("flat ok")'),
        (wt.ResultType(None, "string"), "ok", Ok(), "ok"),
        (wt.ResultType(None, "string"), 'err("oops")', Err("oops"), 'err("oops")'),
        (wt.ResultType(None, None), "err", Err(), "err"),
        (_PERMS, "{write, read,}", frozenset({"read", "write"}), "{read, write}"),
        (_PERMS, "{}", frozenset(), "{}"),
        (_PERMS, "{%exec}", frozenset({"exec"}), "{exec}"),
    ],
)
def test_readme_examples(ty: wt.ValType, text: str, value: Any, canonical: str) -> None:
    got = wave.parse(text, ty)
    assert got == value and type(got) is type(value)
    assert wave.to_wave(value, ty) == canonical
    assert _round(canonical, ty) == canonical


def test_records_omit_none_fields_and_empty_is_colon() -> None:
    cls = record_class(_EXAMPLE)
    assert wave.parse("{must-have: 123}", _EXAMPLE) == cls(123, None)
    assert wave.parse("{optional: none, must-have: 123,}", _EXAMPLE) == cls(123, None)
    assert wave.to_wave(cls(1, 2), _EXAMPLE) == "{must-have: 1, optional: some(2)}"
    assert wave.to_wave(cls(1, None), _EXAMPLE) == "{must-have: 1}"
    assert wave.parse("{:}", _ALL_OPTIONAL) == record_class(_ALL_OPTIONAL)(None)
    assert wave.to_wave({"optional": None}, _ALL_OPTIONAL) == "{:}"
    assert wave.to_wave({"must_have": 5}, _EXAMPLE) == "{must-have: 5}"  # snake case too
    with pytest.raises(wave.WaveError, match="missing field 'must-have'") as err:
        wave.parse("{optional: some(1)}", _EXAMPLE)
    assert err.value.kind == "missing-field"
    with pytest.raises(wave.WaveError, match="unknown field 'extra'"):
        wave.parse("{must-have: 1, extra: 2}", _EXAMPLE)
    for unseparated, ty in (("{must-have: 1 optional: none}", _EXAMPLE), ("{read write}", _PERMS)):
        with pytest.raises(wave.WaveError) as err:
            wave.parse(unseparated, ty)  # the EBNF wants commas (wasm-wave's parser does not)
        assert err.value.kind == "unexpected-token"
    with pytest.raises(wave.WaveError) as err:
        wave.parse("{}", _ALL_OPTIONAL)  # that is empty flags
    assert err.value.kind == "invalid-type"


def test_keywords_need_percent_as_cases_but_not_as_names() -> None:
    cases = wt.EnumType(("true", "none", "inf", "plain"))
    assert wave.parse("%true", cases) == "true"
    assert wave.parse("%plain", cases) == "plain"
    assert wave.to_wave("none", cases) == "%none"
    assert wave.to_wave("plain", cases) == "plain"
    for bare in ("true", "none", "inf"):
        with pytest.raises(wave.WaveError) as err:
            wave.parse(bare, cases)
        assert err.value.kind == "invalid-type"
    fields = wt.RecordType((("true", "bool"), ("some", wt.OptionType("u8"))))
    value = wave.parse("{true: true, %some: 1}", fields)
    assert wave.to_wave(value, fields) == "{true: true, some: some(1)}"


def test_nested_options_keep_some_none_apart() -> None:
    nested = wt.OptionType(wt.OptionType("u8"))
    assert wave.parse("none", nested) is None
    assert wave.parse("some(none)", nested) == Some(None)
    assert wave.parse("some(some(3))", nested) == Some(3)
    assert wave.to_wave(Some(None), nested) == "some(none)"
    assert wave.to_wave(Some(3), nested) == "some(some(3))"
    with pytest.raises(wave.WaveError):
        wave.parse("3", nested)  # no flat form when the payload is an option
    nested_result = wt.ResultType(wt.ResultType("u8", None), None)
    assert wave.parse("ok(1)", nested_result) == Ok(Ok(1))  # the inner one may be flat
    with pytest.raises(wave.WaveError):
        wave.parse("1", nested_result)


def test_numbers() -> None:
    with pytest.raises(wave.WaveError, match="out of range for u8"):
        wave.parse("256", "u8")
    for text in ("-0", "1.0", "1e2", "inf"):
        with pytest.raises(wave.WaveError) as err:
            wave.parse(text, "u8")
        assert err.value.kind == "invalid-value"
    assert wave.parse("-0", "s8") == 0
    assert math.isnan(wave.parse("nan", "f32"))
    assert wave.to_wave(math.nan, "f64") == "nan"
    assert wave.to_wave(-0.0, "f64") == "-0"
    assert wave.to_wave(1e21, "f64") == "1000000000000000000000"
    assert wave.to_wave(5e-324, "f64") == "0." + "0" * 323 + "5"
    assert wave.to_wave(0.1, "f32") == "0.1"  # shortest digits of the f32, not of the f64
    assert wave.parse("0.1", "f32") == 0.10000000149011612
    assert wave.to_wave(3.4028234663852886e38, "f32") == "340282350000000000000000000000000000000"
    assert wave.to_wave(1e39, "f32") == "inf"  # lowering rounds it so
    for bad in ("-nan", "NaN", "Infinity", "+1", ".5", "1."):
        with pytest.raises(wave.WaveError):
            wave.parse(bad, "f64")


def test_f32_rounds_once_from_the_decimal() -> None:
    """Text just off an f32 tie must not be rounded to f64 first (double rounding)."""
    midpoint = "1.000000059604644775390625"  # exactly halfway between 1 and 1 + 2**-23
    assert wave.parse(midpoint, "f32") == 1.0  # a true tie: to even
    assert wave.parse(midpoint + "0000001", "f32") == 1 + 2**-23
    assert wave.parse("1.0000000596046447753906249999", "f32") == 1.0
    assert wave.parse("3.4028235e38", "f32") == 3.4028234663852886e38
    assert wave.parse("3.40282356779733661637539395458142568448e38", "f32") == math.inf
    assert wave.parse("3.40282356779733661637539395458142568447e38", "f32") < math.inf
    assert wave.parse("1e-46", "f32") == 0.0


def test_chars_and_strings() -> None:
    assert wave.parse(r"'\u{1F30A}'", "char") == "🌊"
    assert wave.parse(r'"\\\'\"\t\n\r"', "string") == "\\'\"\t\n\r"
    assert wave.to_wave("\x1b\u0301\u200b é", "string") == '"\\u{1b}\\u{301}\\u{200b} é"'
    assert wave.to_wave("'", "char") == "'\\''"
    for bad, kind in (
        ("''", "invalid-token"),
        ("'ab'", "invalid-token"),
        (r"'\z'", "invalid-token"),
        (r"'\u{d800}'", "invalid-escape"),
    ):
        with pytest.raises(wave.WaveError) as err:
            wave.parse(bad, "char")
        assert err.value.kind == kind
    with pytest.raises(wave.WaveError, match="line break"):
        wave.parse('"a\nb"', "string")
    with pytest.raises(wave.WaveError, match="surrogate"):
        wave.parse('"a\udc00"', "string")  # a Python str can hold one; WIT's cannot
    with pytest.raises(wave.WaveError, match="surrogate"):
        wave.parse("'\ud800'", "char")
    with pytest.raises(ValueError, match="surrogate"):
        wave.to_wave("a\udc00", "string")


def test_multiline_strings() -> None:
    text = '"""\n    Indentation determined\n      by ending delimiter\n  """'
    assert wave.parse(text, "string") == "  Indentation determined\n    by ending delimiter"
    assert wave.parse('"""\r\nA single line\r\n"""', "string") == "A single line"
    escaped = '"""\n  escape: \\r\n  triplet: ""\\""\n  """'
    assert wave.parse(escaped, "string") == 'escape: \r\ntriplet: """"'
    assert wave.parse('"""\n"""', "string") == ""
    for bad in ('""""""', '"""x\n"""', '"""\nx"""', '"""\n  a\n b\n  """'):
        with pytest.raises(wave.WaveError) as err:
            wave.parse(bad, "string")
        assert err.value.kind == "invalid-multiline-string", bad


def test_comments_and_whitespace() -> None:
    text = "[ // first\n  1, // one\n  2 // two\n] // end"
    assert wave.parse(text, wt.ListType("u32")) == [1, 2]
    with pytest.raises(wave.WaveError) as err:
        wave.parse("[1 2]", wt.ListType("u32"))
    assert err.value.kind == "unexpected-token"
    with pytest.raises(wave.WaveError) as err:
        wave.parse("1 2", "u32")
    assert err.value.kind == "trailing-characters"


def test_errors_are_one_line_with_a_position() -> None:
    with pytest.raises(wave.WaveError) as err:
        wave.parse('[1,\n  "x"]', wt.ListType("u8"))
    e = err.value
    assert (e.kind, e.start, e.end, e.line, e.column) == ("invalid-type", 6, 9, 2, 3)
    assert str(e) == "expected a u8, found '\"x\"' (at 2:3)"
    assert e.render().splitlines()[1:] == ['    "x"]', "    ^^^"]
    assert isinstance(e, WitkitError)


def test_calls_and_names() -> None:
    cases = {
        "f": (None, None, None, "f"),
        "iface.f": (None, "iface", None, "f"),
        "ns:pkg/iface.f": ("ns:pkg", "iface", None, "f"),
        "ns:pkg/iface@1.0.0.f": ("ns:pkg", "iface", "1.0.0", "f"),
        "ns:pkg/iface.f@1.0.0": ("ns:pkg", "iface", "1.0.0", "f"),
        "wasi:cli/run@0.2.0-rc-2023-11-10.run": ("wasi:cli", "run", "0.2.0-rc-2023-11-10", "run"),
    }
    for text, (package, interface, version, function) in cases.items():
        name = wave.parse_call(f"{text}()").name
        assert (name.package, name.interface, name.version, name.function) == (
            package,
            interface,
            version,
            function,
        )
    assert wave.parse_call("ns:pkg/iface@1.0.0.f()").name.instance == "ns:pkg/iface@1.0.0"
    for bad in ("ns/iface.f()", "ns:pkg/f()", "f@1.0.0()", "ns:pkg/i@1.0.f()", "()", "f"):
        with pytest.raises(wave.WaveError):
            wave.parse_call(bad)


def test_call_arguments_omit_trailing_nones() -> None:
    opt = wt.OptionType("u8")
    func = wt.FuncType((("a", opt), ("b", opt), ("c", opt)), None)
    for text in ("f(some(1))", "f(some(1), none)", "f(some(1), none, none,)", "f(1)"):
        assert wave.parse_call(text).arguments(func) == [1, None, None]
    assert wave.parse_call("f()").arguments(func) == [None, None, None]
    need = wt.FuncType((("a", "u8"), ("b", opt)), None)
    with pytest.raises(wave.WaveError, match="missing argument") as err:
        wave.parse_call("f()").arguments(need)
    assert (err.value.start, err.value.end) == (0, 1)
    with pytest.raises(wave.WaveError, match="too many arguments"):
        wave.parse_call("f(1, 2, 3)").arguments(need)


def test_maps_are_lists_of_pairs() -> None:
    ty = wt.MapType("string", "u32")
    assert wave.parse('[("a", 1), ("b", 2)]', ty) == {"a": 1, "b": 2}
    assert wave.to_wave({"a": 1}, ty) == '[("a", 1)]'


def test_values_that_do_not_fit_are_refused_when_writing() -> None:
    with pytest.raises(ValueError):
        wave.to_wave(300, "u8")
    with pytest.raises(ValueError):
        wave.to_wave(frozenset({"nope"}), _PERMS)
    with pytest.raises(TypeError):
        wave.to_wave("x", "u8")
    with pytest.raises(TypeError):
        wave.to_wave(1, wt.OwnType(wt.ResourceType()))
    with pytest.raises(wave.WaveError) as err:
        wave.parse("1", wt.OwnType(wt.ResourceType()))
    assert err.value.kind == "unsupported-type"


def test_hostile_input_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(wave.WaveError) as err:
        wave.parse("[" * 100_000, wt.ListType("u8"))
    assert err.value.kind == "nesting-too-deep"
    with pytest.raises(wave.WaveError):
        wave.parse('"' + "a" * 1_000_000, "string")  # unterminated
    with pytest.raises(wave.WaveError):
        wave.parse('"' + "\\u{" * 200_000 + '"', "string")
    with pytest.raises(wave.WaveError):
        wave.parse("1" * 100_000, "u64")
    with pytest.raises(wave.WaveError):
        wave.parse('"""\n' + '""\\' * 100_000, "string")
    assert wave.parse("1e999999999", "f32") == math.inf
    assert time.perf_counter() - started < 2


def test_a_megabyte_string_parses_in_well_under_a_second() -> None:
    body = ("plain text, then an escape: \\u{2603} and \\n " * 25_000)[:1_000_000]
    body = body[: body.rfind(" ")]
    started = time.perf_counter()
    value = wave.parse(f'"{body}"', "string")
    elapsed = time.perf_counter() - started
    assert value.count("☃") == body.count("\\u{2603}")
    assert elapsed < 0.5
    started = time.perf_counter()
    assert wave.parse(wave.to_wave(value, "string"), "string") == value
    assert time.perf_counter() - started < 1.0


def test_public_surface_resolves_and_loads_no_runtime() -> None:
    for name in wave.__all__:
        assert getattr(wave, name) is not None
    code = "import sys, witkit.wave; print(sorted(m for m in sys.modules if 'runtime' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
