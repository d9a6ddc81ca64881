"""WIT, the WebAssembly Interface Types language: text to model, model to text and binary.

Public API (imported lazily, so ``import witkit.wit`` stays cheap):

* ``parse_path(path, *, deps=(), features=(), all_features=False)`` -- a ``.wit``
  file, or a directory with its ``deps/``; returns ``(Resolve, PackageId)``.
* ``parse_text(text, name)`` / ``parse_sources(main, deps)`` -- the same from
  strings, touching no files.
* ``select_world(resolve, package, world=None)`` -- the world a tool should use.
* ``encode_package(resolve, package)`` / ``encode_world(resolve, world)`` -- the
  WIT package binary and the ``component-type`` payload (``wit.encode``).

Errors are ``witkit.errors.WitError`` with a ``Span`` when the problem is in
the text.  The model itself lives in ``witkit.wit.model``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from witkit import _first_use

__all__ = [
    "encode_package",
    "encode_world",
    "parse_path",
    "parse_sources",
    "parse_text",
    "select_world",
]

#: public name -> the module that defines it, imported on first use
#: (``witkit._startup.attribute``: importing the package loads nothing else)
_HOMES: dict[str, str] = {
    "encode_package": "witkit.wit.encode",
    "encode_world": "witkit.wit.encode",
    "parse_path": "witkit.wit.resolve",
    "parse_sources": "witkit.wit.resolve",
    "parse_text": "witkit.wit.resolve",
    "select_world": "witkit.wit.resolve",
}

if TYPE_CHECKING:
    from witkit.wit.encode import encode_package as encode_package
    from witkit.wit.encode import encode_world as encode_world
    from witkit.wit.resolve import parse_path as parse_path
    from witkit.wit.resolve import parse_sources as parse_sources
    from witkit.wit.resolve import parse_text as parse_text
    from witkit.wit.resolve import select_world as select_world


__getattr__ = _first_use(__name__)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
