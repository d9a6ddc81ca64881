"""Validation of canonical definitions (CanonicalABI.md "Canonical Definitions").

``canon lift`` and ``canon lower`` must agree with the Canonical ABI's flattening
of the component function type (``flatten_functype``): the core function a lift
wraps must have exactly the flattened signature, and a lowering produces a core
function of that signature.  Which options are required follows from the types:
``memory`` when anything is passed through linear memory, ``realloc`` when the
callee must allocate, and so on.  The built-ins produce core functions of fixed
signatures.  This follows wasmparser's ``canonical_function`` check for check;
flattening, sizes and "does it touch memory" are the ABI's own (``witkit.abi.layout``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from witkit.abi.layout import PtrType, contains_ptr, flatten_upto
from witkit.abi.limits import MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS
from witkit.binary import ir
from witkit.binary.validate.context import fail
from witkit.binary.validate.core import describe
from witkit.binary.validate.result import CanonOptions
from witkit.types import (
    CoreFuncType,
    FuncType,
    FutureType,
    MemoryType,
    StreamType,
    TableType,
    ValType,
)

if TYPE_CHECKING:
    from witkit.binary.validate.scope import Scope

__all__ = ["canonical_function"]

_I32 = "i32"
_OPT_NAMES = {"latin1+utf16": "latin1-utf16"}

#: the options that need a feature: option -> (the ``Features`` field, the error without it)
_GATED = {
    "async": ("cm_async", "canonical option `async` requires the component model async feature"),
    "core-type": (
        "cm_gc",
        "canonical option `core type` requires the component model gc feature",
    ),
    "gc": ("cm_gc", "canonical option `gc` requires the `cm-gc` feature"),
}


class _Opts:
    """Options being checked; ``require_*`` mirror wasmparser's helpers."""

    __slots__ = (
        "callback",
        "core_type",
        "encoding",
        "gc",
        "is_async",
        "memory",
        "offset",
        "post_return",
        "ptr",
        "realloc",
    )

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.encoding: Literal["utf8", "utf16", "latin1+utf16"] | None = None
        self.memory: int | None = None
        self.ptr: PtrType = "i32"
        self.realloc: int | None = None
        self.post_return: int | None = None
        self.is_async = False
        self.callback: int | None = None
        self.core_type: int | None = None
        self.gc = False

    def require_memory(self) -> None:
        if self.memory is None:
            raise fail("canonical option `memory` is required", self.offset)

    def require_realloc(self) -> None:
        self.require_memory()
        if self.realloc is None:
            raise fail("canonical option `realloc` is required", self.offset)

    def require_sync(self, where: str) -> None:
        if self.is_async:
            raise fail(f"cannot specify `async` option on `{where}`", self.offset)

    def check_lower(self) -> None:
        if self.post_return is not None:
            raise fail(
                "canonical option `post-return` cannot be specified for lowerings", self.offset
            )
        if self.is_async and self.callback is not None:
            raise fail("canonical option `callback` cannot be specified for lowerings", self.offset)
        if self.gc and self.core_type is None:
            raise fail(
                "cannot specify `gc` without also specifying a `core-type` for lowerings",
                self.offset,
            )

    def resolved(self) -> CanonOptions:
        return CanonOptions(
            self.encoding or "utf8",
            self.memory,
            self.realloc,
            self.post_return,
            self.is_async,
            self.callback,
            self.core_type,
            self.gc,
        )


