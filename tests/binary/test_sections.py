"""The reader, section by section: what each production of Binary.md decodes to."""

from __future__ import annotations

from typing import Any

from tests.binary.helpers import CORE_PREAMBLE, component_bytes, leb, section, string, wat
from witkit.binary import Features, ir, read, validate
from witkit.binary.reader import Reader
from witkit.binary.sections.canonicals import read_canon
from witkit.binary.sections.types import read_type


def _component(text: str) -> ir.Component:
    decoded = read(wat(text))
    assert isinstance(decoded, ir.Component)
    return decoded


def _items(component: ir.Component, kind: type) -> list[Any]:
    return [i for s in component.sections if isinstance(s, kind) for i in getattr(s, "items", ())]


# --------------------------------------------------------------------------- core modules


def test_core_module_light_parse() -> None:
    c = _component(
        """(component (core module $m
          (type (func (param i32) (result i64)))
          (import "env" "f" (func (type 0)))
          (import "env" "mem" (memory 1 2))
          (import "env" "g" (global (mut i32)))
          (import "env" "t" (table 3 funcref))
          (func (type 0) i64.const 0)
          (table 1 externref)
          (memory 2)
          (global i64 (i64.const 7))
          (tag (param i32))
          (export "f2" (func 1))
          (export "m" (memory 0))
          (start 2)
          (func)
          (data (i32.const 0) "hi")
          (@custom "note" "x")))"""
    )
    (sec,) = [s for s in c.sections if isinstance(s, ir.CoreModuleSection)]
    m = sec.module
    assert [(i.module, i.name, i.desc.kind) for i in m.imports] == [
        ("env", "f", "func"),
        ("env", "mem", "memory"),
        ("env", "g", "global"),
        ("env", "t", "table"),
    ]
    assert m.funcs == (0, 0, 2) or len(m.funcs) == 3
    assert next(t.kind for g in m.types for t in g.types) == "func"
    assert m.memories[0] == ir.MemoryDef(1, 2) and m.memories[1].minimum == 2
    assert m.tables[0].element == "funcref" and m.tables[1].element == "externref"
    assert m.globals[0] == ir.GlobalDef("i32", True) and m.globals[1].valtype == "i64"
    assert len(m.tags) == 1
    assert [(e.name, e.kind, e.index) for e in m.exports] == [("f2", "func", 1), ("m", "memory", 0)]
    assert m.start == 2
    assert "note" in [cs.name for cs in m.customs]
    assert bytes(m.data[:8]) == CORE_PREAMBLE
    assert m.source is c.source  # a range of the input, not a copy
    assert m.func_type(1).params == ("i32",)


def test_plain_core_module_is_layer_zero() -> None:
    m = read(wat('(module (func (export "f")))'))
    assert isinstance(m, ir.CoreModule)
    assert m.exports[0].name == "f"


def test_gc_rec_groups_are_tolerated() -> None:
    m = read(
        wat(
            """(module (rec (type $a (sub (struct (field (mut i32)) (field (ref null $b)))))
                           (type $b (sub final $a (struct (field (mut i32)) (field (ref null $b))))))
                      (type (array i8)))"""
        )
    )
    assert isinstance(m, ir.CoreModule)
    group = m.types[0]
    assert group.explicit and [t.kind for t in group.types] == ["struct", "struct"]
    assert group.types[1].supertypes == (0,) and group.types[1].final
    assert group.types[0].params == ("i32", "(ref null 1)")
    assert m.types[1].types[0].kind == "array"


# --------------------------------------------------------------------------- core instances and types


def test_core_instances() -> None:
    c = _component(
        """(component
          (core module $m (func (export "f")))
          (core instance $i (instantiate $m))
          (core instance $j (instantiate $m (with "x" (instance $i))))
          (alias core export $i "f" (core func $f))
          (core instance (export "g" (func $f))))"""
    )
    items = _items(c, ir.CoreInstanceSection)
    assert isinstance(items[0], ir.CoreInstantiate) and items[0].args == ()
    assert items[1].args == (ir.CoreInstantiateArg("x", 0),)
    assert items[2].exports == (ir.CoreInlineExport("g", "core func", 0),)


def test_core_types_and_module_types() -> None:
    c = _component(
        """(component
          (core type $f (func (param i32 f64) (result externref)))
          (core type (module
            (type (func))
            (alias outer 1 $f (type))
            (import "a" "b" (func (type 0)))
            (export "c" (memory 1)))))"""
    )
    items = _items(c, ir.CoreTypeSection)
    assert items[0].types[0].params == ("i32", "f64") and items[0].types[0].results == (
        "externref",
    )
    mt = items[1]
    assert isinstance(mt, ir.CoreModuleTypeDef)
    assert [type(d).__name__ for d in mt.decls] == [
        "CoreRecGroup",
        "CoreAliasDecl",
        "CoreImport",
        "CoreExportDecl",
    ]
    assert mt.decls[1] == ir.CoreAliasDecl(mt.decls[1].offset, 1, 0)


# --------------------------------------------------------------------------- component-level sections


