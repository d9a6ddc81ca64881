"""The WIT face of the WASI host: what a witkit ``Linker`` is given, interface by interface.

The cores (``io``, ``filesystem``, ``sockets``...) speak Python: they return plain
values and raise :class:`~witkit.wasi.errno.FsError`, ``SocketError``,
``StreamClosed``...  This module is the one boundary where that becomes the
Canonical ABI's values (``Ok``/``Err``, ``Variant``, records as attribute objects)
and where each resource gets the host class the linker binds it to.

Rules:

* **One class per WIT resource**, named after it; an instance wraps one core
  object (``.core``).  Methods are the WIT methods in snake case, so the linker
  maps ``[method]output-stream.blocking-write-and-flush`` to
  ``OutputStreamResource.blocking_write_and_flush``.
* A function whose WIT result is ``result<_, E>`` is decorated with
  :func:`_fallible`, which turns the cores' exceptions into ``Err`` and anything
  else into ``Ok``; traps (``witkit.errors.Trap``) and :class:`~witkit.wasi.Exit`
  pass through untouched.
* The host is typed once, by the newest 0.2 WIT (:data:`VERSION`); the linker
  matches every 0.2.x import to it by semver.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from witkit.wasi import io as _io
from witkit.wasi import random as _random
from witkit.wasi.clocks import Datetime, subscribe_duration, subscribe_instant
from witkit.wasi.config import WasiConfig, WasiContext
from witkit.wasi.errno import FsError, SocketError, fs_code, socket_code
from witkit.wasi.filesystem import Descriptor, DirectoryEntryStream, NewTimestamp

if TYPE_CHECKING:
    from witkit.runtime.func import LowerSite
    from witkit.wasi.sockets import (
        IncomingDatagramStream,
        IpSocketAddress,
        Network,
        OutgoingDatagramStream,
        ResolveAddressStream,
        TcpSocket,
        UdpSocket,
    )

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

_F = TypeVar("_F", bound=Callable[..., Any])


@functools.cache
def _values() -> Any:
    """``witkit.abi.values``, looked up on first use: the ABI layer is a separate package
    that may land after this one, and only a running guest needs it."""
    return importlib.import_module("witkit.abi.values")


_OK: Any = None


def Ok(value: Any = None) -> Any:
    global _OK
    if _OK is None:  # looked up once: every successful host call makes one
        _OK = _values().Ok
    return _OK(value)


def Err(value: Any = None) -> Any:
    return _values().Err(value)


def Variant(tag: str, value: Any = None) -> Any:
    return _values().Variant(tag, value)


def _stream_error(err: _io.StreamError) -> Any:
    if isinstance(err, _io.StreamFailed):
        return Variant("last-operation-failed", ErrorResource(err.error))
    return Variant("closed")


def _fallible(fn: _F) -> _F:
    """``result<T, E>`` from a core call: ``Ok(value)``, or ``Err`` of the failure's case."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            value = fn(*args)
        except _io.StreamError as err:
            return Err(_stream_error(err))
        except (FsError, SocketError) as err:
            return Err(err.code)
        return _OK(value) if _OK is not None else Ok(value)

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------- wasi:io


class ErrorResource:
    """``wasi:io/error.error``."""

    def __init__(self, core: _io.Error) -> None:
        self.core = core

    def to_debug_string(self) -> str:
        return self.core.to_debug_string()


class PollableResource:
    """``wasi:io/poll.pollable``."""

    def __init__(self, core: _io.Pollable) -> None:
        self.core = core

    def ready(self) -> bool:
        return self.core.ready()

    def block(self) -> None:
        self.core.block()


def _poll(in_: list[PollableResource]) -> list[int]:
    return _io.poll([p.core for p in in_])


class InputStreamResource:
    """``wasi:io/streams.input-stream``."""

    def __init__(self, core: _io.InputStream) -> None:
        self.core = core

    @_fallible
    def read(self, len: int) -> bytes:
        return self.core.read(len)

    @_fallible
    def blocking_read(self, len: int) -> bytes:
        return self.core.blocking_read(len)

    @_fallible
    def skip(self, len: int) -> int:
        return self.core.skip(len)

    @_fallible
    def blocking_skip(self, len: int) -> int:
        return self.core.blocking_skip(len)

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


