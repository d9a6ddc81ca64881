"""The witkit error tree: every failure witkit reports is one of these.

Errors are data: they carry the facts (byte offset, source span, names) and are
rendered into one line (or a caret diagnostic) at the edge, by the CLI.  The
library never prints.

    WitkitError                  base of everything witkit raises on bad input
    ├── BinaryError              a binary could not be decoded (has .offset)
    │   └── ValidationError      it decoded, but breaks a rule of the spec
    ├── WitError                 WIT text could not be parsed or resolved (has .span)
    ├── WatError                 wasm text could not be assembled
    ├── LinkError                imports could not be satisfied / types do not match
    └── Trap                     a guest broke a rule while running (has .rule), or a
                                 host function failed under it (rule ``host-error``)

A guest must never be able to cause anything other than a ``Trap``; host misuse
of the Python API raises ``LinkError``, ``TypeError`` or ``ValueError``.  What
poisons an instance is always a ``Trap``: a host function's exception, bad
result or value from a result-less import becomes one (``__cause__``: what the
host raised), so ``except Trap`` catches every call that leaves an instance
unusable.
"""

from __future__ import annotations

from typing import TypeVar

from witkit._record import record

_E = TypeVar("_E", bound=BaseException)


def find_cause(err: BaseException, kind: type[_E]) -> _E | None:
    """The ``kind`` exception ``err`` was raised from or during, ``err`` included, if any.

    The runtime wraps what a host call raised in a trap, and Python wraps what a
    class body raised (``__set_name__``): the exit or interrupt behind them is
    found by walking ``__cause__`` / ``__context__``, each exception once.
    """
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


__all__ = [
    "BinaryError",
    "LinkError",
    "Span",
    "Trap",
    "ValidationError",
    "WatError",
    "WitError",
    "WitkitError",
    "find_cause",
]


class WitkitError(Exception):
    """Base class: anything witkit raises because of its input."""

    def render(self) -> str:
        """One line for a person, used by the CLI's single error printer."""
        return str(self)


class BinaryError(WitkitError):
    """A binary that does not decode; ``offset`` is where the reader stopped."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"{self.message} (at offset 0x{self.offset:x})"


class ValidationError(BinaryError):
    """A binary that decodes but breaks a validation rule of the spec."""


@record
class Span:
    """A range of WIT source: file name, 1-based line and column, and length in chars."""

    file: str
    line: int
    column: int
    length: int = 1
    #: the full text of the source line, for the caret rendering
    source_line: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class WitError(WitkitError):
    """WIT text that does not parse or resolve, with where and (if known) what was meant."""

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def __str__(self) -> str:
        text = self.message if self.hint is None else f"{self.message}, {self.hint}"
        return text if self.span is None else f"{self.span}: {text}"

    def render(self) -> str:
        """``file:line:col: message`` followed by the source line and a caret under the span."""
        head = str(self)
        if self.span is None or not self.span.source_line:
            return head
        gutter = f"{self.span.line} | "
        caret = (
            " " * (len(gutter) + self.span.column - 1) + "^" + "-" * max(0, self.span.length - 1)
        )
        return f"{head}\n{gutter}{self.span.source_line}\n{caret}"


class WatError(WitkitError):
    """Wasm text (``.wat``) that the assembler rejects; the message keeps its line:column."""


class LinkError(WitkitError):
    """Imports that cannot be satisfied, or are satisfied with the wrong type.

    ``problems`` holds one line per unsatisfied import or item (the linker
    reports them all at once, so a host is fixed in one round, not one per run).
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class Trap(WitkitError):
    """A guest broke a rule of the Canonical ABI or of core wasm while running."""

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
