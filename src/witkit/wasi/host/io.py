"""The WIT face of ``wasi:io``, and :func:`fallible`, the result boundary of every package.

``error``, ``pollable``, ``input-stream`` and ``output-stream`` as the host
classes the linker binds, each wrapping a core object of :mod:`witkit.wasi.io`.
Rules:

* :func:`fallible` is how every package's bindings make a ``result<T, E>``: the
  cores' exceptions become ``Err`` (``StreamError`` as ``stream-error``,
  ``FsError``/``SocketError`` as their ``error-code``), a value ``Ok``; traps
  and :class:`~witkit.wasi.Exit` pass through untouched.
* ``output-stream.blocking-write-and-flush`` has a lowering of its own through
  the runtime's documented hook (``__witkit_lower__`` given a ``LowerSite``):
  a preview1 adapter sends every ``fd_write`` through it, 4 KiB at a time.  It
  uses only the stream's public face (``blocking_write_and_flush`` and
  ``direct_fd``) with a view of guest memory, and behaves exactly as the general
  lowering does (see :func:`_lower_blocking_write_and_flush`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from witkit.abi.values import Err, Ok, Variant
from witkit.wasi import io as _io
from witkit.wasi.config import WasiContext
from witkit.wasi.errno import FsError, SocketError

if TYPE_CHECKING:
    from witkit.runtime.canon import LowerSite

__all__ = [
    "STREAMS",
    "CoreResource",
    "ErrorResource",
    "InputStreamResource",
    "OutputStreamResource",
    "PolledResource",
    "PollableResource",
    "error_code",
    "fallible",
    "interfaces",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def stream_error(err: _io.StreamError) -> Variant:
    """The ``stream-error`` of a core stream failure."""
    if isinstance(err, _io.StreamFailed):
        return Variant("last-operation-failed", ErrorResource(err.error))
    return Variant("closed")


def fallible(fn: _F) -> _F:
    """``result<T, E>`` from a core call: ``Ok(value)``, or ``Err`` of the failure's case."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            value = fn(*args)
        except _io.StreamError as err:
            return Err(stream_error(err))
        except (FsError, SocketError) as err:
            return Err(err.code)
        return Ok(value)

    return wrapper  # type: ignore[return-value]


class CoreResource:
    """A resource of the WIT face: what a guest's handle holds, around its core object.

    Each subclass names its core's class in a ``core:`` annotation, for the type checker
    only: a plain base, not a ``Generic`` one, since ``witkit run`` pays at start-up for
    every class made (a generic base and its subscripts cost several times as much).
    """

    core: Any

    def __init__(self, core: Any) -> None:
        self.core = core


class PolledResource(CoreResource):
    """A resource whose ``subscribe`` is the pollable of its core (streams, sockets...)."""

    def subscribe(self) -> PollableResource:
        return PollableResource(self.core.subscribe())


def error_code(err: ErrorResource, classify: Callable[[OSError], str]) -> str | None:
    """``filesystem-error-code`` / ``network-error-code``: the case of the OS error behind
    an ``error``, classified by the package's table, if there is one."""
    cause = err.core.cause
    return classify(cause) if cause is not None else None


class ErrorResource(CoreResource):
    """``wasi:io/error.error``."""

    core: _io.Error

    def to_debug_string(self) -> str:
        return self.core.to_debug_string()


class PollableResource(CoreResource):
    """``wasi:io/poll.pollable``."""

    core: _io.Pollable

    def ready(self) -> bool:
        return self.core.ready()

    def block(self) -> None:
        self.core.block()


def _poll(in_: list[PollableResource]) -> list[int]:
    return _io.poll([p.core for p in in_])


class InputStreamResource(PolledResource):
    """``wasi:io/streams.input-stream``."""

    core: _io.InputStream

    @fallible
    def read(self, len: int) -> bytes:
        return self.core.read(len)

    @fallible
    def blocking_read(self, len: int) -> bytes:
        return self.core.blocking_read(len)

    @fallible
    def skip(self, len: int) -> int:
        return self.core.skip(len)

    @fallible
    def blocking_skip(self, len: int) -> int:
        return self.core.blocking_skip(len)


