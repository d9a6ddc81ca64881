"""What a person reads from ``witkit``: help without markup, and errors that name their file.

Every command's ``--help`` is built from docstrings and constants written in
reStructuredText; none of that markup may reach the terminal.  Every command,
given a bad file of any sort, answers with one line ``witkit CMD: error: FILE...``
and exit status 1, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import wasmtime

from tests.cli.test_inspect_wit import witkit
from witkit.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.wat"

#: reStructuredText that must not show: inline literals and roles such as :func:`x`
MARKUP = re.compile(r"``|:[a-z]+:`")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_markup(command: str) -> None:
    result = witkit(*([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: witkit")
    assert MARKUP.search(result.stdout) is None, result.stdout


def test_plain_keeps_words_and_drops_markup() -> None:
    from witkit.cli import plain

    assert plain("``witkit inspect FILE``: see :func:`witkit.inspect`") == (
        "`witkit inspect FILE`: see `witkit.inspect`"
    )
    assert plain("no markup") == "no markup"


# --------------------------------------------------------------------------- errors

#: each bad input: (file name, what to write, a word the message must contain)
BAD_INPUTS = {
    "truncated": ("cut.wasm", "truncated", "offset"),
    "garbage": ("junk.wasm", bytes(range(7, 250, 3)), ""),
    "bad wat": ("bad.wat", '(component\n  (import "x" (func (param u32)))\n  (bogus)\n)\n', ":2:"),
    "missing": ("missing.wasm", None, "No such file"),
    "directory": ("adir", "dir", ""),
}


def _make(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    if content == "truncated":
        path.write_bytes(wasmtime.wat2wasm(HELLO.read_text())[:100])
    elif content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    return path


@pytest.mark.parametrize("command", ["run", "inspect", "wit", "wast"])
@pytest.mark.parametrize("bad", list(BAD_INPUTS))
def test_every_error_names_its_file(command: str, bad: str, tmp_path: Path) -> None:
    name, content, needle = BAD_INPUTS[bad]
    path = _make(tmp_path, name, content)
    if command == "wast" and bad not in ("missing", "directory", "bad wat"):
        needle = ""  # wasm-tools reads a .wast as text: binaries fail as "not UTF-8"
    if command == "wit" and bad == "directory":
        needle = "no WIT files"  # a directory is a WIT package to `witkit wit`
    if command == "wast" and bad == "missing":
        needle = "no such file"
    result = witkit(command, str(path))
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"witkit {command}: error: "), lines[0]
    assert str(path) in lines[0], lines[0]
    assert needle in lines[0], lines[0]
