"""``output-stream.blocking-write-and-flush`` has its own lowering (``__witkit_lower__``).

It must be indistinguishable from the general one: for every case (a good write,
pointers and handles the spec traps on, an over-long buffer, a failing and then
closed stream) the guest sees the same result bytes or the same trap, and the
same bytes reach the stream.  Each case runs twice, with and without the fast
lowering, and the outcomes are compared; a counter proves the fast one ran.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import witkit
from witkit.errors import Trap
from witkit.wasi import WasiConfig
from witkit.wasi.host.io import OutputStreamResource

WAT = r"""
(component $root
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error_t))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer $root $error_t (type $e))
    (export "error" (type $error (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $error)) (case "closed")))
    (export "stream-error" (type $stream_error (eq $se)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8))
            (result (result (error $stream_error)))))))
  (alias export $streams "output-stream" (type $os_t))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer $root $os_t (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (alias export $stdout "get-stdout" (func $get_stdout))

  (core module $libc
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (core func $get_stdout_low (canon lower (func $get_stdout)))
  (core func $write_low (canon lower (func $write) (memory $mem) (realloc $realloc)))

  (core module $main
    (import "libc" "mem" (memory 1))
    (import "wasi" "get-stdout" (func $get_stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (data (i32.const 0) "written by the guest\n")
    (func (export "stdout") (result i32) (call $get_stdout))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    ;; write(handle, ptr, len, retptr) -> (discriminant, error case, error handle)
    (func (export "write") (param $h i32) (param $p i32) (param $n i32) (param $r i32) (result i32)
      (i32.store (i32.const 256) (i32.const 77))
      (i32.store (i32.const 260) (i32.const 77))
      (i32.store (i32.const 264) (i32.const 77))
      (call $write (local.get $h) (local.get $p) (local.get $n) (local.get $r))
      (i32.store (i32.const 256) (i32.load8_u (local.get $r)))
      (i32.store (i32.const 260) (i32.load8_u (i32.add (local.get $r) (i32.const 4))))
      (i32.store (i32.const 264) (i32.load (i32.add (local.get $r) (i32.const 8))))
      (i32.const 256)))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance
      (export "get-stdout" (func $get_stdout_low))
      (export "write" (func $write_low))))))
  (func (export "stdout") (result u32) (canon lift (core func $main "stdout")))
  (func (export "grow") (result s32) (canon lift (core func $main "grow")))
  (func (export "write") (param "h" u32) (param "p" u32) (param "n" u32) (param "r" u32)
    (result (tuple u32 u32 u32))
    (canon lift (core func $main "write") (memory $mem))))
"""

DATA = b"written by the guest\n"
GROW = -1  # a "call" that grows the memory by a page instead

#: (handle or None for stdout's, ptr, len, retptr), each case a list of calls in order
CASES: dict[str, list[tuple[int | None, int, int, int]]] = {
    "ok": [(None, 0, 21, 128), (None, 0, 0, 128), (None, 7, 3, 65524)],
    "empty write at the end of memory": [(None, 65536, 0, 128)],
    "bytes past the end of memory": [(None, 65530, 100, 128)],
    "pointer far out of range": [(None, 0xFFFF_FFF0, 32, 128)],
    "bad handle": [(99, 0, 5, 128)],
    "handle zero": [(0, 0, 5, 128)],
    "misaligned return pointer": [(None, 0, 5, 130)],
    "return area past the end": [(None, 0, 5, 65532)],
    "over 4096 bytes": [(None, 0, 4097, 128)],
    "exactly 4096 bytes": [(None, 0, 4096, 128)],
    "after the memory grew": [
        (None, 0, 21, 128),
        (None, 65536, 100, 128),  # traps before the growth...
    ],
    "into the grown memory": [
        (None, 0, 21, 128),
        (GROW, 0, 0, 0),
        (None, 65536, 100, 65536 + 4000),  # ...and is fine after it, result stored there too
        (None, 0, 21, 131060),
        (None, 0, 21, 131068),  # the return area past the new end
    ],
}


class Failing:
    """A writable whose writes fail with ENOSPC: the stream reports failed, then closed."""

    def __init__(self) -> None:
        self.calls = 0

    def write(self, data: bytes) -> int:
        self.calls += 1
        raise OSError(errno.ENOSPC, "no space left on device")

    def flush(self) -> None:
        pass


def run(wat: bytes, config: WasiConfig, calls: list[tuple[int | None, int, int, int]]) -> list[Any]:
    """Each call's result tuple, or the trap's (message, rule); stops at the first trap."""
    engine = witkit.Engine()
    linker = witkit.Linker(engine)
    linker.add_wasi(config)
    inst = linker.instantiate(witkit.Component.from_bytes(engine, wat))
    stdout = inst.exports["stdout"]()
    outcomes: list[Any] = []
    for handle, ptr, length, retptr in calls:
        if handle == GROW:
            outcomes.append(inst.exports["grow"]())
            continue
        try:
            got = inst.exports["write"](stdout if handle is None else handle, ptr, length, retptr)
        except Trap as trap:
            outcomes.append(("trap", str(trap), trap.rule))
            break
        # the error's handle number is the table's business; whether there is one is the point
        outcomes.append((got[0], got[1], got[2] != 77 and got[2] != 0))
    return outcomes


@pytest.fixture(scope="module")
def wat() -> bytes:
    return WAT.encode()


def both(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[], tuple[WasiConfig, Callable[[], Any]]]
) -> Callable[[list[tuple[int | None, int, int, int]]], tuple[Any, Any]]:
    """A runner giving (fast outcome + output, general outcome + output) for a list of calls."""
    fast = OutputStreamResource.blocking_write_and_flush.__witkit_lower__  # type: ignore[attr-defined]
    built: list[object] = []

    def counting(site: Any) -> Any:
        impl = fast(site)
        built.append(impl)
        return impl

    def go(calls: list[tuple[int | None, int, int, int]]) -> tuple[Any, Any]:
        results = []
        for use_fast in (True, False):
            with monkeypatch.context() as m:
                target = OutputStreamResource.blocking_write_and_flush
                if use_fast:
                    m.setattr(target, "__witkit_lower__", counting)
                else:
                    m.delattr(target, "__witkit_lower__")
                config, output = make()
                results.append((run(WAT.encode(), config, calls), output()))
        assert built and all(impl is not None for impl in built), "the fast lowering was not used"
        return results[0], results[1]

    return go


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_as_general_into_a_buffer(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    def make() -> tuple[WasiConfig, Callable[[], Any]]:
        out = bytearray()
        return WasiConfig().stdout(out), lambda: bytes(out)

    fast, general = both(monkeypatch, make)(CASES[case])
    assert fast == general
    if case == "ok":
        assert fast[0] == [(0, 0, False)] * 3  # ok: only the discriminant is stored
        assert fast[1] == DATA + DATA[7:10]


@pytest.mark.parametrize("case", ["ok", "bytes past the end of memory", "over 4096 bytes"])
def test_same_as_general_into_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    """Into a real descriptor (``FdOutputStream``, the stdout of ``witkit run``)."""
    opened: list[Any] = []

    def make() -> tuple[WasiConfig, Callable[[], bytes]]:
        path = tmp_path / f"out{len(opened)}"
        f = open(path, "wb")  # noqa: SIM115 - closed by the reader below
        opened.append(f)

        def output() -> bytes:
            f.close()
            return path.read_bytes()

        return WasiConfig().stdout(f), output

    fast, general = both(monkeypatch, make)(CASES[case])
    assert fast == general
    if case == "ok":
        assert fast[1] == DATA + DATA[7:10]


def test_stream_failure_then_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed write is ``last-operation-failed`` with an error resource, then ``closed``."""

    def make() -> tuple[WasiConfig, Callable[[], int]]:
        sink = Failing()
        return WasiConfig().stdout(sink), lambda: sink.calls  # type: ignore[arg-type]

    fast, general = both(monkeypatch, make)([(None, 0, 5, 128), (None, 0, 5, 128)])
    assert fast == general
    assert fast[0][0] == (1, 0, True)  # last-operation-failed, with an error resource
    assert fast[0][1][:2] == (1, 1)  # closed (no payload stored)
    assert fast[1] == 1