class OutputStreamResource:
    """``wasi:io/streams.output-stream``."""

    def __init__(self, core: _io.OutputStream) -> None:
        self.core = core

    @_fallible
    def check_write(self) -> int:
        return self.core.check_write()

    @_fallible
    def write(self, contents: bytes) -> None:
        self.core.write(contents)

    @_fallible
    def blocking_write_and_flush(self, contents: bytes) -> None:
        self.core.blocking_write_and_flush(contents)

    @_fallible
    def flush(self) -> None:
        self.core.flush()

    @_fallible
    def blocking_flush(self) -> None:
        self.core.blocking_flush()

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())

    @_fallible
    def write_zeroes(self, len: int) -> None:
        self.core.write_zeroes(len)

    @_fallible
    def blocking_write_zeroes_and_flush(self, len: int) -> None:
        self.core.blocking_write_zeroes_and_flush(len)

    @_fallible
    def splice(self, src: InputStreamResource, len: int) -> int:
        return self.core.splice(src.core, len)

    @_fallible
    def blocking_splice(self, src: InputStreamResource, len: int) -> int:
        return self.core.blocking_splice(src.core, len)


def _fast_write_and_flush(site: LowerSite) -> Callable[..., None] | None:
    """``output-stream.blocking-write-and-flush`` straight from guest memory.

    A preview1 adapter sends every ``fd_write`` to stdout or a file through this
    method, 4 KiB at a time: 25 000 calls for 100 MB.  The general lowering lifts
    the borrow and the bytes into Python values, runs ``_fallible`` and lowers an
    ``Ok`` back, which costs several times the write itself.  Here the handle is
    looked up in the table, the bytes go from a slice of the memory view to the
    stream, and ``ok`` is one byte stored at the return pointer.  Every case this
    does not take as it is (a may-not-leave instance, a bad or foreign handle, a
    range or return pointer outside memory, a misaligned return pointer) goes to
    the general path before anything is done, so its traps are the spec's; a
    stream error is lowered by the general code after the write failed.
    """
    from witkit.abi.layout import alignment, elem_size, flatten_types

    want = site.resource(0)
    result = site.ty.result
    opts = site.cx.opts
    if want is None or result is None or opts.memory is None:
        return None
    if len(site.ty.params) != 2 or len(flatten_types([result], opts.addrtype)) <= 1:
        return None  # not the shape of wasi:io 0.2 (the result travels through memory)
    align = alignment(result, opts.addrtype)
    size = elem_size(result, opts.addrtype)
    inst = site.inst
    # The table's list is made once and changed in place (HandleTable), so it is
    # held here; every lookup is then one index and one identity test.
    array = inst.handles.array
    memory = site.cx.memory
    general = site.general
    lower_result = site.lower_result
    fd_stream = _io.FdOutputStream
    os_write = os.write
    limit = _io.MAX_BLOCKING_WRITE  # beyond it the stream's method traps, as the spec says
    # A linear memory never shrinks and never moves (the engine is configured so),
    # so a view taken earlier is still a correct view of the memory's first bytes:
    # it is asked for again only when a range falls outside it (the memory grew).
    view = memory()
    end = len(view)
    # This body runs once per 4 KiB of a guest's output: every bytecode counts
    # (~15 ns each; the checks below were a fifth of the whole call).

    def blocking_write_and_flush(handle: int, ptr: int, length: int, retptr: int) -> None:
        nonlocal view, end
        stop = ptr + length
        if stop > end or retptr + size > end:
            view = memory()
            end = len(view)
            if stop > end or retptr + size > end:
                return general(handle, ptr, length, retptr)  # type: ignore[no-any-return]
        try:
            entry = array[handle]
        except IndexError:
            entry = None
        if entry is None or entry.rt is not want or retptr % align or not inst.may_leave:
            return general(handle, ptr, length, retptr)  # type: ignore[no-any-return]
        core = entry.rep.core
        try:
            if type(core) is fd_stream and length <= limit and not core._broken:
                # witkit run's stdout.  FdOutputStream.blocking_write_and_flush's first
                # step inlined: its method call is ~1.5 ms of 100 MB of output, the
                # margin of the 2x goal.  A short write or any OSError (nothing was
                # written) goes to that method, which decides as it always does.
                try:
                    written = os_write(core._fd, view[ptr:stop])
                except OSError:
                    written = 0
                if written != length:
                    core.blocking_write_and_flush(view[ptr + written : stop])
            else:
                core.blocking_write_and_flush(view[ptr:stop])
        except _io.StreamError as err:
            lower_result(Err(_stream_error(err)), (handle, ptr, length, retptr))
            return None
        view[retptr] = 0  # result::ok, no payload
        return None

    return blocking_write_and_flush


