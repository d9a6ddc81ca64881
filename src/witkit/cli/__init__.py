"""The command modules of ``witkit`` (see :mod:`witkit.cli.main`) and the one way they register.

Every command adds its sub-parser through :func:`add_command`, so that each is built the
same way: its one-line help in the command list, the first line of its module's docstring
as the description, its examples as an epilog kept as written, and ``func`` set to the
function that runs it.  It lives here, in the package every command module already loads,
so that it costs ``witkit run`` no extra import.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

__all__ = ["add_command"]


def add_command(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str | None,
    epilog: str,
    run: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """Add command ``name`` to ``sub`` (the parser's sub-parsers): ``description``'s first line
    describes it, ``epilog`` is printed as written, and ``run`` is called with the arguments."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description.splitlines()[0] if description else None,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run)
    return parser
