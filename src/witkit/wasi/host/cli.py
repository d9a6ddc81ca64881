"""The WIT face of ``wasi:cli``: environment, exit, the standard streams, terminals.

The state is the instance's :class:`~witkit.wasi.cli.Cli`; this module only maps
its methods onto the interfaces' items.  ``exit`` takes the guest's ``result``
and exits 0 for ``ok``; both exits raise :class:`~witkit.wasi.Exit`, which is
not an error and passes through every binding untouched.  A ``get-terminal-*``
answers ``none`` unless the config said that stream is a terminal.
"""

from __future__ import annotations

from typing import Any

from witkit.abi.values import Ok
from witkit.wasi.config import WasiContext
from witkit.wasi.host.io import InputStreamResource, OutputStreamResource

__all__ = ["TerminalInputResource", "TerminalOutputResource", "interfaces"]


class TerminalInputResource:
    """``wasi:cli/terminal-input.terminal-input``."""


class TerminalOutputResource:
    """``wasi:cli/terminal-output.terminal-output``."""


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:cli``'s interfaces: unversioned name -> {WIT item name -> host function or class}."""
    cli = ctx.cli

    def exit_(status: Any) -> None:
        cli.exit(isinstance(status, Ok))

    return {
        "wasi:cli/environment": {
            "get-environment": cli.get_environment,
            "get-arguments": cli.get_arguments,
            "initial-cwd": cli.initial_cwd,
        },
        "wasi:cli/exit": {"exit": exit_, "exit-with-code": cli.exit_with_code},
        "wasi:cli/stdin": {
            "input-stream": InputStreamResource,
            "get-stdin": lambda: InputStreamResource(cli.get_stdin()),
        },
        "wasi:cli/stdout": {
            "output-stream": OutputStreamResource,
            "get-stdout": lambda: OutputStreamResource(cli.get_stdout()),
        },
        "wasi:cli/stderr": {
            "output-stream": OutputStreamResource,
            "get-stderr": lambda: OutputStreamResource(cli.get_stderr()),
        },
        "wasi:cli/terminal-input": {"terminal-input": TerminalInputResource},
        "wasi:cli/terminal-output": {"terminal-output": TerminalOutputResource},
        "wasi:cli/terminal-stdin": {
            "terminal-input": TerminalInputResource,
            "get-terminal-stdin": lambda: TerminalInputResource() if cli.stdin_tty else None,
        },
        "wasi:cli/terminal-stdout": {
            "terminal-output": TerminalOutputResource,
            "get-terminal-stdout": lambda: TerminalOutputResource() if cli.stdout_tty else None,
        },
        "wasi:cli/terminal-stderr": {
            "terminal-output": TerminalOutputResource,
            "get-terminal-stderr": lambda: TerminalOutputResource() if cli.stderr_tty else None,
        },
    }
