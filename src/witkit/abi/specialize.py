"""Specialisation: the generated lift/lower functions of a function type, made once, cached.

``func_abi(ft, opts)`` returns a ``FuncABI`` holding the four entry points of
the spec's ``canon lift``/``canon lower`` for that type and those options:

* ``lower_params(cx, args) -> flat``   host -> guest arguments (calling an export)
* ``lift_results(cx, flat) -> value``  guest -> host result of that call
* ``lift_params(cx, flat) -> args``    guest -> host arguments (an import is called)
* ``lower_results(cx, value, flat)``   host -> guest result of that import call

``type_abi(t, opts)`` does the same for one value type: the spec's ``load``,
``store``, ``lift_flat`` and ``lower_flat``.

The generated source depends only on the structure of the type and on the
options that shape code (string encoding, address type); it is compiled once
per distinct text.  Executing it binds the objects that matter by identity
(record classes, resource types), once per type object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from witkit.abi import _recipes as recipes
from witkit.abi._codecache import compile_source
from witkit.abi._namespace import base_namespace
from witkit.abi.context import CanonicalOptions, Context
from witkit.abi.layout import (
    PtrType,
    align_to,
    alignment,
    contains_ptr,
    elem_size,
    flatten_functype,
    flatten_type,
    flatten_types,
)
from witkit.abi.limits import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS
from witkit.types import FuncType, TupleType, ValType

if TYPE_CHECKING:
    from witkit.abi.codegen.generator import Generator

__all__ = [
    "FuncABI",
    "TypeABI",
    "func_abi",
    "func_source",
    "lift_flat",
    "load",
    "lower_flat",
    "store",
    "type_abi",
    "type_source",
]

CoreValue = int | float

_func_cache: dict[tuple[FuncType, str, str], FuncABI] = {}
_type_cache: dict[tuple[object, str, str], TypeABI] = {}
_params_tuples: dict[FuncType, TupleType] = {}


def _needs_memory(ts: Sequence[ValType], ptr: PtrType) -> bool:
    """Whether lifting or lowering these types touches memory (strings, lists, or a spill)."""
    return any(contains_ptr(t) for t in ts)


def _execute(gen: Generator, filename: str) -> dict[str, Any]:
    source = gen.source()
    return _run(filename, source, compile_source(source, filename), gen.namespace())


def _run(filename: str, source: str, code: Any, objects: dict[str, object]) -> dict[str, Any]:
    namespace = base_namespace()
    namespace.update(objects)
    exec(code, namespace)
    namespace["__source__"] = source
    namespace["__filename__"] = filename
    return namespace


def _signature(ft: FuncType) -> str:
    from witkit.abi.codegen.emitter import wit_text

    params = ", ".join(f"{n}: {wit_text(t)}" for n, t in ft.params)
    result = "" if ft.result is None else f" -> {wit_text(ft.result)}"
    return f"func({params}){result}"


def _params_tuple(ft: FuncType) -> TupleType:
    """The tuple of the parameter types: the layout of spilled parameters."""
    t = _params_tuples.get(ft)
    if t is None:
        t = _params_tuples[ft] = TupleType(tuple(pt for _, pt in ft.params))
    return t


# --------------------------------------------------------------------------- functions


def _generate_func(ft: FuncType, encoding: str, ptr: PtrType) -> Generator:
    # The generator is imported when first needed: a start whose functions all
    # have recipes never loads it.
    from witkit.abi.codegen.generator import Generator
    from witkit.abi.codegen.lifting import FlatIn

    gen = Generator(encoding, ptr, _signature(ft))
    names = [n for n, _ in ft.params]
    types = [t for _, t in ft.params]
    results = [] if ft.result is None else [ft.result]
    flat_params = flatten_types(types, ptr)
    flat_results = flatten_types(results, ptr)
    spill_params = len(flat_params) > MAX_FLAT_PARAMS
    spill_results = len(flat_results) > MAX_FLAT_RESULTS
    mask = gen.pmask
    params_memory = spill_params or _needs_memory(types, ptr)
    results_memory = spill_results or _needs_memory(results, ptr)
    wheres = [f"argument `{n}`" for n in names]

    # lower_params: the spec's lower_flat_values(cx, MAX_FLAT_PARAMS, args, params)
    with gen.function("lower_params", "cx, args"):
        args = [gen.fn.fresh("a") for _ in names]
        if args:
            # Unpacking checks the count for free; only a mismatch pays for the message.
            with gen.fn.block("try:"):
                gen.emit(f"{', '.join(args)}{',' if len(args) == 1 else ''} = args")
            with gen.fn.block("except (TypeError, ValueError):"):
                gen.emit(f"_arity(args, {tuple(names)!r})")
        else:
            gen.emit(f"if args: _arity(args, {tuple(names)!r})")
        if params_memory:
            # spilled or not, the first use of memory is an allocation
            gen.prologue_lower(view=False)
        if spill_params:
            tup = _params_tuple(ft)
            p = gen.allocate(alignment(tup, ptr), str(elem_size(tup, ptr)))
            _store_tuple(gen, types, args, wheres, p)
            gen.emit(f"return [{p}]")
        else:
            outs = [
                expr
                for t, a, w in zip(types, args, wheres, strict=True)
                for expr, _ in gen.lower_flat(t, a, w)
            ]
            gen.emit(f"return [{', '.join(outs)}]")

    # lift_results: the spec's lift_flat_values(cx, MAX_FLAT_RESULTS, flat, results)
    with gen.function("lift_results", "cx, flat"):
        if not results:
            gen.emit("return None")
        else:
            with gen.fn.block("try:"):
                if results_memory:
                    gen.prologue_lift()
                if spill_results:
                    p = gen.local(f"flat[0] & {mask:#x}", "p")
                    t = results[0]
                    gen.check_range(
                        "result", p, str(elem_size(t, ptr)), alignment(t, ptr), "memlen"
                    )
                    gen.emit(f"return {gen.load(t, p)}")
                else:
                    xs = _unpack_flat(gen, flatten_type(results[0], ptr), "flat")
                    gen.emit(f"return {gen.lift_flat(results[0], FlatIn(xs))}")
            with gen.fn.block("except UnicodeDecodeError as e:"):
                gen.emit("_trap_decode(e)")

    # lift_params: the spec's lift_flat_values(cx, MAX_FLAT_PARAMS, flat, params)
    with gen.function("lift_params", "cx, flat"):
        with gen.fn.block("try:"):
            if params_memory:
                gen.prologue_lift()
            if spill_params:
                p = gen.local(f"flat[0] & {mask:#x}", "p")
                tup = _params_tuple(ft)
                gen.check_range(
                    "arguments", p, str(elem_size(tup, ptr)), alignment(tup, ptr), "memlen"
                )
                values = _load_tuple(gen, types, p)
            else:
                xs = _unpack_flat(gen, flat_params, "flat", extra=1 if spill_results else 0)
                cursor = FlatIn(xs)
                values = [gen.lift_flat(t, cursor) for t in types]
            gen.emit(f"return [{', '.join(values)}]")
        with gen.fn.block("except UnicodeDecodeError as e:"):
            gen.emit("_trap_decode(e)")

    # lower_results: the spec's lower_flat_values(cx, MAX_FLAT_RESULTS, result, results, flat)
    with gen.function("lower_results", "cx, value, flat"):
        if not results:
            gen.emit("return []")
        else:
            if results_memory:
                # the spilled result's pointer is checked against the memory first
                gen.prologue_lower(view=spill_results)
            if spill_results:
                t = results[0]
                p = gen.local(f"flat[-1] & {mask:#x}", "p")
                gen.check_range("result", p, str(elem_size(t, ptr)), alignment(t, ptr), "len(mem)")
                gen.emit("v = value")
                gen.store(t, "v", p, "result")
                gen.emit("return []")
            else:
                gen.emit("v = value")
                outs = [expr for expr, _ in gen.lower_flat(results[0], "v", "result")]
                gen.emit(f"return [{', '.join(outs)}]")
    return gen


def _unpack_flat(gen: Generator, types: Sequence[str], src: str, extra: int = 0) -> list[Any]:
    """Bind the flat values to locals ``x1, x2...``; ``extra`` trailing ones are ignored."""
    names = [gen.fn.fresh("x") for _ in types]
    targets = [*names, *(["_"] * extra)]
    if targets:
        gen.emit(f"{', '.join(targets)}{',' if len(targets) == 1 else ''} = {src}")
    return list(zip(names, types, strict=True))


def _store_tuple(
    gen: Generator, types: list[ValType], values: list[str], wheres: list[str], p: str
) -> None:
    """Store each value at its offset in the tuple of ``types`` at ``p`` (spilled values)."""
    offset = 0
    for t, v, w in zip(types, values, wheres, strict=True):
        offset = align_to(offset, alignment(t, gen.ptr))
        gen.store(t, v, f"{p} + {offset}" if offset else p, w)
        offset += elem_size(t, gen.ptr)


def _load_tuple(gen: Generator, types: list[ValType], p: str) -> list[str]:
    """The values of the tuple of ``types`` at ``p`` (spilled values)."""
    values = []
    offset = 0
    for t in types:
        offset = align_to(offset, alignment(t, gen.ptr))
        values.append(gen.load(t, f"{p} + {offset}" if offset else p))
        offset += elem_size(t, gen.ptr)
    return values


class FuncABI:
    """The specialised Canonical ABI of one function type under one set of options.

    The four entry points are plain functions (see the module docstring); call
    them directly on hot paths.  ``call`` and ``call_host`` compose them into the
    synchronous ``canon lift`` and ``canon lower`` of the spec.
    """

    __slots__ = (
        "flat_params",
        "flat_results",
        "functype",
        "lift_params",
        "lift_results",
        "lower_params",
        "lower_results",
        "source",
    )

    def __init__(self, ft: FuncType, opts: CanonicalOptions, namespace: dict[str, Any]) -> None:
        self.functype = ft
        self.source: str = namespace["__source__"]
        self.lower_params: Callable[[Context, Sequence[Any]], list[CoreValue]] = namespace[
            "lower_params"
        ]
        self.lift_results: Callable[[Context, Sequence[CoreValue]], Any] = namespace["lift_results"]
        self.lift_params: Callable[[Context, Sequence[CoreValue]], list[Any]] = namespace[
            "lift_params"
        ]
        self.lower_results: Callable[[Context, Any, Sequence[CoreValue]], list[CoreValue]] = (
            namespace["lower_results"]
        )
        lifted = flatten_functype(ft, "lift", ptr_type=opts.addrtype)
        self.flat_params = lifted.params
        self.flat_results = lifted.results

    def call(
        self, cx: Context, callee: Callable[..., Sequence[CoreValue]], args: Sequence[Any]
    ) -> Any:
        """The synchronous ``canon lift``: call the core ``callee`` with host ``args``.

        Lowers the arguments, calls ``callee(*flat_args)`` (which returns the list
        of core results), lifts the result, then calls ``post_return`` with the
        core results.  Borrow-scope checks (``Task.return_``) are the caller's,
        between lifting and post-return, as in the spec.
        """
        flat = self.lower_params(cx, args)
        results = callee(*flat)
        value = self.lift_results(cx, results)
        if cx.post_return is not None:
            cx.post_return(*results)
        return value

    def call_host(
        self, cx: Context, func: Callable[..., Any], flat_args: Sequence[CoreValue]
    ) -> list[CoreValue]:
        """The synchronous ``canon lower``: run host ``func`` for a guest's core call."""
        args = self.lift_params(cx, flat_args)
        return self.lower_results(cx, func(*args), flat_args)


