"""Generate specialised Python for lifting and lowering: one module of source per type.

The spec's ``lift_flat``/``lower_flat``/``load``/``store`` walk the type on every
call.  Here the walk happens once: ``Generator`` walks the type and *emits* the
straight-line Python that those functions would execute for it, with every
offset, mask, struct format and case table turned into a constant.  The methods
of ``Generator`` carry the spec's names (``lift_flat``, ``load_list_from_range``,
``store_variant``...) and emit, rather than perform, what the spec's functions do.

How the emitted code is fast:

* Several fields are read or written by one precompiled ``struct.Struct``
  (``unpack_from``/``pack_into``); a list of such records uses ``iter_unpack``.
  Variants (whose payload depends on the case) are read and written apart.
* ``list<u8>`` is one slice copy to or from ``bytes``; lists of other numbers go
  through ``memoryview.cast(...).tolist()`` and ``array`` (which range-checks
  in C); ``list<char>`` decodes as UTF-32.
* Strings are one ``str.encode``/``str(memoryview, codec)`` and one slice copy.
* A host value of the expected Python type costs one ``type(v) is`` test; the
  slow path (coercion, ``TypeError``, ``Trap``) is a call into ``_support``.

Rules of the generated code:

* ``mem`` is a local ``memoryview`` of linear memory; it is re-fetched with
  ``memory()`` after every ``realloc`` call, so writes never go to a stale view.
* Every check the spec makes with ``trap_if`` is emitted, in the spec's order,
  before the read it protects; lifting never trusts a guest length or pointer.
* Values coming from core wasm may be signed (wasmtime returns ``i32`` as
  signed); every read of a flat integer masks it first.
* The source depends only on the type's structure and the options (records,
  resources and other objects whose identity matters are referred to by name
  and supplied when the code is executed), so one structure always yields the
  same text (tested), and identical texts share one compiled code object.
"""

from __future__ import annotations

import struct
from typing import Any

from witkit.abi.codegen.emitter import Flat, flag_sets, wit_text
from witkit.abi.codegen.lifting import FlatIn, Lifting
from witkit.abi.codegen.lowering import Lowering

__all__ = ["Flat", "FlatIn", "Generator", "base_namespace", "flag_sets", "wit_text"]


class Generator(Lifting, Lowering):
    """Emits the source of one module of lift/lower functions (see the module docstring).

    The spec-named emitters come from ``Lifting`` and ``Lowering``; the writing
    machinery (functions, names, constants, memory plans) from ``Emitter``.
    """


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
        "_trap_discriminant": s.trap_discriminant,
        "_trap_decode": s.trap_decode,
        "_store_host_string": store_host_string,
    }