def test_nested_component_and_instances() -> None:
    c = _component(
        """(component
          (component $c (import "x" (func)) (export "y" (func 0)))
          (import "f" (func $f))
          (instance $i (instantiate $c (with "x" (func $f))))
          (instance (export "z" (func $f))))"""
    )
    nested = next(s for s in c.sections if isinstance(s, ir.ComponentSection)).component
    assert [i.name.name for i in nested.imports] == ["x"]
    items = _items(c, ir.InstanceSection)
    assert items[0] == ir.Instantiate(items[0].offset, 0, (ir.InstantiateArg("x", "func", 0),))
    assert items[1].exports == (ir.InlineExport(ir.ExternName("z"), "func", 0),)


def test_aliases() -> None:
    c = _component(
        """(component
          (type $t u8)
          (import "i" (instance $i (export "f" (func))))
          (alias export $i "f" (func))
          (core module $m (memory (export "m") 1))
          (core instance $ci (instantiate $m))
          (alias core export $ci "m" (core memory))
          (component (alias outer 1 $t (type))))"""
    )
    items = _items(c, ir.AliasSection)
    assert (items[0].target, items[0].sort, items[0].name) == ("export", "func", "f")
    assert (items[1].target, items[1].sort, items[1].name) == ("core export", "core memory", "m")
    nested = next(s for s in c.sections if isinstance(s, ir.ComponentSection)).component
    (outer,) = _items(nested, ir.AliasSection)
    assert (outer.target, outer.sort, outer.count, outer.index) == ("outer", "type", 1, 0)


def test_every_defvaltype() -> None:
    c = _component(
        """(component
          (type $r (resource (rep i32)))
          (type (record (field "a" u8) (field "b" string)))
          (type (variant (case "x") (case "y" u32)))
          (type (list u8)) (type (list u8 4))
          (type (tuple u8 s64))
          (type (flags "a" "b")) (type (enum "c" "d"))
          (type (option f32)) (type (result u8 (error string))) (type (result))
          (type (own $r)) (type (borrow $r))
          (type (stream u8)) (type (future)) (type (map string u32))
          (type error-context) (type char))"""
    )
    items = _items(c, ir.TypeSection)
    kinds = [type(t).__name__ for t in items]
    assert kinds == [
        "ResourceDef", "RecordDef", "VariantDef", "ListDef", "ListDef", "TupleDef", "FlagsDef",
        "EnumDef", "OptionDef", "ResultDef", "ResultDef", "OwnDef", "BorrowDef", "StreamDef",
        "FutureDef", "MapDef", "PrimDef", "PrimDef",
    ]  # fmt: skip
    assert items[1].fields == (("a", "u8"), ("b", "string"))
    assert items[2].cases == (("x", None), ("y", "u32"))
    assert items[4].length == 4
    assert items[9] == ir.ResultDef(items[9].offset, "u8", "string")
    assert items[11].index == 0
    assert items[15] == ir.MapDef(items[15].offset, "string", "u32")
    assert items[16].prim == "error-context"


def test_func_component_and_instance_types() -> None:
    c = _component(
        """(component
          (type (func (param "a" u32) (result string)))
          (type (func async))
          (type (component (import "x" (func)) (export "y" (func (type 0)))))
          (type (instance (export "r" (type (sub resource))) (export "e" (type (eq 0))))))"""
    )
    items = _items(c, ir.TypeSection)
    assert items[0] == ir.FuncDef(items[0].offset, (("a", "u32"),), "string", False)
    assert items[1].is_async and items[1].result is None
    comp = items[2]
    assert [type(d).__name__ for d in comp.decls][:2] == ["ImportDecl", "TypeDecl"] or any(
        isinstance(d, ir.ImportDecl) for d in comp.decls
    )
    inst = items[3]
    assert inst.decls[0].desc == ir.ExternDesc("type", None)
    assert inst.decls[1].desc == ir.ExternDesc("type", 0)


def test_canon_definitions() -> None:
    c = _component(
        """(component
          (core module $m (memory (export "mem") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
            (func (export "f") (param i32 i32)))
          (core instance $i (instantiate $m))
          (type $r (resource (rep i32)))
          (type $s (stream u8))
          (func $f (param "x" string)
            (canon lift (core func $i "f") (memory (core memory $i "mem"))
              (realloc (core func $i "realloc")) string-encoding=latin1+utf16))
          (core func (canon lower (func $f) (memory (core memory $i "mem")) async))
          (core func (canon resource.new $r))
          (core func (canon stream.read $s async (memory (core memory $i "mem"))
              (realloc (core func $i "realloc"))))
          (core func (canon waitable-set.wait (memory (core memory $i "mem"))))
          (core func (canon context.get i32 0))
          (core func (canon task.return (result string) (memory (core memory $i "mem")))))"""
    )
    items = _items(c, ir.CanonSection)
    lift = items[0]
    assert isinstance(lift, ir.CanonLift)
    assert [o.kind for o in lift.opts] == ["memory", "realloc", "latin1+utf16"]
    lower = items[1]
    assert isinstance(lower, ir.CanonLower) and [o.kind for o in lower.opts] == ["memory", "async"]
    names = [i.name for i in items[2:]]
    assert names == [
        "resource.new",
        "stream.read",
        "waitable-set.wait",
        "context.get",
        "task.return",
    ]
    assert items[4].memory is not None and items[5].valtype == "i32" and items[6].result == "string"


