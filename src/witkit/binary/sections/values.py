"""The 🪙 value section: each value's type and the byte range of its encoding.

Decoding ``val(t)`` needs the resolved type ``t``, so the bytes are decoded by
validation; here only the length prefix is checked against the section.
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.limits import MAX_WASM_VALUES
from witkit.binary.reader import Reader
from witkit.binary.sections.sorts import read_valtype

__all__ = ["read_value_section"]


def _read_value(r: Reader) -> ir.Value:
    offset = r.pos
    valtype = read_valtype(r)
    size = r.u32("the length of a value")
    data_offset = r.pos
    r.skip(size, "a value")
    return ir.Value(offset, valtype, data_offset, size, r.data)


def read_value_section(r: Reader, offset: int) -> ir.ValueSection:
    return ir.ValueSection(offset, r.vec(MAX_WASM_VALUES, "values", _read_value))
