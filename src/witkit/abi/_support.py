"""What the generated lift/lower code calls: the slow paths, kept out of line.

Generated code inlines the common case (an ``int`` in range, a ``str``, a record
of the expected class) and calls into this module only when that fails: to
coerce a value of a near type (``numpy.int32``, a ``dict`` for a record), to
raise the host's ``TypeError`` naming where the bad value was, or to raise the
guest's ``Trap``.  Nothing here is on the hot path of a well-formed call.

``where`` is a description of the value's position, e.g. "argument `p`.name".
"""

from __future__ import annotations

import operator
import struct
from array import array
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any, NoReturn, cast

from witkit.abi.limits import MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH
from witkit.abi.trap import Rule, trap
from witkit.abi.values import Err, Ok, Record, Some, Variant, python_name

__all__: list[str] = []

#: the single NaN of component-level floats (the spec's canonical NaN bits)
NAN: float = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_0000))[0]
#: largest finite f32; finite doubles outside it overflow (or round down to it)
F32_MAX = 3.4028234663852886e38

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")


# --------------------------------------------------------------------------- host errors


def show(v: object) -> str:
    """A value as the error messages quote it: short repr, and its type if that is unclear."""
    text = repr(v)
    if len(text) > 60:
        text = text[:57] + "..."
    if type(v) in (int, float, str, bool, type(None)):
        return text
    return f"{text} ({type(v).__name__})"


def bad(where: str, expected: str, v: object) -> NoReturn:
    raise TypeError(f"{where}: expected {expected}, got {show(v)}")


def arity(args: object, names: tuple[str, ...]) -> NoReturn:
    listed = ", ".join(names) if names else "none"
    got = len(args) if isinstance(args, Sized) else f"{show(args)}, not a sequence"
    raise TypeError(f"expected {len(names)} arguments ({listed}), got {got}")


def check_int(v: object, lo: int, hi: int, wit: str, where: str) -> int:
    """An integer of a WIT integer type from anything with ``__index__`` (but not ``bool``)."""
    if isinstance(v, bool) or not hasattr(type(v), "__index__"):
        bad(where, f"{wit} ({lo}..{hi})", v)
    i = operator.index(cast(Any, v))
    if not lo <= i <= hi:
        bad(where, f"{wit} ({lo}..{hi})", v)
    return i


def check_bool(v: object, where: str) -> int:
    """``0`` or ``1`` from a ``bool`` (or the integers 0 and 1)."""
    if type(v) is int and v in (0, 1):
        return v
    bad(where, "bool", v)


