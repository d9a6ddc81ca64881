"""Fast core calls in both directions: Python -> guest (``CoreFunc.call``) and guest -> Python.

Both directions use wasmtime's *unchecked* C API, where arguments and results
travel in one array of 16-byte ``wasmtime_val_raw_t`` slots.  For each signature
we generate (once, then cache) a small Python function that moves values
between Python and that array with a single precompiled ``struct`` call, so a
call costs one ctypes foreign call plus two ``struct`` operations.

Value conventions (the component runtime builds on these):

* **Integers.** By default i32/i64 results come back *unsigned* (``0 <= v < 2**32``
  / ``2**64``), the convention of the Canonical ABI's ``definitions.py``: pointers
  and lengths are usable as they are, and only ``s32``/``s64`` lifting converts.
  Arguments are accepted in either range (``-2**31 <= v < 2**32``), so a caller
  never has to normalise.  ``bind(signed=True)`` (and ``Store.host_func(...,
  signed=True)``) give the signed view instead, as wasmtime-py does.  Values
  outside both ranges raise ``ValueError``; non-numbers raise ``TypeError``.
* **Floats.** f64 bit patterns are preserved exactly (including NaN payloads).
  f32 values are Python floats; a NaN f32 is widened by placing its payload in the
  top mantissa bits *without* quieting it, and narrowing reverses that, so every
  f32 NaN pattern (signalling ones included) survives a round trip through Python.
  A finite float too large for f32 becomes infinity, as ``f32.demote_f64`` does.
* **Arity.** No results -> ``None``; one -> the value; several -> a tuple.

Reentrancy: each ``bind`` owns one argument buffer.  A guest that calls a host
function that calls the same guest export again reuses that buffer safely,
because wasmtime reads all arguments out of the array before running any wasm
and writes the results back only when the function returns: nested calls happen
strictly between those two moments.  The trap slot at the end of the buffer is
cleared by whichever call observed a trap.  (This does not make a store usable
from two threads at once; see the package docstring.)

Errors: a trap becomes ``CoreTrap`` via the store's ``fail``; an exception raised
by a host function is stashed on the store, turned into a wasm trap so the guest
unwinds, and re-raised (the same object) when the outermost affected call returns.

Signals: nothing may escape a trampoline (ctypes would hand wasmtime a garbage
trap pointer), so witkit's signal handler never raises in this machinery
(``witkit._signals``); a signal it recorded while a trampoline was starting is
raised at the top of the trampoline's ``try``, the first safe point.
"""

from __future__ import annotations

import ctypes
import math
import struct
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from witkit import _signals
from witkit.abi._codecache import compile_source
from witkit.runtime.core import _capi
from witkit.runtime.core._capi import (
    EXTERN_FUNC,
    lib,
    wasmtime_extern_t,
    wasmtime_extern_union,
    wasmtime_func_t,
)
from witkit.runtime.core.extern import CoreExtern
from witkit.runtime.core.types import NUMERIC, CoreFuncType, functype_from_c

if TYPE_CHECKING:
    from witkit.runtime.core.store import Store, _StoreState

__all__ = ["CoreFunc", "make_host_func"]

SLOT = 16  # sizeof(wasmtime_val_raw_t)
_INT_BITS = {"i32": 32, "i64": 64}
_FMT_UNSIGNED = {"i32": "I12x", "i64": "Q8x", "f32": "f12x", "f64": "d8x"}
_FMT_SIGNED = {"i32": "i12x", "i64": "q8x", "f32": "f12x", "f64": "d8x"}
_PACK_ERRORS = (struct.error, OverflowError)

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")
_F32 = struct.Struct("<f")
_SLOT_FORMATS = {
    (kind, signed): struct.Struct("<" + (_FMT_SIGNED if signed else _FMT_UNSIGNED)[kind][0])
    for kind in NUMERIC
    for signed in (False, True)
}


# --- f32 NaNs, bit for bit ------------------------------------------------------


def f32_from_nan_bits(bits: int) -> float:
    """The Python float standing for the f32 NaN ``bits`` (payload kept, not quieted)."""
    double = ((bits >> 31) << 63) | (0x7FF << 52) | ((bits & 0x7FFFFF) << 29)
    value: float = _F64.unpack(_U64.pack(double))[0]
    return value


def f32_nan_bits(value: float) -> int:
    """Inverse of ``f32_from_nan_bits`` for any NaN ``value``."""
    double: int = _U64.unpack(_F64.pack(value))[0]
    payload = (double >> 29) & 0x7FFFFF
    if payload == 0:  # a double NaN whose payload sits only in the low bits
        payload = 0x400000
    return ((double >> 63) << 31) | 0x7F800000 | payload