def test_descriptor_short_writes_are_completed(tmp_path: Path) -> None:
    """A pipe that takes part of a write: the rest follows, nothing is lost or doubled."""
    from witkit.wasi.io import FdOutputStream

    read_end, write_end = os.pipe()
    try:
        stream = FdOutputStream(write_end)
        data = bytes(range(256)) * 16
        stream.blocking_write_and_flush(memoryview(data))
        assert os.read(read_end, 8192) == data
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_closed_pipe_is_the_same_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """EPIPE on the descriptor path: the fast write hands over, the stream says closed."""
    pipes: list[tuple[int, int]] = []

    def make() -> tuple[WasiConfig, Callable[[], int]]:
        read_end, write_end = os.pipe()
        os.close(read_end)
        pipes.append((read_end, write_end))
        writer = os.fdopen(write_end, "wb", closefd=False)
        return WasiConfig().stdout(writer), lambda: 0

    try:
        fast, general = both(monkeypatch, make)([(None, 0, 5, 128), (None, 0, 5, 128)])
    finally:
        for _, write_end in pipes:
            os.close(write_end)
    assert fast == general
    assert [outcome[:2] for outcome in fast[0]] == [(1, 1), (1, 1)]  # closed, twice


def test_short_writes_to_a_full_pipe_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full non-blocking pipe (EAGAIN: 4 KiB is written whole or not at all): it waits, in order."""
    import fcntl
    import threading
    import time

    received: list[bytes] = []

    def make() -> tuple[WasiConfig, Callable[[], bytes]]:
        read_end, write_end = os.pipe()
        fcntl.fcntl(write_end, fcntl.F_SETFL, fcntl.fcntl(write_end, fcntl.F_GETFL) | os.O_NONBLOCK)
        filler = b"\0" * 65536
        while True:  # fill the pipe, then free a little room
            try:
                os.write(write_end, filler)
            except BlockingIOError:
                break
        os.read(read_end, 1000)  # some room, not enough for the 4 KiB write
        chunks: list[bytes] = []

        def drain() -> None:
            time.sleep(0.05)
            while True:
                data = os.read(read_end, 65536)
                if not data:
                    return
                chunks.append(data)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        writer = os.fdopen(write_end, "wb", closefd=False)

        def output() -> bytes:
            os.close(write_end)
            reader.join(10)
            os.close(read_end)
            data = b"".join(chunks)
            received.append(data)
            return data[len(data) - 4096 :]

        return WasiConfig().stdout(writer), output

    fast, general = both(monkeypatch, make)([(None, 0, 4096, 128)])
    assert fast == general
    assert fast[0] == [(0, 0, False)]
    # the guest's first 4 KiB of memory (greeting, then scratch), whole and in order
    assert len(fast[1]) == 4096 and fast[1].startswith(DATA)
    assert received[0] == received[1]  # the rest of the filler, then the write: both ways alike
