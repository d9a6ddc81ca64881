"""Import on first use: the one way witkit defers an import, for start-up.

Why: every ``witkit`` command is a fresh process, and a module imported up
front is paid by every run, whether the run uses it or not.  ``import witkit``
must not load the runtime (or wasmtime) for a user who only parses WIT, and
``witkit run`` must not load ``socket`` for a guest that never opens one.

Rules:

* A package's public names that live in heavier modules are listed in one
  table (name -> defining module) and resolved by the package's module
  ``__getattr__`` (PEP 562) through ``attribute``: the defining module is
  imported on first access, and the value is stored in the package's
  namespace so the second access is a plain global lookup.  The package
  imports the same names under ``TYPE_CHECKING``, so type checkers and readers
  see ordinary imports, and imports this module inside its ``__getattr__``, so
  that importing the package loads no other witkit module.
* A module that a module uses internally but rarely (``socket``) is bound to a
  ``Deferred`` stand-in under its own global name: the first attribute read
  imports it and rebinds that name to the real module, so later reads cost
  nothing.  ``load`` lets a caller wrap the import (the WASI host runs it with
  a spare file descriptor, see ``witkit._spare``).
* Nothing here imports anything beyond ``importlib``, which the interpreter
  has loaded already.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from types import ModuleType
from typing import Any

__all__ = ["Deferred", "attribute"]


def attribute(
    package: str, namespace: MutableMapping[str, Any], homes: Mapping[str, str], name: str
) -> Any:
    """The public ``name`` of ``package``, imported from its home in ``homes`` and kept.

    The body of a package's module ``__getattr__``; raises the usual
    ``AttributeError`` for a name the table does not list.
    """
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    namespace[name] = value
    return value


class Deferred:
    """Module ``name``, imported on first attribute read, then rebound in ``namespace``."""

    __slots__ = ("_load", "_name", "_namespace")

    def __init__(
        self,
        name: str,
        namespace: MutableMapping[str, Any],
        load: Callable[[str], ModuleType] = importlib.import_module,
    ) -> None:
        self._name = name
        self._namespace = namespace
        self._load = load

    def __getattr__(self, attr: str) -> Any:
        module = self._load(self._name)
        self._namespace[self._name] = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"