def check_float(v: object, wit: str, where: str) -> float:
    """A ``float`` from a float or an integer (not a ``bool``), NaN made canonical."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        bad(where, wit, v)
    try:
        f = float(v)
    except OverflowError:
        bad(where, f"{wit} (integer too large)", v)
    return NAN if f != f else f


def round_f32(v: float) -> float:
    """The nearest f32 of a double that is NaN, infinite or outside the f32 range.

    IEEE rounding: finite values too large become infinities, as in C; every
    NaN becomes the canonical one.
    """
    if v != v:
        return NAN
    return array("f", (v,))[0]


def check_char(v: object, where: str) -> str:
    """A one-character ``str`` that is a Unicode scalar value (no lone surrogate)."""
    if type(v) is not str or len(v) != 1 or "\ud800" <= v <= "\udfff":
        bad(where, "char (one Unicode scalar value)", v)
    return v


def check_str(v: object, where: str) -> str:
    if not isinstance(v, str):
        bad(where, "string", v)
    return str(v)


def encode_utf8(v: str, where: str) -> bytes:
    """UTF-8 of a non-ASCII ``str``; lone surrogates are not strings of the component model."""
    try:
        return v.encode("utf-8")
    except UnicodeEncodeError:
        bad(where, "string (a lone surrogate is not a Unicode scalar value)", v)


def encode_utf16(v: str, where: str) -> bytes:
    try:
        return v.encode("utf-16-le")
    except UnicodeEncodeError:
        bad(where, "string (a lone surrogate is not a Unicode scalar value)", v)


def check_bytes(v: object, where: str) -> bytes | bytearray:
    """The bytes of a ``list<u8>``: bytes-like objects as they are, else an iterable of ints."""
    if type(v) is bytes or type(v) is bytearray:
        return v
    if isinstance(v, bytes | bytearray):
        return bytes(v)
    if isinstance(v, memoryview):
        return v.tobytes()
    if isinstance(v, str) or not isinstance(v, Iterable):
        bad(where, "list<u8> (bytes or integers 0..255)", v)
    try:
        return bytes(v)
    except (TypeError, ValueError):
        bad(where, "list<u8> (bytes or integers 0..255)", v)


def check_list(v: object, where: str, wit: str) -> Sequence[Any]:
    """A sized sequence from any iterable (not a ``str``/bytes, which are not lists here)."""
    if type(v) is list or type(v) is tuple:
        return v
    if isinstance(v, str | bytes | bytearray | Mapping) or not isinstance(v, Iterable):
        bad(where, wit, v)
    return list(v)


def check_chars(v: object, where: str) -> Sequence[Any]:
    """``list<char>`` also accepts a ``str`` (its characters)."""
    if isinstance(v, str):
        return list(v)
    return check_list(v, where, "list<char>")


def check_seq(v: object, n: int, where: str, wit: str) -> Sequence[Any]:
    """A sequence of exactly ``n`` items: a tuple, or a fixed-length list."""
    if type(v) is tuple or type(v) is list:
        seq: Sequence[Any] = v
    elif isinstance(v, str | bytes | bytearray | Mapping) or not isinstance(v, Iterable):
        bad(where, wit, v)
    else:
        seq = list(v)
    if len(seq) != n:
        bad(where, f"{wit} ({n} items)", v)
    return seq


def check_fixed_bytes(v: object, n: int, where: str, wit: str) -> bytes:
    b = check_bytes(v, where)
    if len(b) != n:
        bad(where, f"{wit} ({n} bytes)", v)
    return bytes(b)


def pack_array(code: str, v: object, n: int | None, where: str, elem: str) -> array[Any]:
    """Bulk conversion of a numeric list: the ``array`` module range-checks every item.

    Floats follow C conversion, which is IEEE rounding: an f32 too large becomes
    an infinity.  NaNs are made canonical.
    """
    wit = f"list<{elem}>" if n is None else f"list<{elem}, {n}>"
    seq = check_list(v, where, wit) if n is None else check_seq(v, n, where, wit)
    a: array[Any] = array(code)
    try:
        if type(seq) is list:
            a.fromlist(seq)
        else:
            a.extend(seq)
    except (TypeError, OverflowError):
        # Find the culprit for the message, item by item.
        lo, hi = _ARRAY_RANGE[code]
        for i, item in enumerate(seq):
            if code in "fd":
                check_float(item, elem, f"{where}[{i}]")
            else:
                check_int(item, lo, hi, elem, f"{where}[{i}]")
        raise
    if code in "fd" and a != a:  # some NaN: arrays compare item by item, and NaN != NaN
        a = array(code, [NAN if x != x else float(x) for x in a])
    return a


def pack_bools(v: object, where: str) -> bytes:
    """The bytes of a ``list<bool>`` (each 0 or 1)."""
    seq = check_list(v, where, "list<bool>")
    try:
        b = bytes(seq)
    except (TypeError, ValueError):
        b = b""
    if len(b) != len(seq) or b.translate(None, b"\x00\x01"):
        for i, item in enumerate(seq):
            if item is not True and item is not False:
                check_bool(item, f"{where}[{i}]")
    return b


def pack_chars(v: object, where: str) -> bytes:
    """The bytes of a ``list<char>``: UTF-32, which rejects lone surrogates for us."""
    seq = check_chars(v, where)
    for i, c in enumerate(seq):
        if type(c) is not str or len(c) != 1:
            check_char(c, f"{where}[{i}]")
    try:
        return "".join(seq).encode("utf-32-le")
    except UnicodeEncodeError as e:
        bad(f"{where}[{e.start}]", "char (one Unicode scalar value)", seq[e.start])


def too_big(byte_length: int) -> NoReturn:
    raise ValueError(f"a list of {byte_length} bytes is too large for a 32-bit memory")


_ARRAY_RANGE = {
    "b": (-(2**7), 2**7 - 1),
    "B": (0, 2**8 - 1),
    "h": (-(2**15), 2**15 - 1),
    "H": (0, 2**16 - 1),
    "i": (-(2**31), 2**31 - 1),
    "I": (0, 2**32 - 1),
    "q": (-(2**63), 2**63 - 1),
    "Q": (0, 2**64 - 1),
    "f": (0, 0),
    "d": (0, 0),
}


def canon_floats(values: list[float]) -> list[float]:
    """A lifted float list with every NaN made canonical (only called when one is present)."""
    return [NAN if x != x else x for x in values]


#: WIT field names -> their Python names (computed once per record type, not per value)
_snake_names: dict[tuple[str, ...], tuple[str, ...]] = {}


def record_fields(v: object, wit_names: tuple[str, ...], where: str, wit: str) -> tuple[Any, ...]:
    """A record's field values from a Record, a mapping (WIT or snake names) or attributes."""
    attrs = _snake_names.get(wit_names)
    if attrs is None:
        attrs = _snake_names[wit_names] = tuple(python_name(n) for n in wit_names)
    if isinstance(v, Record):
        try:
            return tuple(getattr(v, a) for a in attrs)
        except AttributeError:
            bad(where, f"{wit} with fields {', '.join(wit_names)}", v)
    if isinstance(v, Mapping):
        out = []
        for w, a in zip(wit_names, attrs, strict=True):
            if w in v:
                out.append(v[w])
            elif a in v:
                out.append(v[a])
            else:
                raise TypeError(f"{where}: {wit} is missing field `{w}` in {show(v)}")
        return tuple(out)
    if isinstance(v, str | bytes | int | float | Sequence) or v is None:
        bad(where, f"{wit} (a Record, a mapping or an object with its fields)", v)
    out = []
    for w, a in zip(wit_names, attrs, strict=True):
        try:
            out.append(getattr(v, a))
        except AttributeError:
            raise TypeError(f"{where}: {wit} is missing field `{w}` in {show(v)}") from None
    return tuple(out)


