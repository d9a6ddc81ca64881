"""``wasi:io``: errors, pollables and ``poll``, and byte streams.

This module is the synchronous I/O core every other WASI package builds on.  Its
rules:

* **Pollables wait on things the OS can wait on.**  A :class:`Pollable` wraps a
  :class:`Waitable`, which says whether it is ready *now* and otherwise what to
  wait for: file descriptors (for reading or writing) and/or a deadline on a
  :class:`Timer`.  :func:`poll` turns a list of them into one ``select`` call with
  a timeout, so waiting on a socket, a pipe and a clock together costs no thread.
* **Every wait is** ``witkit._signals.wait``: it also wakes at a signal
  (raising ``Interrupted``) and at the running store's deadline (raising its
  timeout trap), so ``-W timeout`` and Ctrl-C end a blocked guest as they end a
  running one.
* **Time enters through the timer.**  The wait for a deadline is delegated to the
  timer's ``block_until``, so a virtual clock (tests, reproducible runs) can jump
  to the deadline instead of sleeping.
* **Streams are synchronous at heart.**  Subclasses implement one non-blocking
  primitive (``_read`` / ``_write``) plus a :class:`Waitable`; the blocking
  variants, ``skip`` and ``splice`` are derived here once, with the contract of
  the spec (``write`` beyond ``check-write``'s permit traps, at most 4096 bytes in
  ``blocking-write-and-flush``, an empty ``poll`` list traps).
* Stream failures are exceptions here (:class:`StreamClosed`,
  :class:`StreamFailed`); the host bindings turn them into ``stream-error``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import stat
from collections.abc import Callable, Sequence
from typing import IO, Protocol, cast

from witkit import _signals
from witkit._record import record
from witkit.errors import Trap

__all__ = [
    "MAX_BLOCKING_WRITE",
    "WRITE_BUDGET",
    "BytesInputStream",
    "ClosedInputStream",
    "EndingInputStream",
    "Error",
    "FdInputStream",
    "FdOutputStream",
    "InputStream",
    "OutputStream",
    "Pollable",
    "ReadyAlways",
    "ReaderInputStream",
    "SinkOutputStream",
    "StreamClosed",
    "StreamError",
    "StreamFailed",
    "Timer",
    "Wait",
    "Waitable",
    "WriterOutputStream",
    "poll",
]

#: the spec's limit on ``blocking-write-and-flush`` (and ``-zeroes-``): more is a trap
MAX_BLOCKING_WRITE = 4096
#: what ``check-write`` grants on a synchronous stream: big enough that a guest's
#: buffered writes go through in one call, small enough to bound one copy
WRITE_BUDGET = 1024 * 1024
#: the most one read asks the OS for, whatever the guest requests (bounds allocation)
MAX_READ = 1024 * 1024


# --------------------------------------------------------------------------- error


class Error:
    """``wasi:io/error.error``: why the last stream operation failed.

    It keeps the ``OSError`` (if any) so ``filesystem-error-code`` and
    ``network-error-code`` can classify it later through :mod:`witkit.wasi.errno`.
    """

    def __init__(self, message: str, cause: OSError | None = None) -> None:
        self.message = message
        self.cause = cause

    @classmethod
    def from_os_error(cls, err: OSError) -> Error:
        name = errno.errorcode.get(err.errno or 0, "EIO")
        return cls(f"{err.strerror or name} ({name})", err)

    def to_debug_string(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"Error({self.message!r})"


class StreamError(Exception):
    """Base of the two ways a stream operation can fail."""


class StreamClosed(StreamError):
    """``stream-error.closed``: the stream ended; nothing more will come or go."""


class StreamFailed(StreamError):
    """``stream-error.last-operation-failed``: an error the guest can inspect."""

    def __init__(self, error: Error) -> None:
        super().__init__(error.message)
        self.error = error


# --------------------------------------------------------------------------- pollables and poll


class Timer(Protocol):
    """The part of a monotonic clock that ``poll`` needs."""

    def now(self) -> int:
        """Nanoseconds on this clock."""
        ...

    def block_until(self, deadline: int | None, wait: Callable[[float | None], bool]) -> None:
        """Wait until ``deadline`` (or forever) unless ``wait`` reports activity first.

        ``wait(timeout_seconds)`` waits on the file descriptors of the poll and
        returns true if one became ready; a real clock passes the remaining time,
        a virtual clock may pass 0 and then advance itself to the deadline.
        """
        ...


@record
class Wait:
    """What a not-yet-ready waitable is waiting for."""

    read_fds: tuple[int, ...] = ()
    write_fds: tuple[int, ...] = ()
    deadline: int | None = None
    timer: Timer | None = None


class Waitable(Protocol):
    """Something a pollable can watch."""

    def ready(self) -> bool: ...

    def wait(self) -> Wait: ...


class ReadyAlways:
    """A source that never makes anyone wait (synchronous streams, files)."""

    def ready(self) -> bool:
        return True

    def wait(self) -> Wait:
        return Wait()


READY = ReadyAlways()


class Pollable:
    """``wasi:io/poll.pollable``."""

    def __init__(self, source: Waitable) -> None:
        self.source = source

    def ready(self) -> bool:
        return self.source.ready()

    def block(self) -> None:
        poll([self])


def poll(pollables: Sequence[Pollable]) -> list[int]:
    """``wasi:io/poll.poll``: block until at least one is ready; the indices of the ready ones."""
    if not pollables:
        raise Trap("poll: the list of pollables is empty", rule="wasi:io/poll")
    while True:
        ready = [i for i, p in enumerate(pollables) if p.ready()]
        if ready:
            return ready
        read_fds: set[int] = set()
        write_fds: set[int] = set()
        deadline: int | None = None
        timer: Timer | None = None
        for p in pollables:
            w = p.source.wait()
            read_fds.update(w.read_fds)
            write_fds.update(w.write_fds)
            if w.deadline is not None and (deadline is None or w.deadline < deadline):
                deadline, timer = w.deadline, w.timer
        if not read_fds and not write_fds and deadline is None:
            raise Trap("poll: nothing the pollables wait for can ever happen", rule="wasi:io/poll")

        def wait(timeout: float | None, r: set[int] = read_fds, w: set[int] = write_fds) -> bool:
            return _signals.wait(r, w, timeout)

        if timer is None:
            wait(None)
        else:
            timer.block_until(deadline, wait)


# --------------------------------------------------------------------------- input streams


class InputStream:
    """``wasi:io/streams.input-stream``.

    Subclasses implement :meth:`_read` (non-blocking: return what is available,
    ``b""`` if nothing yet, raise :class:`StreamClosed` at the end) and
    :meth:`_source` (what to wait on).
    """

    def _read(self, n: int) -> bytes:
        raise NotImplementedError

    def _source(self) -> Waitable:
        return READY

    def read(self, len: int) -> bytes:
        return self._read(min(len, MAX_READ))

    def blocking_read(self, len: int) -> bytes:
        n = min(len, MAX_READ)
        while True:
            data = self._read(n)
            if data or n == 0:
                return data
            poll([Pollable(self._source())])

    def skip(self, len: int) -> int:
        return len_of(self.read, len)

    def blocking_skip(self, len: int) -> int:
        return len_of(self.blocking_read, len)

    def subscribe(self) -> Pollable:
        return Pollable(self._source())


def len_of(read: Callable[[int], bytes], n: int) -> int:
    """Skip by reading: the count of bytes a read of at most ``n`` consumed."""
    return len(read(n))


class ClosedInputStream(InputStream):
    """An input with nothing in it: what stdin is unless one is granted."""

    def _read(self, n: int) -> bytes:
        raise StreamClosed()


class BytesInputStream(InputStream):
    """Input from bytes held in memory: always ready, closed once consumed."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(bytes(data))
        self._pos = 0

    def _read(self, n: int) -> bytes:
        if self._pos >= len(self._data):
            raise StreamClosed()
        chunk = bytes(self._data[self._pos : self._pos + n])
        self._pos += len(chunk)
        return chunk


