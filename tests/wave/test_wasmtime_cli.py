"""``to_wave`` against what ``wasmtime run --invoke`` reads and prints, value by value.

One library component, written here in WAT, exports ``echo-N: func(x: T, pad: P) ->
tuple<T, P>`` for each case's type ``T``.  ``P`` (sixteen ``u8``) pushes the
parameters past ``MAX_FLAT_PARAMS``, so the host passes them in memory, and the
result is returned in memory with the same layout: the core function only returns
the pointer it was given, for any ``T``.  Each case is invoked with our WAVE text
of the value; wasmtime must accept it and print back exactly our text of the result.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from witkit import types as wt
from witkit import wave
from witkit.abi.values import Err, Ok, Some, Variant, record_class

_PAD = wt.TupleType(("u8",) * 16)
_REC = wt.RecordType((("a", "u8"), ("b", wt.OptionType("string"))))
_OPTIONAL = wt.RecordType((("only", wt.OptionType("u8")),))
_VAR = wt.VariantType((("empty", None), ("err", "string"), ("n", "s16")))
_ENUM = wt.EnumType(("ok", "inf", "plain-case"))
_FLAGS = wt.FlagsType(("read", "write", "exec"))
_KEYWORD_FIELDS = wt.RecordType((("true", "bool"), ("none", wt.OptionType("u8"))))
_OPT_STRING = wt.OptionType("string")
_RESULT = wt.ResultType("u8", "string")

CASES: list[tuple[wt.ValType, Any]] = [
    ("bool", True),
    ("u32", 4294967295),
    ("s64", -(2**63)),
    ("f32", wave.parse("0.1", "f32")),
    ("f32", math.nan),
    ("f32", -math.inf),
    ("f32", 3.4028234663852886e38),
    ("f32", 1.401298464324817e-45),
    ("f64", 1e21),
    ("f64", -0.0),
    ("f64", 5e-324),
    ("f64", 123.456),
    ("char", "'"),
    ("char", "\u0301"),
    ("char", "☃"),
    ("string", "a\"b'\\\t\n\r\x1b\x7f\u200b\u00a0 é 🌊 \u2028 \ufeff"),
    (wt.ListType("u8"), b"\x00\xff"),
    (wt.ListType("string"), ["", "x"]),
    (wt.TupleType(("bool", "char")), (False, "x")),
    (_REC, record_class(_REC)(1, None)),
    (_REC, record_class(_REC)(2, "two")),
    (_OPTIONAL, record_class(_OPTIONAL)(None)),
    (_KEYWORD_FIELDS, record_class(_KEYWORD_FIELDS)(True, 7)),
    (_VAR, Variant("err", "e")),
    (_VAR, Variant("empty")),
    (_VAR, Variant("n", -3)),
    (_ENUM, "ok"),
    (_ENUM, "plain-case"),
    (_FLAGS, frozenset({"exec", "read"})),
    (_FLAGS, frozenset()),
    (wt.OptionType(wt.OptionType("u8")), Some(None)),
    (wt.OptionType(wt.OptionType("u8")), Some(4)),
    (_OPT_STRING, None),
    (_RESULT, Ok(3)),
    (_RESULT, Err("bad")),
    (wt.ResultType(None, None), Ok()),
    (wt.ListType(wt.ResultType(None, "u8")), [Err(1), Ok()]),
]


class _Wat:
    """Component text for the cases' types: named types are defined and exported once."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[int, str] = {}

    def type(self, t: wt.ValType) -> str:
        match t:
            case str():
                return t
            case wt.ListType(element=e):
                return f"(list {self.type(e)})"
            case wt.TupleType(types=ts):
                return f"(tuple {' '.join(self.type(u) for u in ts)})"
            case wt.OptionType(value=v):
                return f"(option {self.type(v)})"
            case wt.ResultType(ok=ok, err=err):
                parts = ([self.type(ok)] if ok is not None else []) + (
                    [f"(error {self.type(err)})"] if err is not None else []
                )
                return f"(result {' '.join(parts)})".replace(" )", ")")
        return self.named(t)

    def named(self, t: wt.ValType) -> str:
        if id(t) in self.names:
            return self.names[id(t)]
        match t:
            case wt.RecordType(fields=fs):
                body = " ".join(f'(field "{n}" {self.type(ft)})' for n, ft in fs)
                text = f"(record {body})"
            case wt.VariantType(cases=cs):
                body = " ".join(
                    f'(case "{n}"{"" if ct is None else " " + self.type(ct)})' for n, ct in cs
                )
                text = f"(variant {body})"
            case wt.EnumType(names=ns):
                text = f"(enum {' '.join(f'{chr(34)}{n}{chr(34)}' for n in ns)})"
            case wt.FlagsType(names=ns):
                text = f"(flags {' '.join(f'{chr(34)}{n}{chr(34)}' for n in ns)})"
            case _:
                raise AssertionError(t)
        index = len(self.names)
        self.lines.append(f"(type $d{index} {text})")
        self.lines.append(f'(export $t{index} "t{index}" (type $d{index}))')
        self.names[id(t)] = f"$t{index}"
        return f"$t{index}"


