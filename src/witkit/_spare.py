"""A spare file descriptor, so the host's own lazy work survives a guest that used up the rest.

A guest may open files and sockets until the process hits ``EMFILE`` (its
descriptor limit); that is the guest's business, and it gets its error code.
But the host does some work lazily, on the first call that needs it: importing
a module (the ABI's code generator, ``socket``, the ``idna`` codec), reading the
code cache.  Each of those opens a file for a moment, and failing for want of a
descriptor would take the whole run down with an ``OSError`` the guest caused.

Rules:

* ``reserve()`` opens one descriptor (``/dev/null``) once per process; the
  runtime calls it before any guest code runs (``Instance``).
* ``with_spare(fn)`` runs host-internal work; if it fails with ``EMFILE`` or
  ``ENFILE``, the spare is closed, ``fn`` runs again (now one descriptor is
  free), and the spare is taken back.  ``fn`` must be safe to run twice after a
  failure for want of a descriptor (imports and code generation are: a failed
  import leaves nothing behind).
* Only the host's own work goes through here, never an operation the guest asked
  for: a guest's ``open`` or ``socket`` must fail with its error code.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import TypeVar

__all__ = ["reserve", "with_spare"]

_T = TypeVar("_T")

#: the spare descriptor, or -1 while it is lent out (or was never taken)
_spare = -1

_NO_DESCRIPTOR = (errno.EMFILE, errno.ENFILE)


def reserve() -> None:
    """Take the spare descriptor, if it is not held already (cheap after the first call)."""
    global _spare
    if _spare < 0:
        try:
            _spare = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            _spare = -1  # nothing to lend later; with_spare then simply fails as before


def with_spare(fn: Callable[[], _T]) -> _T:
    """``fn()``, run once more with the spare descriptor free if it ran out of descriptors."""
    global _spare
    try:
        return fn()
    except OSError as err:
        if err.errno not in _NO_DESCRIPTOR or _spare < 0:
            raise
    os.close(_spare)
    _spare = -1
    try:
        return fn()
    finally:
        reserve()