setattr(  # noqa: B010 - a function attribute the runtime looks for (mypy has no other spelling)
    OutputStreamResource.blocking_write_and_flush, "__witkit_lower__", _fast_write_and_flush
)


# --------------------------------------------------------------------------- wasi:cli


class TerminalInputResource:
    """``wasi:cli/terminal-input.terminal-input``."""


class TerminalOutputResource:
    """``wasi:cli/terminal-output.terminal-output``."""


# --------------------------------------------------------------------------- wasi:filesystem


def _flags(value: Any) -> frozenset[str]:
    return frozenset(str(v).replace("_", "-") for v in value)


def _timestamp(value: Any) -> NewTimestamp:
    tag = value if isinstance(value, str) else value.tag
    if tag == "timestamp":
        d = value.value
        return NewTimestamp("timestamp", Datetime(int(d.seconds), int(d.nanoseconds)))
    return NewTimestamp(tag.replace("_", "-"))


class DescriptorResource:
    """``wasi:filesystem/types.descriptor``."""

    def __init__(self, core: Descriptor) -> None:
        self.core = core

    @_fallible
    def read_via_stream(self, offset: int) -> InputStreamResource:
        return InputStreamResource(self.core.read_via_stream(offset))

    @_fallible
    def write_via_stream(self, offset: int) -> OutputStreamResource:
        return OutputStreamResource(self.core.write_via_stream(offset))

    @_fallible
    def append_via_stream(self) -> OutputStreamResource:
        return OutputStreamResource(self.core.append_via_stream())

    @_fallible
    def advise(self, offset: int, length: int, advice: str) -> None:
        self.core.advise(offset, length, advice)

    @_fallible
    def sync_data(self) -> None:
        self.core.sync_data()

    @_fallible
    def get_flags(self) -> frozenset[str]:
        return self.core.get_flags()

    @_fallible
    def get_type(self) -> str:
        return self.core.get_type()

    @_fallible
    def set_size(self, size: int) -> None:
        self.core.set_size(size)

    @_fallible
    def set_times(self, atim: Any, mtim: Any) -> None:
        self.core.set_times(_timestamp(atim), _timestamp(mtim))

    @_fallible
    def read(self, length: int, offset: int) -> tuple[bytes, bool]:
        return self.core.read(length, offset)

    @_fallible
    def write(self, buffer: bytes, offset: int) -> int:
        return self.core.write(buffer, offset)

    @_fallible
    def read_directory(self) -> DirectoryEntryStreamResource:
        return DirectoryEntryStreamResource(self.core.read_directory())

    @_fallible
    def sync(self) -> None:
        self.core.sync()

    @_fallible
    def create_directory_at(self, path: str) -> None:
        self.core.create_directory_at(path)

    @_fallible
    def stat(self) -> Any:
        return self.core.stat()

    @_fallible
    def stat_at(self, path_flags: Any, path: str) -> Any:
        return self.core.stat_at(_flags(path_flags), path)

    @_fallible
    def set_times_at(self, path_flags: Any, path: str, atim: Any, mtim: Any) -> None:
        self.core.set_times_at(_flags(path_flags), path, _timestamp(atim), _timestamp(mtim))

    @_fallible
    def link_at(
        self, old_path_flags: Any, old_path: str, new_descriptor: DescriptorResource, new_path: str
    ) -> None:
        self.core.link_at(_flags(old_path_flags), old_path, new_descriptor.core, new_path)

    @_fallible
    def open_at(
        self, path_flags: Any, path: str, open_flags: Any, flags: Any
    ) -> DescriptorResource:
        return DescriptorResource(
            self.core.open_at(_flags(path_flags), path, _flags(open_flags), _flags(flags))
        )

    @_fallible
    def readlink_at(self, path: str) -> str:
        return self.core.readlink_at(path)

    @_fallible
    def remove_directory_at(self, path: str) -> None:
        self.core.remove_directory_at(path)

    @_fallible
    def rename_at(self, old_path: str, new_descriptor: DescriptorResource, new_path: str) -> None:
        self.core.rename_at(old_path, new_descriptor.core, new_path)

    @_fallible
    def symlink_at(self, old_path: str, new_path: str) -> None:
        self.core.symlink_at(old_path, new_path)

    @_fallible
    def unlink_file_at(self, path: str) -> None:
        self.core.unlink_file_at(path)

    def is_same_object(self, other: DescriptorResource) -> bool:
        return self.core.is_same_object(other.core)

    @_fallible
    def metadata_hash(self) -> Any:
        return self.core.metadata_hash()

    @_fallible
    def metadata_hash_at(self, path_flags: Any, path: str) -> Any:
        return self.core.metadata_hash_at(_flags(path_flags), path)