def _f32_get(view: memoryview, offset: int) -> float:
    """Read an f32 slot that unpacked as NaN, keeping its exact pattern."""
    return f32_from_nan_bits(_U32.unpack_from(view, offset)[0])


def _f32_put(view: memoryview, offset: int, value: float) -> None:
    """Write a NaN into an f32 slot with its exact pattern (``struct`` would quiet it)."""
    _U32.pack_into(view, offset, f32_nan_bits(value))


# --- slow paths: normalise, explain, pack slot by slot -------------------------


def _normalise(kind: str, value: object, signed: bool, what: str) -> int | float:
    if kind in _INT_BITS:
        bits = _INT_BITS[kind]
        if not isinstance(value, int):
            raise TypeError(f"{what}: expected an int for {kind}, got {type(value).__name__}")
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            raise ValueError(f"{what}: {value} is out of range for {kind}")
        value &= (1 << bits) - 1
        if signed and value >= 1 << (bits - 1):
            value -= 1 << bits
        return value
    if not isinstance(value, int | float):
        raise TypeError(f"{what}: expected a float for {kind}, got {type(value).__name__}")
    return float(value)


def _pack_slots(
    view: memoryview, kinds: Sequence[str], values: Sequence[object], signed: bool, what: str
) -> None:
    for index, (kind, value) in enumerate(zip(kinds, values, strict=True)):
        number = _normalise(kind, value, signed, what.format(index=index))
        offset = index * SLOT
        if kind == "f32":
            if number != number:
                _f32_put(view, offset, number)
                continue
            try:
                _F32.pack_into(view, offset, number)
            except OverflowError:
                _F32.pack_into(view, offset, math.copysign(math.inf, number))
        else:
            _SLOT_FORMATS[kind, signed].pack_into(view, offset, number)


# --- code generation --------------------------------------------------------------

_FACTORIES: dict[tuple[tuple[str, ...], tuple[str, ...], str], Callable[..., Any]] = {}


def _compile(key: tuple[tuple[str, ...], tuple[str, ...], str], source: str) -> Any:
    factory = _FACTORIES.get(key)
    if factory is None:
        namespace: dict[str, Any] = {"_PackErrors": _PACK_ERRORS}
        exec(compile_source(source, f"<witkit core {key[2]} {key[0]}->{key[1]}>"), namespace)
        factory = _FACTORIES[key] = namespace["factory"]
    return factory


def _each_f32(kinds: tuple[str, ...], line: str) -> list[str]:
    """``line`` for each f32 slot ``i`` at ``offset``: a NaN takes the slow path that keeps
    its payload (see "Floats" above), in both directions."""
    return [line.format(i=i, offset=i * SLOT) for i, kind in enumerate(kinds) if kind == "f32"]