def variant_case(
    v: object, index: Mapping[str, int], payloads: tuple[bool, ...], where: str, wit: str
) -> tuple[int, Any]:
    """The case index and payload of a ``Variant`` (or a bare name of a payload-less case)."""
    if isinstance(v, Variant):
        tag: object = v.tag
        payload = v.value
    elif isinstance(v, str):
        tag, payload = v, None
    else:
        bad(where, f"{wit} (a Variant)", v)
    i = index.get(tag) if isinstance(tag, str) else None
    if i is None:
        bad(where, f"{wit} case (one of {_wit_names(index)})", v)
    if isinstance(v, str) and payloads[i]:
        bad(where, f"{wit} case `{tag}` with a payload: Variant({tag!r}, value)", v)
    return i, payload


def _wit_names(index: Mapping[str, int]) -> str:
    """The WIT spellings among a name table's keys (WIT names have no underscores)."""
    return ", ".join(k for k in index if "_" not in k)


def enum_case(v: object, index: Mapping[str, int], where: str, wit: str) -> int:
    i = index.get(v) if isinstance(v, str) else None
    if i is None:
        bad(where, f"{wit} (one of {_wit_names(index)})", v)
    return i


def result_case(v: object, where: str, wit: str) -> tuple[int, Any]:
    if isinstance(v, Ok):
        return 0, v.value
    if isinstance(v, Err):
        return 1, v.value
    bad(where, f"{wit} (Ok(...) or Err(...))", v)


def nested_some(v: object, where: str, wit: str) -> Any:
    """The payload of ``some`` for an option of an option: only ``Some(x)`` says which."""
    if isinstance(v, Some):
        return v.value
    bad(where, f"{wit} (None or Some(...): the option is nested)", v)


def pack_flags(v: object, bits: Mapping[str, int], where: str, wit: str) -> int:
    """The bit vector of a set of flag names (any iterable of WIT or snake names)."""
    if isinstance(v, str) or not isinstance(v, Iterable):
        bad(where, f"{wit} (a set of flag names)", v)
    out = 0
    for name in v:
        bit = bits.get(name) if isinstance(name, str) else None
        if bit is None:
            raise TypeError(f"{where}: {show(name)} is not a flag of {wit} ({_wit_names(bits)})")
        out |= bit
    return out


