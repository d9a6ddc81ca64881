"""The resolver's located error, and the "did you mean" hint every lookup shares."""

from __future__ import annotations

from collections.abc import Iterable

from witkit.wit.ast import Loc
from witkit.wit.parser import ParseError

__all__ = ["ResolveError", "did_you_mean"]


class ResolveError(ParseError):
    """A name or type error at ``loc`` (a ``ParseError``, so both convert the same way).

    ``unknown`` is set when the error is "this name does not exist", so a caller
    with a better view of the scope can improve the message and hint.  ``also`` is
    a second location the message refers to (a duplicate's first definition).
    """

    def __init__(
        self,
        message: str,
        loc: Loc | None,
        hint: str | None = None,
        *,
        unknown: str | None = None,
        also: Loc | None = None,
    ) -> None:
        super().__init__(message, loc, hint)
        self.unknown = unknown
        self.also = also


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean `x`?`` for the closest names in scope, or None if none is close."""
    import difflib  # only errors need it; keeps it out of every start-up

    unique = list(dict.fromkeys(c for c in candidates if c != name))
    close = difflib.get_close_matches(name, unique, n=3, cutoff=0.6)
    if not close:
        return None
    if len(close) == 1:
        return f"did you mean `{close[0]}`?"
    listed = ", ".join(f"`{c}`" for c in close[:-1])
    return f"did you mean {listed} or `{close[-1]}`?"