def _call_source(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    """Source of a factory whose product calls one export with these types."""
    args = ", ".join(f"a{i}" for i in range(len(params)))
    outs = [f"r{j}" for j in range(len(results))]
    lines = [
        "def factory(c_call, ctx, fn, buf, nslots, trap_at, mv, pack, unpack, slow_pack,",
        "            fail, clear, trap_off, f32_get, f32_put):",
        f"    def call({args}):",
    ]
    if params:
        lines += [
            "        try:",
            f"            pack(mv, 0, {args})",
            "        except _PackErrors:",
            f"            slow_pack(mv, ({args},))",
        ]
        lines += _each_f32(params, "        if a{i} != a{i}: f32_put(mv, {offset}, a{i})")
    lines += [
        "        err = c_call(ctx, fn, buf, nslots, trap_at)",
        f"        {', '.join([*outs, 'trap'])}, = unpack(mv)",
        "        if err or trap:",
        "            clear(mv, trap_off, 0)",
        "            fail(err, trap)",
    ]
    lines += _each_f32(results, "        if r{i} != r{i}: r{i} = f32_get(mv, {offset})")
    if len(results) == 1:
        lines.append("        return r0")
    elif results:
        lines.append(f"        return ({', '.join(outs)},)")
    lines.append("    return call")
    return "\n".join(lines) + "\n"


def _host_source(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    """Source of a factory whose product is the C callback for one host function."""
    args = ", ".join(f"a{i}" for i in range(len(params)))
    lines = [
        "def factory(fn, views, view_at, unpack, pack, slow_results, to_guest, f32_get, f32_put,",
        "            signalled, raise_signal):",
        "    def trampoline(env, caller, addr, n):",
        "        try:",
        "            if signalled[0]:",
        "                raise_signal()",
    ]
    if params or results:
        lines += [
            "            mv = views.get(addr)",
            "            if mv is None:",
            "                mv = view_at(addr)",
        ]
    if params:
        lines.append(f"            {args}, = unpack(mv)")
        lines += _each_f32(params, "            if a{i} != a{i}: a{i} = f32_get(mv, {offset})")
    lines.append(f"            r = fn({args})")
    if len(results) == 1:
        lines += [
            "            try:",
            "                pack(mv, 0, r)",
            "            except _PackErrors:",
            "                slow_results(mv, (r,))",
        ]
        if results[0] == "f32":
            lines.append("            if r != r: f32_put(mv, 0, r)")
    elif results:
        lines += [
            "            try:",
            "                pack(mv, 0, *r)",
            "            except (*_PackErrors, TypeError):",
            "                slow_results(mv, r)",
        ]
        lines += _each_f32(
            results, "            if r[{i}] != r[{i}]: f32_put(mv, {offset}, r[{i}])"
        )
    lines += [
        "            return 0",
        "        except BaseException as exc:",
        "            return to_guest(exc)",
        "    return trampoline",
    ]
    return "\n".join(lines) + "\n"


def _call_formats(
    params: tuple[str, ...], results: tuple[str, ...], signed: bool
) -> tuple[struct.Struct, struct.Struct, int]:
    """(params struct, results + trap-slot struct, slot count) for a guest call's buffer.

    The buffer is the unchecked array (``nslots`` 16-byte slots) followed by one
    8-byte slot that wasmtime fills with a ``wasm_trap_t*`` on a trap, so a single
    unpack yields the results and the trap check together.
    """
    table = _FMT_SIGNED if signed else _FMT_UNSIGNED
    nslots = max(len(params), len(results))
    params_fmt = "<" + "".join(table[p] for p in params)
    results_fmt = (
        "<" + "".join(table[r] for r in results) + "x" * (SLOT * (nslots - len(results))) + "Q"
    )
    return struct.Struct(params_fmt), struct.Struct(results_fmt), nslots


def _check_numeric(ty: CoreFuncType, what: str) -> None:
    for kind in (*ty.params, *ty.results):
        if kind not in NUMERIC:
            raise TypeError(f"{what} has a {kind} in its signature; only numbers cross to Python")


# --- guest exports ---------------------------------------------------------------


class CoreFunc(CoreExtern):
    """A core function in a store: an export, a table element, or a host function.

    ``call`` is the fast path (a plain function; keep a reference to it in hot
    loops rather than going through ``__call__``).  It is generated on first
    access: a component instance wraps hundreds of exports and trampolines it
    never calls, and building every caller up front was half of instantiating
    a componentize-py component.
    """

    __slots__ = ("_bound", "_func", "call", "name", "type")
    type: CoreFuncType  # set by __init__ or, for an export, by __getattr__ on first use

    def __init__(
        self, store: Store, func: wasmtime_func_t, ty: CoreFuncType | None, name: str
    ) -> None:
        extern = wasmtime_extern_t(EXTERN_FUNC, wasmtime_extern_union(func=func))
        super().__init__(store, extern)
        self._func = wasmtime_func_t.from_buffer_copy(func)
        if ty is not None:
            self.type = ty
        self.name = name
        self._bound: dict[bool, Callable[..., Any]] = {}
        self.call: Callable[..., Any]  # set by __getattr__ on first use

    def __getattr__(self, name: str) -> Any:
        # Only reached while the ``call`` or ``type`` slot is still empty.
        if name == "type":
            # An export's type is asked of wasmtime on first use: most exports
            # of a big guest are only passed on to another instance's imports.
            c_type = lib.wasmtime_func_type(self.store._state.context, ctypes.byref(self._func))
            try:
                ty = self.type = functype_from_c(c_type)
            finally:
                lib.wasm_functype_delete(c_type)
            return ty
        if name != "call":
            raise AttributeError(f"'CoreFunc' object has no attribute {name!r}")
        call: Callable[..., Any]
        try:
            call = self.bind()
        except TypeError as err:
            call = _unsupported(str(err))
        self.call = call
        return call

    def __call__(self, *args: int | float) -> Any:
        return self.call(*args)

    def __repr__(self) -> str:
        return f"<CoreFunc {self.name} {self.type}>"

    def bind(self, *, signed: bool = False) -> Callable[..., Any]:
        """A fast caller for this function (cached; see the module docstring for values)."""
        cached = self._bound.get(signed)
        if cached is not None:
            return cached
        ty = self.type
        _check_numeric(ty, f"core function {self.name}")
        pack, unpack, nslots = _call_formats(ty.params, ty.results, signed)
        buffer = (ctypes.c_ubyte * (SLOT * nslots + 8))()
        view = memoryview(buffer).cast("B")
        trap_offset = SLOT * nslots
        state = self.store._state

        def slow_pack(mv: memoryview, values: tuple[object, ...]) -> None:
            _pack_slots(mv, ty.params, values, signed, f"argument {{index}} of {self.name}")

        factory = _compile((ty.params, ty.results, "call"), _call_source(ty.params, ty.results))
        bound: Callable[..., Any] = factory(
            _capi.func_call_unchecked,
            state.context,
            ctypes.addressof(self._func),
            ctypes.addressof(buffer),
            nslots,
            ctypes.addressof(buffer) + trap_offset,
            view,
            pack.pack_into,
            unpack.unpack_from,
            slow_pack,
            state.fail,
            _U64.pack_into,
            trap_offset,
            _f32_get,
            _f32_put,
        )
        bound.__name__ = bound.__qualname__ = self.name
        # The closure holds raw addresses (of ``self._func`` and, through the store
        # context, of the store): tie their owners' lifetime to the function's.
        bound._witkit_owner = self  # type: ignore[attr-defined]
        self._bound[signed] = bound
        return bound


def _unsupported(message: str) -> Callable[..., Any]:
    def call(*args: object) -> Any:
        raise TypeError(message)

    return call


# --- host functions ---------------------------------------------------------------

#: Bound on the per-function cache of views over wasmtime's argument arrays.  The
#: arrays live on the wasm stack, so their addresses repeat (one per call depth).
_MAX_CACHED_VIEWS = 64


def make_host_func(
    state: _StoreState,
    ty: CoreFuncType,
    fn: Callable[..., Any] | None,
    *,
    signed: bool,
    name: str,
    build: Callable[[], Callable[..., Any]] | None = None,
) -> tuple[wasmtime_func_t, Any]:
    """Create a wasmtime host function calling ``fn``; returns (func handle, C callback).

    With ``build`` instead of ``fn``, the first call makes ``fn = build()`` and
    puts it in the callback's closure, so later calls cost what a plain ``fn``
    costs.  The caller must keep the callback object alive as long as the store
    lives.
    """
    _check_numeric(ty, f"host function {name}")
    # The host side *reads* params and *writes* results; no trap slot here (a
    # failure is reported through the callback's return value).
    table = _FMT_SIGNED if signed else _FMT_UNSIGNED
    unpack = struct.Struct("<" + "".join(table[p] for p in ty.params))
    pack = struct.Struct("<" + "".join(table[r] for r in ty.results))
    size = SLOT * max(len(ty.params), len(ty.results))
    array_type = ctypes.c_ubyte * size
    views: dict[int, memoryview] = {}

    def view_at(address: int) -> memoryview:
        if len(views) >= _MAX_CACHED_VIEWS:
            views.clear()
        view = views[address] = memoryview(array_type.from_address(address))
        return view

    def slow_results(mv: memoryview, values: object) -> None:
        what = f"result {{index}} of host function {name}"
        if (
            not isinstance(values, Sequence)
            or isinstance(values, str | bytes)
            or len(values) != len(ty.results)
        ):
            raise TypeError(
                f"host function {name} must return {len(ty.results)} values, got {values!r}"
            )
        _pack_slots(mv, ty.results, values, signed, what)

    cell: Any = None
    if fn is None:
        assert build is not None, "make_host_func needs fn or build"
        make = build

        def first_call(*args: Any) -> Any:
            real = cell.cell_contents = make()
            return real(*args)

        fn = first_call
    factory = _compile((ty.params, ty.results, "host"), _host_source(ty.params, ty.results))
    trampoline = factory(
        fn,
        views,
        view_at,
        unpack.unpack_from,
        pack.pack_into,
        slow_results,
        state.raise_into_guest,
        _f32_get,
        _f32_put,
        _signals.flag,
        _signals.raise_pending,
    )
    if build is not None:
        cell = trampoline.__closure__[trampoline.__code__.co_freevars.index("fn")]
    callback = _capi.HOST_CALLBACK(trampoline)
    func = wasmtime_func_t()
    _capi.func_new_unchecked(
        state.context,
        state.functype(ty),
        ctypes.cast(callback, ctypes.c_void_p).value,
        None,
        None,
        ctypes.addressof(func),
    )
    return func, callback