def func_abi(ft: FuncType, opts: CanonicalOptions) -> FuncABI:
    """The specialised ABI of ``ft`` under ``opts`` (cached per type object and options)."""
    if not opts.sync:
        raise NotImplementedError("the async canonical ABI is not supported yet")
    key = (ft, opts.string_encoding, opts.addrtype)
    abi = _func_cache.get(key)
    if abi is None:
        abi = _func_cache[key] = FuncABI(ft, opts, _func_namespace(ft, opts))
    return abi


def _func_namespace(ft: FuncType, opts: CanonicalOptions) -> dict[str, Any]:
    """The executed generated module of ``ft``: from a recipe if one fits, else generated."""
    shape = recipes.shape_of(ft, opts.string_encoding, opts.addrtype)
    recipe = recipes.find(shape)
    bound = recipes.bind(ft, recipe) if recipe is not None else None
    if recipe is not None and bound is not None:
        filename, source, code, _ = recipe
        if recipes.checking():
            fresh = _generate_func(ft, opts.string_encoding, opts.addrtype).source()
            assert fresh == source, f"recipe of {filename} differs from generation"
        return _run(filename, source, code, bound)
    gen = _generate_func(ft, opts.string_encoding, opts.addrtype)
    filename = f"<witkit.abi {_signature(ft)} {opts.string_encoding} {opts.addrtype}>"
    source = gen.source()
    code = compile_source(source, filename)
    objects = gen.namespace()
    recipes.remember(shape, ft, filename, source, code, objects)
    return _run(filename, source, code, objects)


