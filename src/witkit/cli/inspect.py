"""``witkit inspect FILE``: what a binary is made of, for a person (or ``--json`` for a script).

A person opening a component first wants to know what it needs and what it
offers, so the text leads with its world: every import and export as a WIT-style
declaration.  Then come its parts: producers, core modules and their sizes,
nested components (each again world first), and how core and component
instances are made.  ``--summary`` keeps the world's names and the sizes;
``--depth N`` stops expanding N levels down (an instance's members are one level
down, a nested component's parts too).

Every line fits the width (the terminal's, else 100 columns): declarations are
wrapped at their commas, since each type counts; lists of instance arguments and
exports are cut with how many more there are, since ``--json`` keeps them all.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report types are only needed to render; importing them costs start-up
    from witkit.inspect import ComponentReport, Item, ModuleReport, Report


__all__ = ["EPILOG", "HELP", "Layout", "add_arguments", "render", "run"]

#: the command's line in ``witkit --help``
HELP = "show what a component or core module is made of"

#: examples and notes after the options, printed as written
EPILOG = """\
examples:
  witkit inspect app.wasm            its world (imports, exports), then modules, nesting, producers
  witkit inspect --summary app.wasm  the world's names and the sizes, nothing more
  witkit inspect --depth 1 app.wasm  expand instances and nested components one level only
  witkit inspect --json app.wasm     everything, as JSON, nothing cut
  witkit inspect examples/hello.wat  .wat text is assembled first
"""

#: the width when stdout is not a terminal and COLUMNS is not set
DEFAULT_WIDTH = 100

#: no narrower than this, however small the terminal: a declaration must stay readable
MIN_WIDTH = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=".wasm or .wat")
    parser.add_argument("--json", action="store_true", help="print the complete report as JSON")
    parser.add_argument(
        "--summary",
        action="store_true",
        help="only the world (import and export names) and the sizes",
    )
    parser.add_argument(
        "--depth",
        metavar="N",
        type=_depth,
        default=None,
        help="expand instances and nested components N levels deep (default: all)",
    )


def _depth(text: str) -> int:
    """``--depth``'s value: a level count, 0 for the root alone (a usage error otherwise)."""
    try:
        depth = int(text)
    except ValueError:
        depth = -1
    if depth < 0:
        raise argparse.ArgumentTypeError(f"not a depth (0, 1, 2...): {text!r}")
    return depth


@dataclass(frozen=True)
class Layout:
    """How much to show and how wide: what ``--summary``, ``--depth`` and the terminal ask."""

    width: int = DEFAULT_WIDTH
    depth: int | None = None
    summary: bool = False

    def expands(self, level: int) -> bool:
        """Whether what lies ``level`` levels below the root is shown."""
        return self.depth is None or level <= self.depth


