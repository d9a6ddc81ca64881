"""The command modules of ``witkit`` (see :mod:`witkit.cli.main`) and the one way they register.

A command module ``cli/<command>.py`` declares what the registry needs, and
:func:`add_command` builds every command's sub-parser the same way from it:

* ``HELP``: its line in ``witkit --help``;
* ``DESCRIPTION`` (optional): the text of ``witkit <command> --help``, else the first
  line of the module's docstring.  Docstrings are reStructuredText; every help
  text goes through :class:`PlainFormatter`, which shows their inline literals and
  roles as plain backquoted words, so no markup reaches the terminal;
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

__all__ = ["PlainFormatter", "add_command", "error_line", "plain"]


def plain(text: str) -> str:
    """``text`` with its reStructuredText inline markup as a terminal should show it.

    Help texts are written once, in docstrings and constants that Sphinx-style
    readers also see; a person at a terminal should not see the markup.
    """
    if "`" not in text:
        return text
    import re  # only when there is markup: most start-ups never format help

    text = re.sub(r":[a-z]+(?::[a-z]+)?:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


class PlainFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter for ``witkit`` help: texts kept as written, markup removed."""

    def _format_text(self, text: str) -> str:
        return super()._format_text(plain(text))

    def _expand_help(self, action: argparse.Action) -> str:
        return plain(super()._expand_help(action))


def _first_line(doc: str) -> str:
    """A command module's summary line for its ``--help``.

    The line opens with the command's synopsis as a literal and a colon, which the
    usage line just above already shows: the text after it is the description.
    """
    line = doc.splitlines()[0]
    if line.startswith("``witkit ") and "``: " in line:
        line = line.partition("``: ")[2]
        line = line[:1].upper() + line[1:]
    return line


def add_command(sub: Any, command: ModuleType) -> argparse.ArgumentParser:
    """Add the command of module ``command`` to ``sub`` (a parser's sub-parsers)."""
    description = getattr(command, "DESCRIPTION", None)
    if description is None and command.__doc__:
        description = _first_line(command.__doc__)
    parser: argparse.ArgumentParser = sub.add_parser(
        command.__name__.rpartition(".")[2],
        help=command.HELP,
        description=description,
        epilog=command.EPILOG,
        formatter_class=PlainFormatter,
    )
    command.add_arguments(parser)
    # the file the command is about, which ``error_line`` names: its first free operand
    # (one with choices, like a shell's name or a sub-command, names no file)
    operands = [a.dest for a in parser._actions if not a.option_strings and a.choices is None]
    parser.set_defaults(func=command.run, subject=operands[0] if operands else None)
    return parser


def error_line(args: argparse.Namespace, err: Exception) -> str:
    """The one line ``witkit`` prints for a failed command: ``witkit CMD: error: FILE: message``.

    A person with several files at hand must see which one is bad, whatever the
    layer that noticed it (the reader's offset, the assembler's line, the
    validator, the linker): so the file the command is about is put in front of
    any message that does not name it already, or an option.  An ``OSError`` names its own
    file (a ``--dir`` or ``-o`` path may be another one).
    """
    from witkit.errors import WitkitError

    command = getattr(args, "command", None)
    head = f"witkit {command}: error: " if command else "witkit: error: "
    dest = getattr(args, "subject", None)
    subject = getattr(args, dest, None) if dest else None
    if isinstance(err, WitkitError):
        message = err.render()
    elif isinstance(err, OSError):
        message = err.strerror or str(err)
        if err.filename is not None:
            return f"{head}{err.filename}: {message}"
    else:
        message = str(err)
    # a message that opens with an option (``--invoke 'f(': ...``, ``--dir x: ...``) is
    # about the command line, not the file
    if isinstance(subject, str) and subject not in message and not message.startswith("-"):
        message = f"{subject}: {message}"
    return head + message