class EndingInputStream(InputStream):
    """Input from a source that ends once: after its end or a failure, the stream is closed.

    Subclasses implement :meth:`_read_some`: at most ``n`` (> 0) bytes, ``b""`` at
    the end, ``None`` while nothing is there yet; an ``OSError`` it raises is the
    ``last-operation-failed`` of the stream, which is closed from then on.
    """

    _eof = False

    def _read_some(self, n: int) -> bytes | None:
        raise NotImplementedError

    def _read(self, n: int) -> bytes:
        if self._eof:
            raise StreamClosed()
        if n == 0:
            return b""
        try:
            data = self._read_some(n)
        except OSError as err:
            self._eof = True
            raise StreamFailed(Error.from_os_error(err)) from None
        if data is None:
            return b""
        if not data:
            self._eof = True
            raise StreamClosed()
        return data


class ReaderInputStream(EndingInputStream):
    """Input from any Python readable without a usable file descriptor.

    Reading it may block the caller (it is whatever the object does); it reports
    itself always ready, which is true for in-memory readers.
    """

    def __init__(self, reader: IO[bytes]) -> None:
        self._reader = reader

    def _read_some(self, n: int) -> bytes:
        read1 = getattr(self._reader, "read1", None)
        data = read1(n) if read1 is not None else self._reader.read(n)
        return bytes(data) if data else b""


