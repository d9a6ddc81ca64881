"""Helpers for the binary tests: assembling component text and building byte strings.

The byte builders are the binary writer's (``witkit.binary.encode``) under the short
names the tests use.
"""

from __future__ import annotations

import shutil
import subprocess

import wasmtime

from witkit.binary import ValidatedComponent, ir, read, validate
from witkit.binary.codes import COMPONENT_PREAMBLE
from witkit.binary.encode import name as string
from witkit.binary.encode import section as section
from witkit.binary.encode import uleb as leb

__all__ = ["component_bytes", "leb", "section", "string", "vc_of", "wat", "wasm_tools"]

PREAMBLE = COMPONENT_PREAMBLE
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


def component_bytes(*sections: bytes) -> bytes:
    return PREAMBLE + b"".join(sections)
