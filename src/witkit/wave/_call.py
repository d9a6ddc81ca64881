"""WAVE function calls: ``name(arg, ...)`` -> a name and arguments typed by the function.

Rules of this module:

* **The name is read apart from the values**: it is not a WAVE value but a path
  to an export: ``f``, ``iface.f``, ``ns:pkg/iface.f``, with a package version
  after the interface (``ns:pkg/iface@1.0.0.f``, the export's own spelling) or
  after the function (``ns:pkg/iface.f@1.0.0``, wasm-wave's).  Which export it
  names is for the caller, which knows the component.
* **Arguments are typed late**: ``parse_call`` checks the syntax of the whole
  call; ``Call.arguments`` types it against a function, so a caller can look the
  function up by name in between.  Trailing ``option`` arguments may be left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from witkit import types as wt
from witkit._record import record
from witkit.wave._lexer import Lexer, WaveError, label_end
from witkit.wave._syntax import Node, Parser
from witkit.wave._typed import to_params

__all__ = ["Call", "CallName", "parse_call"]

#: the characters a function path is made of (labels, ``:`` ``/`` ``.`` ``@``, versions)
_NAME_CHARS = re.compile(r"[A-Za-z0-9:/.@+-]*")
_SEMVER = re.compile(
    r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


@record
class CallName:
    """The parts of a function path; ``package`` is ``"ns:pkg"``, without version."""

    text: str
    function: str
    interface: str | None = None
    package: str | None = None
    version: str | None = None

    @property
    def instance(self) -> str | None:
        """The export name of the interface instance (``ns:pkg/iface@1.0.0``), if any."""
        if self.interface is None:
            return None
        name = self.interface if self.package is None else f"{self.package}/{self.interface}"
        return name if self.version is None else f"{name}@{self.version}"


@record
class Call:
    """A parsed call, not yet typed: its name and the syntax of its arguments."""

    text: str
    name: CallName
    name_start: int
    name_end: int
    #: the ``tuple`` node of the arguments; None for ``f()``
    args: Node | None

    def arguments(self, func: wt.FuncType | Sequence[wt.ValType]) -> list[Any]:
        """The argument values, typed by ``func`` (or its parameter types, in order)."""
        params = [t for _, t in func.params] if isinstance(func, wt.FuncType) else list(func)
        return to_params(self.text, self.args, (self.name_start, self.name_end), params)


def _is_label(text: str) -> bool:
    return bool(text) and label_end(text, 0) == len(text)


def split_name(text: str, start: int = 0, source: str | None = None) -> CallName:
    """The parts of the function path ``text``; ``WaveError`` if it is not one.

    ``start`` is where ``text`` is in ``source`` (the whole call), for the error.
    """

    def bad(why: str) -> WaveError:
        where = text if source is None else source
        message = f"invalid function name {text!r}: {why}"
        return WaveError("invalid-name", message, start, start + len(text), where)

    package = interface = version = None
    rest = text
    if "/" in rest:
        package, rest = rest.split("/", 1)
        namespace, colon, name = package.partition(":")
        if not colon or not _is_label(namespace) or not _is_label(name):
            raise bad("the package must be 'namespace:name'")
    if "@" in rest:
        rest, version = rest.split("@", 1)
        if package is None:
            raise bad("a version needs a package ('ns:pkg/iface@1.0.0.f')")
        if "." not in rest:  # ns:pkg/iface@1.0.0.f: the function follows the version
            version, dot, function = version.rpartition(".")
            if not dot:
                raise bad("the function is missing after the version")
            rest = f"{rest}.{function}"
        if not _SEMVER.fullmatch(version):
            raise bad(f"{version!r} is not a semantic version")
    if "." in rest:
        interface, _, function = rest.partition(".")
        if not _is_label(interface):
            raise bad(f"{interface!r} is not an interface name")
    else:
        function = rest
        if package is not None:
            raise bad("a package needs an interface and a function ('ns:pkg/iface.f')")
    if not _is_label(function):
        raise bad(f"{function!r} is not a function name")
    return CallName(text, function, interface, package, version)


def parse_call(text: str) -> Call:
    """Parse ``name(args)``; its arguments are typed later, by ``Call.arguments``."""
    lexer = Lexer(text)
    start = lexer.skip_space(0)
    found = _NAME_CHARS.match(text, start)
    end = found.end() if found is not None else start
    if end == start:
        raise WaveError("invalid-name", "expected a function name", start, start + 1, text)
    name = split_name(text[start:end], start, text)
    lexer.pos = end
    parser = Parser(lexer)
    opening = parser.advance()
    parser.expect(opening, "(", "'(' after the function name")
    args = None
    if parser.next_is(")"):
        parser.advance()
    else:
        args = parser.tuple_node(opening)
    parser.finish()
    return Call(text, name, start, end, args)
