"""Helpers for the binary tests: assembling component text and building byte strings."""

from __future__ import annotations

import shutil
import subprocess

import wasmtime

from witkit.binary import ValidatedComponent, ir, read, validate

__all__ = ["component_bytes", "leb", "section", "string", "vc_of", "wat", "wasm_tools"]

PREAMBLE = b"\x00asm\x0d\x00\x01\x00"
CORE_PREAMBLE = b"\x00asm\x01\x00\x00\x00"


def wasm_tools() -> str | None:
    return shutil.which("wasm-tools")


def wat(text: str) -> bytes:
    """Assemble component (or module) text; ``wasm-tools parse`` knows the newest syntax."""
    tool = wasm_tools()
    if tool is None:
        return bytes(wasmtime.wat2wasm(text))
    proc = subprocess.run(
        [tool, "parse", "-"], input=text.encode(), capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise ValueError(f"wasm-tools parse failed:\n{proc.stderr.decode()}")
    return proc.stdout


def vc_of(text: str) -> ValidatedComponent:
    decoded = read(wat(text))
    assert isinstance(decoded, ir.Component)
    return validate(decoded)


def leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def string(s: str) -> bytes:
    raw = s.encode()
    return leb(len(raw)) + raw


def section(sid: int, body: bytes) -> bytes:
    return bytes([sid]) + leb(len(body)) + body


def component_bytes(*sections: bytes) -> bytes:
    return PREAMBLE + b"".join(sections)