class FdInputStream(EndingInputStream):
    """Input from a host file descriptor (pipe, terminal, socket or file).

    Non-blocking reads ask ``select`` first, so the descriptor itself stays in
    whatever mode its owner chose; regular files are always ready.  The stream
    does not own the descriptor unless ``owned``.
    """

    def __init__(self, fd: int, *, owned: bool = False) -> None:
        self._fd = fd
        self._owned = owned
        try:
            self._regular = stat.S_ISREG(os.fstat(fd).st_mode)
        except OSError:
            self._regular = False

    def ready(self) -> bool:
        if self._eof or self._regular:
            return True
        try:
            r, _, _ = select.select([self._fd], [], [], 0)
        except (OSError, ValueError):
            return True  # a broken descriptor: reading reports the error
        return bool(r)

    def wait(self) -> Wait:
        return Wait(read_fds=(self._fd,))

    def _source(self) -> Waitable:
        return self

    def _read_some(self, n: int) -> bytes | None:
        if not self.ready():
            return None
        try:
            return os.read(self._fd, n)
        except BlockingIOError:
            return None

    def __del__(self) -> None:
        if self._owned:
            with contextlib.suppress(OSError):
                os.close(self._fd)


# --------------------------------------------------------------------------- output streams


class OutputStream:
    """``wasi:io/streams.output-stream``.

    Subclasses implement :meth:`_write` (may block; writes everything) and may
    override :meth:`_flush`, :meth:`_permit` and :meth:`_source`.  After a failed
    write the stream reports ``closed``, as the spec's "last operation failed"
    implies.
    """

    #: ``_write`` is done with its argument when it returns (it does not keep it), so a
    #: view of guest memory may be passed in place of a copy
    _consumes_at_once = False

    #: The descriptor this stream's ``blocking-write-and-flush`` writes to with no
    #: buffer, permit or flush of its own, or ``None``.  While it is set, a writer may
    #: send at most :data:`MAX_BLOCKING_WRITE` bytes with one ``os.write(direct_fd,
    #: data)`` and must hand what was not written (all of it after an ``OSError``) to
    #: :meth:`blocking_write_and_flush`, which completes or fails the write as it
    #: always does.  The stream clears it when it fails (it is closed from then on).
    #: For the runtime's own lowering of that method (``witkit.wasi.host.io``): an
    #: attribute read instead of a method call is ~40 ns of every 4 KiB of a guest's
    #: stdout, ~2 ms of 100 MB, the margin of the 2x goal (benchmarks/bench_run.py).
    direct_fd: int | None = None

    def __init__(self) -> None:
        self._broken = False

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _flush(self) -> None:
        pass

    def _permit(self) -> int:
        """How many bytes a write may carry now (0: not ready)."""
        return WRITE_BUDGET

    def _source(self) -> Waitable:
        return READY

    def _guard(self) -> None:
        if self._broken:
            raise StreamClosed()

    def _do(self, action: Callable[[], None]) -> None:
        try:
            action()
        except (StreamError, OSError) as err:
            raise self._fault(err) from None

    def _close(self) -> None:
        """The last operation failed: the stream is closed from now on."""
        self._broken = True
        self.direct_fd = None

    def _fault(self, err: StreamError | OSError) -> StreamError:
        """What a failed write or flush raises: the stream is done either way."""
        if isinstance(err, StreamError):
            self._close()
            return err
        return self._failed(err)

    def _failed(self, err: OSError) -> StreamError:
        """The stream error an OS failure of a write or flush becomes (the stream is done)."""
        self._close()
        if err.errno == errno.EPIPE:
            return StreamClosed()
        return StreamFailed(Error.from_os_error(err))

    def check_write(self) -> int:
        self._guard()
        return self._permit()

    def write(self, contents: bytes) -> None:
        self._guard()
        if len(contents) > self._permit():
            raise Trap(
                f"output-stream.write of {len(contents)} bytes exceeds the permit of check-write",
                rule="wasi:io/streams",
            )
        if contents:
            self._do(lambda: self._write(bytes(contents)))

    def _wait_writable(self) -> None:
        while self._permit() == 0:
            poll([Pollable(self._source())])
            self._guard()

    def blocking_write_and_flush(self, contents: bytes | bytearray | memoryview) -> None:
        if len(contents) > MAX_BLOCKING_WRITE:
            raise Trap(
                "buffer too large for blocking-write-and-flush "
                f"({len(contents)} bytes, at most {MAX_BLOCKING_WRITE})",
                rule="wasi:io/streams",
            )
        if self._broken:
            raise StreamClosed()
        # The hot path of every guest's stdout and file writes (a preview1 adapter
        # sends 4 KiB at a time): one permit check, one write, one flush, no closures.
        # (a view is typed as bytes: only ``_consumes_at_once`` streams ever see one)
        data = cast(bytes, contents) if self._consumes_at_once else bytes(contents)
        try:
            if len(data) <= self._permit():
                if data:
                    self._write(data)
            else:
                while data:
                    self._wait_writable()
                    permit = self._permit()
                    chunk, data = data[:permit], data[permit:]
                    self._write(chunk)
            self._flush()
        except (StreamError, OSError) as err:
            raise self._fault(err) from None

    def flush(self) -> None:
        self._guard()
        self._do(self._flush)

    def blocking_flush(self) -> None:
        self.flush()
        self._wait_writable()

    def subscribe(self) -> Pollable:
        return Pollable(self._source())

    def write_zeroes(self, len: int) -> None:
        self._guard()
        if len > self._permit():
            raise Trap(
                f"output-stream.write-zeroes of {len} bytes exceeds the permit of check-write",
                rule="wasi:io/streams",
            )
        self.write(bytes(len))

    def blocking_write_zeroes_and_flush(self, len: int) -> None:
        if len > MAX_BLOCKING_WRITE:
            raise Trap(
                "buffer too large for blocking-write-zeroes-and-flush "
                f"({len} bytes, at most {MAX_BLOCKING_WRITE})",
                rule="wasi:io/streams",
            )
        self.blocking_write_and_flush(bytes(len))

    def splice(self, src: InputStream, len: int) -> int:
        n = min(len, self.check_write())
        if n == 0:
            return 0
        data = src.read(n)
        if data:
            self.write(data)
        return len_bytes(data)

    def blocking_splice(self, src: InputStream, len: int) -> int:
        self._guard()
        self._wait_writable()
        n = min(len, self._permit(), MAX_READ)
        if n == 0:
            return 0
        data = src.blocking_read(n)
        if data:
            self._do(lambda: self._write(data))
            self._do(self._flush)
        return len_bytes(data)


