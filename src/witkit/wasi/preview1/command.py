"""Run a WASI 0.1 core module to completion: what ``witkit run`` does with one.

The module is compiled through the engine's on-disk cache (as a component's core
modules are), instantiated in one :class:`~witkit.runtime.core.Store` carrying the
limits (fuel, timeout, memory), with its ``wasi_snapshot_preview1`` imports served by
:class:`~witkit.wasi.preview1.host.Preview1` over the context the
:class:`~witkit.wasi.WasiConfig` builds, so grants, limits and signals are those a
component would get.  Then, as ``wasmtime run``: ``_initialize`` if exported, and the
entry point ``""`` or ``_start``.

The outcome is an exit status, as for a component: ``proc_exit(n)`` is ``n``, returning
from ``_start`` is 0; a trap propagates as :class:`~witkit.errors.Trap` for the CLI to
render.  A module with no entry point, or importing something other than WASI 0.1,
is refused with a one-line ``LinkError`` before it runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.errors import LinkError, Trap, WitkitError, find_cause
from witkit.wasi.cli import Exit
from witkit.wasi.config import WasiConfig
from witkit.wasi.preview1.host import MODULE, Preview1
from witkit.wasi.preview1.witx import GuestError

if TYPE_CHECKING:
    from witkit.wasi.command import Limits

__all__ = ["run_module"]


def _entry(instance: Any, kind: type) -> Any:
    """The entry point ``""`` or ``_start``, as wasmtime looks for it, or None."""
    for name in ("", "_start"):
        func = instance.get(name)
        if isinstance(func, kind):
            return func
    return None


def run_module(
    wasm: bytes | str | os.PathLike[str],
    config: WasiConfig,
    limits: Limits | None = None,
    *,
    cache: bool = True,
    compiling: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    starting: Callable[[], None] | None = None,
) -> int:
    """Instantiate the core module ``wasm`` with a preview1 host and run ``_start``.

    Same contract as :func:`witkit.wasi.command.run_component`: the exit status,
    or ``Trap`` / ``LinkError`` / ``WitkitError``.
    """
    from witkit.runtime.core import CoreFunc, CoreMemory, Engine, Store
    from witkit.wasi.command import Limits

    limits = limits or Limits()
    if not isinstance(wasm, bytes | bytearray | memoryview):
        from witkit import wat

        wasm = wat.load(os.fspath(wasm))
    engine = Engine(
        consume_fuel=limits.fuel is not None,
        epoch_interruption=limits.timeout is not None,
        cache=cache,
        **dict(limits.engine),
    )
    with compiling() if compiling is not None else contextlib.nullcontext():
        module = engine.compile(bytes(wasm), name="main")
    others = sorted({f"{i.module}::{i.name}" for i in module.imports if i.module != MODULE})
    if others:
        raise LinkError(
            f"the module imports {', '.join(others)}: only {MODULE} is provided to a core module"
        )
    host = Preview1(config.build())
    store = Store(engine, fuel=limits.fuel, timeout=limits.timeout, max_memory=limits.max_memory)
    try:
        try:
            instance = store.instantiate(module, host.imports(store, module))
        except Trap as trap:
            if trap.rule == "memory-limit" and find_cause(trap, Exit) is None:
                raise WitkitError(f"cannot instantiate the module: {trap}") from None
            raise
        memory = instance.get("memory")
        host.mem.bind(memory if isinstance(memory, CoreMemory) else None)
        initialize = instance.get("_initialize")
        start = _entry(instance, CoreFunc)
        if start is None and not isinstance(initialize, CoreFunc):
            # wasmtime runs nothing and says nothing; a word on why is kinder
            raise LinkError(
                "the module exports no `_start` (nor `_initialize`): nothing to run "
                f"(exports: {', '.join(sorted(instance.exports())) or 'none'})"
            )
        if starting is not None:
            starting()
        if isinstance(initialize, CoreFunc):
            initialize()
        if start is not None:
            start()
    except Exit as done:
        return done.code
    except Trap as trap:
        exit_ = find_cause(trap, Exit)
        if exit_ is not None:
            return exit_.code
        refused = find_cause(trap, GuestError)  # the run ends with its message, status 1
        if refused is not None:
            raise refused from None
        raise
    return 0