def _check_options(scope: Scope, opts: tuple[ir.CanonOpt, ...], offset: int) -> _Opts:
    o = _Opts(offset)
    seen: set[str] = set()
    features = scope.features
    for opt in opts:
        kind = opt.kind
        if kind in ("utf8", "utf16", "latin1+utf16"):
            if o.encoding is not None:
                existing = _OPT_NAMES.get(o.encoding, o.encoding)
                raise fail(
                    f"canonical encoding option `{existing}` conflicts with option "
                    f"`{_OPT_NAMES.get(kind, kind)}`",
                    offset,
                )
            o.encoding = kind  # type: ignore[assignment]
            continue
        if kind in seen:
            what = "core type" if kind == "core-type" else kind
            raise fail(f"canonical option `{what}` is specified more than once", offset)
        seen.add(kind)
        gate = _GATED.get(kind)
        if gate is not None:
            scope.require(getattr(features, gate[0]), gate[1], offset)
        index = opt.index if opt.index is not None else 0
        if kind == "memory":
            mem = scope.memory_at(index, offset)
            o.ptr = _cabi_memory(scope, mem, offset)
            o.memory = index
        elif kind == "realloc":
            o.realloc = index
        elif kind == "post-return":
            o.post_return = index
        elif kind == "async":
            o.is_async = True
        elif kind == "callback":
            o.callback = index
        elif kind == "core-type":
            ty = scope.core_type_at(index, offset)
            if not isinstance(ty, CoreFuncType):
                raise fail(
                    "canonical option `core type` must reference a core function type", offset
                )
            o.core_type = index
        elif kind == "gc":
            o.gc = True
    if not o.is_async and o.callback is not None:
        raise fail("cannot specify callback without async", offset)
    if o.is_async and o.post_return is not None:
        raise fail("cannot specify post-return function in async", offset)
    if not o.gc and o.core_type is not None:
        raise fail("cannot specify `core-type` without `gc`", offset)
    if o.realloc is not None:
        if o.memory is None:
            raise fail("canonical option `realloc` requires `memory` to also be specified", offset)
        ft = scope.core_function_at(o.realloc, offset)
        p = o.ptr
        if ft.params != (p, p, p, p) or ft.results != (p,):
            raise fail(
                "canonical option `realloc` uses a core function with an incorrect signature",
                offset,
            )
    return o


def _cabi_memory(scope: Scope, mem: MemoryType, offset: int) -> PtrType:
    if mem.memory64:
        scope.require(
            scope.features.cm64, "64-bit memories require the `cm64` feature to be enabled", offset
        )
    if mem.shared:
        raise fail("mismatch in the shared flag for memories", offset)
    return "i64" if mem.memory64 else "i32"


def _lower(ft: FuncType, o: _Opts, abi: Literal["lift", "lower"]) -> CoreFuncType:
    """wasmparser's ``ComponentFuncType::lower``: the core signature, checking required options."""
    ptr = o.ptr
    params: list[str] = []
    param_limit = MAX_FLAT_PARAMS
    if abi == "lower" and o.is_async:
        param_limit = MAX_FLAT_ASYNC_PARAMS
    for _, ty in ft.params:
        if abi == "lower":
            if o.memory is None and contains_ptr(ty):
                o.require_memory()
        elif o.realloc is None and contains_ptr(ty):
            o.require_realloc()
        flat = flatten_upto(ty, ptr, param_limit - len(params))
        if flat is None:
            params = [ptr]
            o.require_memory()
            if abi == "lift":
                o.require_realloc()
            break
        params.extend(flat)
    results: list[str] = []
    if ft.result is not None and abi == "lower" and o.realloc is None and contains_ptr(ft.result):
        o.require_realloc()
    if not o.is_async:
        flat = None if ft.result is None else flatten_upto(ft.result, ptr, MAX_FLAT_RESULTS)
        if flat is not None:
            results.extend(flat)
        elif ft.result is not None:
            o.require_memory()
            if abi == "lower":
                params.append(ptr)
            else:
                results.append(ptr)
    elif abi == "lower":
        if ft.result is not None:
            params.append("i32")
            o.require_memory()
        results.append("i32")
    else:
        if ft.result is not None:
            overflow = flatten_upto(ft.result, ptr, MAX_FLAT_PARAMS) is None
            if o.memory is None and (overflow or contains_ptr(ft.result)):
                o.require_memory()
        if o.callback is not None:
            results.append("i32")
    return CoreFuncType(tuple(params), tuple(results))


def _check_async(o: _Opts, ft: FuncType) -> None:
    if o.is_async and not ft.is_async:
        raise fail("the `async` canonical option requires an async function type", o.offset)


