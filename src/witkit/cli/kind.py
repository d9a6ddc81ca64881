"""What a file given to ``witkit run`` is, found before any heavy work.

A run compiles core code, which takes seconds for a big component on a first
run; a file that cannot be run as asked should be told so before that, in
terms of what it is.  Two cheap looks decide it:

* ``classify_file`` reads the first bytes (the preamble, or for ``.wat`` text
  the first keyword): a **component**, a **core module** importing WASI 0.1
  (``wasi_snapshot_preview1`` or ``wasi_unstable``: ``wasip1``, which a
  preview1 host runs), or another **core module**.  Only a core module is read
  further, for its imports and exports.  This is the one place a run decides
  which host a file goes to.
* ``component_kind`` looks at a component's type (from the prepared cache or
  validation, never compilation; ``run_component``'s ``check`` hook): a
  **command** exports ``wasi:cli/run``, an **http** proxy exports
  ``wasi:http/incoming-handler``, anything else is a **library**.

Rules: nothing here compiles or instantiates; reading a component's bytes is
left to the runtime, which does it once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from witkit import types as wt

__all__ = [
    "FileKind",
    "classify_file",
    "component_kind",
    "core_module_message",
    "http_message",
]

#: the core module names WASI 0.1 programs import (``wasi_unstable`` is its 0.0 spelling)
WASIP1_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")
_PREAMBLE_MODULE = b"\0asm\x01\0\0\0"
#: ``;;`` line comments and non-nested ``(; ... ;)`` block comments before the first form
#: (text, compiled by ``re`` only for a text file: a binary's start-up never pays for it)
_WAT_HEAD = rb"(?:\s+|;;[^\n]*\n?|\(;.*?;\))*\(\s*(module|component)\b"


class FileKind:
    """What ``classify_file`` found: the kind, and for a core module its imports and exports.

    A plain class: a record or named tuple would generate code when this module is
    imported, and every ``witkit run`` imports it.
    """

    __slots__ = ("exports", "imports", "kind")

    def __init__(
        self,
        kind: Literal["component", "wasip1", "core"],
        imports: tuple[tuple[str, str, str], ...] = (),
        exports: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.kind = kind
        #: ``(module, name, kind)`` of each import of a core module
        self.imports = imports
        #: ``(name, kind)`` of each export of a core module
        self.exports = exports


def classify_file(path: str | os.PathLike[str]) -> FileKind:
    """The kind of the binary or text at ``path``; a component costs one 8-byte read.

    A file that is neither (or unreadable) is called a component: loading it
    then reports what is wrong, with the offset, as before.
    """
    with open(path, "rb") as file:
        head = file.read(8)
        if head[:4] == b"\0asm":
            if head != _PREAMBLE_MODULE:
                return FileKind("component")
            data = head + file.read()
            if any(name.encode() in data for name in WASIP1_MODULES):
                # WASI 0.1 by a byte search, so its run loads no binary reader; a name
                # that only a data segment holds reaches the preview1 host, which
                # reports the imports it cannot give as it would anyway
                return FileKind("wasip1")
        else:
            import re

            start = head + file.read(4096)
            found = re.match(_WAT_HEAD, start, re.S)
            if found is None or found.group(1) == b"component":
                return FileKind("component")
            from witkit.wat import assemble

            data = assemble((start + file.read()).decode("utf-8"), os.fspath(path))
    return _core_kind(data)


def _core_kind(data: bytes) -> FileKind:
    from witkit.binary import ir, read

    module = read(data)
    if not isinstance(module, ir.CoreModule):
        return FileKind("component")
    imports = tuple((i.module, i.name, i.desc.kind) for i in module.imports)
    exports = tuple((e.name, e.kind) for e in module.exports)
    wasip1 = any(m in WASIP1_MODULES for m, _, _ in imports)
    return FileKind("wasip1" if wasip1 else "core", imports, exports)


def component_kind(component: wt.ComponentType) -> Literal["command", "http", "library"]:
    """``command`` (exports ``wasi:cli/run``), ``http`` (a proxy), else ``library``."""
    names = [name.partition("@")[0] for name in component.exports]
    if "wasi:cli/run" in names:
        return "command"
    if "wasi:http/incoming-handler" in names:
        return "http"
    return "library"


def http_message(path: str) -> str:
    """What ``witkit run`` says about an HTTP proxy component."""
    return (
        f"{path} is an HTTP component (it exports wasi:http/incoming-handler, not "
        "wasi:cli/run): it is served, not run. witkit cannot serve it yet (there is no "
        f"`witkit serve` command); `wasmtime serve {path}` can."
    )


def core_module_message(path: str, kind: FileKind) -> str:
    """What ``witkit run`` says about a core module that is not a WASI 0.1 program."""
    imports = ", ".join(f"{m}.{n} ({k})" for m, n, k in kind.imports) or "nothing"
    exports = ", ".join(f"{n} ({k})" for n, k in kind.exports) or "nothing"
    return (
        f"{path} is a core WebAssembly module, not a component, and imports no WASI 0.1 "
        f"(wasi_snapshot_preview1): witkit has nothing to give it.\n"
        f"  imports: {imports}\n  exports: {exports}\n"
        "Make it a component (`wasm-tools component new`) to run it with witkit."
    )
