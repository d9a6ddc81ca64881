"""Versions in interface names: the one place they are parsed, canonicalised and matched.

An interface name may end in ``@version``, a Semantic Versioning 2.0 version
(Explainer.md, "Import and Export Definitions").  Three phases need it and must
agree: validation (the ``versionsuffix`` rule), the linker (which definition
serves an import) and the WASI host's pre-link check (which imports it serves).

Which versions are compatible is wasmtime's rule (``NameMap`` in its
``environ/src/component/names.rs``), so witkit links what wasmtime links:

* An exact name always wins.
* Otherwise a version is on a *track*, the name cut to the spec's
  ``canonversion``: ``@1.2.3`` is on ``@1``, ``@0.2.6`` on ``@0.2``; every
  version on one track serves every other.  Build metadata is ignored
  (``@1.2.0+build`` is on ``@1``).
* ``0.0.x`` versions and pre-releases (``@1.0.0-rc.1``) are on no track: each
  only ever matches itself, exactly (a pre-release promises nothing).
* When several definitions share a track, the highest version serves (semver
  precedence; build metadata, which semver leaves unordered, breaks ties:
  none lowest, then identifier by identifier, numbers before words).

One witkit extension: a name already spelled canonically (``a:b/c@0.2``, which
validation accepts when no ``versionsuffix`` follows) names its track, so it is
served by, and serves, any version on it.

Rules of this module: pure functions over strings, nothing about types; import
cost is ``re`` only (``witkit run`` imports it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple, TypeVar

__all__ = [
    "Version",
    "canonical_version",
    "is_semver",
    "lookup",
    "parse_version",
    "split_version",
    "track",
]

_V = TypeVar("_V")

_NUM = r"(0|[1-9][0-9]*)"
#: a pre-release identifier: numeric without leading zeros, or alphanumeric
_PRE_IDENT = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_IDENT = r"[0-9A-Za-z-]+"
#: ``major.minor.patch[-pre][+build]``, as strictly as https://semver.org states it
_SEMVER = re.compile(
    rf"{_NUM}\.{_NUM}\.{_NUM}"
    rf"(?:-({_PRE_IDENT}(?:\.{_PRE_IDENT})*))?"
    rf"(?:\+({_BUILD_IDENT}(?:\.{_BUILD_IDENT})*))?"
)
#: a ``canonversion`` (Explainer.md): ``1``, ``0.2``, ``0.0.3``
_CANONICAL = re.compile(r"[1-9][0-9]*|0\.[1-9][0-9]*|0\.0\.[1-9][0-9]*")


class Version(NamedTuple):
    """A parsed semver; ``pre`` and ``build`` are ``""`` when absent."""

    major: int
    minor: int
    patch: int
    pre: str
    build: str


def is_semver(text: str) -> bool:
    """Whether ``text`` is a valid semver (https://semver.org), nothing more or less."""
    return _SEMVER.fullmatch(text) is not None


def parse_version(text: str) -> Version | None:
    """The parts of a valid semver, or ``None``."""
    match = _SEMVER.fullmatch(text)
    if match is None:
        return None
    major, minor, patch, pre, build = match.groups()
    return Version(int(major), int(minor), int(patch), pre or "", build or "")


def canonical_version(version: str) -> str:
    """The ``canonversion`` of a valid semver (Explainer.md "Canonical Interface Name").

    ``1.2.3`` -> ``1``, ``0.2.6`` -> ``0.2``, ``0.0.1`` -> ``0.0.1``; build metadata
    is dropped, and (as wasm-tools does) a pre-release is its own canonical version.
    """
    core, _, _build = version.partition("+")
    numbers, dash, _pre = core.partition("-")
    if dash:
        return core
    major, minor, patch = numbers.split(".")
    if major != "0":
        return major
    if minor != "0":
        return f"0.{minor}"
    return f"0.0.{patch}"


def split_version(name: str) -> tuple[str, str | None]:
    """``wasi:io/streams@0.2.0`` -> (``wasi:io/streams``, ``0.2.0``); other names have none."""
    if ":" not in name or "@" not in name:
        return name, None
    base, _, version = name.rpartition("@")
    return base, version


def track(name: str) -> str | None:
    """The track ``name`` is on (``a:b/c@1.2.0+x`` -> ``a:b/c@1``), or ``None``.

    ``None`` for names without a version, with one that does not parse, a
    pre-release or a ``0.0.x``: those match only exactly.
    """
    base, version = split_version(name)
    if version is None:
        return None
    if _CANONICAL.fullmatch(version) is not None:
        return None if version.startswith("0.0.") else name
    parsed = parse_version(version)
    if parsed is None or parsed.pre or (parsed.major == 0 and parsed.minor == 0):
        return None
    if parsed.major:
        return f"{base}@{parsed.major}"
    return f"{base}@0.{parsed.minor}"


def _precedence(name: str) -> tuple[int, int, int, tuple[tuple[int, int, str], ...]]:
    """Sort key of a version on a track (never a pre-release); a canonical spelling is lowest."""
    parsed = parse_version(split_version(name)[1] or "")
    if parsed is None:
        return (-1, 0, 0, ())
    build = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in parsed.build.split(".")
        if part
    )
    return (parsed.major, parsed.minor, parsed.patch, build)


def lookup(defined: Mapping[str, _V], wanted: str) -> tuple[str, _V] | None:
    """The definition serving ``wanted``: the exact name, else the highest on its track."""
    if wanted in defined:
        return wanted, defined[wanted]
    key = track(wanted)
    if key is None:
        return None
    best: str | None = None
    for name in defined:
        if track(name) == key and (best is None or _precedence(name) > _precedence(best)):
            best = name
    return None if best is None else (best, defined[best])