# --------------------------------------------------------------------------- definitions


def canonical_function(scope: Scope, canon: ir.Canon) -> None:
    scope.origin = canon
    offset = canon.offset
    if isinstance(canon, ir.CanonLift):
        _lift(scope, canon)
    elif isinstance(canon, ir.CanonLower):
        _lower_func(scope, canon)
    else:
        ty, opts = _builtin(scope, canon, offset)
        scope.push("core_funcs", ty, options=opts)


def _lift(scope: Scope, canon: ir.CanonLift) -> None:
    offset = canon.offset
    ft = scope.func_type_at(canon.type_index, offset)
    core_ty = scope.core_function_at(canon.core_func, offset)
    o = _check_options(scope, canon.opts, offset)
    if o.post_return is not None:
        pr = scope.core_function_at(o.post_return, offset)
        if pr.params != core_ty.results or pr.results:
            raise fail(
                "canonical option `post-return` uses a core function with an incorrect signature",
                offset,
            )
    if o.is_async:
        if o.callback is None:
            scope.require(
                scope.features.cm_async_stackful,
                "requires the component model async stackful feature",
                offset,
            )
        else:
            cb = scope.core_function_at(o.callback, offset)
            # wasm-tools 1.262: exactly (i32 i32 i32) -> (i32) (CanonicalABI.md "canon lift")
            if cb.params != ("i32", "i32", "i32") or cb.results != ("i32",):
                raise fail(
                    "canonical option `callback` uses a core function with an incorrect signature",
                    offset,
                )
    if o.core_type is not None:
        raise fail("canonical option `core-type` is not allowed in `canon lift`", offset)
    _check_async(o, ft)
    expected = core_ty if o.gc else _lower(ft, o, "lift")
    if expected.params != core_ty.params:
        raise fail(
            f"lowered parameter types `{list(expected.params)}` do not match parameter types "
            f"`{list(core_ty.params)}` of core function {canon.core_func}",
            offset,
        )
    if expected.results != core_ty.results:
        raise fail(
            f"lowered result types `{list(expected.results)}` do not match result types "
            f"`{list(core_ty.results)}` of core function {canon.core_func}",
            offset,
        )
    scope.push("funcs", ft, options=o.resolved())


def _lower_func(scope: Scope, canon: ir.CanonLower) -> None:
    offset = canon.offset
    ft = scope.function_at(canon.func, offset)
    o = _check_options(scope, canon.opts, offset)
    o.check_lower()
    _check_async(o, ft)
    if o.gc:
        assert o.core_type is not None
        ty = scope.core_type_at(o.core_type, offset)
        assert isinstance(ty, CoreFuncType)
    else:
        ty = _lower(ft, o, "lower")
    scope.push("core_funcs", ty, options=o.resolved())


def _local_resource_rep(scope: Scope, index: int, offset: int) -> str:
    res = scope.resource_at(index, offset)
    from witkit.types import root

    entry = scope.defined_resources.get(id(root(res)))
    if entry is None or entry[1] is None:
        raise fail(f"type {index} is not a local resource", offset)
    return entry[1]


def _stream_or_future(
    scope: Scope, canon: ir.CanonBuiltin, want: type, offset: int
) -> StreamType | FutureType:
    assert canon.type_index is not None
    ty = scope.defined_type_at(canon.type_index, offset)
    if not isinstance(ty, want):
        what = "stream" if want is StreamType else "future"
        raise fail(f"`{canon.name}` requires a {what} type", offset)
    return ty  # type: ignore[return-value]


#: built-ins whose flag byte Binary.md spells ``cancel?`` (a reserved zero for wasm-tools 1.262)
_CANCEL_BYTE = frozenset(
    {
        "waitable-set.wait",
        "waitable-set.poll",
        "thread.yield",
        "thread.suspend",
        "thread.suspend-then-resume",
        "thread.yield-then-resume",
        "thread.suspend-then-promote",
        "thread.yield-then-promote",
    }
)


