"""Streams, pollables and poll: blocking and non-blocking reads and writes, splice, deadlines."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest

from witkit.errors import Trap
from witkit.wasi.clocks import (
    SystemMonotonicClock,
    VirtualMonotonicClock,
    subscribe_duration,
    subscribe_instant,
)
from witkit.wasi.io import (
    MAX_BLOCKING_WRITE,
    WRITE_BUDGET,
    BytesInputStream,
    ClosedInputStream,
    FdInputStream,
    FdOutputStream,
    ReaderInputStream,
    SinkOutputStream,
    StreamClosed,
    StreamFailed,
    WriterOutputStream,
    poll,
)


def test_bytes_input_reads_then_closes() -> None:
    s = BytesInputStream(b"hello world")
    assert s.read(5) == b"hello"
    assert s.skip(1) == 1
    assert s.blocking_read(100) == b"world"
    with pytest.raises(StreamClosed):
        s.read(1)
    assert s.subscribe().ready()


def test_closed_input() -> None:
    with pytest.raises(StreamClosed):
        ClosedInputStream().blocking_read(1)


def test_reader_input() -> None:
    s = ReaderInputStream(io.BytesIO(b"abc"))
    assert s.read(2) == b"ab"
    assert s.blocking_skip(5) == 1
    with pytest.raises(StreamClosed):
        s.read(1)


def test_pipe_non_blocking_read_returns_empty_then_data() -> None:
    r, w = os.pipe()
    try:
        s = FdInputStream(r)
        assert s.read(10) == b""  # nothing yet, and no blocking
        assert not s.subscribe().ready()
        os.write(w, b"data")
        assert s.subscribe().ready()
        assert s.read(10) == b"data"
        threading.Timer(0.05, lambda: os.write(w, b"late")).start()
        assert s.blocking_read(10) == b"late"  # blocks until the writer comes
        os.close(w)
        w = -1
        with pytest.raises(StreamClosed):
            s.blocking_read(1)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_writer_output_and_contract() -> None:
    buf = bytearray()
    s = WriterOutputStream(buf)
    assert s.check_write() == WRITE_BUDGET
    s.write(b"ab")
    s.blocking_write_and_flush(b"cd")
    s.write_zeroes(2)
    s.blocking_write_zeroes_and_flush(1)
    s.flush()
    s.blocking_flush()
    assert bytes(buf) == b"abcd\0\0\0"
    with pytest.raises(Trap):
        s.blocking_write_and_flush(b"x" * (MAX_BLOCKING_WRITE + 1))
    with pytest.raises(Trap):
        s.write(b"x" * (WRITE_BUDGET + 1))
    assert s.subscribe().ready()


def test_text_writer_via_bytesio() -> None:
    out = io.BytesIO()
    s = WriterOutputStream(out)
    s.blocking_write_and_flush(b"hi")
    assert out.getvalue() == b"hi"


def test_broken_pipe_closes_output() -> None:
    r, w = os.pipe()
    os.close(r)
    s = FdOutputStream(w, owned=True)
    with pytest.raises(StreamClosed):
        s.blocking_write_and_flush(b"x")
    with pytest.raises(StreamClosed):
        s.check_write()


def test_failed_write_is_last_operation_failed() -> None:
    class Bad(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            raise OSError(5, "Input/output error")

    s = WriterOutputStream(Bad())  # type: ignore[arg-type]
    with pytest.raises(StreamFailed) as info:
        s.blocking_write_and_flush(b"x")
    assert "EIO" in info.value.error.to_debug_string()


def test_splice_and_blocking_splice() -> None:
    buf = bytearray()
    out = WriterOutputStream(buf)
    src = BytesInputStream(b"0123456789")
    assert out.splice(src, 4) == 4
    assert out.blocking_splice(src, 100) == 6
    assert bytes(buf) == b"0123456789"
    with pytest.raises(StreamClosed):
        out.splice(src, 1)
    assert SinkOutputStream().splice(BytesInputStream(b"zz"), 0) == 0


def test_poll_returns_ready_indices() -> None:
    clock = VirtualMonotonicClock()
    later = subscribe_duration(clock, 1_000)
    ready = BytesInputStream(b"x").subscribe()
    assert poll([later, ready, later]) == [1]


def test_poll_on_virtual_clock_jumps_to_deadline() -> None:
    clock = VirtualMonotonicClock(start=10)
    a = subscribe_instant(clock, 5_000_000_000_000)  # 5000 s: must not really wait
    b = subscribe_duration(clock, 3_000_000_000_000)
    start = time.monotonic()
    assert poll([a, b]) == [1]
    assert clock.now() == 3_000_000_000_010
    a.block()
    assert clock.now() >= 5_000_000_000_000
    assert time.monotonic() - start < 1


def test_poll_on_real_clock_waits() -> None:
    clock = SystemMonotonicClock()
    p = subscribe_duration(clock, 30_000_000)
    t0 = time.monotonic()
    p.block()
    assert time.monotonic() - t0 >= 0.025
    assert subscribe_instant(clock, 0).ready()


def test_poll_mixes_fds_and_clocks() -> None:
    r, w = os.pipe()
    try:
        clock = SystemMonotonicClock()
        stream = FdInputStream(r)
        timeout = subscribe_duration(clock, 5_000_000_000)
        threading.Timer(0.02, lambda: os.write(w, b"!")).start()
        assert poll([timeout, stream.subscribe()]) == [1]
        short = subscribe_duration(clock, 10_000_000)
        assert FdInputStream(r).read(1) == b"!"
        assert poll([stream.subscribe(), short]) == [1]
    finally:
        os.close(r)
        os.close(w)


def test_empty_poll_traps() -> None:
    with pytest.raises(Trap):
        poll([])
