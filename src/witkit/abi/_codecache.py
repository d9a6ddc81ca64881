"""Compiling generated source, through a pluggable cache of code objects.

Every specialised lift/lower function starts as Python source; ``compile`` of
those few hundred sources was the largest single cost of starting a
componentize-py guest (~80 ms of ~500).  The ABI knows types, not files, so the
persistent store enters from outside, in one of two ways:

* **Scoped** (``compiling_with``): the runtime runs the work of one engine (an
  instance's start, the first call of a function) with that engine's disk cache,
  or with None when the engine's cache is off; what that work compiles is read
  from and written to that cache only.  This is how a library object uses a
  cache: nothing outside the work changes.
* **Installed** (``set_code_cache``): a process-wide default for work outside any
  scope, for an application that asks for it (``witkit run`` installs the disk
  cache before anything is generated, so even the records' ``__init__`` methods
  load instead of compiling).  The library itself never installs one.

Either way, code objects are also kept in memory for the life of the process,
keyed by their source and file name: the same text compiles to the same code,
so that memo holds no choice of anyone's.

Rules: a cache may forget anything and may fail (its exceptions are not
caught here, so an implementation must swallow its own I/O errors); what
``get`` returns must be what ``compile(source, filename, "exec")`` would have
returned, so the key must cover the source, the filename and the Python
version that compiled it, and a stored entry must carry its key and be
checked against it on load.  What ``get`` returns is executed: a persistent
cache may only read from places no one but the user can write (the disk cache,
``witkit.runtime._codecache``, uses ``witkit.runtime.cache.trusted``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import CodeType
from typing import Protocol, TypeVar

__all__ = ["CodeCache", "compile_source", "compiling_with", "get_code_cache", "set_code_cache"]

T = TypeVar("T")


class CodeCache(Protocol):
    """A store of code objects keyed by (filename, source)."""

    def get(self, source: str, filename: str) -> CodeType | None: ...

    def put(self, source: str, filename: str, code: CodeType) -> None: ...


_memory: dict[tuple[str, str], CodeType] = {}
#: the process-wide default, installed by an application (``set_code_cache``)
_cache: CodeCache | None = None


class _Scope(threading.local):
    #: the innermost ``compiling_with`` of this thread, as a 1-tuple; None outside any
    cache: tuple[CodeCache | None] | None = None


_scope = _Scope()


def set_code_cache(cache: CodeCache | None) -> CodeCache | None:
    """Install ``cache`` process-wide, behind the in-memory level, for work outside any
    ``compiling_with``; returns the old one.  For applications (``witkit run``), not libraries."""
    global _cache
    old, _cache = _cache, cache
    return old


def get_code_cache() -> CodeCache | None:
    """The cache in effect here: the innermost ``compiling_with``'s, else the installed one."""
    scoped = _scope.cache
    return _cache if scoped is None else scoped[0]


def compiling_with(cache: CodeCache | None, work: Callable[[], T]) -> T:
    """``work()``, with ``cache`` (None: memory only) as the cache of what it compiles.

    The scope is this thread's and ends with ``work``, however it ends; scopes nest.
    """
    outer = _scope.cache
    _scope.cache = (cache,)
    try:
        return work()
    finally:
        _scope.cache = outer


def compile_source(source: str, filename: str) -> CodeType:
    """``compile(source, filename, "exec")``, remembered in memory and in the installed cache.

    The source is also put in ``linecache`` (once it is loaded) so tracebacks
    through generated code show its lines, whether the code was compiled or loaded.
    """
    key = (filename, source)
    code = _memory.get(key)
    if code is not None:
        return code
    cache = get_code_cache()
    code = cache.get(source, filename) if cache is not None else None
    if code is None:
        code = compile(source, filename, "exec")
        if cache is not None:
            cache.put(source, filename, code)
    _memory[key] = code
    _show_in_tracebacks(filename, source)
    return code


#: sources waiting for ``linecache`` to be imported (see ``_show_in_tracebacks``)
_pending: dict[str, str] = {}


def _show_in_tracebacks(filename: str, source: str) -> None:
    """Put ``source`` in ``linecache``, so ``traceback`` shows generated lines.

    Only if something has imported ``linecache`` already (``traceback``,
    pytest, logging...): importing it here would cost every ``witkit run``
    ~1 ms for tracebacks it never prints.  Sources made before that are kept
    and handed over on the next call after it.
    """
    linecache = sys.modules.get("linecache")
    if linecache is None:
        _pending[filename] = source
        return
    while _pending:
        name, text = _pending.popitem()
        linecache.cache.setdefault(name, (len(text), None, text.splitlines(True), name))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
