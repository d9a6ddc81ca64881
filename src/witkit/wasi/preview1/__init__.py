"""WASI 0.1 (``wasi_snapshot_preview1``) for core modules, on top of the 0.2 host.

A core module built for WASI 0.1 (a C program from wasi-libc, ``wasm32-wasip1`` Rust)
runs here directly, without the preview1 adapter: each of its imports is a Python
function over the same 0.2 objects a component would use, so one
:class:`~witkit.wasi.WasiConfig` grants the same things to both and the sandbox is the
0.2 filesystem's walk.  The semantics are wasmtime's preview1 layer (errno for
errno), checked against ``wasmtime run`` by the tests and by the wasi-testsuite.

From Python, as ``witkit run`` does it::

    from witkit.wasi import WasiConfig
    from witkit.wasi.preview1 import run_module

    config = WasiConfig().inherit_stdio().args("prog", "in.txt").preopen_dir("data", "/")
    status = run_module("prog.wasm", config)   # proc_exit's status, 0 when _start returns

Modules (one job each):

* :mod:`.witx`: the ABI as data: errno codes, flags, rights, layouts, signatures,
  the 0.2 ``error-code`` -> ``errno`` table.
* :mod:`.memory`: checked access to the guest's memory (a bad pointer traps).
* :mod:`.fdtable`: ``fd`` numbers onto 0.2 streams and descriptors.
* :mod:`.fd`, :mod:`.path`: the ``fd_*`` and ``path_*`` functions.
* :mod:`.host`: the rest, and :class:`Preview1`, which makes the host functions.
* :mod:`.command`: :func:`run_module`, the library call under ``witkit run``.

Nothing imports this package unless a core module is run, so ``witkit run`` on a
component pays nothing for it; which kind a file is, ``witkit.cli.kind`` tells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from witkit import _first_use

if TYPE_CHECKING:
    from witkit.wasi.preview1.command import run_module as run_module
    from witkit.wasi.preview1.host import Preview1 as Preview1

__all__ = ["Preview1", "run_module"]

_HOMES = {"Preview1": "witkit.wasi.preview1.host", "run_module": "witkit.wasi.preview1.command"}

__getattr__ = _first_use(__name__)
