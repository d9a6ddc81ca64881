"""The binary writer (``witkit.binary.encode``): what it writes, the reader reads back.

Each writer is checked against the reader of the same production (the pairs
of ``binary/encode/`` and ``binary/sections/``), so the two cannot drift; the
WIT encodings built on it are compared with wasm-tools in
``tests/wit_text/test_encode.py``.
"""

from __future__ import annotations

import pytest

from witkit.binary import codes, ir, read, validate
from witkit.binary import encode as enc
from witkit.binary.reader import Reader
from witkit.binary.sections.aliases import read_alias
from witkit.binary.sections.exports import read_export
from witkit.binary.sections.imports import read_extern_desc, read_extern_name
from witkit.binary.sections.types import read_type


def test_leb128() -> None:
    assert enc.uleb(0) == b"\x00" and enc.uleb(127) == b"\x7f" and enc.uleb(128) == b"\x80\x01"
    assert enc.sleb(63) == b"\x3f" and enc.sleb(64) == b"\xc0\x00" and enc.sleb(-1) == b"\x7f"
    assert enc.sleb(-64) == b"\x40" and enc.sleb(-65) == b"\xbf\x7f"


@pytest.mark.parametrize("value", [0, 1, 63, 64, 127, 128, 2**32 - 1])
def test_leb128_reads_back(value: int) -> None:
    assert Reader(enc.uleb(value)).u32("x") == value
    assert Reader(enc.sleb(value)).s33("x") == value


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
        (enc.write_record([("a", "u8"), ("b", 3)]), ir.RecordDef(0, (("a", "u8"), ("b", 3)))),
        (
            enc.write_variant([("x", None), ("y", "string")]),
            ir.VariantDef(0, (("x", None), ("y", "string"))),
        ),
        (enc.write_list("u32"), ir.ListDef(0, "u32")),
        (enc.write_list(70, 4), ir.ListDef(0, 70, 4)),
        (enc.write_tuple(["s8", 1]), ir.TupleDef(0, ("s8", 1))),
        (enc.write_flags(["r", "w"]), ir.FlagsDef(0, ("r", "w"))),
        (enc.write_enum(["a"]), ir.EnumDef(0, ("a",))),
        (enc.write_option("char"), ir.OptionDef(0, "char")),
        (enc.write_result(None, "error-context"), ir.ResultDef(0, None, "error-context")),
        (enc.write_own(2), ir.OwnDef(0, 2)),
        (enc.write_borrow(2), ir.BorrowDef(0, 2)),
        (enc.write_future(None), ir.FutureDef(0, None)),
        (enc.write_stream("u8"), ir.StreamDef(0, "u8")),
        (enc.write_map("string", 5), ir.MapDef(0, "string", 5)),
        (enc.write_resource(), ir.ResourceDef(0, "i32", None)),
        (enc.write_resource(7), ir.ResourceDef(0, "i32", 7)),
        (enc.write_func_type([("x", "u32")], None), ir.FuncDef(0, (("x", "u32"),), None, False)),
        (enc.write_func_type([], 9, is_async=True), ir.FuncDef(0, (), 9, True)),
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
    written = enc.write_extern_name(
        name.name, name.implements, name.external_id, name.version_suffix
    )
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
    written = enc.write_extern_desc(desc.sort, desc.index, desc.valtype)
    assert read_extern_desc(Reader(written)) == desc


def test_aliases_and_exports_read_back() -> None:
    assert read_alias(Reader(enc.write_alias_export("func", 1, "f"))) == ir.Alias(
        0, "func", "export", instance=1, name="f"
    )
    assert read_alias(Reader(enc.write_alias_core_export("core memory", 0, "m"))) == ir.Alias(
        0, "core memory", "core export", instance=0, name="m"
    )
    assert read_alias(Reader(enc.write_alias_outer("type", 1, 5))) == ir.Alias(
        0, "type", "outer", count=1, index=5
    )
    export = enc.write_export(
        enc.write_extern_name("t"), "type", 2, enc.write_extern_desc("type", 2)
    )
    assert read_export(Reader(export)) == ir.Export(
        0, ir.ExternName("t"), "type", 2, ir.ExternDesc("type", 2)
    )


def test_type_writers_count_their_index_spaces() -> None:
    instance = enc.InstanceTypeWriter()
    assert instance.ty(enc.write_resource()) == 0
    assert instance.export(enc.write_extern_name("r"), enc.write_extern_desc("type", None)) == 1
    f = instance.ty(enc.write_func_type([("self", 2)], None))
    assert instance.export(enc.write_extern_name("f"), enc.write_extern_desc("func", f)) == 0
    assert (instance.types, instance.count("func")) == (3, 1)

    outer = enc.ComponentTypeWriter()
    assert outer.ty(instance.encode()) == 0
    assert outer.import_(enc.write_extern_name("a:b/c"), enc.write_extern_desc("instance", 0)) == 0
    assert outer.alias_export("type", 0, "r") == 1
    assert (outer.types, outer.instances) == (2, 1)


def test_component_writer_output_validates() -> None:
    ty = enc.ComponentTypeWriter()
    f = ty.ty(enc.write_func_type([("x", "u32")], "string"))
    ty.export(enc.write_extern_name("f"), enc.write_extern_desc("func", f))
    w = enc.ComponentWriter()
    w.type_section([ty.encode()])
    w.export_section([enc.write_export(enc.write_extern_name("t"), "type", 0)])
    w.custom_section("producers", enc.write_producers({"processed-by": [("me", "1.0")]}))
    component = read(w.finish())
    assert isinstance(component, ir.Component)
    assert set(validate(component).type.exports) == {"t"}
    (custom,) = [s for s in component.sections if isinstance(s, ir.CustomSection)]
    assert custom.producers == ir.Producers({"processed-by": (("me", "1.0"),)})