class DirectoryEntryStreamResource:
    """``wasi:filesystem/types.directory-entry-stream``."""

    def __init__(self, core: DirectoryEntryStream) -> None:
        self.core = core

    @_fallible
    def read_directory_entry(self) -> Any:
        return self.core.read_directory_entry()


def _filesystem_error_code(err: ErrorResource) -> str | None:
    cause = err.core.cause
    return fs_code(cause) if cause is not None else None


# --------------------------------------------------------------------------- wasi:sockets


@functools.cache
def _sockets() -> Any:
    """``witkit.wasi.sockets``, imported when a guest first uses the network.

    Perhaps after the guest used up every descriptor: the import is the host's own
    work, so it may use the spare one (``witkit._spare``).
    """
    from witkit._spare import with_spare

    return with_spare(lambda: importlib.import_module("witkit.wasi.sockets"))


def _socket_address(value: Any) -> IpSocketAddress:
    sk = _sockets()
    tag, rec = value.tag, value.value
    address = tuple(int(x) for x in rec.address)
    if tag == "ipv4":
        found: IpSocketAddress = sk.Ipv4SocketAddress(int(rec.port), address)
    else:
        found = sk.Ipv6SocketAddress(int(rec.port), int(rec.flow_info), address, int(rec.scope_id))
    return found


def _lower_address(addr: IpSocketAddress) -> Any:
    return Variant("ipv4" if isinstance(addr, _sockets().Ipv4SocketAddress) else "ipv6", addr)


class NetworkResource:
    """``wasi:sockets/network.network``."""

    def __init__(self, core: Network) -> None:
        self.core = core