class OutputStreamResource(PolledResource):
    """``wasi:io/streams.output-stream``."""

    core: _io.OutputStream

    @fallible
    def check_write(self) -> int:
        return self.core.check_write()

    @fallible
    def write(self, contents: bytes) -> None:
        self.core.write(contents)

    @fallible
    def blocking_write_and_flush(self, contents: bytes) -> None:
        self.core.blocking_write_and_flush(contents)

    @fallible
    def flush(self) -> None:
        self.core.flush()

    @fallible
    def blocking_flush(self) -> None:
        self.core.blocking_flush()

    @fallible
    def write_zeroes(self, len: int) -> None:
        self.core.write_zeroes(len)

    @fallible
    def blocking_write_zeroes_and_flush(self, len: int) -> None:
        self.core.blocking_write_zeroes_and_flush(len)

    @fallible
    def splice(self, src: InputStreamResource, len: int) -> int:
        return self.core.splice(src.core, len)

    @fallible
    def blocking_splice(self, src: InputStreamResource, len: int) -> int:
        return self.core.blocking_splice(src.core, len)


def _lower_blocking_write_and_flush(site: LowerSite) -> Callable[..., None] | None:
    """``output-stream.blocking-write-and-flush`` straight from guest memory.

    A preview1 adapter sends every ``fd_write`` to stdout or a file through this
    method, 4 KiB at a time: 25 000 calls for 100 MB.  The general lowering lifts
    the borrow and the bytes into Python values, runs :func:`fallible` and lowers
    an ``Ok`` back, which costs several times the write itself.  Here the handle
    is looked up in the table, a view of the guest's bytes goes to the stream's
    descriptor (``direct_fd``: ``witkit run``'s stdout) or else to its
    ``blocking_write_and_flush`` (which takes a view without copying it where it
    can), and ``ok`` is one byte stored at the return pointer.  Every case this does not take as it is
    (a may-not-leave instance, a bad or foreign handle, a range or return
    pointer outside memory, a misaligned return pointer) goes to the general path
    before anything is done, so its traps are the spec's; a stream error is
    lowered by the general code after the write failed.
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
            fd = core.direct_fd
            if fd is not None and length <= limit:
                # witkit run's stdout: one os.write, as the stream's method would start
                # (see OutputStream.direct_fd); a short write or an OSError (nothing was
                # written) goes to that method, which decides as it always does.
                try:
                    written = os_write(fd, view[ptr:stop])
                except OSError:
                    written = 0
                if written != length:
                    core.blocking_write_and_flush(view[ptr + written : stop])
            else:
                core.blocking_write_and_flush(view[ptr:stop])
        except _io.StreamError as err:
            lower_result(Err(stream_error(err)), (handle, ptr, length, retptr))
            return None
        view[retptr] = 0  # result::ok, no payload
        return None

    return blocking_write_and_flush


setattr(  # noqa: B010 - a function attribute the runtime looks for (mypy has no other spelling)
    OutputStreamResource.blocking_write_and_flush,
    "__witkit_lower__",
    _lower_blocking_write_and_flush,
)

#: the resources of ``wasi:io/streams``, which other interfaces (``filesystem/types``,
#: ``sockets/tcp``) re-export
STREAMS: dict[str, Any] = {
    "error": ErrorResource,
    "input-stream": InputStreamResource,
    "output-stream": OutputStreamResource,
    "pollable": PollableResource,
}


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:io``'s interfaces: unversioned name -> {WIT item name -> host function or class}."""
    return {
        "wasi:io/error": {"error": ErrorResource},
        "wasi:io/poll": {"pollable": PollableResource, "poll": _poll},
        "wasi:io/streams": dict(STREAMS),
    }
