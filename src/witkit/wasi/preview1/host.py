"""``Preview1``: the ``wasi_snapshot_preview1`` host of one core instance.

It joins the ``fd_*`` and ``path_*`` functions (:mod:`.fd`, :mod:`.path`) with the
rest of the witx interface (arguments, environment, clocks, randomness,
``poll_oneoff``, ``proc_exit``, ``sched_yield`` and the socket stubs), all on the 0.2
host's :class:`~witkit.wasi.config.WasiContext`: the same grants, clocks, random
sources and streams a component would get from the same :class:`WasiConfig`.

:meth:`Preview1.imports` makes one core host function per import the module
declares (nothing more), each wrapped so that a failure the guest may see becomes
its ``errno`` result: :class:`~witkit.wasi.preview1.witx.Errno`, the 0.2 host's
``FsError`` (through the one table in :mod:`.witx`) and ``StreamError``.  Anything
else unwinds the guest, as wasmtime does: a
:class:`~witkit.wasi.preview1.witx.GuestError` (a pointer out of bounds, an enum or
flag value no witx type has, ``proc_exit`` past 125) ends the run with status 1,
``Exit`` from ``proc_exit`` with its status, an interrupt or a deadline as always.

Sockets: preview1 has no way to create one and wasmtime's CLI passes none in, so
``sock_*`` answer ``notsock`` for any open ``fd`` (``badf`` otherwise), as it does;
``proc_raise`` is ``notsup``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from witkit.errors import LinkError
from witkit.wasi.cli import Exit
from witkit.wasi.clocks import subscribe_duration, subscribe_instant
from witkit.wasi.config import WasiContext
from witkit.wasi.errno import FsError
from witkit.wasi.io import InputStream, OutputStream, Pollable, StreamError, poll
from witkit.wasi.preview1.fd import FdFunctions, stream_errno
from witkit.wasi.preview1.fdtable import FdTable, File, Stdio
from witkit.wasi.preview1.memory import GuestMemory
from witkit.wasi.preview1.path import PathFunctions
from witkit.wasi.preview1.witx import (
    EVENT_CLOCK,
    EVENT_FD_READ,
    EVENT_FD_WRITE,
    EVENT_SIZE,
    FD_READWRITE_HANGUP,
    MONOTONIC,
    REALTIME,
    SIGNATURES,
    SUBSCRIPTION_CLOCK_ABSTIME,
    SUBSCRIPTION_SIZE,
    Errno,
    GuestError,
    check_enum,
    check_flags,
    errno_of,
)

if TYPE_CHECKING:
    from witkit.runtime.core import CoreFunc, CoreModule, Store

__all__ = ["MODULE", "InvalidExit", "Preview1"]

#: the import module name of WASI 0.1
MODULE = "wasi_snapshot_preview1"

_SUBSCRIPTION = "<QB7xIxxxxQQH6x"
_EVENT = struct.Struct("<QHB5xQH6x")


class InvalidExit(GuestError):
    """``proc_exit`` with a status of 126 or more: an error, not an exit (as wasmtime)."""


def _guard(fn: Callable[..., int]) -> Callable[..., int]:
    """``fn`` with the failures a guest may see turned into its ``errno`` result."""

    def call(*args: int) -> int:
        try:
            return fn(*args)
        except GuestError as err:
            err.args = (f"{MODULE}::{fn.__name__}: {err}",)
            raise
        except Errno as err:
            return err.code
        except FsError as err:
            return errno_of(err.code)
        except StreamError as err:
            return stream_errno(err).code

    call.__name__ = call.__qualname__ = fn.__name__
    return call


class Preview1(FdFunctions, PathFunctions):
    """The preview1 functions over one :class:`WasiContext` (one instance's worth)."""

    def __init__(self, ctx: WasiContext) -> None:
        self.ctx = ctx
        self.table = FdTable(ctx)
        self.mem = GuestMemory(None)

    def imports(self, store: Store, module: CoreModule) -> dict[tuple[str, str], CoreFunc]:
        """Host functions for the module's ``wasi_snapshot_preview1`` imports.

        An import this interface does not have, or with another type, is a
        ``LinkError`` naming it (wasmtime refuses to instantiate such a module too).
        """
        from witkit.runtime.core import CoreFuncType

        funcs: dict[tuple[str, str], CoreFunc] = {}
        for imp in module.imports:
            if imp.module != MODULE:
                continue
            signature = SIGNATURES.get(imp.name)
            if signature is None:
                raise LinkError(f"unknown import: `{MODULE}::{imp.name}` has not been defined")
            ty = CoreFuncType(*signature)
            if imp.type != ty:
                raise LinkError(
                    f"incompatible import type for `{MODULE}::{imp.name}`: "
                    f"expected {ty}, found {imp.type}"
                )
            method = getattr(self, imp.name)
            fn = method if imp.name == "proc_exit" else _guard(method)
            funcs[(MODULE, imp.name)] = store.host_func(ty, fn, name=imp.name)
        return funcs

    # -- arguments and environment

    def _strings(self, items: list[bytes], pointers: int, buf: int) -> int:
        for item in items:
            self.mem.u32(pointers, buf)
            self.mem.write(buf, item + b"\0")
            pointers += 4
            buf += len(item) + 1
        return 0

    def _sizes(self, items: list[bytes], count: int, size: int) -> int:
        self.mem.u32(count, len(items))
        self.mem.u32(size, sum(len(i) + 1 for i in items))
        return 0

    def _args(self) -> list[bytes]:
        return [a.encode() for a in self.ctx.cli.get_arguments()]

    def _environ(self) -> list[bytes]:
        return [f"{k}={v}".encode() for k, v in self.ctx.cli.get_environment()]

    def args_get(self, argv: int, buf: int) -> int:
        return self._strings(self._args(), argv, buf)

    def args_sizes_get(self, count: int, size: int) -> int:
        return self._sizes(self._args(), count, size)

    def environ_get(self, environ: int, buf: int) -> int:
        return self._strings(self._environ(), environ, buf)

    def environ_sizes_get(self, count: int, size: int) -> int:
        return self._sizes(self._environ(), count, size)

    # -- clocks and randomness

    def _clock(self, clock: int) -> Any:
        check_enum(clock, 4, "clockid")
        if clock == REALTIME:
            return self.ctx.wall
        if clock == MONOTONIC:
            return self.ctx.monotonic
        raise Errno("badf")  # the CPU-time clocks are not offered

    def clock_res_get(self, clock: int, resolution: int) -> int:
        self.mem.u64(resolution, self._clock(clock).resolution())
        return 0

    def clock_time_get(self, clock: int, precision: int, time: int) -> int:
        self.mem.u64(time, self._clock(clock).now())
        return 0

    def random_get(self, buf: int, length: int) -> int:
        self.mem.check(buf, length)  # before any bytes are made: a huge length traps
        self.mem.write(buf, self.ctx.random.bytes(length))
        return 0

    # -- processes

    def proc_exit(self, status: int) -> None:
        if status >= 126:
            raise InvalidExit("exit with invalid exit status outside of [0..126)")
        raise Exit(status)

    def proc_raise(self, signal: int) -> int:
        check_enum(signal, 31, "signal")
        raise Errno("notsup")

    def sched_yield(self) -> int:
        return 0

    # -- sockets (none can exist)

    def sock_accept(self, fd: int, flags: int, opened: int) -> int:
        check_flags(flags, 0x1F, "fdflags")
        self.table.get(fd)
        raise Errno("notsock")

    def sock_recv(self, fd: int, data: int, data_len: int, flags: int, n: int, oflags: int) -> int:
        check_flags(flags, 0x3, "riflags")
        self.table.get(fd)
        raise Errno("notsock")

    def sock_send(self, fd: int, data: int, data_len: int, flags: int, n: int) -> int:
        check_flags(flags, 0, "siflags")
        self.table.get(fd)
        raise Errno("notsock")

    def sock_shutdown(self, fd: int, how: int) -> int:
        check_flags(how, 0x3, "sdflags")
        self.table.get(fd)
        raise Errno("notsock")

    # -- poll_oneoff

    def _subscription(self, ptr: int) -> tuple[int, int, int, int, int]:
        userdata, tag, first, timeout, _, flags = self.mem.unpack(ptr, 8, _SUBSCRIPTION)
        if tag > EVENT_FD_WRITE:
            raise Errno("inval")
        return userdata, tag, first, timeout, flags

    def _clock_pollable(self, clock: int, timeout: int, flags: int) -> Pollable:
        if flags & ~SUBSCRIPTION_CLOCK_ABSTIME:
            raise Errno("inval")
        absolute = bool(flags & SUBSCRIPTION_CLOCK_ABSTIME)
        mono = self.ctx.monotonic
        if clock == REALTIME and absolute:
            timeout, absolute = max(0, timeout - self.ctx.wall.now()), False
        elif clock not in (REALTIME, MONOTONIC):
            raise Errno("inval")
        return subscribe_instant(mono, timeout) if absolute else subscribe_duration(mono, timeout)

    def _fd_pollable(self, fd: int, tag: int) -> Pollable:
        entry = self.table.get(fd)
        if tag == EVENT_FD_READ:
            if isinstance(entry, Stdio) and isinstance(entry.stream, InputStream):
                return entry.stream.subscribe()
            if isinstance(entry, File):
                return entry.desc.read_via_stream(entry.position).subscribe()
        else:
            if isinstance(entry, Stdio) and isinstance(entry.stream, OutputStream):
                return entry.stream.subscribe()
            if isinstance(entry, File):
                desc = entry.desc
                stream = (
                    desc.append_via_stream()
                    if entry.append
                    else desc.write_via_stream(entry.position)
                )
                return stream.subscribe()
        raise Errno("badf")

    def poll_oneoff(self, subs: int, events: int, count: int, nevents: int) -> int:
        """Wait for the first of ``count`` subscriptions; one event per ready one.

        As wasmtime: no subscription at all is ``inval`` (it would sleep forever);
        a lone relative clock is a plain sleep; files are always ready, reads with
        ``hangup`` at their end; the first malformed subscription fails the call.
        """
        if count == 0:
            raise Errno("inval")
        self.mem.check(subs, count * SUBSCRIPTION_SIZE, 8)
        self.mem.check(events, count * EVENT_SIZE, 8)
        parsed = [self._subscription(subs + i * SUBSCRIPTION_SIZE) for i in range(count)]
        if count == 1:
            userdata, tag, _, timeout, flags = parsed[0]
            if tag == EVENT_CLOCK and not flags & SUBSCRIPTION_CLOCK_ABSTIME:
                # a plain sleep, whatever the clock (wasmtime does not look at its id)
                self._clock_pollable(MONOTONIC, timeout, flags).block()
                self.mem.write(events, _EVENT.pack(userdata, 0, EVENT_CLOCK, 1, 0))
                self.mem.u32(nevents, 1)
                return 0
        pollables = [
            self._clock_pollable(first, timeout, flags)
            if tag == EVENT_CLOCK
            else self._fd_pollable(first, tag)
            for _, tag, first, timeout, flags in parsed
        ]
        ready = poll(pollables)
        written = 0
        for index in ready:
            userdata, tag, first, _, _ = parsed[index]
            hangup = 0
            if tag == EVENT_FD_READ:
                entry = self.table.get(first)
                if isinstance(entry, File) and entry.desc.stat().size <= entry.position:
                    hangup = FD_READWRITE_HANGUP
            nbytes = 0 if tag == EVENT_CLOCK else 1
            event = _EVENT.pack(userdata, 0, tag, nbytes, hangup)
            self.mem.write(events + written * EVENT_SIZE, event)
            written += 1
        self.mem.u32(nevents, written)
        return 0
