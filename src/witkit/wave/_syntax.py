"""WAVE syntax: tokens -> an untyped tree with spans, the second phase of reading a value.

Rules of this module:

* **No types here.**  ``true``, ``left`` and ``some(1)`` are told apart by their
  tokens only; whether ``left`` is an enum case or a variant case, and whether
  ``7`` is a ``u8`` or a flat ``some(7)``, is decided when the tree meets a type
  (``_typed``).  So a syntax error is found before any type error, wherever it is.
* **Every node keeps its span**, so a type error points at the value it is about.
* **Commas separate, a trailing one is allowed** (``[1, 2,]``, ``{a: 1,}``); ``{}``
  is empty flags and ``{:}`` the record whose fields are all omitted ``none``s.
* **Depth is bounded** (``MAX_DEPTH``), so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

from witkit._record import record
from witkit.wave._lexer import Lexer, Token, WaveError

__all__ = ["MAX_DEPTH", "Node", "Parser"]

#: how deeply values may nest: wasm-wave's limit, far above any real type's depth and
#: far below Python's recursion limit
MAX_DEPTH = 100

#: a label token that is a keyword, bare, becomes a node of that kind
_KEYWORD_NODES = {"true", "false", "some", "none", "ok", "err", "inf", "nan"}


@record
class Node:
    """A value as written: its kind, span and parts.

    Kinds: ``true``/``false``, ``number`` (``inf``/``nan`` too), ``char``, ``string``,
    ``multiline``, ``label`` (a case without payload, or a name), ``case`` (a label
    and its payload), ``some``/``none``/``ok``/``err`` (at most one child), ``tuple``,
    ``list``, ``record`` (children alternate label and value) and ``flags`` (labels).
    """

    kind: str
    start: int
    end: int
    children: tuple[Node, ...] = ()

    def slice(self, text: str) -> str:
        """The text of the node."""
        return text[self.start : self.end]

    def label(self, text: str) -> str:
        """The name a ``label`` node stands for: its text without a leading ``%``."""
        name = text[self.start : self.end]
        return name[1:] if name.startswith("%") else name


_WHAT = {
    "{": "'{'",
    "}": "'}'",
    "(": "'('",
    ")": "')'",
    "[": "'['",
    "]": "']'",
    ":": "':'",
    ",": "','",
    "number": "a number",
    "label": "a label",
    "char": "a char",
    "string": "a string",
    "multiline": "a string",
}


class Parser:
    """Recursive descent over a ``Lexer``: one method per production of ``wave_ebnf.md``."""

    def __init__(self, lexer: Lexer) -> None:
        self.lex = lexer
        self.text = lexer.text
        self.depth = 0

    # ------------------------------------------------------------------ tokens

    def advance(self) -> Token:
        """The next token; the end of the text here is an error."""
        token = self.lex.next()
        if token is None:
            end = len(self.text)
            raise self.lex.error("unexpected-end", "unexpected end of input", end, end)
        return token

    def unexpected(self, token: Token, wanted: str) -> WaveError:
        """The error for ``token`` where ``wanted`` was expected."""
        found = _WHAT.get(token.kind, token.kind)
        if token.kind == "label":
            found = f"label {token_text(self.text, token)!r}"
        return self.lex.error(
            "unexpected-token", f"expected {wanted}, found {found}", token.start, token.end
        )

    def expect(self, token: Token, kind: str, wanted: str) -> Token:
        """``token`` if it is of ``kind``, else an "unexpected token" error."""
        if token.kind != kind:
            raise self.unexpected(token, wanted)
        return token

    def next_is(self, kind: str) -> bool:
        """Whether the next token is of ``kind`` (a malformed one is not)."""
        token = self.lex.peek()
        return token is not None and token.kind == kind

    def finish(self) -> None:
        """Fail if anything but whitespace and comments is left."""
        i = self.lex.skip_space(self.lex.pos)
        if i < len(self.text):
            token = self.lex.peek()
            end = token.end if token is not None else i + 1
            raise self.lex.error(
                "trailing-characters", "trailing characters after the value", i, end
            )

    # ------------------------------------------------------------------ values

    def value(self) -> Node:
        """``value``: one value of any kind."""
        if self.depth >= MAX_DEPTH:
            last = self.lex.last
            raise self.lex.error(
                "nesting-too-deep",
                f"values nest more than {MAX_DEPTH} deep",
                last.start,
                last.end,
            )
        self.depth += 1
        try:
            return self._value(self.advance())
        finally:
            self.depth -= 1

    def _value(self, token: Token) -> Node:
        kind = token.kind
        if kind in ("number", "char", "string", "multiline"):
            return Node(kind, token.start, token.end)
        if kind == "(":
            return self.tuple_node(token)
        if kind == "[":
            children, end = self.sequence("]")
            return Node("list", token.start, end, children)
        if kind == "{":
            return self.record_or_flags(token)
        if kind == "label":
            word = token_text(self.text, token)
            if word in _KEYWORD_NODES:
                return self.keyword(word, token)
            if self.next_is("("):
                self.advance()
                payload = self.value()
                end = self.expect(self.advance(), ")", "')' after the payload").end
                label = Node("label", token.start, token.end)
                return Node("case", token.start, end, (label, payload))
            return Node("label", token.start, token.end)
        raise self.unexpected(token, "a value")

    def keyword(self, word: str, token: Token) -> Node:
        """A bare keyword: a bool, ``inf``/``nan``, or an option or result case."""
        if word in ("inf", "nan"):
            return Node("number", token.start, token.end)
        if word in ("true", "false", "none"):
            return Node(word, token.start, token.end)
        if word == "some":
            self.expect(self.advance(), "(", "'(' after 'some'")
        elif not self.next_is("("):  # ok / err without payload
            return Node(word, token.start, token.end)
        else:
            self.advance()
        payload = self.value()
        end = self.expect(self.advance(), ")", "')' after the payload").end
        return Node(word, token.start, end, (payload,))

    def tuple_node(self, opening: Token) -> Node:
        """``tuple``: ``(a, b)``; an empty one is no value."""
        children, end = self.sequence(")")
        if not children:
            raise self.lex.error("empty-tuple", "a tuple cannot be empty", opening.start, end)
        return Node("tuple", opening.start, end, children)

    def sequence(self, closing: str) -> tuple[tuple[Node, ...], int]:
        """Comma-separated values up to ``closing`` (a trailing comma allowed); its end."""
        nodes: list[Node] = []
        if self.next_is(closing):
            return (), self.advance().end
        while True:
            nodes.append(self.value())
            token = self.advance()
            if token.kind == ",":
                if self.next_is(closing):
                    return tuple(nodes), self.advance().end
                continue
            self.expect(token, closing, f"',' or {_WHAT[closing]}")
            return tuple(nodes), token.end

    def record_or_flags(self, opening: Token) -> Node:
        """``record`` or ``flags``: ``{a: 1}``, ``{:}``, ``{a, b}``, ``{}``."""
        token = self.advance()
        if token.kind == ":":
            end = self.expect(self.advance(), "}", "'}' after '{:'").end
            return Node("record", opening.start, end)
        if token.kind == "}":
            return Node("flags", opening.start, token.end)
        return self.braced(opening, token, fields=self.next_is(":"))

    def braced(self, opening: Token, token: Token, fields: bool) -> Node:
        """The items of a record (``fields``: ``label: value``) or of flags (labels).

        Either way the names are labels, each at most once, separated by commas,
        with a trailing one allowed.
        """
        what = "field" if fields else "flag"
        seen: set[str] = set()
        children: list[Node] = []
        while True:
            label = self.label(token, f"a {what} name")
            name = label.label(self.text)
            if name in seen:
                raise self.lex.error(
                    f"duplicate-{what}", f"duplicate {what} {name!r}", label.start, label.end
                )
            seen.add(name)
            children.append(label)
            if fields:
                self.expect(self.advance(), ":", "':' after the field name")
                children.append(self.value())
            token = self.advance()
            if token.kind == ",":
                token = self.advance()
            elif token.kind != "}":
                raise self.unexpected(token, "',' or '}'")
            if token.kind == "}":
                kind = "record" if fields else "flags"
                return Node(kind, opening.start, token.end, tuple(children))

    def label(self, token: Token, wanted: str) -> Node:
        """A label node from ``token`` (any label, keywords included: names need no ``%``)."""
        self.expect(token, "label", wanted)
        return Node("label", token.start, token.end)


def token_text(text: str, token: Token) -> str:
    """The text of a token."""
    return text[token.start : token.end]
