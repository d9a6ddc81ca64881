"""The command modules of ``witkit`` (see :mod:`witkit.cli.main`) and the one way they register.

A command module ``cli/<command>.py`` declares what the registry needs, and
:func:`add_command` builds every command's sub-parser the same way from it:

* ``HELP``: its line in ``witkit --help``;
* ``DESCRIPTION`` (optional): the text of ``witkit <command> --help``, else the first
  line of the module's docstring;
* ``EPILOG``: examples and notes, printed as written;
* ``add_arguments(parser)``: its options and operands;
* ``run(args)``: what it does, returning the exit status.

This lives in the package every command module is loaded through, so it costs
``witkit run`` no import of its own.
"""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any

__all__ = ["add_command"]


def add_command(sub: Any, command: ModuleType) -> argparse.ArgumentParser:
    """Add the command of module ``command`` to ``sub`` (a parser's sub-parsers)."""
    description = getattr(command, "DESCRIPTION", None)
    if description is None and command.__doc__:
        description = command.__doc__.splitlines()[0]
    parser: argparse.ArgumentParser = sub.add_parser(
        command.__name__.rpartition(".")[2],
        help=command.HELP,
        description=description,
        epilog=command.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    parser.set_defaults(func=command.run)
    return parser
