"""The async ABI where nothing waits, from Python: what ``wast/async_sync.wast`` cannot say.

(That script runs under wasmtime too; these cases are witkit's own answers: a
host function lowered ``async``, and the traps for what a synchronous runtime
cannot do or the spec forbids.)
"""

from __future__ import annotations

import pytest

import witkit
from witkit.binary import Features

ASYNC = """(component
  (import "host-double" (func $double async (param "x" u32) (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $double' (canon lower (func $double) async (memory (core memory $mem "mem"))))
  (core func $ret-u32 (canon task.return (result u32)))
  (core func $ret-u64 (canon task.return (result u64)))
  (core module $M
    (import "" "double" (func $double (param i32 i32) (result i32)))
    (import "" "ret-u32" (func $ret-u32 (param i32)))
    (import "" "ret-u64" (func $ret-u64 (param i64)))
    (import "" "mem" (memory 1))
    (func (export "via-host") (param i32)
      (if (i32.ne (call $double (local.get 0) (i32.const 16)) (i32.const 2 (; RETURNED ;)))
        (then unreachable))
      (call $ret-u32 (i32.load (i32.const 16))))
    (func (export "wait") (result i32) (i32.const 0x12 (; WAIT on set 1 ;)))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
    (func (export "wrong-type") (call $ret-u64 (i64.const 1)))
    (func (export "sync-return") (result i32) (call $ret-u32 (i32.const 1)) (i32.const 0))
  )
  (core instance $m (instantiate $M (with "" (instance
    (export "double" (func $double'))
    (export "ret-u32" (func $ret-u32))
    (export "ret-u64" (func $ret-u64))
    (export "mem" (memory $mem "mem"))
  ))))
  (func (export "via-host") async (param "x" u32) (result u32)
    (canon lift (core func $m "via-host") async))
  (func (export "wait") async (result u32)
    (canon lift (core func $m "wait") async (callback (core func $m "cb"))))
  (func (export "wrong-type") async (result u32)
    (canon lift (core func $m "wrong-type") async))
  (func (export "sync-return") (result u32) (canon lift (core func $m "sync-return")))
)"""


@pytest.fixture
def exports(engine: witkit.Engine) -> witkit.Exports:
    component = witkit.Component.from_wat(
        engine, ASYNC, features=Features(cm_async=True, cm_async_stackful=True)
    )
    linker = witkit.Linker(engine)
    linker.define_func("host-double", lambda x: 2 * x)
    return linker.instantiate(component).exports


def test_a_host_function_lowered_async_returns_at_once(exports: witkit.Exports) -> None:
    assert exports["via-host"](21) == 42
    assert exports["via-host"](5) == 10  # the task is over: a second call is a new one


@pytest.mark.parametrize(
    ("name", "message", "rule"),
    [
        ("wait", "waits on a waitable set", "unsupported"),
        ("wrong-type", "result type differs", "type-mismatch"),
        ("sync-return", "outside an async-lifted export", "no-async-task"),
    ],
)
def test_traps(exports: witkit.Exports, name: str, message: str, rule: str) -> None:
    with pytest.raises(witkit.Trap, match=message) as info:
        exports[name]()
    assert info.value.rule == rule
