"""Strings across the boundary: the spec's ``load_string`` and ``store_string`` families.

A string in memory is a pointer and a length in code units of the options'
encoding: ``utf8`` (bytes), ``utf16`` (2-byte units, 2-aligned) or
``latin1+utf16``, where the top bit of the length (``utf16_tag``) says UTF-16
and otherwise the bytes are Latin-1.

Storing has to pick an allocation size before it knows the exact one, so the
spec lets it use the *source* string's encoding and length as a hint and then
``realloc`` to grow or shrink.  ``store_string_into_range`` follows the spec's
sequence of ``realloc`` calls exactly, for every (source, destination) pair, and
does the copying in bulk (``str.encode``, slice assignment) instead of per code
point.  A host ``str`` has no source encoding; like wasmtime for Rust strings,
we treat it as UTF-8 with its UTF-8 length as the hint, which makes the common
``utf8`` destination a single exact allocation.

Loading a long string (``ASCII_SCAN_MIN`` bytes or more) goes through
``decode_large``: when the memory can tell fast that the bytes are all ASCII
(``Context.ascii_prefix``), the ``str`` is made with one copy out of memory
instead of CPython's decoder, whose ASCII path checks and copies 8 bytes a step
(about half of a 1 MB echo).

Generated code inlines the ``utf8`` cases and calls these functions for the two
other encodings.  Runtimes that pass a string from one guest to another (an
adapter) can carry the spec's hint with ``load_string_from_range`` ->
``store_string_into_range``.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import TypeAlias

from witkit.abi._support import bad, trap_decode
from witkit.abi.context import Context, StringEncoding
from witkit.abi.layout import align_to, utf16_tag
from witkit.abi.limits import MAX_STRING_BYTE_LENGTH, REALLOC_I32_MAX
from witkit.abi.trap import Rule, trap

__all__ = [
    "ASCII_DIRECT_MIN",
    "ASCII_SCAN_MIN",
    "String",
    "copy_ascii",
    "decode_large",
    "load_string_from_range",
    "store_host_string",
    "store_string_into_range",
]

#: the spec's lifted string: the text, the encoding it came in, and its tagged length
String: TypeAlias = tuple[str, StringEncoding, int]


# --------------------------------------------------------------------------- ASCII, one copy

#: below this length ``mem[p:p + n] = s.encode()`` (two copies) beats the set-up of one
ASCII_DIRECT_MIN = 4096


def _ascii_layout() -> tuple[int, int] | None:
    """Where CPython keeps a compact ASCII ``str``'s state byte and its characters.

    An ASCII ``str`` *is* its UTF-8: a compact ASCII object (``PyASCIIObject``)
    holds the bytes right after its header, so they can be copied into guest
    memory with one ``memmove`` instead of ``encode`` (a copy) plus a slice
    assignment (a second one) -- a third of a 1 MB string's lowering.  The
    layout is CPython's, so it is probed on a fresh string and not used if
    anything differs (another implementation, a free-threaded build).
    """
    if sys.implementation.name != "cpython":
        return None
    word = ctypes.sizeof(ctypes.c_void_p)
    state, data = 4 * word, sys.getsizeof("") - 1
    probe = "".join(["witkit", "-ascii-probe"]) * 3
    try:
        bits = ctypes.c_uint8.from_address(id(probe) + state).value
        same = ctypes.string_at(id(probe) + data, len(probe)) == probe.encode()
    except (OSError, ValueError):  # pragma: no cover - defensive: nothing to probe with
        return None
    return (state, data) if same and (bits >> 5) & 3 == 3 else None


_ASCII_LAYOUT = _ascii_layout()
_ASCII_DATA = 0 if _ASCII_LAYOUT is None else _ASCII_LAYOUT[1]


def copy_ascii(mem: memoryview, ptr: int, v: str, n: int) -> None:
    """``mem[ptr:ptr + n] = v.encode()`` for an ASCII ``v`` of length ``n``, with one copy.

    The range is already bounds-checked by the caller.  Falls back to the two
    copies when the layout is unknown, the object is not a compact ASCII
    string (the compact and ASCII bits of its state), or the memory is not a
    writable buffer ctypes can address.
    """
    layout = _ASCII_LAYOUT
    if layout is not None:
        state, data = layout
        if (ctypes.c_uint8.from_address(id(v) + state).value >> 5) & 3 == 3:
            try:
                dst = ctypes.addressof(ctypes.c_char.from_buffer(mem, ptr))
            except (TypeError, ValueError):
                pass
            else:
                ctypes.memmove(dst, id(v) + data, n)
                return
    mem[ptr : ptr + n] = v.encode()


#: from this many bytes on, a string is first scanned by the memory (``decode_large``)
ASCII_SCAN_MIN = 1 << 17


def _ascii_maker() -> Callable[[int, int], str] | None:
    """CPython's ``PyUnicode_New``: a compact ``str`` of ``n`` characters, not yet written.

    With ``maxchar`` 127 it is a compact ASCII object, whose characters we may
    fill in ourselves while nothing else has seen it (the C API's contract for
    a new string).  Probed like ``_ascii_layout``: not used unless a string
    filled this way comes out equal to the same text made by Python.
    """
    if _ASCII_LAYOUT is None:
        return None
    data = _ASCII_LAYOUT[1]
    try:
        proto = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_ssize_t, ctypes.c_uint32)
        new: Callable[[int, int], str] = proto(("PyUnicode_New", ctypes.pythonapi))
        text = "".join(["witkit", "-new-probe"]) * 3
        probe = new(len(text), 127)
        ctypes.memmove(id(probe) + data, text.encode(), len(text))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - defensive
        return None
    return new if probe == text and probe.isascii() and hash(probe) == hash(text) else None


_NEW_ASCII = _ascii_maker()


def decode_large(cx: Context, mem: memoryview, ptr: int, n: int, codec: str) -> str:
    """``str(mem[ptr:ptr + n], codec)`` of a checked range, in one copy when it is all ASCII.

    For the 1-byte codecs (``utf-8``, ``latin-1``), ASCII text decodes to the
    same characters under either, so if ``cx.ascii_prefix`` finds no byte with
    the top bit set, the ``str`` is a compact ASCII object filled by one
    ``memmove``.  Anything else (a non-ASCII byte, no scan, another Python)
    decodes as usual, invalid UTF-8 raising ``UnicodeDecodeError`` for the
    caller's trap; the price of finding a non-ASCII byte late is the scan up to
    it.  Nothing runs between the scan and the copy, and a store is used by
    one thread at a time, so the bytes copied are the bytes scanned.
    """
    scan = cx.ascii_prefix
    new = _NEW_ASCII
    if scan is not None and new is not None and codec != "utf-16-le" and scan(ptr, n) == n:
        try:
            src = ctypes.addressof(ctypes.c_char.from_buffer(mem, ptr))
        except (TypeError, ValueError):
            pass  # a read-only view: no address to copy from
        else:
            s = new(n, 127)
            ctypes.memmove(id(s) + _ASCII_DATA, src, n)
            return s
    return str(mem[ptr : ptr + n], codec)


def load_string_from_range(cx: Context, ptr: int, tagged_code_units: int) -> String:
    """Read a string of ``tagged_code_units`` at ``ptr``; traps on bad ranges or bad text."""
    mem = cx.memory()
    tag = utf16_tag(cx.opts.addrtype)
    encoding = cx.opts.string_encoding
    if encoding == "utf8":
        align, byte_length, codec = 1, tagged_code_units, "utf-8"
    elif encoding == "utf16":
        align, byte_length, codec = 2, 2 * tagged_code_units, "utf-16-le"
    elif tagged_code_units & tag:
        align, byte_length, codec = 2, 2 * (tagged_code_units ^ tag), "utf-16-le"
    else:
        align, byte_length, codec = 2, tagged_code_units, "latin-1"
    if byte_length > MAX_STRING_BYTE_LENGTH:
        trap(
            Rule.STRING_TOO_LONG,
            f"string of {byte_length} bytes exceeds the limit of {MAX_STRING_BYTE_LENGTH} bytes",
        )
    if ptr != align_to(ptr, align):
        trap(Rule.MISALIGNED, f"string pointer {ptr:#x} is not aligned to {align} bytes")
    if ptr + byte_length > len(mem):
        trap(
            Rule.OUT_OF_BOUNDS,
            f"string at {ptr:#x} of {byte_length} bytes reaches past the end of memory "
            f"({len(mem)} bytes)",
        )
    try:
        if byte_length < ASCII_SCAN_MIN:
            s = str(mem[ptr : ptr + byte_length], codec)
        else:
            s = decode_large(cx, mem, ptr, byte_length, codec)
    except UnicodeDecodeError as e:
        trap_decode(e)
    return (s, encoding, tagged_code_units)


def store_string_into_range(
    cx: Context,
    src: str,
    src_encoding: StringEncoding = "utf8",
    src_tagged_code_units: int | None = None,
) -> tuple[int, int]:
    """Allocate and write ``src``; returns ``(ptr, tagged_code_units)`` in ``cx``'s encoding.

    ``src_encoding`` and ``src_tagged_code_units`` are the spec's hint (see the
    module docstring); without a length, ``src`` is taken as a host string
    (UTF-8, its UTF-8 length).  ``src`` must be a valid ``str`` without lone
    surrogates (the generated code checks host values before calling).
    """
    tag = utf16_tag(cx.opts.addrtype)
    if src_tagged_code_units is None:
        src_encoding = "utf8"
        src_tagged_code_units = len(src) if src.isascii() else len(src.encode("utf-8"))
    if src_encoding == "latin1+utf16":
        if src_tagged_code_units & tag:
            simple, units = "utf16", src_tagged_code_units ^ tag
        else:
            simple, units = "latin1", src_tagged_code_units
    else:
        simple, units = src_encoding, src_tagged_code_units

    match cx.opts.string_encoding:
        case "utf8":
            if simple == "utf8":
                return _store_string_copy(cx, src, units, 1, 1, "utf-8")
            if simple == "utf16":
                return _store_string_to_utf8(cx, src, units, 3 * units)
            return _store_string_to_utf8(cx, src, units, 2 * units)
        case "utf16":
            if simple == "utf8":
                return _store_utf8_to_utf16(cx, src, units)
            return _store_string_copy(cx, src, units, 2, 2, "utf-16-le")
        case _:
            if src_encoding != "latin1+utf16":
                return _store_string_to_latin1_or_utf16(cx, src, units)
            if simple == "latin1":
                return _store_string_copy(cx, src, units, 1, 2, "latin-1")
            return _store_probably_utf16_to_latin1_or_utf16(cx, src, units)


def store_host_string(cx: Context, src: str, where: str) -> tuple[int, int]:
    """A host ``str`` into memory (UTF-8 hint); a lone surrogate is the host's ``TypeError``."""
    try:
        return store_string_into_range(cx, src)
    except UnicodeEncodeError:
        bad(where, "string (a lone surrogate is not a Unicode scalar value)", src)