def _builtin(
    scope: Scope, canon: ir.CanonBuiltin, offset: int
) -> tuple[CoreFuncType, CanonOptions | None]:
    name = canon.name
    f = scope.features

    def sig(params: tuple[str, ...], results: tuple[str, ...]) -> CoreFuncType:
        return CoreFuncType(params, results)

    def need(enabled: bool, feature: str) -> None:
        scope.require(enabled, f"`{name}` requires the component model {feature} feature", offset)

    if canon.flag and name in _CANCEL_BYTE:
        # the reader keeps the byte; which rule applies is the caller's choice
        scope.require(
            f.legacy_cancellable,
            "invalid leading byte (0x1) for zero byte; this was historically accepted "
            "as `cancellable` until WebAssembly/component-model#716",
            offset,
        )
    if name == "resource.new":
        assert canon.type_index is not None
        rep = _local_resource_rep(scope, canon.type_index, offset)
        return sig((rep,), (_I32,)), None
    if name == "resource.drop":
        assert canon.type_index is not None
        scope.resource_at(canon.type_index, offset)
        return sig((_I32,), ()), None
    if name == "resource.rep":
        assert canon.type_index is not None
        rep = _local_resource_rep(scope, canon.type_index, offset)
        return sig((_I32,), (rep,)), None
    if name in ("backpressure.inc", "backpressure.dec", "task.cancel"):
        need(f.cm_async, "async")
        return sig((), ()), None
    if name == "task.return":
        need(f.cm_async, "async")
        params: tuple[tuple[str, ValType], ...] = ()
        if canon.result is not None:
            params = (("v", scope.valtype(canon.result, offset)),)
        o = _check_options(scope, canon.opts, offset)
        if o.realloc is not None:
            raise fail("cannot specify `realloc` option on `task.return`", offset)
        if o.post_return is not None:
            raise fail("cannot specify `post-return` option on `task.return`", offset)
        o.check_lower()
        o.require_sync("task.return")
        return _lower(FuncType(params, None), o, "lower"), o.resolved()
    if name in ("context.get", "context.set"):
        need(f.cm_async, "async")
        vt = canon.valtype or ""
        if vt == "i64":
            scope.require(
                f.cm64,
                f"64-bit `{name}` requires the component model 64-bit feature",
                offset,
            )
        elif vt != "i32":
            raise fail(f"`{name}` only supports `i32` or `i64`", offset)
        if scope.context_type is None:
            scope.context_type = vt
        elif scope.context_type != vt:
            raise fail(f"`{name}` type must match previous context type", offset)
        slot = canon.slot or 0
        if slot > 0:
            scope.require(f.cm_threading, f"`{name}` immediate must be zero: {slot}", offset)
            if slot > 1:
                raise fail(f"`{name}` immediate must be zero or one: {slot}", offset)
        if name == "context.get":
            return sig((), (vt,)), None
        return sig((vt,), ()), None
    if name == "subtask.drop":
        need(f.cm_async, "async")
        return sig((_I32,), ()), None
    if name == "subtask.cancel":
        need(f.cm_async, "async")
        if canon.flag:
            scope.require(
                f.cm_more_async_builtins,
                "async `subtask.cancel` requires the component model more async builtins feature",
                offset,
            )
        return sig((_I32,), (_I32,)), None
    if name.startswith(("stream.", "future.")):
        is_stream = name.startswith("stream.")
        need(f.cm_async, "async")
        op = name.split(".", 1)[1]
        if op in ("cancel-read", "cancel-write") and canon.flag:
            scope.require(
                f.cm_more_async_builtins,
                f"async `{name}` requires the component model more async builtins feature",
                offset,
            )
        t = _stream_or_future(scope, canon, StreamType if is_stream else FutureType, offset)
        element = t.element if isinstance(t, StreamType) else t.value
        if op == "new":
            return sig((), ("i64",)), None
        if op in ("cancel-read", "cancel-write"):
            return sig((_I32,), (_I32,)), None
        if op in ("drop-readable", "drop-writable"):
            return sig((_I32,), ()), None
        o = _check_options(scope, canon.opts, offset)
        if not o.is_async:
            scope.require(
                f.cm_more_async_builtins,
                f"synchronous `{name}` requires the component model more async builtins feature",
                offset,
            )
        if element is not None and o.memory is None:
            o.require_memory()
        if op == "read" and element is not None and o.realloc is None and contains_ptr(element):
            o.require_realloc()
        if not (op == "write" and not is_stream):
            o.check_lower()
        ty = sig((_I32, _I32, _I32) if is_stream else (_I32, _I32), (_I32,))
        if o.core_type is not None:
            declared = scope.core_type_at(o.core_type, offset)
            assert isinstance(declared, CoreFuncType)
            if declared.params != ty.params or declared.results != ty.results:
                raise fail(
                    f"declared core type {describe(declared)} does not match the actual lowering "
                    f"{describe(ty)}",
                    offset,
                )
            ty = declared
        return ty, o.resolved()
    if name in ("error-context.new", "error-context.debug-message"):
        need(f.cm_error_context, "error-context")
        o = _check_options(scope, canon.opts, offset)
        o.require_memory()
        if name == "error-context.debug-message":
            o.require_realloc()
        o.require_sync(name)
        o.check_lower()
        if name == "error-context.new":
            return sig((_I32, _I32), (_I32,)), o.resolved()
        return sig((_I32, _I32), ()), o.resolved()
    if name == "error-context.drop":
        need(f.cm_error_context, "error-context")
        return sig((_I32,), ()), None
    if name == "waitable-set.new":
        need(f.cm_async, "async")
        return sig((), (_I32,)), None
    if name in ("waitable-set.wait", "waitable-set.poll"):
        need(f.cm_async, "async")
        assert canon.memory is not None
        mem = scope.memory_at(canon.memory, offset)
        ptr = _cabi_memory(scope, mem, offset)
        return sig((_I32, ptr), (_I32,)), CanonOptions(memory=canon.memory)
    if name in ("waitable-set.drop",):
        need(f.cm_async, "async")
        return sig((_I32,), ()), None
    if name == "waitable.join":
        need(f.cm_async, "async")
        return sig((_I32, _I32), ()), None
    if name == "thread.yield":
        need(f.cm_async, "async")
        return sig((), (_I32,)), None
    if name in ("thread.index", "thread.suspend"):
        need(f.cm_threading, "threading")
        return sig((), (_I32,)), None
    if name == "thread.resume-later":
        need(f.cm_threading, "threading")
        return sig((_I32,), ()), None
    if name in (
        "thread.suspend-then-resume",
        "thread.yield-then-resume",
        "thread.suspend-then-promote",
        "thread.yield-then-promote",
    ):
        need(f.cm_threading, "threading")
        return sig((_I32,), (_I32,)), None
    if name == "thread.new-indirect":
        need(f.cm_threading, "threading")
        assert canon.type_index is not None and canon.table is not None
        ft = scope.core_type_at(canon.type_index, offset)
        if not isinstance(ft, CoreFuncType):
            if isinstance(ft, ir.CoreSubType):
                raise fail("start type must be a function", offset)
            raise fail("expected a core function type", offset)
        if ft.params != (_I32,):
            raise fail("start function must take a single `i32` argument (currently)", offset)
        if ft.results:
            raise fail("start function must not return any values", offset)
        table = scope.table_at(canon.table, offset)
        _check_funcref_table(table, offset)
        return sig((_I32, _I32), (_I32,)), None
    if name in ("thread.spawn-ref", "thread.spawn-indirect", "thread.available-parallelism"):
        scope.require(
            f.shared_everything_threads,
            f"`{name}` requires the shared-everything-threads proposal",
            offset,
        )
        raise fail(f"`{name}` is not supported", offset)
    raise fail(f"unknown canonical built-in `{name}`", offset)


def _check_funcref_table(table: TableType, offset: int) -> None:
    if table.element != "funcref" or table.table64:
        raise fail(
            "table is not a 32-bit table of (ref null (func))\n"
            f"expected table element type funcref, found {table.element}",
            offset,
        )
