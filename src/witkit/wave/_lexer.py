"""WAVE tokens: text -> (kind, start, end), the first phase of reading a value.

Rules of this module:

* **Tokens are the grammar's terminals** (``wave_ebnf.md``): the eight punctuation
  marks, numbers (``-inf`` included), labels and keywords (one kind: which it is
  depends on the type, later), chars, strings and multiline strings.  Whitespace
  (space, tab, CR, LF) and ``//`` comments separate tokens and are skipped.
* **Longest match, as wasm-wave's lexer does**, so that the same text splits the
  same way: ``NaN`` is the label ``N`` then the label ``aN``, ``-infinity`` is
  ``-inf`` then ``inity``, ``1.`` is ``1`` then an invalid ``.``.  That is what
  makes its error positions and ours agree (tests/wave/test_upstream_ui.py).
* **Escapes are checked for shape here, for value later** (the EBNF's
  ``'u{' [0-9a-fA-F]+ '}'``): ``\\u{110000}`` is a well-formed string token; that
  it names no Unicode scalar value is found when the text is decoded against a
  ``char`` or ``string`` type.
* **Linear time.**  Every scan moves forward; strings are skipped with a
  character-class search between escapes (no backtracking regular expression), so a
  megabyte string is read in a few milliseconds.
* Positions are offsets in the Python string (code points), end exclusive.
"""

from __future__ import annotations

import re

from witkit._record import record
from witkit.errors import WitkitError

__all__ = ["KEYWORDS", "Lexer", "Token", "WaveError", "label_end"]

#: the words a variant or enum case must escape with ``%`` (they mean something else bare)
KEYWORDS = frozenset({"true", "false", "some", "none", "ok", "err", "inf", "nan"})

PUNCTUATION = frozenset("{}()[]:,")

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_SIMPLE_ESCAPES = frozenset("'\"tnr\\")
_SPACE = " \t\n\r"

#: the next character a single-line string cannot contain as is
_STRING_STOP = re.compile(r'[\\"\n]')


class WaveError(WitkitError):
    """WAVE text that does not parse, or does not fit the type it is read as.

    ``kind`` names the rule broken (``"invalid-token"``, ``"unexpected-token"``,
    ``"invalid-type"``, ``"missing-field"`` ...); ``start``/``end`` is the part of
    ``text`` it is about (code point offsets, end exclusive).  ``str()`` is one line
    with the line and column; ``render()`` adds the source line and a caret.
    """

    def __init__(self, kind: str, message: str, start: int, end: int, text: str = "") -> None:
        self.kind = kind
        self.message = message
        self.start = start
        self.end = end
        self.text = text
        super().__init__(str(self))

    @property
    def line(self) -> int:
        """1-based line of ``start``."""
        return self.text.count("\n", 0, self.start) + 1

    @property
    def column(self) -> int:
        """1-based column of ``start`` (in characters)."""
        return self.start - (self.text.rfind("\n", 0, self.start) + 1) + 1

    def __str__(self) -> str:
        return f"{self.message} (at {self.line}:{self.column})"

    def render(self) -> str:
        """The message, then the line of the text it is about and a caret under the span."""
        first = self.text.rfind("\n", 0, self.start) + 1
        last = self.text.find("\n", self.start)
        line = self.text[first : len(self.text) if last < 0 else last]
        width = max(1, min(self.end, first + len(line)) - self.start)
        return f"{self}\n  {line}\n  {' ' * (self.start - first)}{'^' * width}"


@record
class Token:
    """One token: its kind (the punctuation mark itself, or a word) and where it is."""

    kind: str  # one of PUNCTUATION, "number", "label", "char", "string", "multiline"
    start: int
    end: int


def label_end(text: str, i: int) -> int:
    """The end of the label starting at ``i`` (no ``%``), or ``i`` if none starts there.

    A label is words joined by ``-``; the first word starts with a letter, and each
    word is all lower case or all upper case (digits go with either).
    """
    n = len(text)
    if i >= n or not (text[i] in _LOWER or text[i] in _UPPER):
        return i
    end = _word_end(text, i)
    while end + 1 < n and text[end] == "-":
        after = _word_end(text, end + 1)
        if after == end + 1:
            break
        end = after
    return end


def _word_end(text: str, i: int) -> int:
    """The longer of the lower-case and the upper-case word (digits in both) at ``i``."""
    lower = upper = i
    n = len(text)
    while lower < n and (text[lower] in _LOWER or text[lower] in _DIGITS):
        lower += 1
    while upper < n and (text[upper] in _UPPER or text[upper] in _DIGITS):
        upper += 1
    return max(lower, upper)


def escape_end(text: str, i: int) -> int:
    """The end of the escape whose backslash is at ``i``, or ``-1`` if it is malformed."""
    n = len(text)
    if i + 1 >= n:
        return -1
    c = text[i + 1]
    if c in _SIMPLE_ESCAPES:
        return i + 2
    if c != "u" or i + 2 >= n or text[i + 2] != "{":
        return -1
    j = i + 3
    while j < n and text[j] in _HEX:
        j += 1
    if j == i + 3 or j >= n or text[j] != "}":
        return -1
    return j + 1


