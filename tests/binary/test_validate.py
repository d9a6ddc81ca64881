"""What validation resolves: the component's type, alias chains, resources, index spaces."""

from __future__ import annotations

from tests.binary.helpers import vc_of
from witkit.binary import CanonOptions, ir
from witkit.types import (
    BorrowType,
    ComponentType,
    CoreFuncType,
    FuncType,
    InstanceType,
    ListType,
    OwnType,
    RecordType,
    ResourceType,
    TypeExtern,
    root,
)

#: a WIT world ``import i; import j; export j`` where j uses i's resource and record
INTERFACES = """
(component
  (type $ti (instance
    (export "r" (type (sub resource)))
    (type $rec (record (field "x" u32)))
    (export "rec" (type (eq $rec)))
    (type $own (own 0))
    (type $ctor (func (param "x" u32) (result $own)))
    (export "[constructor]r" (func (type $ctor)))
    (type $b (borrow 0))
    (type $get (func (param "self" $b) (result u32)))
    (export "[method]r.get" (func (type $get)))
  ))
  (import "a:b/i" (instance $i (type $ti)))
  (alias export $i "r" (type $r))
  (alias export $i "rec" (type $rec))
  (type $tj (instance
    (alias outer 1 $r (type))
    (export "r" (type (eq 0)))
    (alias outer 1 $rec (type))
    (export "rec" (type (eq 2)))
    (type (borrow 1))
    (type (own 1))
    (type (func (param "x" 4) (param "y" 3) (result 5)))
    (export "f" (func (type 6)))
  ))
  (import "a:b/j" (instance $j (type $tj)))
)
"""


def _inst(ty: ComponentType, name: str) -> InstanceType:
    inst = ty.imports[name].ty
    assert isinstance(inst, InstanceType)
    return inst


def _type(inst: InstanceType, name: str) -> TypeExtern:
    t = inst.exports[name].ty
    assert isinstance(t, TypeExtern)
    return t


def test_imports_in_binary_order() -> None:
    vc = vc_of(INTERFACES)
    assert list(vc.type.imports) == ["a:b/i", "a:b/j"]
    assert list(_inst(vc.type, "a:b/i").exports) == ["r", "rec", "[constructor]r", "[method]r.get"]


def test_use_is_an_alias_chain_to_the_first_interface() -> None:
    vc = vc_of(INTERFACES)
    i, j = _inst(vc.type, "a:b/i"), _inst(vc.type, "a:b/j")
    i_r, j_r = _type(i, "r"), _type(j, "r")
    # `(export "r" (type (eq 0)))` in j: a copy whose alias_of is exactly what i exports
    assert j_r.created.alias_of is i_r.created
    assert j_r.referenced is i_r.created
    i_rec, j_rec = _type(i, "rec"), _type(j, "rec")
    assert isinstance(j_rec.created, RecordType)
    assert j_rec.created.alias_of is i_rec.created
    assert isinstance(i_rec.created, RecordType)
    assert isinstance(i_rec.referenced, RecordType)
    assert i_rec.created.alias_of is i_rec.referenced


def test_resources_are_created_by_sub_resource_exports() -> None:
    vc = vc_of(INTERFACES)
    i = _inst(vc.type, "a:b/i")
    r = _type(i, "r")
    assert isinstance(r.created, ResourceType)
    assert r.created is r.referenced
    assert r.created.name == "r"
    ctor = i.exports["[constructor]r"].ty
    assert isinstance(ctor, FuncType) and isinstance(ctor.result, OwnType)
    assert ctor.result.resource is r.created
    get = i.exports["[method]r.get"].ty
    assert isinstance(get, FuncType) and isinstance(get.params[0][1], BorrowType)
    j = _inst(vc.type, "a:b/j")
    f = j.exports["f"].ty
    assert isinstance(f, FuncType)
    assert isinstance(f.result, OwnType)
    assert f.result.resource is _type(j, "r").created
    assert root(f.result.resource) is r.created


def test_importing_an_instance_type_freshens_its_resources() -> None:
    vc = vc_of(
        """(component
          (type $t (instance (export "r" (type (sub resource)))
                             (type (own 0)) (type (func (result 1))) (export "f" (func (type 2)))))
          (import "a" (instance (type $t)))
          (import "b" (instance (type $t))))"""
    )
    a, b = _inst(vc.type, "a"), _inst(vc.type, "b")
    ra, rb = _type(a, "r").created, _type(b, "r").created
    assert isinstance(ra, ResourceType) and isinstance(rb, ResourceType)
    assert root(ra) is not root(rb)
    fa, fb = a.exports["f"].ty, b.exports["f"].ty
    assert isinstance(fa, FuncType) and isinstance(fb, FuncType)
    assert isinstance(fa.result, OwnType) and fa.result.resource is ra
    assert isinstance(fb.result, OwnType) and fb.result.resource is rb
    # the declared instance type itself keeps its own (abstract) resource
    declared = vc.types[0].ty
    assert isinstance(declared, InstanceType)
    assert _type(declared, "r").created is not ra


