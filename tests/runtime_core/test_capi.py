"""witkit's own declarations of wasmtime's C API, checked against wasmtime-py's.

A struct layout or a prototype that disagrees with the C library corrupts memory
silently, so each one is compared with the declarations wasmtime-py generates
from the C headers of the same release (the oracle here; witkit never imports it).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest
import wasmtime
from wasmtime import _bindings

from witkit.errors import ValidationError
from witkit.runtime.core import (
    CoreFuncType,
    CoreGlobalType,
    CoreMemoryType,
    CoreTableType,
    CoreTagType,
    Engine,
    Store,
    _capi,
    _library,
)
from witkit.runtime.core.engine import _wasmtime_version
from witkit.runtime.core.traps import TRAP_CODES

# ours -> wasmtime-py's (wasm_vec_t stands for every wasm.h vector)
STRUCTS = [
    (_capi.wasm_vec_t, _bindings.wasm_byte_vec_t),
    (_capi.wasm_vec_t, _bindings.wasm_frame_vec_t),
    (_capi.wasm_vec_t, _bindings.wasm_importtype_vec_t),
    (_capi.wasm_vec_t, _bindings.wasm_exporttype_vec_t),
    (_capi.wasm_vec_t, _bindings.wasm_valtype_vec_t),
    (_capi.wasm_limits_t, _bindings.wasm_limits_t),
    (_capi.wasmtime_func_t, _bindings.wasmtime_func_t),
    (_capi.wasmtime_table_t, _bindings.wasmtime_table_t),
    (_capi.wasmtime_memory_t, _bindings.wasmtime_memory_t),
    (_capi.wasmtime_tag_t, _bindings.wasmtime_tag_t),
    (_capi.wasmtime_global_t, _bindings.wasmtime_global_t),
    (_capi.wasmtime_instance_t, _bindings.wasmtime_instance_t),
    (_capi.wasmtime_extern_union, _bindings.wasmtime_extern_union_t),
    (_capi.wasmtime_extern_t, _bindings.wasmtime_extern_t),
    (_capi.wasmtime_gcref_t, _bindings.wasmtime_anyref_t),
    (_capi.wasmtime_gcref_t, _bindings.wasmtime_externref_t),
    (_capi.wasmtime_gcref_t, _bindings.wasmtime_exnref_t),
    (_capi.wasmtime_valunion_t, _bindings.wasmtime_valunion_t),
    (_capi.wasmtime_val_t, _bindings.wasmtime_val_t),
    (_capi.wasmtime_heaptype_t, _bindings.wasmtime_heaptype_t),
    (_capi.wasmtime_reftype_t, _bindings.wasmtime_reftype_t),
    (_capi.wasmtime_valtype_t, _bindings.wasmtime_valtype_t),
]


def _layout(struct: Any) -> list[tuple[int, int]]:
    """(offset, size) of every leaf field, nested structs and unions flattened."""
    leaves = []
    for name, field_type, *_ in struct._fields_:
        offset = getattr(struct, name).offset
        if hasattr(field_type, "_fields_"):
            leaves += [(offset + o, size) for o, size in _layout(field_type)]
        else:
            leaves.append((offset, ctypes.sizeof(field_type)))
    return sorted(set(leaves))


@pytest.mark.parametrize(("ours", "theirs"), STRUCTS, ids=lambda s: s.__name__)
def test_struct_layouts_match_wasmtime_py(ours: Any, theirs: Any) -> None:
    assert ctypes.sizeof(ours) == ctypes.sizeof(theirs)
    assert ctypes.alignment(ours) == ctypes.alignment(theirs)
    assert _layout(ours) == _layout(theirs)
    if hasattr(theirs, "store_id"):  # what witkit reads: a null funcref has store_id 0
        assert ours.store_id.offset == theirs.store_id.offset


def _kind(ctype: Any) -> str:
    """A C type as the calling convention sees it: a pointer, or an integer of some width."""
    if ctype is None:
        return "void"
    if ctype in (ctypes.c_void_p, ctypes.c_char_p) or hasattr(ctype, "_type_") is False:
        return "pointer"
    if isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer | ctypes._CFuncPtr):  # type: ignore[attr-defined]
        return "pointer"
    return f"{ctype._type_}{ctypes.sizeof(ctype)}"


@pytest.mark.parametrize("name", sorted(_capi._SIGNATURES))
def test_prototypes_match_wasmtime_py(name: str) -> None:
    theirs = getattr(_bindings, f"_{name}")
    restype, *argtypes = _capi._SIGNATURES[name]
    assert _kind(restype) == _kind(theirs.restype)
    assert [_kind(a) for a in argtypes] == [_kind(a) for a in theirs.argtypes]


def test_hot_prototypes_match_wasmtime_py() -> None:
    hot = {
        "wasmtime_func_call_unchecked": _capi.func_call_unchecked,
        "wasmtime_func_new_unchecked": _capi.func_new_unchecked,
        "wasmtime_memory_data": _capi.memory_data,
        "wasmtime_memory_data_size": _capi.memory_data_size,
        "wasmtime_trap_new": _capi.trap_new,
        "wasmtime_instance_new": _capi.instance_new,
        "wasmtime_instance_export_get": _capi.instance_export_get,
        "wasmtime_instance_export_nth": _capi.instance_export_nth,
        "wasmtime_engine_increment_epoch": _capi.engine_increment_epoch,
        "wasmtime_context_set_epoch_deadline": _capi.context_set_epoch_deadline,
    }
    for name, ours in hot.items():
        theirs = getattr(_bindings, f"_{name}")
        # ``size_t`` for the callback's result stands in for a ``wasm_trap_t*``
        assert _kind(ours.restype) in (_kind(theirs.restype), "L8"), name
        assert [_kind(a) for a in ours.argtypes] == [_kind(a) for a in theirs.argtypes], name


def test_undeclared_functions_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="wasi_config_new"):
        _capi.lib.wasi_config_new  # noqa: B018


def test_trap_codes_match_wasmtime_py() -> None:
    names = [code.name.lower().replace("_", "-") for code in wasmtime.TrapCode]
    assert tuple(names) == TRAP_CODES
    assert [code.value for code in wasmtime.TrapCode] == list(range(len(TRAP_CODES)))


def test_the_library_is_the_one_wasmtime_py_loads() -> None:
    from wasmtime import _ffi

    package, relative = _library.library_file()
    assert os.path.samefile(os.path.join(package, relative), _ffi.filename)
    # one copy in the process: both declare functions at the same addresses
    ours = ctypes.cast(_capi.dll.wasm_engine_new, ctypes.c_void_p).value
    assert ours == ctypes.cast(_ffi.dll.wasm_engine_new, ctypes.c_void_p).value


def test_a_missing_wasmtime_package_is_a_clear_import_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"'wasmtime' package.*pip install wasmtime") as info:
        _library.load()
    assert info.value.name == "wasmtime"


def test_a_platform_without_a_library_is_a_clear_import_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_library, "machine", lambda: "riscv64")
    with pytest.raises(ImportError, match=r"no native library for .*-riscv64"):
        _library.load()


def test_importing_the_core_does_not_import_wasmtime_py() -> None:
    code = (
        "import sys, witkit.runtime.core as core\n"
        "core.Store(core.Engine(cache=False))\n"
        "loaded = [m for m in sys.modules if m == 'wasmtime' or m.startswith('wasmtime.')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_version_fingerprint_keeps_its_format() -> None:
    """The string earlier versions built by scanning the package, so old caches stay valid."""
    package = os.path.dirname(wasmtime.__file__)
    found = []
    for entry in sorted(os.scandir(package), key=lambda e: e.name):
        if entry.is_dir() and entry.name not in ("__pycache__", "component"):
            for lib in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if "wasmtime" in lib.name and lib.name.endswith((".so", ".dylib", ".dll")):
                    st = lib.stat()
                    found.append(f"{entry.name}/{lib.name}:{st.st_size}:{st.st_mtime_ns}")
    assert _wasmtime_version() == ",".join(found)


def test_engine_raw_serves_wasmtime_py(engine: Engine) -> None:
    """The wast runner validates core modules with wasmtime-py against ``engine.raw``."""
    wasmtime.Module.validate(engine.raw, wasmtime.wat2wasm("(module)"))
    with pytest.raises(wasmtime.WasmtimeError):
        wasmtime.Module.validate(engine.raw, b"\0asm\1\0\0\0\x01")
    assert engine.raw is engine.raw
    view = Engine(cache=False).raw
    del view  # a view never frees the engine it shares


def test_engine_validate(engine: Engine) -> None:
    engine.validate(wasmtime.wat2wasm("(module (func))"))
    with pytest.raises(ValidationError) as info:
        engine.validate(b"\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x0b")
    assert info.value.offset is not None


def test_types_read_back_through_the_c_api(engine: Engine) -> None:
    """Every kind of extern type, as wasmtime-py reads the same module."""
    wasm = wasmtime.wat2wasm(
        """(module
          (import "a" "f" (func (param i32 i64 f32 f64) (result v128 funcref externref)))
          (import "a" "g" (global (mut f32)))
          (import "a" "t" (table 1 5 funcref))
          (import "a" "m" (memory i64 2 9))
          (import "a" "s" (memory 1 2 shared))
          (tag (export "e") (param i32 f64))
          (table (export "t2") 3 externref)
          (global (export "g2") (ref null func) (ref.null func)))"""
    )
    wt_module = wasmtime.Module(wasmtime.Engine(), bytes(wasm))
    ours = engine.compile(wasm)
    assert [(i.module, i.name) for i in ours.imports] == [
        (i.module, i.name) for i in wt_module.imports
    ]
    assert [i.type for i in ours.imports] == [
        CoreFuncType(("i32", "i64", "f32", "f64"), ("v128", "funcref", "externref")),
        CoreGlobalType("f32", True),
        CoreTableType("funcref", 1, 5),
        CoreMemoryType(2, 9, memory64=True),
        CoreMemoryType(1, 2, shared=True),
    ]
    assert [(e.name, e.type) for e in ours.exports] == [
        ("e", CoreTagType(("i32", "f64"))),
        ("t2", CoreTableType("externref", 3)),
        ("g2", CoreGlobalType("funcref", False)),
    ]
    assert ours.import_count == 5


def test_null_reference_globals_read_as_none(store: Store, engine: Engine) -> None:
    instance = store.instantiate(
        engine.compile(
            wasmtime.wat2wasm(
                """(module (global (export "f") (mut funcref) (ref.null func))
                     (global (export "x") externref (ref.null extern))
                     (func $a) (elem declare func $a)
                     (global (export "h") funcref (ref.func $a)))"""
            )
        )
    )
    assert instance.global_("f").get() is None
    assert instance.global_("x").get() is None
    with pytest.raises(TypeError, match="no Python value"):
        instance.global_("h").get()
    assert store.global_(CoreGlobalType("funcref", True), None).get() is None  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="convert 'text' to externref"):
        store.global_(CoreGlobalType("externref", True), "text")  # type: ignore[arg-type]
