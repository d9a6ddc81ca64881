"""``witkit.wasi.preview1`` from Python: ``run_module`` with a ``WasiConfig``, and its tables.

The differential tests run the CLI; these pin the library surface underneath (what a
user embedding witkit calls) and the two tables everything else rests on: the
signatures (every witx function, once) and the 0.2 ``error-code`` -> ``errno`` map
(every code the 0.2 host can raise has a preview1 code).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.cli.kind import classify_file
from witkit.errors import LinkError
from witkit.wasi import WasiConfig
from witkit.wasi.errno import FILESYSTEM
from witkit.wasi.preview1 import Preview1, run_module
from witkit.wasi.preview1.witx import ERRNO, FROM_ERROR_CODE, SIGNATURES, errno_of
from witkit.wat import assemble

HELLO = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $sizes (i32.const 16) (i32.const 20)))
    (call $exit (i32.load (i32.const 16)))))
"""


def test_run_module_with_a_config() -> None:
    out = bytearray()
    status = run_module(assemble(HELLO), WasiConfig().stdout(out).args("prog", "a", "b"))
    assert (status, bytes(out)) == (3, b"hi\n")


def test_nothing_is_granted_by_default() -> None:
    assert run_module(assemble(HELLO), WasiConfig()) == 0  # no args; stdout discarded


def test_foreign_imports_are_refused_before_running() -> None:
    wasm = assemble('(module (import "env" "f" (func)) (func (export "_start")))')
    with pytest.raises(LinkError, match="env::f"):
        run_module(wasm, WasiConfig())


def test_descriptor_numbers_follow_wasmtime(tmp_path: object) -> None:
    host = Preview1(WasiConfig().preopen_dir(str(tmp_path), "/a").preopen_dir(".", "/b").build())
    assert sorted(host.table.used) == [0, 1, 2, 3, 4]
    host.fd_close(3)
    host.fd_close(1)
    assert host.table.push(host.table.used[4]) == 3  # the highest number closed first


def test_every_witx_function_has_a_signature_and_a_method() -> None:
    assert len(SIGNATURES) == 46
    host = Preview1(WasiConfig().build())
    assert all(callable(getattr(host, name)) for name in SIGNATURES)


def test_every_filesystem_error_code_has_an_errno() -> None:
    assert set(FILESYSTEM.values()) <= set(FROM_ERROR_CODE)
    assert set(FROM_ERROR_CODE.values()) <= set(ERRNO)
    assert errno_of("no-entry") == 44 and errno_of("not-permitted") == 63
    assert errno_of("something-new") == ERRNO["io"]


def test_core_modules_are_told_from_components(tmp_path: Path) -> None:
    def kind(head: bytes) -> str:
        path = tmp_path / "file"
        path.write_bytes(head)
        return classify_file(path).kind

    assert kind(b"\0asm\x01\0\0\0") == "core"
    assert kind(b"\0asm\x0d\0\x01\0") == "component"
    assert kind(b";; a comment\n(; block ;)\n  (module $m)") == "core"
    assert kind(b"(component)") == "component"