class TcpSocketResource:
    """``wasi:sockets/tcp.tcp-socket``."""

    def __init__(self, core: TcpSocket) -> None:
        self.core = core

    @_fallible
    def start_bind(self, network: NetworkResource, local_address: Any) -> None:
        self.core.start_bind(network.core, _socket_address(local_address))

    @_fallible
    def finish_bind(self) -> None:
        self.core.finish_bind()

    @_fallible
    def start_connect(self, network: NetworkResource, remote_address: Any) -> None:
        self.core.start_connect(network.core, _socket_address(remote_address))

    @_fallible
    def finish_connect(self) -> tuple[InputStreamResource, OutputStreamResource]:
        i, o = self.core.finish_connect()
        return InputStreamResource(i), OutputStreamResource(o)

    @_fallible
    def start_listen(self) -> None:
        self.core.start_listen()

    @_fallible
    def finish_listen(self) -> None:
        self.core.finish_listen()

    @_fallible
    def accept(self) -> tuple[TcpSocketResource, InputStreamResource, OutputStreamResource]:
        s, i, o = self.core.accept()
        return TcpSocketResource(s), InputStreamResource(i), OutputStreamResource(o)

    @_fallible
    def local_address(self) -> Any:
        return _lower_address(self.core.local_address())

    @_fallible
    def remote_address(self) -> Any:
        return _lower_address(self.core.remote_address())

    def is_listening(self) -> bool:
        return self.core.is_listening()

    def address_family(self) -> str:
        return self.core.address_family()

    @_fallible
    def set_listen_backlog_size(self, value: int) -> None:
        self.core.set_listen_backlog_size(value)

    @_fallible
    def keep_alive_enabled(self) -> bool:
        return self.core.keep_alive_enabled()

    @_fallible
    def set_keep_alive_enabled(self, value: bool) -> None:
        self.core.set_keep_alive_enabled(value)

    @_fallible
    def keep_alive_idle_time(self) -> int:
        return self.core.keep_alive_idle_time()

    @_fallible
    def set_keep_alive_idle_time(self, value: int) -> None:
        self.core.set_keep_alive_idle_time(value)

    @_fallible
    def keep_alive_interval(self) -> int:
        return self.core.keep_alive_interval()

    @_fallible
    def set_keep_alive_interval(self, value: int) -> None:
        self.core.set_keep_alive_interval(value)

    @_fallible
    def keep_alive_count(self) -> int:
        return self.core.keep_alive_count()

    @_fallible
    def set_keep_alive_count(self, value: int) -> None:
        self.core.set_keep_alive_count(value)

    @_fallible
    def hop_limit(self) -> int:
        return self.core.hop_limit()

    @_fallible
    def set_hop_limit(self, value: int) -> None:
        self.core.set_hop_limit(value)

    @_fallible
    def receive_buffer_size(self) -> int:
        return self.core.receive_buffer_size()

    @_fallible
    def set_receive_buffer_size(self, value: int) -> None:
        self.core.set_receive_buffer_size(value)

    @_fallible
    def send_buffer_size(self) -> int:
        return self.core.send_buffer_size()

    @_fallible
    def set_send_buffer_size(self, value: int) -> None:
        self.core.set_send_buffer_size(value)

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())

    @_fallible
    def shutdown(self, shutdown_type: str) -> None:
        self.core.shutdown(shutdown_type)


class _IncomingDatagram:
    """An ``incoming-datagram`` record as the ABI lowers it (attributes)."""

    __slots__ = ("data", "remote_address")

    def __init__(self, data: bytes, remote_address: Any) -> None:
        self.data = data
        self.remote_address = remote_address


class UdpSocketResource:
    """``wasi:sockets/udp.udp-socket``."""

    def __init__(self, core: UdpSocket) -> None:
        self.core = core

    @_fallible
    def start_bind(self, network: NetworkResource, local_address: Any) -> None:
        self.core.start_bind(network.core, _socket_address(local_address))

    @_fallible
    def finish_bind(self) -> None:
        self.core.finish_bind()

    @_fallible
    def stream(
        self, remote_address: Any
    ) -> tuple[IncomingDatagramStreamResource, OutgoingDatagramStreamResource]:
        remote = None if remote_address is None else _socket_address(remote_address)
        i, o = self.core.stream(remote)
        return IncomingDatagramStreamResource(i), OutgoingDatagramStreamResource(o)

    @_fallible
    def local_address(self) -> Any:
        return _lower_address(self.core.local_address())

    @_fallible
    def remote_address(self) -> Any:
        return _lower_address(self.core.remote_address())

    def address_family(self) -> str:
        return self.core.address_family()

    @_fallible
    def unicast_hop_limit(self) -> int:
        return self.core.unicast_hop_limit()

    @_fallible
    def set_unicast_hop_limit(self, value: int) -> None:
        self.core.set_unicast_hop_limit(value)

    @_fallible
    def receive_buffer_size(self) -> int:
        return self.core.receive_buffer_size()

    @_fallible
    def set_receive_buffer_size(self, value: int) -> None:
        self.core.set_receive_buffer_size(value)

    @_fallible
    def send_buffer_size(self) -> int:
        return self.core.send_buffer_size()

    @_fallible
    def set_send_buffer_size(self, value: int) -> None:
        self.core.set_send_buffer_size(value)

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


