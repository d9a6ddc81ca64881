"""What every generated ABI module finds in its namespace: helpers and value classes.

Apart from the generator (``witkit.abi.codegen``) so that running generated code
kept from an earlier process (``witkit.abi._recipes``) does not import the
generator itself.
"""

from __future__ import annotations

import struct
from typing import Any

__all__ = ["base_namespace", "flag_sets"]


def flag_sets(labels: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Every set of up to 8 flags, indexed by its bits: lifting small flags is one lookup."""
    n = len(labels)
    return tuple(
        frozenset(label for i, label in enumerate(labels) if bits >> i & 1)
        for bits in range(1 << n)
    )


def base_namespace() -> dict[str, Any]:
    """The names every generated module may use (helpers and value classes)."""
    from itertools import starmap

    from witkit.abi import _support as s
    from witkit.abi.strings import copy_ascii, decode_large, store_host_string
    from witkit.abi.values import Err, Ok, Some, Variant

    return {
        "_Struct": struct.Struct,
        "_starmap": starmap,
        "_flag_sets": flag_sets,
        "_NAN": s.NAN,
        "_F32_MAX": s.F32_MAX,
        "_Some": Some,
        "_Ok": Ok,
        "_Err": Err,
        "_Variant": Variant,
        "_check_int": s.check_int,
        "_check_bool": s.check_bool,
        "_check_float": s.check_float,
        "_round_f32": s.round_f32,
        "_check_char": s.check_char,
        "_check_str": s.check_str,
        "_encode_utf8": s.encode_utf8,
        "_copy_ascii": copy_ascii,
        "_decode_large": decode_large,
        "_check_bytes": s.check_bytes,
        "_check_list": s.check_list,
        "_check_seq": s.check_seq,
        "_check_fixed_bytes": s.check_fixed_bytes,
        "_pack_array": s.pack_array,
        "_pack_bools": s.pack_bools,
        "_pack_chars": s.pack_chars,
        "_canon_floats": s.canon_floats,
        "_record_fields": s.record_fields,
        "_variant_case": s.variant_case,
        "_enum_case": s.enum_case,
        "_result_case": s.result_case,
        "_nested_some": s.nested_some,
        "_pack_flags": s.pack_flags,
        "_unpack_flags": s.unpack_flags,
        "_map_items": s.map_items,
        "_f32_bits": s.f32_bits,
        "_f64_bits": s.f64_bits,
        "_f32_from_bits": s.f32_from_bits,
        "_f64_from_bits": s.f64_from_bits,
        "_too_big": s.too_big,
        "_arity": s.arity,
        "_trap_oob": s.trap_oob,
        "_trap_misaligned": s.trap_misaligned,
        "_trap_realloc_misaligned": s.trap_realloc_misaligned,
        "_trap_realloc_oob": s.trap_realloc_oob,
        "_trap_string_too_long": s.trap_string_too_long,
        "_trap_list_too_long": s.trap_list_too_long,
        "_trap_char": s.trap_char,
        "_trap_copy": s.trap_copy,
        "_trap_discriminant": s.trap_discriminant,
        "_trap_decode": s.trap_decode,
        "_store_host_string": store_host_string,
    }