def _write(cx: Context, ptr: int, data: bytes) -> None:
    cx.memory()[ptr : ptr + len(data)] = data


def _write_and_shrink(cx: Context, ptr: int, data: bytes, allocated: int, align: int) -> int:
    """Write ``data`` at ``ptr`` into an allocation of ``allocated`` bytes (a worst case),
    then give back what it did not use, as the spec's transcoders do; the final pointer."""
    _write(cx, ptr, data)
    if len(data) < allocated:
        ptr = cx.reallocate(ptr, allocated, align, len(data))
    return ptr


def _store_string_copy(
    cx: Context, src: str, units: int, unit_size: int, align: int, codec: str
) -> tuple[int, int]:
    """The exact size is known up front: one allocation, one copy."""
    byte_length = unit_size * units
    _check_size(byte_length)
    ptr = cx.allocate(align, byte_length)
    encoded = src.encode(codec)
    if len(encoded) != byte_length:
        raise ValueError(f"string hint of {units} code units does not match the string")
    _write(cx, ptr, encoded)
    return ptr, units


def _store_string_to_utf8(cx: Context, src: str, units: int, worst_case: int) -> tuple[int, int]:
    """Optimistic 1 byte per unit; at the first non-ASCII, grow to the worst case, then shrink.

    The ASCII prefix goes into the first allocation before it is grown, as in
    the spec, so a ``realloc`` that copies finds the same bytes.
    """
    _check_size(units)
    ptr = cx.allocate(1, units)
    try:
        _write(cx, ptr, src.encode("ascii"))
        return ptr, units
    except UnicodeEncodeError as e:
        _write(cx, ptr, src[: e.start].encode("ascii"))
    _check_size(worst_case)
    ptr = cx.reallocate(ptr, units, 1, worst_case)
    encoded = src.encode("utf-8")
    return _write_and_shrink(cx, ptr, encoded, worst_case, 1), len(encoded)


