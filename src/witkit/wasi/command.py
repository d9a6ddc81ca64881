"""Run a ``wasi:cli/command`` component to completion: the library under ``witkit run``.

The outcome is an exit status, the way a shell sees a program: ``0`` when
``run`` returns ``ok``, ``1`` for ``err``, the code given to ``exit`` /
``exit-with-code``.  A trap is not an outcome but an error: it propagates as
:class:`~witkit.errors.Trap` for the caller (the CLI) to render; the CLI gives it
:data:`TRAP_STATUS`, the status the wasmtime CLI uses (128 + SIGABRT).

This module only touches the public runtime API (``Engine``, ``Component``,
``Linker``); anything a user could write themselves.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit._record import record
from witkit.abi.values import Ok
from witkit.errors import LinkError, Trap, WitkitError, find_cause
from witkit.wasi.cli import Exit
from witkit.wasi.config import WasiConfig
from witkit.wasi.host import add_to_linker, interfaces
from witkit.wasi.typecheck import check_imports

if TYPE_CHECKING:
    from witkit.runtime import Func, Instance
    from witkit.types import ComponentType

__all__ = ["TRAP_STATUS", "Limits", "find_exit", "run_component"]

#: the exit status of a trapped guest (what ``wasmtime run`` reports: 128 + SIGABRT)
TRAP_STATUS = 134

#: the export a command component runs
RUN_INTERFACE = "wasi:cli/run"


@record
class Limits:
    """Execution limits (``None``: unlimited)."""

    fuel: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    #: bytes of strings and lists one call may copy (``Linker.instantiate(max_copy=...)``)
    max_copy: int | None = None
    #: engine settings (``Engine(...)`` keywords, e.g. ``opt_level``, ``max_wasm_stack``)
    engine: tuple[tuple[str, Any], ...] = ()


def find_exit(err: BaseException) -> Exit | None:
    """The :class:`Exit` behind ``err``, if the runtime wrapped it (a host call raised it)."""
    return find_cause(err, Exit)


def _run_export(instance: Instance) -> Func:
    """The ``run`` function of the instance's ``wasi:cli/run@0.2.x`` export."""
    exports = instance.exports
    for name in exports:
        if name == RUN_INTERFACE or name.startswith(RUN_INTERFACE + "@0.2"):
            run: Func = exports[name]["run"]
            return run
    raise LinkError(
        f"the component exports no {RUN_INTERFACE}@0.2.x: it is not a WASI command "
        f"(exports: {', '.join(exports) or 'none'})"
    )


def run_component(
    wasm: bytes | str | os.PathLike[str],
    config: WasiConfig,
    limits: Limits | None = None,
    *,
    cache: bool = True,
    compiling: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    starting: Callable[[], None] | None = None,
    check: Callable[[ComponentType], None] | None = None,
    call: Callable[[Instance], int] | None = None,
) -> int:
    """Instantiate ``wasm`` with the WASI host of ``config`` and call its ``run``.

    ``wasm`` is the component's bytes, or the path of its file (``.wasm`` or
    ``.wat``): a path lets an unchanged component start from its prepared form.

    ``cache=False`` compiles every core module afresh instead of going through the
    engine's on-disk cache.  ``compiling`` wraps loading the component (decoding,
    validation, compilation: the part that can take seconds on a first run), so a
    caller can show progress without this module knowing about terminals.
    ``starting`` is called once the instance is ready, just before its ``run``.
    ``check`` sees the component's type before anything is compiled and may
    refuse it by raising (``Component.from_file``).  ``call`` replaces ``run``:
    it is given the instance and returns the exit status (``witkit run --invoke``).

    Returns the exit status; raises ``Trap`` if the guest traps, ``LinkError`` if
    its imports cannot be satisfied, and ``WitkitError`` if a limit refuses the
    instance before it runs (as wasmtime, that is an error, not a trap).
    """
    from witkit.runtime import Component, Engine, Linker  # the runtime only when something runs

    limits = limits or Limits()
    engine = Engine(
        consume_fuel=limits.fuel is not None,
        # Only for a timeout: epoch checks cost ~17% of a CPU-bound guest's time
        # (benchmarks/bench_run.py's sieve); a signal stops a guest without them
        # (``witkit._signals.watch``).
        epoch_interruption=limits.timeout is not None,
        cache=cache,
        **dict(limits.engine),
    )
    with compiling() if compiling is not None else contextlib.nullcontext():
        if isinstance(wasm, bytes | bytearray | memoryview):
            component = Component(engine, bytes(wasm), check=check)
        else:
            component = Component.from_file(engine, os.fspath(wasm), check=check)
    ctx = config.build()
    check_imports(component.type, interfaces(ctx))
    linker = Linker(engine)
    add_to_linker(linker, ctx)
    try:
        try:
            instance = linker.instantiate(
                component,
                fuel=limits.fuel,
                timeout=limits.timeout,
                max_memory=limits.max_memory,
                max_copy=limits.max_copy,
            )
        except Trap as trap:
            # A memory whose declared minimum is over the limit never ran any code:
            # wasmtime reports it as a failed instantiation (status 1), not a trap.
            if trap.rule == "memory-limit" and find_exit(trap) is None:
                raise WitkitError(f"cannot instantiate the component: {trap}") from None
            raise
        run = _run_export(instance) if call is None else None
        if starting is not None:
            starting()
        if run is None:
            assert call is not None
            return call(instance)
        result = run()
    except Exit as done:
        return done.code
    except Trap as trap:
        done_ = find_exit(trap)
        if done_ is not None:
            return done_.code
        # its backtrace, if rendered, in the file's offsets (as wasmtime run prints it)
        place = getattr(trap, "in_component", None)
        if place is not None:
            place(component.binary)
        raise
    return 0 if result is None or isinstance(result, Ok) else 1
