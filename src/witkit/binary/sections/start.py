"""The 🪙 start section: a function index, its argument values and its result count."""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.limits import MAX_WASM_FUNCTION_RETURNS, MAX_WASM_START_ARGS
from witkit.binary.reader import Reader
from witkit.errors import BinaryError

__all__ = ["read_start_section"]


def read_start_section(r: Reader, offset: int) -> ir.StartSection:
    start = r.pos
    func = r.u32("the start function index")
    args = r.vec(MAX_WASM_START_ARGS, "start function arguments", lambda r: r.u32("a value index"))
    pos = r.pos
    results = r.u32("the number of start function results")
    if results > MAX_WASM_FUNCTION_RETURNS:
        raise BinaryError(
            f"start function results count is out of bounds ({results}, the limit is "
            f"{MAX_WASM_FUNCTION_RETURNS})",
            pos,
        )
    return ir.StartSection(offset, ir.Start(start, func, args, results))
