"""What an item says beside its name: doc comments, feature gates, external ids.

These follow wasm-tools' readings: every comment before an item counts as
documentation (``//`` too), indentation common to the lines is removed, and a
gate is ``@since`` or ``@unstable`` (never both), optionally with
``@deprecated``.
"""

from __future__ import annotations

from witkit.wit import ast, model
from witkit.wit.resolve.errors import ResolveError

__all__ = ["docs_of", "external_id_of", "stability_of"]


def docs_of(docs: ast.Docs) -> model.Docs:
    """Doc comments as the reference normalises them.

    Every comment counts (``//`` as well as ``///``); markers are stripped, then
    the common leading indentation, and the lines joined with newlines.
    """
    if not docs.comments:
        return model.Docs()
    lines: list[str] = []
    for comment in docs.comments:
        if comment.startswith("/**") and len(comment) >= 5:
            body = comment[3:-2]
        elif comment == "/**/":
            body = ""  # (wasm-tools 1.262 panics on this one)
        else:
            body = comment.lstrip("/")
        lines.append(body.rstrip())
    indents = [len(d) - len(d.lstrip(" \t\n\r\x0c")) for d in lines if d]
    indent = min(indents) if indents else 0
    if indent:
        prefix = " " * indent
        lines = [d[indent:] if d.startswith(prefix) else d for d in lines]
    out: list[str] = []
    for doc in lines:
        if not doc:
            out.append("\n")
        else:
            for line in doc.split("\n"):
                out.append(line.removesuffix("\r") + "\n")
            if doc.endswith("\n"):
                out.pop()
    contents = "".join(out).rstrip("\n")
    return model.Docs(contents)


def stability_of(attributes: tuple[ast.Attribute, ...]) -> model.Stability:
    """The gate written by ``@since``/``@unstable``/``@deprecated``."""
    since: ast.Since | None = None
    deprecated: ast.Deprecated | None = None
    unstable: ast.Unstable | None = None
    for attr in attributes:
        if isinstance(attr, ast.Since):
            if since is not None:
                raise ResolveError("cannot specify @since twice", attr.loc)
            since = attr
        elif isinstance(attr, ast.Deprecated):
            if deprecated is not None:
                raise ResolveError("cannot specify @deprecated twice", attr.loc)
            deprecated = attr
        elif isinstance(attr, ast.Unstable):
            if unstable is not None:
                raise ResolveError("cannot specify @unstable twice", attr.loc)
            unstable = attr
    dep = None if deprecated is None else str(deprecated.version)
    if since is not None and unstable is not None:
        raise ResolveError("cannot specify both @since and @unstable", since.loc)
    if since is not None:
        return model.Stability("stable", since=str(since.version), deprecated=dep)
    if unstable is not None:
        return model.Stability("unstable", feature=unstable.feature.name, deprecated=dep)
    if deprecated is not None:
        raise ResolveError(
            "@deprecated needs a @since or @unstable beside it",
            deprecated.loc,
            "add @since(version = ...) for the version the item appeared in",
        )
    return model.Stability()


def external_id_of(attributes: tuple[ast.Attribute, ...]) -> str | None:
    found: str | None = None
    for attr in attributes:
        if isinstance(attr, ast.ExternalId):
            if found is not None:
                raise ResolveError("cannot specify @external-id twice", attr.loc)
            found = attr.value
    return found