class Lexer:
    """Tokens of ``text`` from ``pos`` on, one at a time (``next``), with a look-ahead."""

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos
        #: the token ``next`` returned last (for spans of "value nesting too deep")
        self.last = Token("", pos, pos)

    def error(self, kind: str, message: str, start: int, end: int) -> WaveError:
        """A ``WaveError`` about ``text[start:end]``."""
        return WaveError(kind, message, start, end, self.text)

    def next(self) -> Token | None:
        """The next token (None at the end of the text); raises ``WaveError`` on bad text."""
        token = self._scan(self.pos)
        if token is not None:
            self.pos = token.end
            self.last = token
        return token

    def peek(self) -> Token | None:
        """The next token without consuming it; None at the end or if it is malformed."""
        try:
            return self._scan(self.pos)
        except WaveError:
            return None

    def skip_space(self, i: int) -> int:
        """The first offset from ``i`` on that is neither whitespace nor in a comment."""
        text, n = self.text, len(self.text)
        while i < n:
            c = text[i]
            if c in _SPACE:
                i += 1
            elif c == "/" and text.startswith("//", i):
                newline = text.find("\n", i)
                i = n if newline < 0 else newline
            else:
                break
        return i

    def _scan(self, i: int) -> Token | None:
        text = self.text
        i = self.skip_space(i)
        if i >= len(text):
            return None
        c = text[i]
        if c in PUNCTUATION:
            return Token(c, i, i + 1)
        if c == "-" or c in _DIGITS:
            return self._number(i)
        if c == "%" or c in _LOWER or c in _UPPER:
            end = label_end(text, i + 1 if c == "%" else i)
            if end == i + 1 and c == "%":
                raise self._invalid(i, "'%' must be followed by a label")
            return Token("label", i, end)
        if c == "'":
            return self._char(i)
        if c == '"':
            if text.startswith('"""', i):
                return self._multiline(i)
            return self._string(i)
        raise self._invalid(i, f"unexpected character {c!r}")

    def _invalid(self, i: int, why: str) -> WaveError:
        """A malformed token starting at ``i``, pointed at by its first character."""
        return self.error("invalid-token", why, i, i + 1)

    def _number(self, i: int) -> Token:
        text, n = self.text, len(self.text)
        j = i + 1 if text[i] == "-" else i
        if j >= n or text[j] not in _DIGITS:
            if text.startswith("inf", j) and j == i + 1:
                return Token("number", i, j + 3)
            raise self._invalid(i, "'-' must be followed by digits or 'inf'")
        if text[j] == "0":
            j += 1
        else:
            while j < n and text[j] in _DIGITS:
                j += 1
        if j + 1 < n and text[j] == "." and text[j + 1] in _DIGITS:
            j += 2
            while j < n and text[j] in _DIGITS:
                j += 1
        if j < n and text[j] in "eE":
            k = j + 1
            if k < n and text[k] in "+-":
                k += 1
            if k < n and text[k] in _DIGITS:
                while k < n and text[k] in _DIGITS:
                    k += 1
                j = k
        return Token("number", i, j)

    def _char(self, i: int) -> Token:
        text = self.text
        if text.startswith("\\", i + 1):
            end = escape_end(text, i + 1)
            if end < 0:
                raise self._invalid(i, "malformed escape in a char")
            if not text.startswith("'", end):
                raise self._invalid(i, "a char holds exactly one character")
            return Token("char", i, end + 1)
        # up to four plain characters then a quote, as wasm-wave's lexer reads it; more
        # than one is a token of the wrong length, reported over the whole of it
        j = i + 1
        while j < len(text) and j - i <= 4 and text[j] not in "\\'\n":
            j += 1
        if j == i + 1 or not text.startswith("'", j):
            raise self._invalid(i, "expected one character (or escape) between single quotes")
        if j != i + 2:
            raise self.error("invalid-token", "a char holds exactly one character", i, j + 1)
        return Token("char", i, j + 1)

    def _string(self, i: int) -> Token:
        text = self.text
        j = i + 1
        while True:
            found = _STRING_STOP.search(text, j)
            if found is None:
                raise self.error("invalid-token", "unterminated string", i, len(text))
            j = found.start()
            c = text[j]
            if c == '"':
                return Token("string", i, j + 1)
            if c == "\n":
                raise self.error(
                    "invalid-token", "a line break in a string must be written \\n", i, j
                )
            end = escape_end(text, j)
            if end < 0:
                raise self._invalid(i, f"malformed escape {text[j : j + 2]!r}... in a string")
            j = end

    def _multiline(self, i: int) -> Token:
        close = self.text.find('"""', i + 3)
        if close < 0:
            raise self.error("invalid-token", 'a multiline string needs a closing """', i, i + 3)
        return Token("multiline", i, close + 3)