def len_bytes(data: bytes) -> int:
    return len(data)


class SinkOutputStream(OutputStream):
    """Output that goes nowhere: stdout and stderr unless granted."""

    _consumes_at_once = True

    def _write(self, data: bytes) -> None:
        pass


class WriterOutputStream(OutputStream):
    """Output to any Python writable (``bytearray``-backed buffers, ``BytesIO``, files)."""

    def __init__(self, writer: IO[bytes] | bytearray) -> None:
        super().__init__()
        self._writer = writer

    def _write(self, data: bytes) -> None:
        if isinstance(self._writer, bytearray):
            self._writer += data
            return
        view = memoryview(data)
        while view:
            n = self._writer.write(view)
            if n is None:  # raw non-blocking writer with nothing taken
                n = 0
            view = view[n:]

    def _flush(self) -> None:
        if not isinstance(self._writer, bytearray):
            flush = getattr(self._writer, "flush", None)
            if flush is not None:
                flush()


class FdOutputStream(OutputStream):
    """Output to a host file descriptor, written straight through (no Python buffering).

    Writes block until done, so the permit is always the full budget and the
    stream is always ready; an ``EAGAIN`` from a descriptor someone else put in
    non-blocking mode is waited out with ``select``.
    """

    _consumes_at_once = True

    def __init__(self, fd: int, *, owned: bool = False) -> None:
        super().__init__()
        self._fd = fd
        self._owned = owned
        self.direct_fd = fd

    def _write(self, data: bytes) -> None:
        try:
            n = os.write(self._fd, data)
        except BlockingIOError:
            n = 0
        if n == len(data):
            return
        view = memoryview(data)[n:]
        while view:
            try:
                n = os.write(self._fd, view)
            except BlockingIOError:
                _signals.wait((), (self._fd,))
                continue
            view = view[n:]

    def blocking_write_and_flush(self, contents: bytes | bytearray | memoryview) -> None:
        # Every write of a guest's stdout comes here; a descriptor needs no
        # permit, buffer or flush, so the bytes (often a view of guest memory)
        # go to ``os.write`` without the base class's copy.  Anything unusual
        # (too long, after a failure, a short write) takes the general path.
        if self._broken or len(contents) > MAX_BLOCKING_WRITE:
            return super().blocking_write_and_flush(contents)
        try:
            n = os.write(self._fd, contents)
        except BlockingIOError:
            n = 0
        except OSError as err:
            raise self._failed(err) from None
        if n != len(contents):
            super().blocking_write_and_flush(memoryview(contents)[n:])
        return None

    def __del__(self) -> None:
        if self._owned:
            with contextlib.suppress(OSError):
                os.close(self._fd)
