"""``wasi:cli``: arguments, environment, exit, standard streams and terminals.

What a guest sees here is exactly what its :class:`~witkit.wasi.WasiConfig`
granted: no arguments, no environment, an empty stdin and discarding
stdout/stderr unless told otherwise.  Exiting is not an error: ``exit`` raises
:class:`Exit`, which unwinds the guest and reaches the caller of ``run`` as the
cause of a ``Trap`` (every host function's exception does,
``witkit.runtime.canon.lower``); ``witkit.wasi.command.find_exit`` finds it and
``run_component`` returns its status code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from witkit._record import field, record
from witkit.wasi.io import InputStream, OutputStream

__all__ = ["Cli", "Exit", "TerminalInput", "TerminalOutput"]


class Exit(Exception):
    """The guest called ``wasi:cli/exit``: stop it and report ``code`` (0 for ``ok``)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"exit with status {code}")
        self.code = code


class TerminalInput:
    """``wasi:cli/terminal-input.terminal-input``: proof that stdin is a terminal."""


class TerminalOutput:
    """``wasi:cli/terminal-output.terminal-output``: proof that an output is a terminal."""


@record(frozen=False)
class Cli:
    """The ``wasi:cli`` state of one instance.

    Streams are made by factories, so every ``get-stdout`` hands the guest its own
    handle onto the same host destination.
    """

    args: Sequence[str] = ()
    env: Sequence[tuple[str, str]] = ()
    cwd: str | None = None
    stdin: Callable[[], InputStream] = field(default=lambda: _closed_in())
    stdout: Callable[[], OutputStream] = field(default=lambda: _sink())
    stderr: Callable[[], OutputStream] = field(default=lambda: _sink())
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False

    # wasi:cli/environment
    def get_environment(self) -> list[tuple[str, str]]:
        return list(self.env)

    def get_arguments(self) -> list[str]:
        return list(self.args)

    def initial_cwd(self) -> str | None:
        return self.cwd

    # wasi:cli/exit
    def exit(self, ok: bool) -> None:
        raise Exit(0 if ok else 1)

    def exit_with_code(self, status_code: int) -> None:
        raise Exit(status_code)

    # wasi:cli/stdin, stdout, stderr
    def get_stdin(self) -> InputStream:
        return self.stdin()

    def get_stdout(self) -> OutputStream:
        return self.stdout()

    def get_stderr(self) -> OutputStream:
        return self.stderr()

    # wasi:cli/terminal-*
    def get_terminal_stdin(self) -> TerminalInput | None:
        return TerminalInput() if self.stdin_tty else None

    def get_terminal_stdout(self) -> TerminalOutput | None:
        return TerminalOutput() if self.stdout_tty else None

    def get_terminal_stderr(self) -> TerminalOutput | None:
        return TerminalOutput() if self.stderr_tty else None


def _closed_in() -> InputStream:
    from witkit.wasi.io import ClosedInputStream

    return ClosedInputStream()


def _sink() -> OutputStream:
    from witkit.wasi.io import SinkOutputStream

    return SinkOutputStream()
