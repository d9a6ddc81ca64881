"""WIT tokens: text in, a flat token list out.

The lexer is the "Lexical structure" section of ``WIT.md`` plus the reference
implementation's edge cases (wasm-tools ``wit-parser/src/ast/lex.rs``):

* Whitespace is space, tab, ``\\n`` and ``\\r\\n``; a lone ``\\r`` is an error, and
  so is any other control code, a bidirectional override or a codepoint Unicode
  discourages (checked over the whole file before lexing).
* Comments are ``//`` to end of line and nested ``/* */``.  They are not thrown
  away: every comment is a candidate doc comment, so the comments right before a
  token are recorded with it (``Tokens.docs``).
* Identifiers are lexed loosely (any XID-ish word with ``-``) and validated when
  the parser asks for an identifier, so ``Foo`` is one token and a good error.
* ``-`` is an operator (``-`` or ``->``), never the start of an identifier.

Offsets are character offsets, shifted by the file's base offset in its
``SourceMap`` so that tokens of all files share one coordinate space.
"""

from __future__ import annotations

import re

from witkit.wit.ast import Loc

__all__ = ["KEYWORDS", "LexError", "Tokens", "describe", "tokenize", "validate_id"]

#: every keyword, mapped to its token kind (the keyword itself)
KEYWORDS = frozenset(
    [
        "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
        "f32", "f64", "char", "resource", "own", "borrow", "record", "flags", "variant",
        "enum", "bool", "string", "option", "result", "future", "stream", "error-context",
        "list", "map", "_", "as", "from", "static", "interface", "tuple", "world",
        "import", "export", "package", "constructor", "include", "with", "async",
    ]
)  # fmt: skip

ID = "id"
EXPLICIT_ID = "%id"
INTEGER = "integer"
STRING = "string-literal"
EOF = "eof"


class LexError(Exception):
    """A lexical error at ``loc`` (a one-character location)."""

    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc


class Tokens:
    """Parallel arrays: token ``i`` is ``kinds[i]`` over ``[starts[i], ends[i])``.

    ``docs[i]``, if present, holds the comments between token ``i-1`` and token
    ``i`` as ``(start, end)`` pairs; the last token is an ``eof`` sentinel so
    comments at the end of a file have a home too.
    """

    __slots__ = ("base", "docs", "ends", "kinds", "starts", "text")

    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.kinds: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.docs: dict[int, tuple[tuple[int, int], ...]] = {}

    def slice(self, start: int, end: int) -> str:
        """The source text of global range ``[start, end)``."""
        return self.text[start - self.base : end - self.base]


# Characters rejected anywhere in a file (see the module docstring).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u202a-\u202e\u2066-\u2069"
    "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5]"
)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DISCOURAGED = frozenset("\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5")

_TOKEN = re.compile(
    r"""
    ((?:[ \t\n]|\r\n)+)
  | (//[^\n]*\n?)
  | (/\*)
  | ([^\W\d][\w-]*)
  | (->|[=,:.;(){}<>*@/+-])
  | ([0-9]+)
  | (%(?:[^\W\d][\w-]*)?)
  | (")
  | (.)
    """,
    re.VERBOSE | re.DOTALL,
)
# the groups of _TOKEN, by number (faster to test than names)
_WS, _LINE, _BLOCK, _WORD, _OP, _INT, _EXPLICIT, _STRING, _BAD = range(1, 10)
_BLOCK_DELIMS = re.compile(r"/\*|\*/")


def _unicode_escape(ch: str) -> str:
    return "\\u{" + f"{ord(ch):x}" + "}"


def _check_input(text: str, base: int) -> None:
    bad = _FORBIDDEN.search(text)
    if bad is None:
        return
    ch = bad.group()
    loc = Loc(base + bad.start(), base + bad.start() + 1)
    if ch in _BIDI:
        raise LexError(
            f"input contains bidirectional override codepoint {_unicode_escape(ch)}", loc
        )
    if ch in _DISCOURAGED:
        raise LexError(f"codepoint {_unicode_escape(ch)} is discouraged by Unicode", loc)
    raise LexError(f"control code {_unicode_escape(ch)} is not allowed in WIT", loc)


def tokenize(text: str, base: int = 0) -> Tokens:
    """Split ``text`` (one file, starting at global offset ``base``) into tokens."""
    _check_input(text, base)
    toks = Tokens(text, base)
    kinds, starts, ends, docs = toks.kinds, toks.starts, toks.ends, toks.docs
    add_kind, add_start, add_end = kinds.append, starts.append, ends.append
    pending: list[tuple[int, int]] = []
    keywords = KEYWORDS
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        # One regex pass over the text; block comments and string literals are
        # scanned by hand, and the pass restarts after them.
        restart = -1
        for m in _TOKEN.finditer(text, pos):
            group = m.lastindex
            if group == _WS:
                continue
            start, end = m.span()
            if group == _WORD:
                word = text[start:end]
                add_kind(word if word in keywords else ID)
            elif group == _OP:
                add_kind(text[start:end])
            elif group == _LINE:
                pending.append((base + start, base + end))
                continue
            elif group == _INT:
                add_kind(INTEGER)
            elif group == _EXPLICIT:
                add_kind(EXPLICIT_ID)
            elif group == _BLOCK:
                restart = _block_comment_end(text, start, base)
                pending.append((base + start, base + restart))
                break
            elif group == _STRING:
                end = restart = _string_end(text, start + 1, base)
                add_kind(STRING)
            else:
                raise LexError(
                    f"unexpected character {m.group()!r}", Loc(base + start, base + start + 1)
                )
            add_start(base + start)
            add_end(base + end)
            if pending:
                docs[len(kinds) - 1] = tuple(pending)
                pending = []
            if restart >= 0:
                break
        if restart < 0:
            break
        pos = restart
    n = len(text)
    add_kind(EOF)
    add_start(base + n)
    add_end(base + n)
    if pending:
        docs[len(kinds) - 1] = tuple(pending)
    return toks