def _component() -> str:
    wat = _Wat()
    funcs = []
    for i, (t, _) in enumerate(CASES):
        x, pad = wat.type(t), wat.type(_PAD)
        funcs.append(
            f'(func $f{i} (param "x" {x}) (param "pad" {pad}) (result (tuple {x} {pad}))'
            ' (canon lift (core func $i "echo") (memory (core memory $i "mem"))'
            ' (realloc (core func $i "realloc"))))'
            f'\n(export "echo-{i}" (func $f{i}))'
        )
    core = """
  (core module $m
    (memory (export "mem") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "echo") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
"""
    return "(component" + core + "\n".join(wat.lines + funcs) + ")"


def _wasmtime() -> str:
    beside = Path(sys.executable).parent / "wasmtime"
    found = str(beside) if beside.is_file() else shutil.which("wasmtime")
    assert found is not None, "wasmtime not installed (run `bash .ci/install`)"
    return found


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import wasmtime

    path = tmp_path_factory.mktemp("wave") / "echo.wasm"
    path.write_bytes(bytes(wasmtime.wat2wasm(_component())))
    return path


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=str)
def test_wasmtime_reads_and_prints_our_text(
    component: Path, index: int, case: tuple[wt.ValType, Any]
) -> None:
    t, value = case
    pad = (0,) * 16
    args = f"{wave.to_wave(value, t)}, {wave.to_wave(pad, _PAD)}"
    run = subprocess.run(
        [_wasmtime(), "run", "--invoke", f"echo-{index}({args})", str(component)],
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    expected = wave.to_wave((value, pad), wt.TupleType((t, _PAD)))
    assert run.stdout.decode() == expected + "\n"


#: spellings that are not canonical: wasmtime and witkit must read them to the same value
SPELLINGS: list[tuple[wt.ValType, str]] = [
    (_REC, "{b: none, a: 1,}"),
    (_REC, '{ // a comment\n a: 1, b: "flat some" }'),
    (_OPT_STRING, '"flat"'),
    (_RESULT, "3"),
    (_FLAGS, "{write, read,}"),
    (_ENUM, "%plain-case"),
    (_KEYWORD_FIELDS, "{%true: false}"),
    ("string", '"""\n    two\n  lines\n  """'),
    ("f64", "-0.0e-0"),
    ("f32", "1.000000059604644775390625000001"),
    ("f32", "3.4028235677973366e38"),
    ("char", "'\\u{1F30A}'"),
]


@pytest.mark.parametrize(("t", "text"), SPELLINGS, ids=[text for _, text in SPELLINGS])
def test_wasmtime_reads_other_spellings_as_we_do(component: Path, t: wt.ValType, text: str) -> None:
    pad = (0,) * 16
    index = next(i for i, (u, _) in enumerate(CASES) if u is t or (isinstance(t, str) and u == t))
    run = subprocess.run(
        [
            _wasmtime(),
            "run",
            "--invoke",
            f"echo-{index}({text}, {wave.to_wave(pad, _PAD)})",
            str(component),
        ],
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    expected = wave.to_wave((wave.parse(text, t), pad), wt.TupleType((CASES[index][0], _PAD)))
    assert run.stdout.decode() == expected + "\n"
