"""Wasm text in, wasm binary out: so every command takes ``.wat`` as readily as ``.wasm``.

Assembly is delegated to wasmtime's text parser (which understands component text
too); this module only decides *when* a file is text and turns the assembler's
multi-line report into a ``WatError`` whose first line says where and what.
"""

from __future__ import annotations

import os

from witkit.errors import BinaryError, WatError

__all__ = ["assemble", "is_text", "load"]

_WASM_MAGIC = b"\0asm"


def is_text(data: bytes) -> bool:
    """Binary wasm always starts with the magic; anything else is treated as text."""
    return not data.startswith(_WASM_MAGIC)


def assemble(text: str, filename: str = "<text>") -> bytes:
    """Assemble module or component text; raise ``WatError`` naming ``filename:line:col``."""
    import wasmtime  # deferred: importing wasmtime costs ~50 ms, only text input needs it

    try:
        return bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as err:
        raise WatError(_summarise(str(err), filename)) from None


def _summarise(report: str, filename: str) -> str:
    """wasmtime reports ``message\\n --> <anon>:L:C\\n | source``; keep message and place."""
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    message = lines[0] if lines else "invalid wasm text"
    for line in lines[1:]:
        if line.startswith("-->"):
            place = line[3:].strip().replace("<anon>", filename)
            return f"{place}: {message}"
    return f"{filename}: {message}"


def load(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a ``.wasm`` file, or the assembled bytes of a ``.wat`` file.

    The decision is made on content, not on the extension, so ``witkit wit -`` style
    pipes and oddly named files work; text that is not valid UTF-8 is reported as such.
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        data = file.read()
    if not is_text(data):
        return data
    if os.path.splitext(path)[1] not in (".wat", ".wast") and data[:1] not in (
        b"(",
        b";",
        b" ",
        b"\n",
        b"\t",
        b"\r",
    ):
        # Neither wasm nor anything that looks like text: say so instead of
        # letting the assembler complain about an unexpected character.
        raise BinaryError(f"{path}: not a wasm binary (bad magic {data[:4]!r}) nor wasm text", 0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WatError(f"{path}: not a wasm binary, and not UTF-8 text ({err.reason})") from None
    return assemble(text, path)