def _width() -> int:
    """COLUMNS, else the terminal's width, else ``DEFAULT_WIDTH`` (a pipe, a file)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.stdout is not None and sys.stdout.isatty():
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            columns = 0
    return max(columns or DEFAULT_WIDTH, MIN_WIDTH)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


# --------------------------------------------------------------------------- fitting lines


#: breaks whose first character stays at the end of the line (a "->" starts the next one)
_KEPT = (", ", "(", "{ ")


def _wrap(indent: str, text: str, width: int) -> list[str]:
    """``text`` broken after its commas and brackets (or before a ``->``) into lines of ``width``.

    Continuation lines are indented four more.  A piece with no break in it stays
    whole, however long: a type name is never split.
    """
    if len(indent) + len(text) <= width:
        return [indent + text]
    import re  # only for long lines

    # the text between break points, and the break that follows each (", ", " -> ",
    # "(" or "{ " kept on its line, or "")
    parts = re.split(r"(, | -> |\(|\{ )", text)
    pieces = parts[0::2]
    breaks = [*parts[1::2], ""]
    lines: list[str] = []
    current = indent + pieces[0]
    follow = indent + "    "
    for i in range(1, len(pieces)):
        joint = breaks[i - 1]
        # room for this piece and for the comma that may end the line after it
        need = len(joint) + len(pieces[i]) + (1 if breaks[i] in _KEPT else 0)
        if len(current) + need <= width:
            current += joint + pieces[i]
        elif joint in _KEPT:
            lines.append(current + joint.rstrip())
            current = follow + pieces[i]
        else:
            lines.append(current)
            current = follow + "-> " + pieces[i]
    lines.append(current)
    return lines


#: the fewest characters a cut name keeps (fewer say nothing: only the count is shown)
_MIN_CUT = 16


def _cut(text: str, room: int) -> str:
    """One name cut to ``room`` characters, its middle elided (mangled symbols run long)."""
    if len(text) <= room:
        return text
    keep = max(room - 1, 2)
    return text[: keep - keep // 2] + "…" + text[len(text) - keep // 2 :]


def _elide(indent: str, text: str, width: int) -> str:
    """A list line (``exports {a, b}``, ``instantiate X with a=1, b=2``) cut to ``width``.

    Items are kept while they fit, then ``... (N more)`` says how many were left out.
    """
    room = width - len(indent)
    if len(text) <= room:
        return indent + text
    head, sep, rest = text.partition(" with ")
    close = ""
    if not sep:
        head, sep, rest = text.partition("{")
        if not sep:
            return indent + _cut(text, room)
        if rest.endswith("}"):
            rest, close = rest[:-1], "}"
    items = rest.split(", ")
    more = 0
    if items and items[-1].startswith("... (") and items[-1].endswith(" more)"):
        more = int(items.pop()[5:-6])
    prefix = head + sep
    kept: list[str] = []
    for count, item in enumerate(items):
        left = more + len(items) - count - 1
        tail = f", ... ({left} more)" if left else ""
        candidate = prefix + ", ".join([*kept, item]) + tail + close
        if len(candidate) > room:
            break
        kept.append(item)
    if not kept and items:  # not even one item fits whole: cut the first, if enough is left
        left = more + len(items) - 1
        tail = f", ... ({left} more)" if left else ""
        space = room - len(prefix) - len(tail) - len(close)
        if space >= _MIN_CUT:
            kept.append(_cut(items[0], space))
    left = more + len(items) - len(kept)
    if not kept:
        # even the head may be too long (a long instantiated name): its middle goes
        return indent + _cut(prefix + f"... ({left} more)" + close, room)
    tail = f", ... ({left} more)" if left else ""
    return indent + prefix + ", ".join(kept) + tail + close


# --------------------------------------------------------------------------- the world


#: WIT's keywords for type definitions that have a body: ``record point { ... }``
_BODIED = ("record", "variant", "enum", "flags")


def _declaration(name: str, text: str) -> str:
    """An instance member or a world item as WIT declares it, from its type text."""
    if text.startswith(("func(", "async func(")):
        return f"{name}: {text};"
    if text == "resource":
        return f"resource {name};"
    keyword, _, body = text.partition(" ")
    if keyword in _BODIED and body.startswith("{"):
        return f"{keyword} {name} {body}"
    if text.startswith(("instance (", "component (", "core module (")) or not text:
        return f"{name}: {text};" if text else f"{name};"
    return f"type {name} = {text};"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _counts(members: tuple[tuple[str, str], ...]) -> str:
    """``2 functions, 1 resource, 3 types``: an instance's members in a few words."""
    funcs = sum(1 for _, text in members if text.startswith(("func(", "async func(")))
    resources = sum(1 for _, text in members if text == "resource")
    types = len(members) - funcs - resources
    parts = [
        _count(n, word)
        for n, word in ((funcs, "function"), (resources, "resource"), (types, "type"))
        if n
    ]
    return ", ".join(parts) or "empty"


def _world_item(direction: str, item: Item, indent: str, layout: Layout, level: int) -> list[str]:
    if item.kind == "instance":
        if item.members and not layout.summary and layout.expands(level + 1):
            lines = [f"{indent}{direction} {item.name} {{"]
            for name, text in item.members:
                lines.extend(_wrap(indent + "  ", _declaration(name, text), layout.width))
            lines.append(f"{indent}}}")
            return lines
        return _wrap(indent, f"{direction} {item.name};  // {_counts(item.members)}", layout.width)
    if item.kind in ("func", "type", "value"):
        return _wrap(indent, f"{direction} {_declaration(item.name, item.type)}", layout.width)
    return _wrap(indent, f"{direction} {item.name}: {item.type or item.kind};", layout.width)


