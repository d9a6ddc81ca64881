"""The WIT face of the WASI host: what a witkit ``Linker`` is given, one module per package.

The cores (:mod:`witkit.wasi.io`, ``filesystem``, ``sockets``...) speak Python:
they return plain values and raise :class:`~witkit.wasi.errno.FsError`,
``SocketError``, ``StreamClosed``...  The modules of this package are the one
boundary where that becomes the Canonical ABI's values (``Ok``/``Err``,
``Variant``, records as attribute objects) and where each resource gets the host
class the linker binds it to: ``io`` (with :func:`~witkit.wasi.host.io.fallible`,
which every package uses), ``clocks``, ``random``, ``cli``, ``filesystem``,
``sockets`` -- the packages of wasmtime's ``wasi`` crate.

Rules:

* **One class per WIT resource**, named after it; an instance wraps one core
  object (``.core``).  Methods are the WIT methods in snake case, so the linker
  maps ``[method]output-stream.blocking-write-and-flush`` to
  ``OutputStreamResource.blocking_write_and_flush``.
* A function whose WIT result is ``result<_, E>`` is decorated with
  ``fallible``, which turns the cores' exceptions into ``Err`` and anything
  else into ``Ok``; traps (``witkit.errors.Trap``) and :class:`~witkit.wasi.Exit`
  pass through untouched.
* Each package module's ``interfaces(ctx)`` gives its interfaces' items; this
  module puts them together in the order of :data:`INTERFACES`.
* The host is typed once, by the newest 0.2 WIT (:data:`VERSION`); the linker
  matches every 0.2.x import to it by semver.
"""

from __future__ import annotations

from typing import Any

from witkit.wasi.config import WasiConfig, WasiContext
from witkit.wasi.host import cli, clocks, filesystem, io, random, sockets

__all__ = ["INTERFACES", "VERSION", "add_to_linker", "interfaces"]

#: the WASI version the host is written against (the newest 0.2 release)
VERSION = "0.2.12"

#: the interfaces of ``wasi:cli/imports``, in the order the host defines them
INTERFACES: tuple[str, ...] = (
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:sockets/ip-name-lookup",
)


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """Unversioned interface name -> {WIT item name -> host function or resource class}."""
    found: dict[str, dict[str, Any]] = {}
    for package in (io, clocks, random, cli, filesystem, sockets):
        found.update(package.interfaces(ctx))
    return found


def add_to_linker(linker: Any, config: WasiConfig | WasiContext) -> WasiContext:
    """Define every ``wasi:cli/imports`` interface in ``linker`` (at :data:`VERSION`).

    Returns the context, so a caller can reach the live state (e.g. the
    preopens) after instantiation.
    """
    ctx = config.build() if isinstance(config, WasiConfig) else config
    for name, items in interfaces(ctx).items():
        linker.define_instance(f"{name}@{VERSION}", items)
    return ctx
