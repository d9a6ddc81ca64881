"""The Canonical ABI's limits, each defined once with its reason.

CanonicalABI.md names these constants; validation (``binary/validate``), WIT
resolution, the ABI's generated code and the runtime all check against the same
values, so they live here and everything else imports them.  The binary
format's own implementation limits (how many types, how deep) are
``witkit.binary.limits``.

Rules of this module: constants only, no imports (validation and ``witkit
run`` import it, and it must cost nothing).
"""

from __future__ import annotations

__all__ = [
    "MAX_ELEM_SIZE",
    "MAX_FLAGS",
    "MAX_FLAT_ASYNC_PARAMS",
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "MAX_LIST_BYTE_LENGTH",
    "MAX_STRING_BYTE_LENGTH",
    "REALLOC_I32_MAX",
]

#: most core parameters before all parameters go through memory (spec limit)
MAX_FLAT_PARAMS = 16
#: most core parameters of an async-lowered import before they go through memory
MAX_FLAT_ASYNC_PARAMS = 4
#: most core results before the result goes through memory (C ABIs return one value)
MAX_FLAT_RESULTS = 1
#: largest string, in bytes, that may be lifted: transcoding it at most doubles it,
#: which keeps every allocation of it below ``REALLOC_I32_MAX``
MAX_STRING_BYTE_LENGTH = (1 << 28) - 1
#: largest list, in bytes, that may be lifted (the same reasoning as for strings)
MAX_LIST_BYTE_LENGTH = (1 << 28) - 1
#: "Element Size": every defined value type must have ``elem_size(t, 'i64')`` below
#: this (validation's check; the same bound as ``MAX_LIST_BYTE_LENGTH``)
MAX_ELEM_SIZE = 1 << 28
#: largest size a 32-bit ``realloc`` can be asked for
REALLOC_I32_MAX = 2**32 - 1
#: most labels a ``flags`` type may have: its value fits one ``i32`` (validation and
#: WIT reject more since 2024; ``abi.layout`` still lays out hand-built wider ones)
MAX_FLAGS = 32
