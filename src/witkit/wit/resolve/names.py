"""Names in one scope must be *strongly unique*; this is how they are compared.

Explainer.md "Name Uniqueness": names are compared lowercased, ``[method]l.l``
and ``[static]l.l`` as ``l``, other annotations but ``[constructor]`` dropped.
wasm-tools 1.262 applies this to WIT (interface items, world imports and
exports, fields, cases, flags); the messages say whether a name was written
twice or differs from an earlier one only in case.
"""

from __future__ import annotations

from witkit.wit.ast import Id, Loc
from witkit.wit.resolve.errors import ResolveError

__all__ = ["canonical_name", "check_unique", "unique_labels"]


def canonical_name(name: str) -> str:
    """A name as the Component Model compares names for *strong uniqueness*.

    Explainer.md "Name Uniqueness": lowercase; ``[method]l.l``/``[static]l.l``
    become ``l``; any other annotation but ``[constructor]`` is dropped.  Two
    names in one scope conflict if these are equal.
    """
    lower = name.lower()
    if lower.startswith(("[method]", "[static]")):
        rest = lower[8:]
        res, dot, item = rest.partition(".")
        return res if dot and res == item else rest
    if lower.startswith("[") and not lower.startswith("[constructor]"):
        return lower[lower.find("]") + 1 :]
    return lower


def check_unique(
    name: str, loc: Loc, canon: dict[str, str], what: str, exact: str | None = None
) -> None:
    """Add ``name`` to a scope's canonical names, or raise if it conflicts.

    ``exact`` is the message for a name written twice (the caller's wording);
    otherwise ``duplicate <what> `name```.
    """
    key = canonical_name(name)
    prev = canon.get(key)
    if prev is not None:
        if prev == name:
            raise ResolveError(exact or f"duplicate {what} `{name}`", loc)
        raise ResolveError(
            f"{what} `{name}` conflicts with previous {what} `{prev}`",
            loc,
            "names in one scope must differ in more than letter case (they are strongly unique)",
        )
    canon[key] = name


def unique_labels(names: list[Id], what: str) -> None:
    """Check the labels of a record, variant, enum or flags."""
    seen: dict[str, str] = {}
    for name in names:
        check_unique(name.name, name.loc, seen, what)
