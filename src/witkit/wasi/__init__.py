"""WASI 0.2 in Python: the ``wasi:cli/command`` world as a host any witkit linker can use.

One module per WASI package (``cli``, ``io``, ``clocks``, ``random``,
``filesystem``, and the ``sockets`` package) for the implementations, which
speak Python; the same packages again under ``host`` for the bindings, where
their values become the Canonical ABI's; one table from ``errno`` to
``error-code`` (``errno``); the capability builder (``config``) and its network
grant (``grants``).  Nothing is granted unless the :class:`WasiConfig` says so.
"""

from __future__ import annotations

from witkit.wasi.cli import Exit as Exit
from witkit.wasi.config import WasiConfig as WasiConfig
from witkit.wasi.config import WasiContext as WasiContext


def add_to_linker(linker: object, config: WasiConfig | WasiContext) -> WasiContext:
    """Define the whole ``wasi:cli/imports`` world in ``linker``; see :mod:`witkit.wasi.host`."""
    from witkit.wasi.host import add_to_linker as add

    return add(linker, config)


__all__ = ["Exit", "WasiConfig", "WasiContext", "add_to_linker"]
