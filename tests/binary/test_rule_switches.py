"""The two places where wasm-tools 1.262 and the spec tests' revision of the spec differ.

witkit follows wasm-tools by default (so it rejects what the pinned oracle rejects)
and the spec under ``Features.spec_tests()`` (so ``witkit wast`` passes the spec's
own tests, as ``wasmtime wast`` does).
"""

from __future__ import annotations

import pytest
import wasmtime

from witkit.binary import Features, read, validate
from witkit.errors import ValidationError

TWO_NAMES = '(component (import "a1" (func)) (import "a-1" (func)))'

# a component whose only canon is `thread.yield` with the `cancel?` byte set (0x0c 0x01)
CANCELLABLE = b"\0asm\x0d\x00\x01\x00" + b"\x08\x03\x01\x0c\x01"


def test_hyphens_are_ignored_by_default() -> None:
    component = read(wasmtime.wat2wasm(TWO_NAMES))
    with pytest.raises(ValidationError, match="`a-1` conflicts with previous name `a1`"):
        validate(component)  # type: ignore[arg-type]


def test_spec_tests_keep_hyphens_but_not_case() -> None:
    component = read(wasmtime.wat2wasm(TWO_NAMES))
    validate(component, Features.spec_tests())  # type: ignore[arg-type]
    clash = read(wasmtime.wat2wasm('(component (import "a1" (func)) (import "A1" (func)))'))
    with pytest.raises(ValidationError, match="conflicts"):
        validate(clash, Features.spec_tests())  # type: ignore[arg-type]


def test_cancellable_byte() -> None:
    component = read(CANCELLABLE)
    with pytest.raises(ValidationError, match="historically accepted as `cancellable`"):
        validate(component)  # type: ignore[arg-type]
    validate(component, Features.spec_tests())  # type: ignore[arg-type]


def test_other_bytes_are_malformed() -> None:
    from witkit.errors import BinaryError

    with pytest.raises(BinaryError, match="zero byte"):
        read(CANCELLABLE[:-1] + b"\x02")