def unpack_flags(i: int, labels: tuple[str, ...]) -> frozenset[str]:
    """The set names of a bit vector; bits past the labels are ignored, as the spec says."""
    return frozenset(label for bit, label in enumerate(labels) if i >> bit & 1)


def map_items(v: object, where: str, wit: str) -> list[tuple[Any, Any]]:
    """The (key, value) pairs of a ``map``: a mapping's items, or an iterable of pairs."""
    if isinstance(v, Mapping):
        return list(v.items())
    if isinstance(v, str | bytes) or not isinstance(v, Iterable):
        bad(where, f"{wit} (a mapping or (key, value) pairs)", v)
    return list(v)


def f32_bits(f: float) -> int:
    """``i32.reinterpret_f32``, for f32 payloads of variants joined into integer slots."""
    bits: int = _U32.unpack(_F32.pack(f))[0]
    return bits


def f64_bits(f: float) -> int:
    bits: int = _U64.unpack(_F64.pack(f))[0]
    return bits


def f32_from_bits(i: int) -> float:
    """``f32.reinterpret_i32`` with the NaN made canonical (lifting a joined slot)."""
    f: float = _F32.unpack(_U32.pack(i & 0xFFFF_FFFF))[0]
    return NAN if f != f else f


def f64_from_bits(i: int) -> float:
    f: float = _F64.unpack(_U64.pack(i & 0xFFFF_FFFF_FFFF_FFFF))[0]
    return NAN if f != f else f


# --------------------------------------------------------------------------- guest traps


def trap_oob(what: str, ptr: int, size: int, memsize: int) -> NoReturn:
    trap(
        Rule.OUT_OF_BOUNDS,
        f"{what} at {ptr:#x} of {size} bytes reaches past the end of memory ({memsize} bytes)",
    )


def trap_misaligned(what: str, ptr: int, align: int) -> NoReturn:
    trap(Rule.MISALIGNED, f"{what} pointer {ptr:#x} is not aligned to {align} bytes")


def trap_realloc_misaligned(ptr: int, align: int) -> NoReturn:
    trap(
        Rule.REALLOC_MISALIGNED,
        f"realloc returned pointer {ptr:#x}, which is not aligned to {align} bytes",
    )


def trap_realloc_oob(ptr: int, size: int, memsize: int) -> NoReturn:
    trap(
        Rule.REALLOC_OUT_OF_BOUNDS,
        f"realloc returned pointer {ptr:#x} for {size} bytes, "
        f"past the end of memory ({memsize} bytes)",
    )


def trap_string_too_long(byte_length: int) -> NoReturn:
    trap(
        Rule.STRING_TOO_LONG,
        f"string of {byte_length} bytes exceeds the limit of {MAX_STRING_BYTE_LENGTH} bytes",
    )


def trap_list_too_long(byte_length: int) -> NoReturn:
    trap(
        Rule.LIST_TOO_LONG,
        f"list of {byte_length} bytes exceeds the limit of {MAX_LIST_BYTE_LENGTH} bytes",
    )


def trap_copy(limit: int) -> NoReturn:
    trap(
        Rule.COPY_LIMIT,
        f"too much data is being copied between the host and the guest: more than {limit} "
        "bytes of strings and lists in one call (raise the limit with "
        "Linker.instantiate(max_copy=N) or `witkit run -W max-copy=N`)",
    )


def trap_char(i: int) -> NoReturn:
    trap(Rule.INVALID_CHAR, f"{i:#x} is not a Unicode scalar value (char)")


def trap_discriminant(i: int, n: int, wit: str) -> NoReturn:
    trap(Rule.INVALID_DISCRIMINANT, f"case index {i} of {wit}, which has {n} cases")


def trap_decode(e: UnicodeDecodeError) -> NoReturn:
    """A decoding error of lifted text: which rule depends on the codec that failed."""
    if e.encoding.startswith("utf-32"):
        trap(Rule.INVALID_CHAR, f"list<char> holds a value that is not a char: {e.reason}")
    if e.encoding.startswith("utf-16"):
        trap(Rule.INVALID_UTF16, f"invalid UTF-16 string: {e.reason} at byte {e.start}")
    trap(Rule.INVALID_UTF8, f"invalid UTF-8 string: {e.reason} at byte {e.start}")
