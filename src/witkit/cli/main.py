"""The ``witkit`` command line: a registry of commands and the one place errors are printed.

Each command lives in its own module (``cli/<command>.py``), which declares its help,
arguments and ``run`` for :func:`witkit.cli.add_command` to build its sub-parser.  A command is a thin shell over a
library call: it turns files into bytes and results into text.  Every ``WitkitError``
(and ``OSError``) reaches ``main`` and is printed once, as one line naming the command
and the file (``witkit.cli.error_line``), with exit status 1;
a closed stdout pipe (``witkit wit x.wasm | head``) ends quietly.  SIGINT and SIGTERM
end any command with ``witkit: interrupted`` and the shell's status, 128 + the signal
(130, 143), never a traceback (``witkit._signals``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from witkit import __version__, _signals
from witkit.cli import PlainFormatter, add_command, error_line
from witkit.errors import WitkitError, find_cause

__all__ = ["COMMANDS", "build_parser", "entry", "main"]

#: the command modules, in the order ``witkit --help`` lists them
COMMANDS: tuple[str, ...] = (
    "inspect", "wit", "run", "wast", "component", "cache", "completion",
)  # fmt: skip

_DESCRIPTION = """\
witkit: the WebAssembly Component Model and WASI 0.2, native to Python.

examples:
  witkit run --dir data app.wasm   run a WASI 0.2 command, granting it ./data and nothing else
  witkit inspect app.wasm          what is in a component: modules, nesting, imports, exports
  witkit wit app.wasm              the WIT world of a component (as `wasm-tools component wit`)
  witkit wit --json app.wasm       the same, machine-readable
  witkit wit wit/                  resolve and print a WIT directory (with deps/)
  witkit wast test.wast            run a component test script (the spec's .wast format)
  witkit cache size                what the compile cache holds; also dir, clean, prune
  witkit completion bash           a completion script: eval "$(witkit completion bash)"
"""


def _help_width() -> int:
    """What ``shutil.get_terminal_size`` would give argparse, minus its margin of 2."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(columns - 2, 11)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit status 2, like every CLI."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument, and without a width
        # one imports shutil (with bz2, lzma, zlib, fnmatch: ~2 ms of each start).
        return self.formatter_class(prog=self.prog, width=_help_width())  # type: ignore[call-arg]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with just ``only`` (start-up pays per command)."""
    parser = _Parser(
        prog="witkit",
        description=_DESCRIPTION,
        formatter_class=PlainFormatter,
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="print the versions of witkit, of its wasmtime engine and of Python",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_VERBOSE)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if only is None else (only,):
        add_command(sub, importlib.import_module(f"witkit.cli.{name}"))
    for command in sub.choices.values():  # also after the command: `witkit run -v app.wasm`
        command.add_argument(
            "-v", "--verbose", dest="verbose_after", action="count", default=0, help=_VERBOSE
        )
    return parser


_VERBOSE = (
    "log what witkit does to stderr: -v compile and instantiate times and cache use"
    " per component, -vv also every cache entry and import link (or WITKIT_LOG=info|debug)"
)


class _Version(argparse.Action):
    """``--version``: the wasmtime package's version is looked up only when asked
    (``importlib.metadata`` costs ~10 ms of import)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """``witkit 0.1.0 (wasmtime 25.0.0 engine, CPython 3.11.2)``."""
    import platform
    from importlib import metadata

    try:
        engine = metadata.version("wasmtime")
    except metadata.PackageNotFoundError:
        engine = "unknown"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"witkit {__version__} (wasmtime {engine} engine, {python})"


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line, if it is a known one and comes first.

    Only then is it safe to build a parser with that command alone: top-level
    ``--help``, a missing or misspelt command still get the full parser, so their
    messages list every command.
    """
    if argv and argv[0] in COMMANDS:
        return argv[0]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = _chosen_command(arguments)
    if chosen == "run" and _signals.taken_over():
        # before the command's modules import: from here a signal is raised at the
        # run's safe points, not inside the import system, where a KeyboardInterrupt
        # can be swallowed ("Exception ignored") or leave a module lock taken
        _signals.watch()
    parser = build_parser(chosen)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return 2
    verbosity = args.verbose + getattr(args, "verbose_after", 0)
    if verbosity:
        from witkit import _log

        _log.enable(_log.LEVELS["debug" if verbosity > 1 else "info"])
    try:
        status: int = args.func(args)
        if sys.stdout is not None:  # None when started with fd 1 closed (`cmd >&-`)
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt as err:
        # Ctrl-C or SIGTERM (``witkit._signals.Interrupted``): the shell's 128 + signal
        _flush_quietly()
        _signals.announce()
        return 128 + int(getattr(err, "signum", signal.SIGINT))
    except (WitkitError, OSError) as err:
        print(error_line(args, err), file=sys.stderr)
        return 1
    return status


def _flush_quietly() -> None:
    """Flush stdout before a last message; a reader gone or a closed stream adds nothing."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        pass


def entry() -> NoReturn:
    """The console script and ``python -m witkit``: ``main``, then leave at once.

    When the command is done nothing is left to clean up that the OS does not
    clean up itself: guest output went through file descriptors, cache files
    were renamed into place, and the flush below empties Python's own buffers.
    Skipping the interpreter's teardown (collecting every module, finalizing
    the wasmtime store and engine) saves ~3 ms of every ``witkit run``.
    ``main`` itself stays an ordinary function for callers in the same process.
    """
    # No cyclic GC: it would only re-scan the long-lived objects a command builds
    # (start-up's modules and classes; the IR of an 18 MB component, ~200k
    # acyclic objects, ~10% of ``witkit wit``), and the process ends right after.
    # A command that runs user code turns it back on (``witkit run`` just before
    # the guest runs, ``witkit wast``).
    gc.disable()
    # SIGINT and SIGTERM become ``Interrupted`` from here on (and never tear a
    # guest call; ``witkit run`` adds the watcher that stops a running guest).
    try:
        _signals.take_over()  # raises a signal held while ``python -m witkit`` imported
        status = main()
    except KeyboardInterrupt as err:  # while parsing arguments, say
        _flush_quietly()
        _signals.announce()
        status = 128 + int(getattr(err, "signum", signal.SIGINT))
    except Exception as err:
        # Python wraps an exception raised while a class is made (``__set_name__``)
        # in a RuntimeError: a signal in start-up's imports is still an interrupt
        interrupt = find_cause(err, KeyboardInterrupt)
        if interrupt is None:
            raise
        _flush_quietly()
        _signals.announce()
        status = 128 + int(getattr(interrupt, "signum", signal.SIGINT))
    except SystemExit as done:  # argparse's --help, --version and usage errors
        if done.code is None or isinstance(done.code, int):
            status = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone, a closed stream: nothing to add
            pass
    os._exit(status)


if __name__ == "__main__":
    entry()