def func_source(ft: FuncType, opts: CanonicalOptions | None = None) -> str:
    """The generated source of ``ft`` (for reading, and for the determinism test)."""
    opts = opts or CanonicalOptions()
    return _generate_func(ft, opts.string_encoding, opts.addrtype).source()


# --------------------------------------------------------------------------- value types


def _generate_type(t: ValType, encoding: str, ptr: PtrType) -> Generator:
    from witkit.abi.codegen.emitter import wit_text
    from witkit.abi.codegen.generator import Generator
    from witkit.abi.codegen.lifting import FlatIn

    gen = Generator(encoding, ptr, f"value type {wit_text(t)}")
    memory = _needs_memory([t], ptr)
    size, align = elem_size(t, ptr), alignment(t, ptr)

    with gen.function("load", "cx, ptr"):
        with gen.fn.block("try:"):
            gen.prologue_lift()
            gen.check_range("value", "ptr", str(size), align, "memlen")
            gen.emit(f"return {gen.load(t, 'ptr')}")
        with gen.fn.block("except UnicodeDecodeError as e:"):
            gen.emit("_trap_decode(e)")

    with gen.function("store", "cx, v, ptr"):
        gen.prologue_lower()
        gen.check_range("value", "ptr", str(size), align, "len(mem)")
        gen.store(t, "v", "ptr", "value")

    with gen.function("lift_flat", "cx, flat"):
        with gen.fn.block("try:"):
            if memory:
                gen.prologue_lift()
            xs = _unpack_flat(gen, flatten_type(t, ptr), "flat")
            gen.emit(f"return {gen.lift_flat(t, FlatIn(xs))}")
        with gen.fn.block("except UnicodeDecodeError as e:"):
            gen.emit("_trap_decode(e)")

    with gen.function("lower_flat", "cx, v"):
        if memory:
            gen.prologue_lower(view=False)
        outs = [expr for expr, _ in gen.lower_flat(t, "v", "value")]
        gen.emit(f"return [{', '.join(outs)}]")
    return gen


