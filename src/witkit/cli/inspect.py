"""``witkit inspect FILE``: what a binary is made of, for a person (or ``--json`` for a script)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report types are only needed to render; importing them costs start-up
    from witkit.inspect import ComponentReport, ModuleReport, Report


__all__ = ["EPILOG", "HELP", "add_arguments", "render", "run"]

#: the command's line in ``witkit --help``
HELP = "show what a component or core module is made of"

#: examples and notes after the options, printed as written
EPILOG = """\
examples:
  witkit inspect app.wasm            kind, size, core modules, nesting, imports, exports, producers
  witkit inspect --json app.wasm     the same as JSON
  witkit inspect examples/hello.wat  .wat text is assembled first
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=".wasm or .wat")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


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


def _component_lines(c: ComponentReport, indent: str) -> list[str]:
    out: list[str] = []
    if c.producers:
        for key, values in c.producers.items():
            listed = ", ".join(f"{n} {v}".strip() for n, v in values)
            out.append(f"{indent}{key}: {listed}")
    if c.modules:
        out.append(f"{indent}core modules ({len(c.modules)}):")
        out.extend(f"{indent}  {_module_line(m)}" for m in c.modules)
    if c.core_instances:
        out.append(f"{indent}core instances ({len(c.core_instances)}):")
        out.extend(f"{indent}  {i}: {d}" for i, d in enumerate(c.core_instances))
    if c.components:
        out.append(f"{indent}components ({len(c.components)}):")
        for i, nested in enumerate(c.components):
            name = f' "{nested.name}"' if nested.name else ""
            out.append(f"{indent}  component {i}{name}: {_size(nested.size)}")
            out.extend(_component_lines(nested, indent + "    "))
    if c.instances:
        out.append(f"{indent}instances ({len(c.instances)}):")
        out.extend(f"{indent}  {i}: {d}" for i, d in enumerate(c.instances))
    for title, items in (("imports", c.imports), ("exports", c.exports)):
        out.append(f"{indent}{title} ({len(items)}):")
        for item in items:
            shown = item.type if item.kind in ("func", "type", "value") else item.kind
            out.append(f"{indent}  {item.name}: {shown}" if shown else f"{indent}  {item.name}")
            out.extend(f"{indent}    {name}: {ty}" for name, ty in item.members)
    return out


def render(report: Report, path: str) -> str:
    """The report as indented text: one fact per line, nesting by indentation."""
    lines = [f"{path}: {report.kind}, {_size(report.size)}"]
    if report.module is not None:
        m = report.module
        lines.append(f"  {_module_line(m)}")
        lines.extend(f"  import {name}" for name in m.imports)
        lines.extend(f"  export {name}" for name in m.exports)
    if report.component is not None:
        lines.extend(_component_lines(report.component, "  "))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from witkit import wat
    from witkit.errors import WitkitError
    from witkit.inspect import inspect_bytes

    try:
        report = inspect_bytes(wat.load(Path(args.file)))
        text = report.to_json() + "\n" if args.json else render(report, args.file)
    except RecursionError:
        # the report is a tree walked recursively; a valid component may nest 999 deep
        raise WitkitError("components nest too deeply to report") from None
    sys.stdout.write(text)
    return 0