class IncomingDatagramStreamResource:
    """``wasi:sockets/udp.incoming-datagram-stream``."""

    def __init__(self, core: IncomingDatagramStream) -> None:
        self.core = core

    @_fallible
    def receive(self, max_results: int) -> list[_IncomingDatagram]:
        return [
            _IncomingDatagram(d.data, _lower_address(d.remote_address))
            for d in self.core.receive(max_results)
        ]

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


class OutgoingDatagramStreamResource:
    """``wasi:sockets/udp.outgoing-datagram-stream``."""

    def __init__(self, core: OutgoingDatagramStream) -> None:
        self.core = core

    @_fallible
    def check_send(self) -> int:
        return self.core.check_send()

    @_fallible
    def send(self, datagrams: list[Any]) -> int:
        return self.core.send(
            [
                _sockets().OutgoingDatagram(
                    bytes(d.data),
                    None if d.remote_address is None else _socket_address(d.remote_address),
                )
                for d in datagrams
            ]
        )

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


class ResolveAddressStreamResource:
    """``wasi:sockets/ip-name-lookup.resolve-address-stream``."""

    def __init__(self, core: ResolveAddressStream) -> None:
        self.core = core

    @_fallible
    def resolve_next_address(self) -> Any:
        addr = self.core.resolve_next_address()
        return None if addr is None else Variant(addr[0], addr[1])

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


def _network_error_code(err: ErrorResource) -> str | None:
    cause = err.core.cause
    return socket_code(cause) if cause is not None else None


