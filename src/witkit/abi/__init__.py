"""The Canonical ABI: component-level values to and from core wasm values and linear memory.

This package is the synchronous Canonical ABI of the spec (CanonicalABI.md),
specialised per function type: for each (function type, options) it generates
Python source once, compiles it, caches it, and hands back plain functions.

**Calling an export** (the spec's ``canon lift``; host -> guest)::

    from witkit.abi import CanonicalOptions, Context, func_abi

    opts = CanonicalOptions(
        string_encoding="utf8",      # or "utf16", "latin1+utf16"
        memory=current_view,         # () -> memoryview of the guest memory (see below)
        realloc=guest_realloc,       # (old_ptr, old_size, align, new_size) -> ptr
        post_return=guest_post_return,
    )
    abi = func_abi(functype, opts)           # cached per (type object, encoding, addrtype)
    cx = Context(opts, hooks)                # ResourceHooks, if the type has handles
    flat = abi.lower_params(cx, args)        # Python values -> core arguments
    results = core_callee(*flat)             # the runtime's call into wasm: 0 or 1 values
    value = abi.lift_results(cx, results)    # core results -> Python value
    guest_post_return(*results)              # the spec calls post-return after lifting

(``abi.call(cx, callee, args)`` does the lower/call/lift/post-return sequence.)

**Implementing an import** (the spec's ``canon lower``; guest -> host)::

    def core_import(*flat_args):
        cx = Context(opts, hooks)
        args = abi.lift_params(cx, flat_args)
        out = abi.lower_results(cx, host_function(*args), flat_args)
        return out                           # [] or [value]: the import's core results

**Signatures** (``CoreValue = int | float``; ``Any`` is the Python value)::

    func_abi(ft: FuncType, opts: CanonicalOptions) -> FuncABI
    FuncABI.lower_params(cx: Context, args: Sequence[Any]) -> list[CoreValue]
    FuncABI.lift_results(cx: Context, flat: Sequence[CoreValue]) -> Any
    FuncABI.lift_params(cx: Context, flat: Sequence[CoreValue]) -> list[Any]
    FuncABI.lower_results(cx: Context, value: Any, flat: Sequence[CoreValue]) -> list[CoreValue]
    FuncABI.call(cx, callee: Callable[..., Sequence[CoreValue]], args) -> Any
    FuncABI.call_host(cx, func: Callable[..., Any], flat_args) -> list[CoreValue]
    FuncABI.flat_params / flat_results     # the core signature of canon lift
    type_abi(t: ValType, opts) -> TypeABI  # .load(cx, ptr) .store(cx, v, ptr)
                                           # .lift_flat(cx, flat) .lower_flat(cx, v)
    load(cx, ptr, t) / store(cx, v, t, ptr) / lift_flat(cx, flat, t) / lower_flat(cx, v, t)
    Context(opts: CanonicalOptions, resources: ResourceHooks | None = None)
    Context.allocate(align, size) -> int / Context.reallocate(old, old_size, align, size) -> int

**Core values.**  Lowering produces ``i32``/``i64`` as unsigned ``int`` (what
the spec says; wasmtime accepts them) and ``f32``/``f64`` as ``float``.
Lifting accepts signed or unsigned integers (wasmtime returns ``i32`` as
signed).  When the results spill, ``lift_results`` expects the returned
pointer and ``lower_results`` writes through the last core argument (the
caller's return area) and returns ``[]``; when parameters spill,
``lower_params`` calls ``realloc`` for the tuple and returns ``[ptr]``.

**Memory.**  ``memory()`` must return a writable ``memoryview`` (format ``"B"``)
over the whole linear memory as it is *now*.  It is called at the start of
every lift/lower that touches memory and after every ``realloc`` (the guest
may have grown and moved its memory), so make it cheap (cache the view;
rebuild it when the size changed).  ``realloc``'s answers are checked (aligned,
in bounds) and trap otherwise.

**Values.**  See ``witkit.abi.values``: ints, floats, ``str``, ``bytes`` for
``list<u8>``, ``list``, ``tuple``, generated ``Record`` classes, ``Variant``,
case-name ``str`` for enums, ``frozenset`` for flags, ``None``/value (and
``Some`` when options nest) for options, ``Ok``/``Err`` for results, ``dict``
for maps.  Host values of the wrong type raise ``TypeError`` naming the
argument and the WIT type ("argument `x`: expected u32 (0..4294967295), got -1").

**Resources.**  Handles go through ``cx.lower_own(rt, value) -> int``,
``cx.lower_borrow``, ``cx.lift_own(rt, index) -> value`` and ``cx.lift_borrow``,
taken from the ``resources`` object (a ``ResourceHooks``).  ``rt`` is
``witkit.types.root`` of the handle's resource type.  The handle tables behind
the hooks are the runtime's (``witkit.runtime.resources``); the ABI holds none.
Error contexts, streams and futures use optional hooks of the same object.

**Errors.**  A guest mistake raises ``witkit.errors.Trap`` whose ``rule`` is
a ``Rule`` value (e.g. ``"out-of-bounds"``, ``"invalid-utf8"``); a bad host
value raises ``TypeError``; a type validation should have rejected raises
``ValueError``.  ``witkit.abi.testing.FakeMemory`` is a ``bytearray`` memory
with a bump ``realloc`` for tests.

**Choices and limits.**  Synchronous ABI only (``sync=False`` raises
``NotImplementedError``).  A host ``str`` is stored as a UTF-8-sourced string
(the spec's hint), so a string passed from one guest to another is re-encoded
from Python; ``store_string_into_range`` takes the spec's source-encoding hint
for adapters that keep it.  As the spec says, flag bits past the labels and
``bool`` values other than 0/1 are not traps (they read as set / ``True``).
``flags`` with more than 32 labels (which validation rejects since 2024) use
the spec's earlier encoding, one ``i32`` per 32 labels.  ``f32`` flat values are
passed as Python floats; the engine rounds them (in memory, we do).
"""

