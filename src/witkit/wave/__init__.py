"""WAVE, the WebAssembly Value Encoding: component values as text, read and written by type.

WAVE is the value syntax of ``wasmtime run --invoke 'f(1, "two")'`` and of the
``wasm-wave`` crate (bytecodealliance/wasm-tools): ``true``, ``-7``, ``nan``,
``'x'``, ``"text\\n"``, ``[1, 2]``, ``(1, "a")``, ``{name: "x", age: 3}``,
``{read, write}``, ``left``, ``circle(2.5)``, ``some(1)``, ``none``, ``ok``,
``err("why")``, multiline strings in triple quotes, ``//`` comments, and ``%``
before a case that is a keyword (``%none``).  Text alone is ambiguous (``left``,
``7``), so values are always read *against a type* (``witkit.types``), and read
into -- and written from -- exactly the Python values the Canonical ABI lifts
(``witkit.abi.values``: ``Record`` classes, ``Variant``, ``Ok``/``Err``, ``Some``
for nested options, ``frozenset`` flags, ``bytes`` for ``list<u8>``)::

    from witkit import types as wt, wave

    point = wt.RecordType((("x", "s32"), ("label", wt.OptionType("string"))))
    p = wave.parse("{x: -3}", point)          # Record(x=-3, label=None)
    wave.to_wave(p, point)                     # '{x: -3}'
    wave.parse('some("a")', wt.OptionType("string"))   # 'a'
    wave.parse('"a"', wt.OptionType("string"))         # 'a' (flat some)

    opt = wt.OptionType("u8")
    f = wt.FuncType((("a", "u8"), ("b", opt), ("c", opt)), None)
    call = wave.parse_call("ns:pkg/iface@1.0.0.f(1, none)")
    call.name.instance, call.name.function     # ('ns:pkg/iface@1.0.0', 'f')
    call.arguments(f)                          # [1, None, None]: trailing nones may go

``to_wave`` writes the one canonical spelling wasm-wave writes (and so what
``wasmtime run --invoke`` prints).  Errors are ``WaveError`` (a ``WitkitError``)
with ``kind``, ``start``/``end`` in the text, a one-line ``str()`` naming line and
column, and ``render()`` with a caret.

Reading runs in three phases, one module each: ``_lexer`` (text -> tokens),
``_syntax`` (tokens -> untyped tree with spans), ``_typed`` (tree + type ->
value); ``_printer`` writes; ``_call`` reads function calls.  Map types, which
WAVE has no syntax for, are read and written as lists of ``(key, value)``
tuples; resources, streams and futures have no WAVE spelling.

Where witkit is stricter than wasm-wave's parser, it follows ``wave_ebnf.md``:
record fields and flags must be separated by commas (wasm-wave also reads
``{a: 1 b: 2}``), and a record field the type does not have is an error (wasm-wave
ignores it).  An escape may have any number of hex digits, as the EBNF says, and
must name a Unicode scalar value.  Everything else -- what is accepted, what is
printed, and which span an error points at -- is checked against wasm-wave's own
golden files (tests/wave/test_upstream_ui.py) and the wasmtime CLI
(tests/wave/test_wasmtime_cli.py).
"""

from __future__ import annotations

from typing import Any

from witkit import types as wt
from witkit.wave._call import Call, CallName, parse_call, split_name
from witkit.wave._lexer import Lexer, WaveError
from witkit.wave._printer import to_wave
from witkit.wave._syntax import Node, Parser
from witkit.wave._typed import to_value

__all__ = [
    "Call",
    "CallName",
    "Node",
    "WaveError",
    "parse",
    "parse_call",
    "parse_untyped",
    "split_name",
    "to_wave",
]


def parse_untyped(text: str) -> Node:
    """The syntax tree of one WAVE value (any type), checking syntax only."""
    parser = Parser(Lexer(text))
    node = parser.value()
    parser.finish()
    return node


def parse(text: str, ty: wt.ValType) -> Any:
    """The value of type ``ty`` that the WAVE ``text`` spells; ``WaveError`` if none."""
    return to_value(text, parse_untyped(text), ty)
