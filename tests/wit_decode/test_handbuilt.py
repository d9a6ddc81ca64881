"""Decoding hand-built component types: the decoder's rules checked without any binary.

The expected texts are what ``wasm-tools component wit`` prints for a component
with these types (see ``cases/handbuilt-*.wit``-free reasoning in each test).
"""

from __future__ import annotations

from witkit.types import (
    BorrowType,
    ComponentType,
    ExternItem,
    FuncType,
    InstanceType,
    ListType,
    OwnType,
    PrimType,
    RecordType,
    ResourceType,
    ResultType,
    TypeExtern,
    make_alias,
)
from witkit.wit.decode import decode_component_type
from witkit.wit.json import resolve_to_dict
from witkit.wit.printer import print_resolve


def _type_export(ty: object) -> tuple[ExternItem, object]:
    """An ``(export "x" (type (eq ty)))``: the item and the alias later definitions refer to."""
    created = ty if isinstance(ty, ResourceType) else make_alias(ty)  # type: ignore[type-var]
    return ExternItem(TypeExtern(ty, created)), created  # type: ignore[arg-type]


def _fn(params: tuple[tuple[str, object], ...], result: object = None) -> ExternItem:
    return ExternItem(FuncType(params, result))  # type: ignore[arg-type]


def test_use_resources_inline_and_world_items() -> None:
    file = ResourceType("file")
    file_item, _ = _type_export(file)
    point_item, point = _type_export(RecordType((("x", "u32"), ("y", "u32"))))
    own_file = OwnType(file)  # one `(own $file)` definition, used twice
    types_iface = InstanceType(
        {
            "file": file_item,
            "point": point_item,
            "[constructor]file": _fn((("name", "string"),), own_file),
            "[method]file.read": _fn(
                (("self", BorrowType(file)), ("n", "u32")),
                ResultType(ListType("u8"), "string"),
            ),
            "[static]file.open": _fn((("p", "string"),), own_file),
        }
    )

    def user_iface() -> InstanceType:
        # the outer aliases crossing into the instance type are alias copies
        upoint_item, upoint = _type_export(make_alias(point))  # type: ignore[type-var]
        f2 = ResourceType("f2", alias_of=file)
        f2_item = ExternItem(TypeExtern(f2, ResourceType("f2", alias_of=f2)))
        f2c = f2_item.ty.created  # type: ignore[union-attr]
        return InstanceType(
            {
                "point": upoint_item,
                "f2": f2_item,
                "get": _fn((("p", upoint),), OwnType(f2c)),  # type: ignore[arg-type]
                "b": _fn((("x", BorrowType(f2c)),)),  # type: ignore[arg-type]
            }
        )

    gg_item, gg = _type_export(PrimType("u32"))
    ct = ComponentType(
        imports={
            "foo:bar/types@1.0.0": ExternItem(types_iface),
            "foo:bar/user@1.0.0": ExternItem(user_iface()),
            "inline": ExternItem(InstanceType({"x": _fn(())})),
            "gg": gg_item,
            "ff": _fn((("g", gg),)),
        },
        exports={
            "run": _fn((("a", "u32"),), "string"),
            "foo:bar/user@1.0.0": ExternItem(user_iface()),
        },
    )
    resolve, world = decode_component_type(ct)
    pkg = resolve.worlds[world].package
    assert pkg is not None
    assert print_resolve(resolve, pkg) == EXPECTED_A
    doc = resolve_to_dict(resolve)
    assert [p["name"] for p in doc["packages"]] == ["foo:bar@1.0.0", "root:component"]
    assert doc["interfaces"][1]["types"] == {"point": 6, "f2": 7}


EXPECTED_A = """\
package root:component;

world root {
  import foo:bar/types@1.0.0;
  import foo:bar/user@1.0.0;
  import inline: interface {
    x: func();
  }

  type gg = u32;
  import ff: func(g: gg);

  export run: func(a: u32) -> string;
  export foo:bar/user@1.0.0;
}
package foo:bar@1.0.0 {
  interface types {
    resource file {
      constructor(name: string);
      read: func(n: u32) -> result<list<u8>, string>;
      open: static func(p: string) -> file;
    }

    record point {
      x: u32,
      y: u32,
    }
  }
  interface user {
    use types.{point, file as f2};

    get: func(p: point) -> f2;

    b: func(x: borrow<f2>);
  }
}
"""