class TypeABI:
    """The specialised ``load``/``store``/``lift_flat``/``lower_flat`` of one value type.

    Unlike the spec's ``load``/``store`` (which assume a checked pointer), these
    check ``ptr`` against the type's alignment and size and trap.
    """

    __slots__ = ("lift_flat", "load", "lower_flat", "source", "store", "type")

    def __init__(self, t: ValType, namespace: dict[str, Any]) -> None:
        self.type = t
        self.source: str = namespace["__source__"]
        self.load: Callable[[Context, int], Any] = namespace["load"]
        self.store: Callable[[Context, Any, int], None] = namespace["store"]
        self.lift_flat: Callable[[Context, Sequence[CoreValue]], Any] = namespace["lift_flat"]
        self.lower_flat: Callable[[Context, Any], list[CoreValue]] = namespace["lower_flat"]


def type_abi(t: ValType, opts: CanonicalOptions) -> TypeABI:
    """The specialised ABI of the value type ``t`` under ``opts`` (cached)."""
    key = (t, opts.string_encoding, opts.addrtype)
    abi = _type_cache.get(key)
    if abi is None:
        from witkit.abi.codegen.emitter import wit_text

        gen = _generate_type(t, opts.string_encoding, opts.addrtype)
        filename = f"<witkit.abi {wit_text(t)} {opts.string_encoding} {opts.addrtype}>"
        abi = _type_cache[key] = TypeABI(t, _execute(gen, filename))
    return abi


def type_source(t: ValType, opts: CanonicalOptions | None = None) -> str:
    opts = opts or CanonicalOptions()
    return _generate_type(t, opts.string_encoding, opts.addrtype).source()


# --------------------------------------------------------------------------- the spec's names


def load(cx: Context, ptr: int, t: ValType) -> Any:
    """The spec's ``load``: the value of ``t`` at ``ptr`` (checked, unlike the spec's)."""
    return type_abi(t, cx.opts).load(cx, ptr)


def store(cx: Context, v: Any, t: ValType, ptr: int) -> None:
    """The spec's ``store``: write ``v`` of type ``t`` at ``ptr`` (checked)."""
    type_abi(t, cx.opts).store(cx, v, ptr)


def lift_flat(cx: Context, flat: Sequence[CoreValue], t: ValType) -> Any:
    """The spec's ``lift_flat`` of one value from exactly its flat values."""
    return type_abi(t, cx.opts).lift_flat(cx, flat)


def lower_flat(cx: Context, v: Any, t: ValType) -> list[CoreValue]:
    """The spec's ``lower_flat`` of one value to its flat values."""
    return type_abi(t, cx.opts).lower_flat(cx, v)