def _world_lines(c: ComponentReport, indent: str, layout: Layout, level: int) -> list[str]:
    if not c.imports and not c.exports:
        return [f"{indent}world: no imports, no exports"]
    out = [
        f"{indent}world ({_count(len(c.imports), 'import')}, {_count(len(c.exports), 'export')}):"
    ]
    for direction, items in (("import", c.imports), ("export", c.exports)):
        for item in items:
            out.extend(_world_item(direction, item, indent + "  ", layout, level))
    return out


# --------------------------------------------------------------------------- the parts


def _module_line(m: ModuleReport) -> str:
    name = f' "{m.name}"' if m.name else ""
    extra = []
    if m.memories:
        extra.append(f"{m.memories} memor{'y' if m.memories == 1 else 'ies'}")
    if m.tables:
        extra.append(f"{m.tables} table{'s' * (m.tables != 1)}")
    tail = f", {', '.join(extra)}" if extra else ""
    return (
        f"module {m.index}{name}: {_size(m.size)}, {len(m.imports)} imports, "
        f"{len(m.exports)} exports{tail}"
    )


def _component_lines(c: ComponentReport, indent: str, layout: Layout, level: int) -> list[str]:
    out = _world_lines(c, indent, layout, level)
    width = layout.width
    if c.producers and not layout.summary:
        for key, values in c.producers.items():
            listed = ", ".join(f"{n} {v}".strip() for n, v in values)
            out.extend(_wrap(indent, f"{key}: {listed}", width))
    if c.modules:
        out.append(f"{indent}core modules ({len(c.modules)}):")
        out.extend(_elide(indent + "  ", _module_line(m), width) for m in c.modules)
    if c.components:
        out.append(f"{indent}components ({len(c.components)}):")
        for i, nested in enumerate(c.components):
            name = f' "{nested.name}"' if nested.name else ""
            out.append(_elide(indent + "  ", f"component {i}{name}: {_size(nested.size)}", width))
            if layout.expands(level + 1) and not layout.summary:
                out.extend(_component_lines(nested, indent + "    ", layout, level + 1))
    if layout.summary:
        return out
    if c.core_instances:
        out.append(f"{indent}core instances ({len(c.core_instances)}):")
        out.extend(
            _elide(indent + "  ", f"{i}: {d}", width) for i, d in enumerate(c.core_instances)
        )
    if c.instances:
        out.append(f"{indent}instances ({len(c.instances)}):")
        out.extend(_elide(indent + "  ", f"{i}: {d}", width) for i, d in enumerate(c.instances))
    return out


def render(report: Report, path: str, layout: Layout | None = None) -> str:
    """The report as indented text, world first, every line within ``layout.width``."""
    layout = layout or Layout()
    lines = [f"{path}: {report.kind}, {_size(report.size)}"]
    if report.module is not None:
        m = report.module
        lines.append(_elide("  ", _module_line(m), layout.width))
        if not layout.summary:
            lines.extend(_elide("  ", f"import {name}", layout.width) for name in m.imports)
            lines.extend(_elide("  ", f"export {name}", layout.width) for name in m.exports)
    if report.component is not None:
        lines.extend(_component_lines(report.component, "  ", layout, 0))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from witkit import wat
    from witkit.errors import WitkitError
    from witkit.inspect import inspect_bytes

    try:
        report = inspect_bytes(wat.load(Path(args.file)))
        layout = Layout(_width(), args.depth, args.summary)
        text = report.to_json() + "\n" if args.json else render(report, args.file, layout)
    except RecursionError:
        # the report is a tree walked recursively; a valid component may nest 999 deep
        raise WitkitError("components nest too deeply to report") from None
    sys.stdout.write(text)
    return 0
