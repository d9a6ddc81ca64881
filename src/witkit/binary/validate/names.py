"""Names of the component model: labels (kebab-case), extern names, strong uniqueness.

Explainer.md "Import and Export Definitions" gives the grammar: a name is a
``label``, an ``[constructor]``/``[method]``/``[static]`` annotated label, or an
interface name ``ns:pkg/iface@version``.  (The ``url=``, ``locked-dep=``,
``unlocked-dep=`` and ``integrity=`` names of earlier drafts are gone from the
spec and from wasm-tools 1.262, so they are rejected here too.)  Two names in one scope must be
*strongly unique*: different even when compared case-insensitively, and
``[method]r.r`` / ``[static]r.r`` clash with the label ``r``.

The parse follows wasmparser's ``validator/names.rs`` (as of wasm-tools 1.262)
so that exactly the same names are accepted.  Versions (their syntax, canonical
form and compatibility) are ``witkit.semver``'s, shared with the linker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from witkit.binary.validate.context import Features
from witkit.semver import is_semver

__all__ = [
    "NameError_",
    "canonical_label",
    "ParsedName",
    "check_semver",
    "is_kebab",
    "parse_name",
]

NameKind = Literal[
    "label", "constructor", "method", "static", "interface", "dependency", "url", "hash"
]


class NameError_(Exception):
    """A name that does not parse; turned into a ``ValidationError`` by the caller."""


def canonical_label(s: str, hyphens: bool = True) -> str:
    """The form two labels are compared in for uniqueness: lowercase, hyphens dropped.

    ``hyphens=False`` keeps the hyphens (the Explainer's rule at the spec tests'
    revision; see ``Features.hyphen_insensitive_names``).
    """
    return s.replace("-", "").lower() if hyphens else s.lower()


def is_kebab(s: str) -> bool:
    """``label``: words of all-lowercase or all-uppercase letters and digits, joined by ``-``.

    A word may not start with a digit unless it is not the first word.
    """
    lower = upper = has_digit = False
    is_first = True
    for c in s:
        if "a" <= c <= "z":
            if upper:
                return False
            lower = True
        elif "A" <= c <= "Z":
            if lower:
                return False
            upper = True
        elif "0" <= c <= "9":
            if not lower and not upper and is_first:
                return False
            has_digit = True
        elif c == "-":
            if not (lower or upper or has_digit):
                return False
            lower = upper = has_digit = False
            is_first = False
        else:
            return False
    return s != "" and not s.endswith("-")


def check_semver(s: str) -> None:
    """Raise ``NameError_`` unless ``s`` is a valid semver (``witkit.semver`` parses them)."""
    if not is_semver(s):
        raise NameError_(f"`{s}` is not a valid semver")


@dataclass(frozen=True, slots=True)
class ParsedName:
    """An extern name, parsed: its kind and the parts later checks need."""

    raw: str
    kind: NameKind
    #: label / constructor: the label; method / static: the resource; interface: the name
    first: str = ""
    #: method / static: the method's label; interface: the version after ``@`` (or ``None``)
    second: str | None = None

    def unique_key(self, hyphens: bool = True) -> tuple[str, ...]:
        """Equal keys <=> the names are not strongly unique.

        Labels compare case- and hyphen-insensitively (Explainer.md "Name
        Uniqueness", component-model#704, as wasm-tools 1.262 implements it);
        ``[method]r.m``/``[static]r.m`` clash with each other and, when ``r``
        and ``m`` are the same label, with the plain label; an interface name
        compares its path that way and its version exactly.
        """
        kind = self.kind
        if kind == "label":
            return ("label", canonical_label(self.first, hyphens))
        if kind == "constructor":
            return ("constructor", canonical_label(self.first, hyphens))
        if kind in ("method", "static"):
            resource = canonical_label(self.first, hyphens)
            method = canonical_label(self.second or "", hyphens)
            if resource == method:
                return ("label", resource)
            return ("method", resource, method)
        if kind == "interface":
            path, _, version = self.raw.partition("@")
            return ("interface", canonical_label(path, hyphens), version)
        return (kind, self.raw)


class _Parser:
    __slots__ = ("features", "next")

    def __init__(self, text: str, features: Features) -> None:
        self.next = text
        self.features = features

    def eat(self, prefix: str) -> bool:
        if self.next.startswith(prefix):
            self.next = self.next[len(prefix) :]
            return True
        return False

    def expect(self, prefix: str) -> None:
        if not self.eat(prefix):
            raise NameError_(f"expected `{prefix}` at `{self.next}`")

    def take_until(self, c: str) -> str:
        i = self.next.find(c)
        if i < 0:
            raise NameError_(f"failed to find `{c}` character")
        out, self.next = self.next[:i], self.next[i + 1 :]
        return out

    def take_up_to(self, c: str) -> str:
        i = self.next.find(c)
        if i < 0:
            raise NameError_(f"failed to find `{c}` character")
        out, self.next = self.next[:i], self.next[i:]
        return out

    def take_rest(self) -> str:
        out, self.next = self.next, ""
        return out

    @staticmethod
    def kebab(s: str) -> str:
        if not is_kebab(s):
            raise NameError_(f"`{s}` is not in kebab case")
        return s

    def expect_kebab(self) -> str:
        return self.kebab(self.take_rest())

    def take_kebab(self) -> str:
        for i, c in enumerate(self.next):
            if not (c.isascii() and (c.isalnum() or c == "-")):
                out, self.next = self.next[:i], self.next[i:]
                return self.kebab(out)
        return self.expect_kebab()

    def take_lowercase_kebab(self) -> str:
        word = self.take_kebab()
        for c in word:
            if c.isalpha() and not c.islower():
                raise NameError_(f"character `{c}` is not lowercase in package name/namespace")
        return word

    def pkg_path(self, require_projection: bool) -> None:
        self.take_lowercase_kebab()
        self.expect(":")
        self.take_lowercase_kebab()
        self._nested(":", self.take_lowercase_kebab)
        if self.next.startswith("/"):
            self.expect("/")
            self.take_kebab()
            self._nested("/", self.take_kebab)
        elif require_projection:
            raise NameError_("expected `/` after package name")

    def _nested(self, separator: str, take: Callable[[], object]) -> None:
        """🪺 More ``separator``-led segments of a nested namespace or interface path."""
        if self.features.cm_nested_names:
            while self.next.startswith(separator):
                self.expect(separator)
                take()

    def pkg_name(self, is_interface: bool) -> str | None:
        self.pkg_path(is_interface)
        if self.eat("@"):
            i = self.next.find(">")
            version = self.take_rest() if i < 0 else self.take_up_to(">")
            if not is_interface:
                check_semver(version)
            return version
        return None

    def parse(self) -> ParsedName:
        raw = self.next
        if self.eat("[constructor]"):
            return ParsedName(raw, "constructor", self.expect_kebab())
        for prefix, kind in (("[method]", "method"), ("[static]", "static")):
            if self.eat(prefix):
                resource = self.kebab(self.take_until("."))
                method = self.expect_kebab()
                return ParsedName(raw, kind, resource, method)  # type: ignore[arg-type]
        if ":" in self.next:
            version = self.pkg_name(True)
            return ParsedName(raw, "interface", raw, version)
        return ParsedName(raw, "label", self.expect_kebab())


def parse_name(text: str, features: Features) -> ParsedName:
    """Parse an extern name; raise ``NameError_`` (with the reason) if it is not one."""
    parser = _Parser(text, features)
    parsed = parser.parse()
    if parser.next:
        raise NameError_(f"trailing characters found: `{parser.next}`")
    return parsed