def _block_comment_end(text: str, pos: int, base: int) -> int:
    depth = 0
    for m in _BLOCK_DELIMS.finditer(text, pos):
        depth += 1 if m.group() == "/*" else -1
        if depth == 0:
            return m.end()
    raise LexError("unterminated block comment", Loc(base + pos, base + pos + 1))


_SIMPLE_ESCAPES = {'"': '"', "'": "'", "t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _string_end(text: str, pos: int, base: int) -> int:
    """Check a string literal whose body starts at ``pos``; return the end offset."""
    end, _ = read_string(text, pos, base)
    return end


def read_string(text: str, pos: int, base: int) -> tuple[int, str]:
    """Decode a string literal body (the core wasm ``name`` syntax) from ``pos``.

    Returns the offset after the closing quote and the decoded value.
    """
    out = bytearray()
    n = len(text)

    def at(i: int) -> Loc:
        return Loc(base + i, base + i + 1)

    while True:
        if pos >= n:
            raise LexError("unexpected end of file in a string literal", at(n))
        ch = text[pos]
        pos += 1
        if ch == '"':
            break
        if ch == "\\":
            if pos >= n:
                raise LexError("unexpected end of file in a string literal", at(n))
            esc = text[pos]
            pos += 1
            if esc in _SIMPLE_ESCAPES:
                out += _SIMPLE_ESCAPES[esc].encode()
            elif esc == "u":
                if pos >= n or text[pos] != "{":
                    raise LexError("expected character '{'", at(pos))
                close = text.find("}", pos)
                digits = text[pos + 1 : close].replace("_", "") if close >= 0 else ""
                if (
                    close < 0
                    or not digits
                    or not all(c in "0123456789abcdefABCDEF" for c in digits)
                ):
                    raise LexError("invalid unicode escape in string literal", at(pos))
                value = int(digits, 16)
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    raise LexError(f"invalid unicode value {value:#x}", at(pos))
                out += chr(value).encode()
                pos = close + 1
            elif esc in "0123456789abcdefABCDEF":
                if pos >= n or text[pos] not in "0123456789abcdefABCDEF":
                    raise LexError("invalid hex digit in string escape", at(pos))
                out.append(int(esc + text[pos], 16))
                pos += 1
            else:
                raise LexError(f"invalid string escape {esc!r}", at(pos - 1))
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            raise LexError(f"invalid string character {ch!r}", at(pos - 1))
        else:
            out += ch.encode()
    try:
        return pos, out.decode()
    except UnicodeDecodeError as e:
        raise LexError(f"invalid UTF-8 in string literal: {e.reason}", at(pos - 1)) from None


_VALID_ID = re.compile(r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z0-9]+|[A-Z0-9]+))*\Z")


def validate_id(name: str) -> str | None:
    """Why ``name`` is not a valid WIT identifier, or None if it is.

    An identifier is ``-``-separated words; each word is all-lowercase or
    all-uppercase ASCII letters and digits, and the first word starts with a letter.
    """
    if _VALID_ID.match(name):
        return None
    if not name:
        return "identifiers must have characters between '-'s"
    for index, word in enumerate(name.split("-")):
        if not word:
            return "identifiers must have characters between '-'s"
        if index == 0 and not (word[0].isascii() and word[0].isalpha()):
            return f"invalid character in identifier {word[0]!r}"
        upper: bool | None = None
        for ch in word:
            if "0" <= ch <= "9":
                continue
            if "A" <= ch <= "Z":
                if upper is False:
                    return f"invalid character in identifier {ch!r}"
                upper = True
            elif "a" <= ch <= "z":
                if upper is True:
                    return f"invalid character in identifier {ch!r}"
                upper = False
            else:
                return f"invalid character in identifier {ch!r}"
    return None


_DESCRIPTIONS = {
    ID: "an identifier",
    EXPLICIT_ID: "an '%' identifier",
    INTEGER: "an integer",
    STRING: "a string literal",
    EOF: "eof",
    "->": "`->`",
    "*": "`*`",
    "@": "`@`",
    "/": "`/`",
    "+": "`+`",
    "-": "`-`",
}


def describe(kind: str) -> str:
    """How a token kind is named in "expected ..., found ..." messages."""
    if kind in _DESCRIPTIONS:
        return _DESCRIPTIONS[kind]
    if kind in KEYWORDS:
        return f"keyword `{kind}`"
    return f"'{kind}'"
