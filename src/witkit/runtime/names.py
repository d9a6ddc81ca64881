"""Import names as the linker matches them: exact first, then semver-compatible.

Explainer.md, "Canonical Interface Name": a guest that imports
``wasi:http/types@0.2.6`` is served by a host that defines ``wasi:http/types@0.2.1``
(and the other way round), because both canonicalise to ``wasi:http/types@0.2``;
whether the host's definition really has everything the guest uses is left to
ordinary type checking.  The split point of a version is the spec's: after
``major`` when it is non-zero, else after ``minor`` when that is non-zero, else
after ``patch``.  A pre-release (``1.0.0-rc.1``) or build suffix is kept in the
key, so ``-rc`` versions only ever match themselves.

Rules of this module:

* Pure functions over strings; nothing here knows about types or values.
* When several definitions share a canonical key, the highest version wins
  (what ``wasmtime``'s linker does too): it is the one most likely to have
  everything any compatible importer asks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

__all__ = ["canonical_key", "lookup", "parse_version", "split_version"]

_V = TypeVar("_V")

#: ``major.minor.patch`` with an optional ``-pre`` and ``+build``: Semantic Versioning 2.0
_SEMVER = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


def split_version(name: str) -> tuple[str, str | None]:
    """``wasi:io/streams@0.2.0`` -> (``wasi:io/streams``, ``0.2.0``); plain names have none."""
    if ":" not in name or "@" not in name:
        return name, None
    base, _, version = name.rpartition("@")
    return base, version


def parse_version(version: str) -> tuple[int, int, int, str, str] | None:
    """(major, minor, patch, pre-release, build) of a full semver, or ``None``."""
    match = _SEMVER.match(version)
    if match is None:
        return None
    major, minor, patch, pre, build = match.groups()
    return int(major), int(minor), int(patch), pre or "", build or ""


def canonical_key(name: str) -> str:
    """The name with its version cut to the spec's ``canonversion`` (only for stable versions).

    Names without a version, canonical versions (``@0.2``) and versions that do
    not parse map to themselves, so they only ever match exactly.
    """
    base, version = split_version(name)
    if version is None:
        return name
    parsed = parse_version(version)
    if parsed is None or parsed[3] or parsed[4]:
        return name
    major, minor, patch = parsed[0], parsed[1], parsed[2]
    if major:
        return f"{base}@{major}"
    if minor:
        return f"{base}@0.{minor}"
    return f"{base}@0.0.{patch}"


def _version_order(name: str) -> tuple[int, int, int]:
    parsed = parse_version(split_version(name)[1] or "")
    return (0, 0, 0) if parsed is None else (parsed[0], parsed[1], parsed[2])


def lookup(defined: Mapping[str, _V], wanted: str) -> tuple[str, _V] | None:
    """The definition serving import ``wanted``: the exact name, else the best compatible one."""
    if wanted in defined:
        return wanted, defined[wanted]
    key = canonical_key(wanted)
    if key == wanted and split_version(wanted)[1] is None:
        return None
    best = _best(name for name in defined if canonical_key(name) == key)
    if best is None:
        return None
    return best, defined[best]


def _best(names: Iterable[str]) -> str | None:
    best: str | None = None
    for name in names:
        if best is None or _version_order(name) > _version_order(best):
            best = name
    return best
