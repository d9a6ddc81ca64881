"""Source maps: where the WIT text came from, and how a location becomes a diagnostic.

Every file added to a ``SourceMap`` gets a base offset; a location (``ast.Loc``)
is a range of global offsets, so the parser and resolver pass around two ints and
only this module knows about file names, lines and columns.  Each file occupies
its length plus one, so a location at end-of-file still belongs to that file.

``SourceMap.error`` is the one place an internal located error turns into the
public ``WitError`` with a ``Span`` (1-based line and column, in characters).
"""

from __future__ import annotations

import bisect

from witkit.errors import Span, WitError
from witkit.wit.ast import Loc

__all__ = ["Source", "SourceMap"]


class Source:
    """One file: its display name, text and base offset."""

    __slots__ = ("_line_starts", "base", "name", "text")

    def __init__(self, name: str, text: str, base: int) -> None:
        self.name = name
        self.text = text
        self.base = base
        self._line_starts: list[int] | None = None

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts


class SourceMap:
    """An append-only list of sources sharing one offset space."""

    __slots__ = ("_bases", "next_base", "sources")

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self._bases: list[int] = []
        self.next_base = 0

    def add(self, name: str, text: str) -> Source:
        """Register ``text`` under ``name``; returns the source with its base offset."""
        source = Source(name, text, self.next_base)
        self.sources.append(source)
        self._bases.append(source.base)
        self.next_base += len(text) + 1
        return source

    def source_of(self, offset: int) -> Source:
        return self.sources[bisect.bisect_right(self._bases, offset) - 1]

    def span(self, loc: Loc) -> Span:
        """File, line, column and caret length of ``loc``."""
        src = self.source_of(loc.start)
        rel = min(loc.start - src.base, len(src.text))
        starts = src.line_starts()
        line = bisect.bisect_right(starts, rel) - 1
        line_start = starts[line]
        line_end = src.text.find("\n", line_start)
        if line_end < 0:
            line_end = len(src.text)
        text = src.text[line_start:line_end].rstrip("\r")
        column = rel - line_start + 1
        length = max(1, min(loc.end - loc.start, len(text) - (column - 1)))
        return Span(src.name, line + 1, column, length, text)

    def location(self, loc: Loc) -> str:
        """``file:line:col`` of ``loc``, for messages that mention a second place."""
        return str(self.span(loc))

    def error(self, message: str, loc: Loc | None, hint: str | None = None) -> WitError:
        """The public error for ``message`` at ``loc`` (no span if ``loc`` is None)."""
        if loc is None or not self.sources:
            return WitError(message, None, hint)
        return WitError(message, self.span(loc), hint)
