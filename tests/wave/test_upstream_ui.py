"""witkit.wave against wasm-wave's own golden files (``crates/wasm-wave/tests/ui``).

The cases are read from a fetched copy of bytecodealliance/wasm-tools, never committed:
set ``WITKIT_WAVE_UI_DIR`` to its ``crates/wasm-wave/tests/ui`` directory (or to the
crate, or the repository).  Each ``.waves`` file holds calls of the functions of
``ui.wit`` separated by ``;\\n``; the ``.out`` file beside it holds, per call, either
the call written back (``f(name: value)``, our ``to_wave``) or the error with its
byte span.  An accepted call must print exactly as upstream's; a rejected one must
fail with the same kind of error over the same span (our messages are our own).

No case is dropped: every case passes or is in ``KNOWN_DIFFERENCES`` with its reason
and our exact outcome, and the run fails if such a case starts passing or changes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from witkit import types as wt
from witkit import wave

_ROOT = os.environ.get("WITKIT_WAVE_UI_DIR", "")
assert _ROOT, "collected only with WITKIT_WAVE_UI_DIR set (tests/conftest.py)"


def _ui_dir(root: Path) -> Path:
    for candidate in (root, root / "tests" / "ui", root / "crates" / "wasm-wave" / "tests" / "ui"):
        if (candidate / "ui.wit").is_file():
            return candidate
    raise FileNotFoundError(f"no wasm-wave tests/ui under {root}")


UI = _ui_dir(Path(_ROOT))

# ---------------------------------------------------------------- ui.wit, by hand

_U8 = "u8"
_BASIC = wt.RecordType((("required", _U8), ("optional", wt.OptionType(_U8))))
_OPTIONAL_FIELDS = wt.RecordType((("a", wt.OptionType(_U8)), ("b", wt.OptionType(_U8))))
_NO_PAYLOADS = wt.ResultType(None, None)
_KEYWORD_FIELDS = wt.RecordType(
    (
        ("true", "bool"),
        ("false", "bool"),
        ("some", wt.OptionType(_U8)),
        ("none", wt.OptionType(_U8)),
        ("ok", _NO_PAYLOADS),
        ("err", _NO_PAYLOADS),
        ("inf", "f32"),
        ("nan", "f32"),
    )
)
_KEYWORDS = ("true", "false", "some", "none", "ok", "err", "inf", "nan")

#: interface ``ui`` of package ``ui:tests@0.1.0``: function -> parameters
FUNCTIONS: dict[str, tuple[tuple[str, wt.ValType], ...]] = {
    "nullary": (),
    "f32": (("val", "f32"),),
    "list-f32": (("vals", wt.ListType("f32")),),
    "f64": (("val", "f64"),),
    "list-f64": (("vals", wt.ListType("f64")),),
    "char": (("val", "char"),),
    "list-chars": (("vals", wt.ListType("char")),),
    "string": (("val", "string"),),
    "list-strings": (("vals", wt.ListType("string")),),
    "option-u8": (("opt", wt.OptionType(_U8)),),
    "result-ok-u8": (("res", wt.ResultType(_U8, None)),),
    "result-err-u8": (("res", wt.ResultType(None, _U8)),),
    "result-both-u8": (("res", wt.ResultType(_U8, _U8)),),
    "result-no-payloads": (("res", _NO_PAYLOADS),),
    "basic-record": (("rec", _BASIC),),
    "optional-fields-record": (("rec", _OPTIONAL_FIELDS),),
    "keyword-fields-record": (("rec", _KEYWORD_FIELDS),),
    "hand-enum": (("enm", wt.EnumType(("left", "right"))),),
    "keyword-cases-enum": (("enm", wt.EnumType(_KEYWORDS)),),
    "permission-flags": (("flgs", wt.FlagsType(("read", "write"))),),
}


def _lookup(name: wave.CallName) -> tuple[tuple[str, wt.ValType], ...] | None:
    """The function a call names, as the upstream harness finds it in ``ui.wit``."""
    if name.package not in (None, "ui:tests") or name.version not in (None, "0.1.0"):
        return None
    if name.interface not in (None, "ui"):
        return None
    return FUNCTIONS.get(name.function)


# ---------------------------------------------------------------- outcomes

#: upstream's error messages, by prefix -> our ``WaveError.kind``
_UPSTREAM_KINDS = (
    ("invalid token", "invalid-token"),
    ("unexpected token", "unexpected-token"),
    ("unexpected end of input", "unexpected-end"),
    ("invalid character escape", "invalid-escape"),
    ("invalid multiline string", "invalid-multiline-string"),
    ("invalid value type", "invalid-type"),
    ("invalid value", "invalid-value"),
    ("duplicate field", "duplicate-field"),
    ("duplicate flag", "duplicate-flag"),
    ("error converting Wasm value: missing field", "missing-field"),
    ("error converting Wasm value: unknown case", "unknown-case"),
    ("error converting Wasm value: missing payload", "missing-payload"),
    ("error converting Wasm value: unexpected payload", "unexpected-payload"),
    ("invalid params", "invalid-params"),
    ("trailing characters", "trailing-characters"),
    ("value nesting too deep", "nesting-too-deep"),
    ("empty tuple", "empty-tuple"),
    ("unknown test func", "unknown-function"),
)


def _normalise_upstream(line: str) -> str:
    """An upstream ``.out`` line as ``error KIND at A..B`` (or the accepted call as is)."""
    for prefix, kind in _UPSTREAM_KINDS:
        if line.startswith(prefix):
            _, at, span = line.rpartition(" at ")
            return f"error {kind} at {span}" if at else f"error {kind}"
    return line


def _outcome(text: str) -> str:
    """Our line for one case: the call written back, or ``error KIND at A..B`` (bytes)."""
    try:
        call = wave.parse_call(text)
        params = _lookup(call.name)
        if params is None:
            return "error unknown-function"
        values: list[Any] = call.arguments([t for _, t in params])
    except wave.WaveError as err:
        start = len(text[: err.start].encode())
        end = len(text[: err.end].encode())
        return f"error {err.kind} at {start}..{end}"
    args = ", ".join(f"{p}: {wave.to_wave(v, t)}" for (p, t), v in zip(params, values, strict=True))
    return f"{call.name.text}({args})"


def _cases(path: Path) -> list[str]:
    """The inputs of a ``.waves`` file, split as the upstream harness splits them."""
    text = path.read_text(encoding="utf-8").rstrip().rstrip(";")
    return text.split(";\n")


def _expected_and_actual(path: Path) -> list[tuple[int, str, str]]:
    """(case index, upstream line, our line) for every case of one file."""
    expected = [
        line
        for line in path.with_suffix(".out").read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("//")
    ]
    rows = []
    cases = _cases(path)
    assert len(cases) == len(expected), f"{path.name}: {len(cases)} cases, {len(expected)} outputs"
    for index, (case, want) in enumerate(zip(cases, expected, strict=True)):
        while case.startswith("//") and "\n" in case:
            case = case.split("\n", 1)[1]
        rows.append((index, _normalise_upstream(want), _outcome(case)))
    return rows


#: (file, case index) -> (our outcome, why it differs from upstream's)
KNOWN_DIFFERENCES: dict[tuple[str, int], tuple[str, str]] = {
    ("reject-chars.waves", 7): (
        "error invalid-token at 5..6",
        "char('\\u{1f'): both reject the unterminated escape; a malformed token is reported "
        "over its first character, where wasm-wave's generated lexer (logos) ends the span "
        "where its automaton gave up (after '\\u{1')",
    ),
    ("reject-chars.waves", 11): (
        "error invalid-escape at 5..19",
        "char('\\u{12345678}'): the EBNF allows any number of hex digits in an escape and "
        "requires a scalar value, so we read the char and reject its value over the whole "
        "token; wasm-wave's lexer caps the digits at six and reports an invalid token 5..10",
    ),
    ("reject-chars.waves", 17): (
        "error invalid-token at 5..6",
        "char('x): both reject the unclosed char; we point at the opening quote, logos's span "
        "runs one character further",
    ),
}


FILES = sorted(UI.glob("*.waves"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_upstream_case_file(path: Path) -> None:
    problems = []
    for index, want, got in _expected_and_actual(path):
        known = KNOWN_DIFFERENCES.get((path.name, index))
        if known is None:
            if got != want:
                problems.append(f"case {index}: upstream {want!r}, witkit {got!r}")
        elif got == want:
            problems.append(f"case {index} now passes: remove it from KNOWN_DIFFERENCES")
        elif got != known[0]:
            problems.append(f"case {index} changed: {got!r}, recorded {known[0]!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_every_known_difference_is_a_case() -> None:
    names = {p.name for p in FILES}
    assert FILES, f"no .waves files in {UI}"
    stale = [key for key in KNOWN_DIFFERENCES if key[0] not in names]
    assert not stale, f"KNOWN_DIFFERENCES names cases that do not exist: {stale}"


def counts() -> tuple[int, int, int]:
    """(cases, passing, known differences) over every file, for reports."""
    total = passing = 0
    for path in FILES:
        for _, want, got in _expected_and_actual(path):
            total += 1
            passing += got == want
    return total, passing, total - passing
