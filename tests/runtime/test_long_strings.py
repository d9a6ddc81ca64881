"""Long strings out of a guest: the memory's SIMD ASCII scan, and lifting through it.

``CoreMemory.ascii_prefix`` runs a small wasm helper over the guest's memory;
strings of ``ASCII_SCAN_MIN`` bytes or more that it finds all ASCII are lifted
with one copy.  Everything else must come out exactly as CPython's decoder
makes it, and invalid UTF-8 must trap wherever it sits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import witkit
from tests.runtime.conftest import wat_component
from witkit.abi.strings import ASCII_SCAN_MIN
from witkit.runtime.core import CoreTrap, Engine, Store
from witkit.runtime.core.memory import CoreMemory
from witkit.runtime.core.types import CoreMemoryType

LONG = ASCII_SCAN_MIN

#: ``make(n, at, byte)``: ``n`` times "a" with ``byte`` at ``at`` (if ``at < n``), in each
#: encoding that reads bytes as they are; ``echo`` hands back what it was given.
WAT = """
(component
  (core module $M
    (memory (export "mem") 40)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param i32) (param $size i32)
      (result i32)
      (local $p i32)
      (if (i32.and (i32.ne (local.get $old) (i32.const 0))
                   (i32.le_u (local.get $size) (local.get $old-size)))
        (then (return (local.get $old))))  ;; shrink in place
      (local.set $p (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      (memory.copy (local.get $p) (local.get $old) (local.get $old-size))
      (local.get $p))
    (func (export "reset") (param i32) (global.set $next (i32.const 4096)))
    (func (export "make") (param $n i32) (param $at i32) (param $byte i32) (result i32)
      (memory.fill (i32.const 65536) (i32.const 0x61) (local.get $n))
      (if (i32.lt_u (local.get $at) (local.get $n))
        (then (i32.store8 (i32.add (i32.const 65536) (local.get $at)) (local.get $byte))))
      (i32.store (i32.const 0) (i32.const 65536))
      (i32.store (i32.const 4) (local.get $n))
      (i32.const 0))
    (func (export "echo") (param $p i32) (param $n i32) (result i32)
      (i32.store (i32.const 8) (local.get $p))
      (i32.store (i32.const 12) (local.get $n))
      (i32.const 8)))
  (core instance $m (instantiate $M))
  (alias core export $m "mem" (core memory $mem))
  (alias core export $m "realloc" (core func $realloc))
  (func (export "make") (param "n" u32) (param "at" u32) (param "byte" u8) (result string)
    (canon lift (core func $m "make") (memory $mem)))
  (func (export "make-latin1") (param "n" u32) (param "at" u32) (param "byte" u8) (result string)
    (canon lift (core func $m "make") (memory $mem) string-encoding=latin1+utf16))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory $mem) (realloc $realloc)
      (post-return (core func $m "reset"))))
  (func (export "echo-latin1") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory $mem) (realloc $realloc)
      string-encoding=latin1+utf16 (post-return (core func $m "reset"))))
  (func (export "echo-utf16") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory $mem) (realloc $realloc)
      string-encoding=utf16 (post-return (core func $m "reset"))))
)
"""


@pytest.fixture(scope="module")
def component() -> Callable[[witkit.Engine], witkit.Component]:
    cache: dict[int, witkit.Component] = {}

    def get(engine: witkit.Engine) -> witkit.Component:
        if id(engine) not in cache:
            cache[id(engine)] = wat_component(engine, WAT)
        return cache[id(engine)]

    return get


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    """Every ``ascii_prefix`` call of instances made from now on: (ptr, length, answer)."""
    log: list[tuple[int, int, int]] = []
    real = CoreMemory.ascii_prefix

    def spy(self: CoreMemory, address: int, length: int) -> int:
        answer = real(self, address, length)
        log.append((address, length, answer))
        return answer

    monkeypatch.setattr(CoreMemory, "ascii_prefix", spy)
    return log


def _exports(
    engine: witkit.Engine, component: Callable[[witkit.Engine], witkit.Component]
) -> witkit.Exports:
    return witkit.Linker(engine).instantiate(component(engine)).exports


# --------------------------------------------------------------------------- the scan itself


def _memory(engine: Engine, memory64: bool = False) -> tuple[CoreMemory, memoryview]:
    memory = Store(engine).memory(CoreMemoryType(4, memory64=memory64))
    return memory, memory.view()


@pytest.mark.parametrize("memory64", [False, True], ids=["i32", "i64"])
def test_ascii_prefix_counts_exactly(memory64: bool) -> None:
    memory, view = _memory(Engine(cache=False), memory64)
    view[:] = b"a" * len(view)
    size = len(view)
    assert memory.ascii_prefix(0, size) == size
    assert memory.ascii_prefix(size, 0) == 0
    for at in [0, 1, 127, 128, 129, 1000, 4095, size - 1]:
        view[at] = 0x80
        assert memory.ascii_prefix(0, size) == at, at
        assert memory.ascii_prefix(0, at) == at  # the range ends just before it
        start = max(0, at - 300)
        assert memory.ascii_prefix(start, size - start) == at - start
        view[at] = 0x7F
    assert memory.ascii_prefix(3, size - 3) == size - 3


@pytest.mark.parametrize("addr", ["i32", "i64"])
def test_the_embedded_helper_is_its_text_assembled(addr: str) -> None:
    import wasmtime

    from witkit.runtime.core import memory

    assert wasmtime.wat2wasm(memory._ascii_scan_wat(addr)) == memory._ASCII_SCAN_WASM[addr]


def test_ascii_prefix_checks_its_range() -> None:
    memory, view = _memory(Engine(cache=False))
    for address, length in [(len(view) - 3, 4), (-1, 4), (0, -1), (len(view) + 1, 0)]:
        with pytest.raises(CoreTrap, match="out of bounds"):
            memory.ascii_prefix(address, length)
    memory.grow(1)  # the range is checked against the memory as it is now
    assert memory.ascii_prefix(len(view), 10) == 10


@pytest.mark.parametrize(
    "engine",
    [{"consume_fuel": True}, {"epoch_interruption": True}],
    ids=["fuel", "epochs"],
)
def test_no_scan_on_engines_that_meter_guest_code(engine: dict[str, Any]) -> None:
    memory, _ = _memory(Engine(cache=False, **engine))
    assert memory.ascii_prefix(0, 100) == 0  # "nothing known": the decoder does it all


def test_a_store_without_room_for_the_helper_just_has_no_scan() -> None:
    memory = Store(Engine(cache=False), max_instances=0).memory(CoreMemoryType(1))
    assert memory.ascii_prefix(0, 100) == 0


# --------------------------------------------------------------------------- lifting through it


@pytest.mark.parametrize("export", ["echo", "echo-latin1", "echo-utf16"])
@pytest.mark.parametrize(
    "text",
    [
        "x" * (1 << 20),
        "é" + "a" * LONG,
        "a" * LONG + "日本",
        "a" * (LONG - 1),
        "a" * (LONG + 100) + "😀",
    ],
    ids=["1MB-ascii", "first-latin1", "last-cjk", "short", "last-astral"],
)
def test_long_strings_echo_unchanged(
    engine: witkit.Engine,
    component: Callable[[witkit.Engine], witkit.Component],
    scans: list[tuple[int, int, int]],
    export: str,
    text: str,
) -> None:
    out = _exports(engine, component)[export](text)
    assert out == text and type(out) is str
    scanned = [length for _, length, _ in scans]
    if export == "echo-utf16" or len(text.encode()) < LONG:
        assert scanned == []
    elif export == "echo" or all(ord(c) < 256 for c in text):
        assert scanned == [len(text.encode("utf-8" if export == "echo" else "latin-1"))]


@pytest.mark.parametrize("at", [0, 130, LONG // 2, LONG + 3], ids=["first", "block", "mid", "tail"])
@pytest.mark.parametrize("byte", [0x80, 0xC3, 0xFF])
def test_invalid_utf8_anywhere_in_a_long_string_traps(
    engine: witkit.Engine,
    component: Callable[[witkit.Engine], witkit.Component],
    scans: list[tuple[int, int, int]],
    at: int,
    byte: int,
) -> None:
    exports = _exports(engine, component)
    with pytest.raises(witkit.Trap) as info:
        exports["make"](LONG + 4, at, byte)
    assert info.value.rule == "invalid-utf8"
    assert scans == [(65536, LONG + 4, at)]
    # the same bytes as Latin-1 are text, and a fresh instance is unaffected
    fresh = _exports(engine, component)
    assert fresh["make-latin1"](LONG + 4, at, byte) == "a" * at + chr(byte) + "a" * (LONG + 3 - at)
    assert fresh["make"](LONG + 4, LONG + 4, 0) == "a" * (LONG + 4)


def test_valid_utf8_found_by_the_scan_decodes(
    engine: witkit.Engine, component: Callable[[witkit.Engine], witkit.Component]
) -> None:
    # a lone 0x7f is ASCII (the scan goes on); the guest's own "é" is two bytes
    exports = _exports(engine, component)
    assert exports["make"](LONG, 5, 0x7F) == "a" * 5 + "\x7f" + "a" * (LONG - 6)
    text = "a" * LONG + "é" + "a" * 200
    assert exports["echo"](text) == text
