"""Building components from core modules, as wit-component does: ``embed``, ``new``, ``targets``.

* :func:`embed`: a core module with a world embedded in its ``component-type``
  custom section (``wasm-tools component embed``), or a dummy module for the world;
* :func:`new`: a component of a core module with an embedded world
  (``wasm-tools component new``; world-level functions only, so far);
* :func:`targets`: whether a component fits a world (``wasm-tools component
  targets``), as a list of readable problems.

Bytes in, bytes (or data) out; failures are ``WitkitError`` subclasses
(``BuildError`` here, ``WitError`` for WIT, ``BinaryError`` for a binary).
"""

from __future__ import annotations

from witkit.build.embed import STRING_ENCODINGS as STRING_ENCODINGS
from witkit.build.embed import BuildError as BuildError
from witkit.build.embed import StringEncoding as StringEncoding
from witkit.build.embed import dummy_module as dummy_module
from witkit.build.embed import embed as embed
from witkit.build.embed import embed_world as embed_world
from witkit.build.embed import load_world as load_world
from witkit.build.new import new as new
from witkit.build.targets import Problem as Problem
from witkit.build.targets import targets as targets
from witkit.build.targets import targets_world as targets_world

__all__ = [
    "STRING_ENCODINGS",
    "BuildError",
    "Problem",
    "StringEncoding",
    "dummy_module",
    "embed",
    "embed_world",
    "load_world",
    "new",
    "targets",
    "targets_world",
]
