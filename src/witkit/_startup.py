"""Start-up work, fenced: every trick witkit plays to import less, in one place, each with its reason.

Why: every ``witkit`` command is a fresh process, and a module imported up
front is paid by every run, whether the run uses it or not.  ``import witkit``
must not load the runtime (or wasmtime) for a user who only parses WIT, and
``witkit run`` must not load ``socket`` for a guest that never opens one.  The
standard library's convenient front doors are sometimes the cost themselves
(``hashlib``, ``pickle``, ``inspect``); the few helpers below go to the room
behind the door instead.  Nothing else in witkit plays such tricks: a module
that needs one uses it from here.

Rules:

* **Nothing here is paid for until used.**  This module imports nothing beyond
  ``importlib``, which the interpreter has loaded already; each helper imports
  what it wraps when first called.  A package's ``__getattr__`` (made by
  ``witkit._first_use``, one line per package) imports this module inside its
  body, so importing a package loads no other witkit module.
* **Package names on first access** (``attribute``).  A package's public names
  that live in heavier modules are listed in one table, ``_HOMES`` (name ->
  defining module), and resolved by the package's module ``__getattr__``
  (PEP 562): the defining module is imported on first access, and the value is
  stored in the package's namespace so the second access is a plain global
  lookup.  The package imports the same names under ``TYPE_CHECKING``, so type
  checkers and readers see ordinary imports.
* **Modules on first attribute read** (``Deferred``).  A module that a module
  uses internally but rarely (``socket``) is bound to a stand-in under its own
  global name: the first attribute read imports it and rebinds that name to the
  real module, so later reads cost nothing.  ``load`` lets a caller wrap the
  import (the WASI host runs it with a spare file descriptor, see ``witkit._spare``).
* **BLAKE2b without** ``hashlib`` (``blake2b``).  ``import hashlib`` loads
  OpenSSL's ``_hashlib`` (~2 ms) even for a digest it then takes from the
  built-in ``_blake2``; the caches on every start's path need only BLAKE2b.
* **The C pickler without** ``pickle`` (``c_pickle``).  ``pickle`` (its
  pure-Python twin and helpers) costs ~1.3 ms of import that a prepared start,
  which only loads, has no use for.
* **Argument counts without** ``inspect`` (``arity``).  ``inspect.signature``
  costs ~5 ms to import, on every ``witkit run`` that links WASI; the count is
  read from the code object instead.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, MutableMapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hashlib import blake2b as Blake2b

__all__ = ["Deferred", "arity", "attribute", "blake2b", "c_pickle"]


def attribute(package: str, name: str) -> Any:
    """The public ``name`` of ``package``, imported from its home in the package's
    ``_HOMES`` table and kept in the package's namespace.

    The body of a package's module ``__getattr__``; raises the usual
    ``AttributeError`` for a name the table does not list.
    """
    namespace = sys.modules[package].__dict__
    homes: Mapping[str, str] = namespace["_HOMES"]
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


def blake2b(data: bytes = b"", *, digest_size: int = 64) -> Blake2b:
    """``hashlib.blake2b(data, digest_size=...)``, taken from ``_blake2`` (see the rules)."""
    try:
        from _blake2 import blake2b as made
    except ImportError:  # pragma: no cover - a Python built without the module
        from hashlib import blake2b as made
    return made(data, digest_size=digest_size)


def c_pickle() -> ModuleType:
    """The C accelerator ``_pickle`` (``dumps``, ``Unpickler``, its errors), else ``pickle``."""
    try:
        import _pickle
    except ImportError:  # pragma: no cover - a Python without the accelerator
        import pickle

        return pickle
    return _pickle


#: ``CO_VARARGS | CO_VARKEYWORDS``: a function taking ``*args`` or ``**kwargs``
_VARIADIC = 0x04 | 0x08


def arity(fn: Any, *, method: bool) -> int | None:
    """How many arguments ``fn`` takes, when that is fixed and knowable.

    The count ``inspect.signature`` gives, read from the code object instead.
    Bound methods and classes (their ``__init__``) do not count ``self``;
    wrappers made with ``functools.wraps`` count as what they wrap; anything
    else (builtins, ``partial``, ``*args``) is not checked.
    """
    given = 0
    if isinstance(fn, type):
        init = fn.__init__  # type: ignore[misc]
        if init is object.__init__:
            return 0 + (1 if method else 0)
        fn, given = init, 1
    func = getattr(fn, "__func__", None)
    if func is not None:  # a bound method: ``self`` is already given
        fn, given = func, given + 1
    while (inner := getattr(fn, "__wrapped__", None)) is not None:
        fn = inner
    code = getattr(fn, "__code__", None)
    if code is None or code.co_flags & _VARIADIC:
        return None
    return int(code.co_argcount + code.co_kwonlyargcount - given) + (1 if method else 0)