def test_index_spaces_and_origins() -> None:
    vc = vc_of(
        """(component
          (import "log" (func $log (param "m" string)))
          (core module $m
            (memory (export "mem") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
            (func (export "run")))
          (core instance $i (instantiate $m))
          (core func $lowered (canon lower (func $log)
            (memory (core memory $i "mem")) string-encoding=utf16))
          (func $run (canon lift (core func $i "run")))
          (export "run" (func $run)))"""
    )
    assert [type(e.origin) for e in vc.funcs] == [ir.Import, ir.CanonLift, ir.Export]
    assert isinstance(vc.core_modules[0].origin, ir.CoreModule)
    assert isinstance(vc.core_instances[0].origin, ir.CoreInstantiate)
    (lowered,) = [e for e in vc.core_funcs if isinstance(e.origin, ir.CanonLower)]
    assert isinstance(lowered.ty, CoreFuncType)
    assert lowered.ty.params == ("i32", "i32") and lowered.ty.results == ()
    assert lowered.options == CanonOptions(string_encoding="utf16", memory=0)
    assert vc.core_memories[0].ty.minimum == 1
    assert list(vc.type.exports) == ["run"]


def test_nested_components_are_validated_and_kept() -> None:
    vc = vc_of(
        """(component
          (component $inner (import "x" (func)) (export "y" (func 0)))
          (import "x" (func $x))
          (instance $i (instantiate $inner (with "x" (func $x))))
          (export "y" (func $i "y")))"""
    )
    entry = vc.components[0]
    assert entry.nested is not None
    assert list(entry.nested.type.imports) == ["x"]
    assert entry.ty is entry.nested.type
    inst = vc.instances[0].ty
    assert isinstance(inst, InstanceType) and list(inst.exports) == ["y"]


def test_instantiating_a_component_freshens_its_defined_resources() -> None:
    vc = vc_of(
        """(component
          (component $c
            (type $r (resource (rep i32)))
            (export $e "r" (type $r))
            (core module $m (func (export "f") (param i32) (result i32) local.get 0))
            (core instance $i (instantiate $m))
            (type $o (own $e))
            (func (export "mk") (param "x" u32) (result $o) (canon lift (core func $i "f"))))
          (instance $a (instantiate $c))
          (instance $b (instantiate $c))
          (export "a" (instance $a))
          (export "b" (instance $b)))"""
    )
    a, b = vc.type.exports["a"].ty, vc.type.exports["b"].ty
    assert isinstance(a, InstanceType) and isinstance(b, InstanceType)
    ra, rb = _type(a, "r").created, _type(b, "r").created
    assert isinstance(ra, ResourceType) and isinstance(rb, ResourceType)
    assert root(ra) is not root(rb)
    mk = a.exports["mk"].ty
    assert isinstance(mk, FuncType) and isinstance(mk.result, OwnType)
    assert root(mk.result.resource) is root(ra)


def test_defined_resource_details() -> None:
    vc = vc_of(
        """(component
          (core module $m (func (export "dtor") (param i32)))
          (core instance $i (instantiate $m))
          (alias core export $i "dtor" (core func $d))
          (type $r (resource (rep i32) (dtor (core func $d))))
          (core func (canon resource.new $r))
          (core func (canon resource.rep $r))
          (export "r" (type $r)))"""
    )
    r = vc.types[0].ty
    assert isinstance(r, ResourceType)
    assert r.defined and r.rep == "i32" and r.dtor == 0
    assert r.name == "r"
    new = vc.core_funcs[1].ty
    assert new.params == ("i32",) and new.results == ("i32",)
    exported = vc.type.exports["r"].ty
    assert isinstance(exported, TypeExtern) and exported.created.alias_of is r


def test_fixed_length_lists_and_maps_resolve() -> None:
    vc = vc_of("(component (type (list u8)) (type (map string u32)))")
    lst = vc.types[0].ty
    assert isinstance(lst, ListType) and lst.element == "u8" and lst.length is None
