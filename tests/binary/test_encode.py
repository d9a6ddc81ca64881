"""The binary writer (``witkit.binary.encode``): what it writes, the reader reads back.

Each writer is checked against the reader of the same production (the pairs
of ``binary/encode/`` and ``binary/sections/``), so the two cannot drift; the
WIT encodings built on it are compared with wasm-tools in
``tests/wit_text/test_encode.py``.
"""

from __future__ import annotations

import pytest

from witkit.binary import codes, ir, read, validate
from witkit.binary.encode import (
    ComponentTypeWriter,
    ComponentWriter,
    InstanceTypeWriter,
    sleb,
    uleb,
    write_alias_core_export,
    write_alias_export,
    write_alias_outer,
    write_borrow,
    write_enum,
    write_export,
    write_extern_desc,
    write_extern_name,
    write_flags,
    write_func_type,
    write_future,
    write_list,
    write_map,
    write_option,
    write_own,
    write_producers,
    write_record,
    write_resource,
    write_result,
    write_stream,
    write_tuple,
    write_variant,
)
from witkit.binary.reader import Reader
from witkit.binary.sections.aliases import read_alias
from witkit.binary.sections.exports import read_export
from witkit.binary.sections.imports import read_extern_desc, read_extern_name
from witkit.binary.sections.types import read_type


def test_leb128() -> None:
    assert uleb(0) == b"\x00" and uleb(127) == b"\x7f" and uleb(128) == b"\x80\x01"
    assert sleb(63) == b"\x3f" and sleb(64) == b"\xc0\x00" and sleb(-1) == b"\x7f"
    assert sleb(-64) == b"\x40" and sleb(-65) == b"\xbf\x7f"


@pytest.mark.parametrize("value", [0, 1, 63, 64, 127, 128, 2**32 - 1])
def test_leb128_reads_back(value: int) -> None:
    assert Reader(uleb(value)).u32("x") == value
    assert Reader(sleb(value)).s33("x") == value


def test_code_tables_are_inverse() -> None:
    for table, inverse in (
        (codes.SORTS, codes.SORT_CODES),
        (codes.CORE_SORTS, codes.CORE_SORT_CODES),
        (codes.PRIM_BYTES, codes.PRIM_CODES),
    ):
        assert {v: k for k, v in table.items()} == inverse


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (write_record([("a", "u8"), ("b", 3)]), ir.RecordDef(0, (("a", "u8"), ("b", 3)))),
        (
            write_variant([("x", None), ("y", "string")]),
            ir.VariantDef(0, (("x", None), ("y", "string"))),
        ),
        (write_list("u32"), ir.ListDef(0, "u32")),
        (write_list(70, 4), ir.ListDef(0, 70, 4)),
        (write_tuple(["s8", 1]), ir.TupleDef(0, ("s8", 1))),
        (write_flags(["r", "w"]), ir.FlagsDef(0, ("r", "w"))),
        (write_enum(["a"]), ir.EnumDef(0, ("a",))),
        (write_option("char"), ir.OptionDef(0, "char")),
        (write_result(None, "error-context"), ir.ResultDef(0, None, "error-context")),
        (write_own(2), ir.OwnDef(0, 2)),
        (write_borrow(2), ir.BorrowDef(0, 2)),
        (write_future(None), ir.FutureDef(0, None)),
        (write_stream("u8"), ir.StreamDef(0, "u8")),
        (write_map("string", 5), ir.MapDef(0, "string", 5)),
        (write_resource(), ir.ResourceDef(0, "i32", None)),
        (write_resource(7), ir.ResourceDef(0, "i32", 7)),
        (write_func_type([("x", "u32")], None), ir.FuncDef(0, (("x", "u32"),), None, False)),
        (write_func_type([], 9, is_async=True), ir.FuncDef(0, (), 9, True)),
    ],
)
def test_deftypes_read_back(written: bytes, expected: ir.TypeDef) -> None:
    r = Reader(written)
    assert read_type(r) == expected
    assert r.eof()


@pytest.mark.parametrize(
    "name",
    [
        ir.ExternName("a"),
        ir.ExternName("x", implements="a:b/c", form=2),
        ir.ExternName("x", external_id="id", form=2),
        ir.ExternName("x", "a:b/c", "1.2", "id", form=2),
    ],
)
def test_extern_names_read_back(name: ir.ExternName) -> None:
    written = write_extern_name(name.name, name.implements, name.external_id, name.version_suffix)
    assert read_extern_name(Reader(written)) == name


@pytest.mark.parametrize(
    "desc",
    [
        ir.ExternDesc("func", 3),
        ir.ExternDesc("instance", 0),
        ir.ExternDesc("component", 1),
        ir.ExternDesc("core module", 2),
        ir.ExternDesc("type", 4),
        ir.ExternDesc("type", None),
        ir.ExternDesc("value", None, "u64"),
    ],
)
def test_extern_descs_read_back(desc: ir.ExternDesc) -> None:
    written = write_extern_desc(desc.sort, desc.index, desc.valtype)
    assert read_extern_desc(Reader(written)) == desc


def test_aliases_and_exports_read_back() -> None:
    assert read_alias(Reader(write_alias_export("func", 1, "f"))) == ir.Alias(
        0, "func", "export", instance=1, name="f"
    )
    assert read_alias(Reader(write_alias_core_export("core memory", 0, "m"))) == ir.Alias(
        0, "core memory", "core export", instance=0, name="m"
    )
    assert read_alias(Reader(write_alias_outer("type", 1, 5))) == ir.Alias(
        0, "type", "outer", count=1, index=5
    )
    export = write_export(write_extern_name("t"), "type", 2, write_extern_desc("type", 2))
    assert read_export(Reader(export)) == ir.Export(
        0, ir.ExternName("t"), "type", 2, ir.ExternDesc("type", 2)
    )


def test_type_writers_count_their_index_spaces() -> None:
    instance = InstanceTypeWriter()
    assert instance.ty(write_resource()) == 0
    assert instance.export(write_extern_name("r"), write_extern_desc("type", None)) == 1
    f = instance.ty(write_func_type([("self", 2)], None))
    assert instance.export(write_extern_name("f"), write_extern_desc("func", f)) == 0
    assert (instance.types, instance.count("func")) == (3, 1)

    outer = ComponentTypeWriter()
    assert outer.ty(instance.encode()) == 0
    assert outer.import_(write_extern_name("a:b/c"), write_extern_desc("instance", 0)) == 0
    assert outer.alias_export("type", 0, "r") == 1
    assert (outer.types, outer.instances) == (2, 1)


def test_component_writer_output_validates() -> None:
    ty = ComponentTypeWriter()
    f = ty.ty(write_func_type([("x", "u32")], "string"))
    ty.export(write_extern_name("f"), write_extern_desc("func", f))
    w = ComponentWriter()
    w.type_section([ty.encode()])
    w.export_section([write_export(write_extern_name("t"), "type", 0)])
    w.custom_section("producers", write_producers({"processed-by": [("me", "1.0")]}))
    component = read(w.finish())
    assert isinstance(component, ir.Component)
    assert set(validate(component).type.exports) == {"t"}
    (custom,) = [s for s in component.sections if isinstance(s, ir.CustomSection)]
    assert custom.producers == ir.Producers({"processed-by": (("me", "1.0"),)})
