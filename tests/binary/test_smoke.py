"""The public API end to end on a small hand-written component."""

from __future__ import annotations

import wasmtime

from witkit.binary import ValidatedComponent, ir, read, validate
from witkit.types import FuncType, InstanceType, OwnType, ResourceType, TypeExtern, root

WAT = """
(component
  (type $i (instance
    (export "r" (type (sub resource)))
    (type $o (own 0))
    (type $f (func (param "x" u32) (result $o)))
    (export "[constructor]r" (func (type $f)))
  ))
  (import "a:b/i" (instance $inst (type $i)))
  (core module $m
    (memory (export "mem") 1)
    (func (export "f") (param i32) (result i32) local.get 0)
  )
  (core instance $ci (instantiate $m))
  (type $ft (func (param "a" u32) (result u32)))
  (func $lifted (type $ft) (canon lift (core func $ci "f")))
  (export "f" (func $lifted))
)
"""


def test_read_and_validate() -> None:
    component = read(wasmtime.wat2wasm(WAT))
    assert isinstance(component, ir.Component)
    vc = validate(component)
    assert isinstance(vc, ValidatedComponent)
    assert list(vc.type.imports) == ["a:b/i"]
    assert list(vc.type.exports) == ["f"]
    inst = vc.type.imports["a:b/i"].ty
    assert isinstance(inst, InstanceType)
    r = inst.exports["r"].ty
    assert isinstance(r, TypeExtern)
    assert isinstance(r.created, ResourceType)
    ctor = inst.exports["[constructor]r"].ty
    assert isinstance(ctor, FuncType)
    assert isinstance(ctor.result, OwnType)
    assert root(ctor.result.resource) is root(r.created)