def test_every_builtin_opcode_decodes() -> None:
    immediates = {
        0x02: b"\x00", 0x03: b"\x00", 0x04: b"\x00", 0x05: b"", 0x06: b"\x01", 0x09: b"\x01\x00\x00",
        0x0A: b"\x7f\x00", 0x0B: b"\x7f\x00", 0x0C: b"\x00", 0x0D: b"", 0x0E: b"\x00",
        0x0F: b"\x00\x00", 0x10: b"\x00\x00", 0x11: b"\x00\x00", 0x12: b"\x00\x01", 0x13: b"\x00",
        0x14: b"\x00", 0x15: b"\x00", 0x16: b"\x00\x00", 0x17: b"\x00\x00", 0x18: b"\x00\x00",
        0x19: b"\x00\x00", 0x1A: b"\x00", 0x1B: b"\x00", 0x1C: b"\x00", 0x1D: b"\x00", 0x1E: b"",
        0x1F: b"", 0x20: b"\x00\x00", 0x21: b"\x00\x00", 0x22: b"", 0x23: b"", 0x24: b"",
        0x25: b"", 0x26: b"", 0x27: b"\x00\x00", 0x28: b"", 0x29: b"\x00", 0x2A: b"\x00",
        0x2B: b"\x00", 0x2C: b"\x00", 0x2D: b"\x00", 0x40: b"\x00", 0x41: b"\x00\x00", 0x42: b"",
    }  # fmt: skip
    for op, imm in immediates.items():
        r = Reader(bytes([op]) + imm)
        canon = read_canon(r)
        assert isinstance(canon, ir.CanonBuiltin), hex(op)
        assert r.eof(), hex(op)


def test_async_func_and_fixed_list_types_decode() -> None:
    assert read_type(Reader(b"\x43\x00\x01\x00")) == ir.FuncDef(0, (), None, True)
    assert read_type(Reader(b"\x67\x7d\x03")) == ir.ListDef(0, "u8", 3)
    assert read_type(Reader(b"\x63\x73\x79")) == ir.MapDef(0, "string", "u32")


def test_start_and_value_sections() -> None:
    value = section(12, b"\x01\x79" + leb(1) + b"\x2a")  # (value u32 42)
    export = section(11, b"\x01\x00" + string("v") + b"\x02\x00\x00")
    data = component_bytes(value, export)
    c = read(data)
    assert isinstance(c, ir.Component)
    (v,) = _items(c, ir.ValueSection)
    assert v.valtype == "u32" and v.size == 1 and data[v.data_offset] == 42
    vc = validate(c, Features(cm_values=True))
    assert vc.values[0].ty == "u32"
    start = component_bytes(section(9, b"\x00\x01\x00\x01"))
    decoded = read(start)
    assert isinstance(decoded, ir.Component)
    (s,) = [x for x in decoded.sections if isinstance(x, ir.StartSection)]
    assert (s.start.func, s.start.args, s.start.results) == (0, (0,), 1)


def test_import_export_name_forms() -> None:
    ty = section(7, b"\x01\x42\x00")
    imports = section(
        10,
        b"\x03"
        + b"\x00" + string("a") + b"\x05\x00"
        + b"\x01" + string("b:c/d") + b"\x05\x00"
        + b"\x02" + string("e") + b"\x02" + b"\x00" + string("b:c/d") + b"\x02" + string("id") + b"\x05\x00",
    )  # fmt: skip
    c = read(component_bytes(ty, imports))
    assert isinstance(c, ir.Component)
    names = [i.name for i in c.imports]
    assert names[0] == ir.ExternName("a", form=0)
    assert names[1] == ir.ExternName("b:c/d", form=1)
    assert names[2] == ir.ExternName("e", "b:c/d", None, "id", 2)
    vc = validate(c)
    assert vc.type.imports["e"].implements == "b:c/d"
    assert vc.type.imports["e"].external_id == "id"


def test_export_with_ascribed_type() -> None:
    c = _component('(component (import "f" (func $f)) (export "g" (func $f) (func)))')
    (e,) = c.exports
    assert e.sort == "func" and e.desc is not None and e.desc.sort == "func"


def test_custom_sections() -> None:
    c = _component(
        """(component $named (import "f" (func $f))
          (@producers (language "wat" "1.0") (processed-by "witkit" "0.1"))
          (@custom "component-type:x" "abc"))"""
    )
    customs = {s.name: s for s in c.customs}
    assert customs["component-type:x"].size == 3
    names = customs["component-name"].names
    assert names is not None and names.component == "named" and names.sorts["func"] == ((0, "f"),)
    producers = customs["producers"].producers
    assert producers is not None and producers.fields["language"] == (("wat", "1.0"),)


def test_invalid_name_section_is_ignored() -> None:
    bad = section(0, string("component-name") + b"\x01\xff\xff")
    c = read(component_bytes(bad))
    assert isinstance(c, ir.Component) and c.customs[0].names is None
    validate(c)