from typing import TYPE_CHECKING

from witkit import _first_use

if TYPE_CHECKING:
    from witkit.abi.context import CanonicalOptions as CanonicalOptions
    from witkit.abi.context import Context as Context
    from witkit.abi.context import ResourceHooks as ResourceHooks
    from witkit.abi.context import StringEncoding as StringEncoding
    from witkit.abi.layout import alignment as alignment
    from witkit.abi.layout import contains_borrow as contains_borrow
    from witkit.abi.layout import despecialize as despecialize
    from witkit.abi.layout import elem_size as elem_size
    from witkit.abi.layout import flatten_functype as flatten_functype
    from witkit.abi.layout import flatten_type as flatten_type
    from witkit.abi.limits import MAX_FLAT_PARAMS as MAX_FLAT_PARAMS
    from witkit.abi.limits import MAX_FLAT_RESULTS as MAX_FLAT_RESULTS
    from witkit.abi.limits import MAX_LIST_BYTE_LENGTH as MAX_LIST_BYTE_LENGTH
    from witkit.abi.limits import MAX_STRING_BYTE_LENGTH as MAX_STRING_BYTE_LENGTH
    from witkit.abi.specialize import FuncABI as FuncABI
    from witkit.abi.specialize import TypeABI as TypeABI
    from witkit.abi.specialize import func_abi as func_abi
    from witkit.abi.specialize import func_source as func_source
    from witkit.abi.specialize import lift_flat as lift_flat
    from witkit.abi.specialize import load as load
    from witkit.abi.specialize import lower_flat as lower_flat
    from witkit.abi.specialize import store as store
    from witkit.abi.specialize import type_abi as type_abi
    from witkit.abi.specialize import type_source as type_source
    from witkit.abi.strings import load_string_from_range as load_string_from_range
    from witkit.abi.strings import store_string_into_range as store_string_into_range
    from witkit.abi.trap import Rule as Rule
    from witkit.abi.values import Err as Err
    from witkit.abi.values import Ok as Ok
    from witkit.abi.values import Record as Record
    from witkit.abi.values import Some as Some
    from witkit.abi.values import UnwrapError as UnwrapError
    from witkit.abi.values import Variant as Variant
    from witkit.abi.values import python_name as python_name
    from witkit.abi.values import record_class as record_class

__all__ = [
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "MAX_LIST_BYTE_LENGTH",
    "MAX_STRING_BYTE_LENGTH",
    "CanonicalOptions",
    "Context",
    "Err",
    "FuncABI",
    "Ok",
    "Record",
    "ResourceHooks",
    "Rule",
    "Some",
    "StringEncoding",
    "TypeABI",
    "UnwrapError",
    "Variant",
    "alignment",
    "contains_borrow",
    "despecialize",
    "elem_size",
    "flatten_functype",
    "flatten_type",
    "func_abi",
    "func_source",
    "lift_flat",
    "load",
    "load_string_from_range",
    "lower_flat",
    "python_name",
    "record_class",
    "store",
    "store_string_into_range",
    "type_abi",
    "type_source",
]

#: public name -> the module that defines it, imported on first use
#: (``witkit._startup.attribute``: importing the package loads nothing else); validation
#: imports ``witkit.abi.layout`` and ``witkit.abi.limits`` alone, without the code generators
_HOMES: dict[str, str] = {
    "CanonicalOptions": "witkit.abi.context",
    "Context": "witkit.abi.context",
    "ResourceHooks": "witkit.abi.context",
    "StringEncoding": "witkit.abi.context",
    "MAX_FLAT_PARAMS": "witkit.abi.limits",
    "MAX_FLAT_RESULTS": "witkit.abi.limits",
    "MAX_LIST_BYTE_LENGTH": "witkit.abi.limits",
    "MAX_STRING_BYTE_LENGTH": "witkit.abi.limits",
    "alignment": "witkit.abi.layout",
    "contains_borrow": "witkit.abi.layout",
    "despecialize": "witkit.abi.layout",
    "elem_size": "witkit.abi.layout",
    "flatten_functype": "witkit.abi.layout",
    "flatten_type": "witkit.abi.layout",
    "FuncABI": "witkit.abi.specialize",
    "TypeABI": "witkit.abi.specialize",
    "func_abi": "witkit.abi.specialize",
    "func_source": "witkit.abi.specialize",
    "lift_flat": "witkit.abi.specialize",
    "load": "witkit.abi.specialize",
    "lower_flat": "witkit.abi.specialize",
    "store": "witkit.abi.specialize",
    "type_abi": "witkit.abi.specialize",
    "type_source": "witkit.abi.specialize",
    "load_string_from_range": "witkit.abi.strings",
    "store_string_into_range": "witkit.abi.strings",
    "Rule": "witkit.abi.trap",
    "Err": "witkit.abi.values",
    "Ok": "witkit.abi.values",
    "Record": "witkit.abi.values",
    "Some": "witkit.abi.values",
    "UnwrapError": "witkit.abi.values",
    "Variant": "witkit.abi.values",
    "python_name": "witkit.abi.values",
    "record_class": "witkit.abi.values",
}


__getattr__ = _first_use(__name__)
