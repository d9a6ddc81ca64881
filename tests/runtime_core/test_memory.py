"""Zero-copy memory views, growth, bounds; globals and tables."""

from __future__ import annotations

import gc
import os
import struct

import pytest

from tests.runtime_core.conftest import Instantiate, compile_wat
from witkit.runtime.core import (
    CoreFuncType,
    CoreGlobalType,
    CoreMemoryType,
    CoreTableType,
    CoreTrap,
    Engine,
    Store,
)

MEMORY = """(module
  (memory (export "mem") 1 100)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
)"""


def test_view_reads_and_writes_guest_memory_in_place(instantiate: Instantiate) -> None:
    instance = instantiate(MEMORY)
    memory = instance.memory("mem")
    view = memory.view()
    assert (len(view), view.format, view.readonly) == (65536, "B", False)
    view[16:20] = struct.pack("<I", 0xDEADBEEF)
    assert instance.func("load")(16) == 0xDEADBEEF
    instance.func("store")(32, 0x01020304)
    assert struct.unpack_from("<I", view, 32) == (0x01020304,)
    assert bytes(view[32:36]) == b"\x04\x03\x02\x01"


def test_view_is_cached_until_the_size_changes(instantiate: Instantiate) -> None:
    instance = instantiate(MEMORY)
    memory = instance.memory("mem")
    first = memory.view()
    assert memory.view() is first
    assert instance.func("grow")(2) == 1  # the guest grows it
    second = memory.view()
    assert second is not first
    assert len(second) == 3 * 65536 == memory.data_size
    assert memory.pages == 3
    # the old view is still valid over the old range (memories never move)
    first[100] = 7
    assert second[100] == 7
    second[3 * 65536 - 1] = 9
    assert instance.func("load")(3 * 65536 - 4) == 9 << 24


def test_host_grow(instantiate: Instantiate) -> None:
    instance = instantiate(MEMORY)
    memory = instance.memory("mem")
    assert memory.grow(4) == 1
    assert instance.func("size")() == 5
    assert len(memory.view()) == 5 * 65536
    with pytest.raises(ValueError, match="negative"):
        memory.grow(-1)
    with pytest.raises(ValueError, match="cannot grow"):
        memory.grow(1000)  # past the declared maximum of 100 pages


def test_checked_read_and_write(instantiate: Instantiate) -> None:
    memory = instantiate(MEMORY).memory("mem")
    memory.write(65530, b"abcdef")
    assert memory.read(65530, 6) == b"abcdef"
    for address, length in [(65531, 6), (-1, 2), (0, 65537)]:
        with pytest.raises(CoreTrap) as info:
            memory.read(address, length)
        assert info.value.rule == "memory-out-of-bounds"
    with pytest.raises(CoreTrap, match="out of bounds memory access"):
        memory.write(65535, b"xy")


def test_one_megabyte_round_trip(instantiate: Instantiate) -> None:
    memory = instantiate(MEMORY).memory("mem")
    memory.grow(20)
    data = os.urandom(1 << 20)
    view = memory.view()
    view[4096 : 4096 + len(data)] = data
    assert bytes(view[4096 : 4096 + len(data)]) == data
    assert memory.read(4096, len(data)) == data


def test_a_view_keeps_its_store_alive(engine: Engine) -> None:
    store = Store(engine)
    memory = store.instantiate(compile_wat(engine, MEMORY)).memory("mem")
    view = memory.view()
    view[0] = 42
    del store, memory
    gc.collect()
    assert view[0] == 42  # still mapped: the view holds the store


def test_host_memory_imported_by_a_module(store: Store, engine: Engine) -> None:
    memory = store.memory(CoreMemoryType(1, 2))
    module = compile_wat(
        engine,
        """(module (import "env" "mem" (memory 1))
             (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))""",
    )
    instance = store.instantiate(module, {("env", "mem"): memory})
    memory.view()[5] = 200
    assert instance.func("load")(5) == 200


GLOBALS = """(module
  (global (export "counter") (mut i32) (i32.const -1))
  (global (export "big") (mut i64) (i64.const 5))
  (global (export "ratio") (mut f64) (f64.const 0.5))
  (global (export "fixed") i32 (i32.const 3))
  (global (export "vector") (mut v128) (v128.const i64x2 0 0))
  (func (export "read") (result i32) global.get 0)
)"""


def test_globals(instantiate: Instantiate) -> None:
    instance = instantiate(GLOBALS)
    counter = instance.global_("counter")
    assert counter.type == CoreGlobalType("i32", True)
    assert counter.get() == 0xFFFF_FFFF
    assert counter.get(signed=True) == -1
    counter.set(0xFFFF_FFFE)
    assert instance.func("read")() == 0xFFFF_FFFE
    counter.set(-3)
    assert counter.get(signed=True) == -3
    with pytest.raises(ValueError, match="out of range"):
        counter.set(2**32)
    big = instance.global_("big")
    big.set(2**64 - 1)
    assert big.get() == 2**64 - 1
    ratio = instance.global_("ratio")
    ratio.set(2)
    assert ratio.get() == 2.0
    with pytest.raises(ValueError):
        instance.global_("fixed").set(4)
    vector = instance.global_("vector")
    assert vector.type.content == "v128"
    with pytest.raises(TypeError, match="v128"):
        vector.get()  # refused before reaching the C call that would abort
    with pytest.raises(TypeError, match="v128"):
        vector.set(1)


def test_host_global_imported_by_a_module(store: Store, engine: Engine) -> None:
    glob = store.global_(CoreGlobalType("i64", True), 2**63)
    module = compile_wat(
        engine,
        """(module (import "env" "g" (global (mut i64)))
             (func (export "read") (result i64) global.get 0))""",
    )
    instance = store.instantiate(module, [glob])
    assert instance.func("read")() == 2**63


TABLES = """(module
  (table (export "table") 2 10 funcref)
  (func $seven (result i32) i32.const 7)
  (elem (i32.const 0) $seven)
  (type $r (func (result i32)))
  (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $r))
)"""


def test_tables(store: Store, instantiate: Instantiate) -> None:
    instance = instantiate(TABLES)
    table = instance.table("table")
    assert table.type == CoreTableType("funcref", 2, 10)
    assert table.size() == 2
    seven = table.get(0)
    assert seven is not None
    assert seven.type == CoreFuncType((), ("i32",))
    assert seven() == 7
    assert table.get(1) is None
    with pytest.raises(IndexError):
        table.get(5)
    table.set(1, store.host_func(CoreFuncType((), ("i32",)), lambda: 8))
    assert instance.func("call")(1) == 8
    table.set(0, None)
    with pytest.raises(CoreTrap, match="uninitialized element"):
        instance.func("call")(0)
    assert table.grow(3, seven) == 2
    assert instance.func("call")(4) == 7


def test_host_table(store: Store) -> None:
    table = store.table(CoreTableType("funcref", 1))
    assert table.size() == 1 and table.get(0) is None
    with pytest.raises(TypeError):
        store.table(CoreTableType("externref", 1))