# --------------------------------------------------------------------------- the whole world


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """Unversioned interface name -> {WIT item name -> host function or resource class}."""
    cli = ctx.cli
    mono = ctx.monotonic
    wall = ctx.wall
    grant = ctx.network

    def now_wall() -> Datetime:
        return Datetime.from_ns(wall.now())

    def wall_resolution() -> Datetime:
        return Datetime.from_ns(wall.resolution())

    def exit_(status: Any) -> None:
        cli.exit(type(status).__name__ == "Ok")

    def get_directories() -> list[tuple[DescriptorResource, str]]:
        return [(DescriptorResource(d), name) for d, name in ctx.preopens]

    streams = {
        "error": ErrorResource,
        "input-stream": InputStreamResource,
        "output-stream": OutputStreamResource,
        "pollable": PollableResource,
    }
    return {
        "wasi:io/error": {"error": ErrorResource},
        "wasi:io/poll": {"pollable": PollableResource, "poll": _poll},
        "wasi:io/streams": streams,
        "wasi:clocks/monotonic-clock": {
            "pollable": PollableResource,
            "now": mono.now,
            "resolution": mono.resolution,
            "subscribe-instant": lambda when: PollableResource(subscribe_instant(mono, when)),
            "subscribe-duration": lambda when: PollableResource(subscribe_duration(mono, when)),
        },
        "wasi:clocks/wall-clock": {"now": now_wall, "resolution": wall_resolution},
        "wasi:random/random": {
            "get-random-bytes": lambda len: _random.get_bytes(ctx.random, len),
            "get-random-u64": lambda: _random.get_u64(ctx.random),
        },
        "wasi:random/insecure": {
            "get-insecure-random-bytes": lambda len: _random.get_bytes(ctx.insecure_random, len),
            "get-insecure-random-u64": lambda: _random.get_u64(ctx.insecure_random),
        },
        "wasi:random/insecure-seed": {"insecure-seed": lambda: ctx.insecure_seed},
        "wasi:cli/environment": {
            "get-environment": cli.get_environment,
            "get-arguments": cli.get_arguments,
            "initial-cwd": cli.initial_cwd,
        },
        "wasi:cli/exit": {"exit": exit_, "exit-with-code": cli.exit_with_code},
        "wasi:cli/stdin": {
            "input-stream": InputStreamResource,
            "get-stdin": lambda: InputStreamResource(cli.get_stdin()),
        },
        "wasi:cli/stdout": {
            "output-stream": OutputStreamResource,
            "get-stdout": lambda: OutputStreamResource(cli.get_stdout()),
        },
        "wasi:cli/stderr": {
            "output-stream": OutputStreamResource,
            "get-stderr": lambda: OutputStreamResource(cli.get_stderr()),
        },
        "wasi:cli/terminal-input": {"terminal-input": TerminalInputResource},
        "wasi:cli/terminal-output": {"terminal-output": TerminalOutputResource},
        "wasi:cli/terminal-stdin": {
            "terminal-input": TerminalInputResource,
            "get-terminal-stdin": lambda: TerminalInputResource() if cli.stdin_tty else None,
        },
        "wasi:cli/terminal-stdout": {
            "terminal-output": TerminalOutputResource,
            "get-terminal-stdout": lambda: TerminalOutputResource() if cli.stdout_tty else None,
        },
        "wasi:cli/terminal-stderr": {
            "terminal-output": TerminalOutputResource,
            "get-terminal-stderr": lambda: TerminalOutputResource() if cli.stderr_tty else None,
        },
        "wasi:filesystem/types": {
            **streams,
            "descriptor": DescriptorResource,
            "directory-entry-stream": DirectoryEntryStreamResource,
            "filesystem-error-code": _filesystem_error_code,
        },
        "wasi:filesystem/preopens": {
            "descriptor": DescriptorResource,
            "get-directories": get_directories,
        },
        "wasi:sockets/network": {
            "error": ErrorResource,
            "network": NetworkResource,
            "network-error-code": _network_error_code,
        },
        "wasi:sockets/instance-network": {
            "network": NetworkResource,
            "instance-network": lambda: NetworkResource(_sockets().Network(grant)),
        },
        "wasi:sockets/tcp": {
            **streams,
            "network": NetworkResource,
            "tcp-socket": TcpSocketResource,
        },
        "wasi:sockets/tcp-create-socket": {
            "network": NetworkResource,
            "tcp-socket": TcpSocketResource,
            "create-tcp-socket": _fallible(
                lambda family: TcpSocketResource(_sockets().create_tcp_socket(grant, family))
            ),
        },
        "wasi:sockets/udp": {
            "pollable": PollableResource,
            "network": NetworkResource,
            "udp-socket": UdpSocketResource,
            "incoming-datagram-stream": IncomingDatagramStreamResource,
            "outgoing-datagram-stream": OutgoingDatagramStreamResource,
        },
        "wasi:sockets/udp-create-socket": {
            "network": NetworkResource,
            "udp-socket": UdpSocketResource,
            "create-udp-socket": _fallible(
                lambda family: UdpSocketResource(_sockets().create_udp_socket(grant, family))
            ),
        },
        "wasi:sockets/ip-name-lookup": {
            "pollable": PollableResource,
            "network": NetworkResource,
            "resolve-address-stream": ResolveAddressStreamResource,
            "resolve-addresses": _fallible(
                lambda network, name: ResolveAddressStreamResource(
                    _sockets().resolve_addresses(network.core, name)
                )
            ),
        },
    }


def add_to_linker(linker: Any, config: WasiConfig | WasiContext) -> WasiContext:
    """Define every ``wasi:cli/imports`` interface in ``linker`` (at :data:`VERSION`).

    Returns the context, so a caller can reach the live state (e.g. the
    preopens) after instantiation.
    """
    ctx = config.build() if isinstance(config, WasiConfig) else config
    for name, items in interfaces(ctx).items():
        linker.define_instance(f"{name}@{VERSION}", items)
    return ctx