def _store_utf8_to_utf16(cx: Context, src: str, units: int) -> tuple[int, int]:
    """Worst case first (each UTF-8 byte a UTF-16 unit), then shrink to the real size."""
    worst_case = 2 * units
    _check_size(worst_case)
    ptr = cx.allocate(2, worst_case)
    encoded = src.encode("utf-16-le")
    return _write_and_shrink(cx, ptr, encoded, worst_case, 2), len(encoded) // 2


def _store_string_to_latin1_or_utf16(cx: Context, src: str, units: int) -> tuple[int, int]:
    """Hope for Latin-1; at the first wider character inflate to UTF-16 (worst case), shrink."""
    _check_size(units)
    ptr = cx.allocate(2, units)
    try:
        latin1 = src.encode("latin-1")
    except UnicodeEncodeError as e:
        # The Latin-1 prefix goes in first, as in the spec (see _store_string_to_utf8).
        _write(cx, ptr, src[: e.start].encode("latin-1"))
    else:
        return _write_and_shrink(cx, ptr, latin1, units, 2), len(latin1)
    worst_case = 2 * units
    _check_size(worst_case)
    ptr = cx.reallocate(ptr, units, 2, worst_case)
    encoded = src.encode("utf-16-le")
    ptr = _write_and_shrink(cx, ptr, encoded, worst_case, 2)
    return ptr, (len(encoded) // 2) | utf16_tag(cx.opts.addrtype)


def _store_probably_utf16_to_latin1_or_utf16(cx: Context, src: str, units: int) -> tuple[int, int]:
    """The source chose UTF-16, so allocate for it; deflate to Latin-1 if it all fits."""
    byte_length = 2 * units
    _check_size(byte_length)
    ptr = cx.allocate(2, byte_length)
    encoded = src.encode("utf-16-le")
    _write(cx, ptr, encoded)
    try:
        latin1 = src.encode("latin-1")
    except UnicodeEncodeError:
        return ptr, (len(encoded) // 2) | utf16_tag(cx.opts.addrtype)
    _write(cx, ptr, latin1)
    ptr = cx.reallocate(ptr, byte_length, 1, len(latin1))
    return ptr, len(latin1)


def _check_size(byte_length: int) -> None:
    if byte_length > REALLOC_I32_MAX:
        raise ValueError(f"a string of {byte_length} bytes is too large to pass")
