"""The parser: every construct of WIT.md into the syntax tree, with locations and docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from witkit.wit import ast
from witkit.wit.parser import MAX_TYPE_DEPTH, ParseError, parse_file

from .support import CASES, jco_dir

SAMPLE = """\
/// the package
package local:demo@1.2.3-rc.1+build.5;

use wasi:io/streams@0.2.12 as io-streams;

/** shapes */
@since(version = 1.0.0)
interface shapes {
    use types.{point, size as extent};

    /// a pair
    record pair { x: u32, /** why */ y: list<u8, 4> }
    variant shape { none, circle(f64), poly(list<tuple<s32, s32>>) }
    enum color { red, %green }
    flags perms { read, write }
    type maybe = option<result<_, string>>;
    type lookup = map<string, u64>;
    @unstable(feature = fancy)
    @deprecated(version = 1.1.0)
    type ticks = stream<u8>;
    resource blob {
        constructor(init: list<u8>);
        @since(version = 1.0.0)
        read: async func(n: u32) -> future<list<u8>>;
        merge: static func(a: borrow<blob>, b: own<blob>) -> blob;
    }
    %type: func() -> error-context;
}

world app {
    import host: interface { log: func(msg: string); }
    import shapes;
    import wasi:http/handler@0.2.12;
    export run: async func();
    @external-id("urn:cache")
    import cache: shapes;
    include base with { a as b, c as d }
    include wasi:cli/imports@0.2.12;
    use shapes.{pair};
    type t = u32;
}

package local:nested {
    interface inner {}
}
"""


@pytest.fixture(scope="module")
def tree() -> ast.PackageFile:
    return parse_file(SAMPLE)


def test_package_header(tree: ast.PackageFile) -> None:
    pkg = tree.package
    assert pkg is not None
    assert pkg.key() == ("local", "demo", "1.2.3-rc.1+build.5")
    assert pkg.docs.comments == ("/// the package\n",)
    assert SAMPLE[pkg.loc.start : pkg.loc.end] == "local:demo@1.2.3-rc.1+build.5"


def test_top_level_items(tree: ast.PackageFile) -> None:
    kinds = [type(item).__name__ for item in tree.items]
    assert kinds == ["ToplevelUse", "Interface", "World", "PackageFile"]
    use = tree.items[0]
    assert isinstance(use, ast.ToplevelUse)
    assert use.local_name().name == "io-streams"
    assert isinstance(use.path, ast.ForeignPath)
    assert str(use.path.package.version) == "0.2.12"
    nested = tree.items[3]
    assert isinstance(nested, ast.PackageFile) and nested.package is not None
    assert nested.package.key() == ("local", "nested", None)


def test_interface_items(tree: ast.PackageFile) -> None:
    iface = tree.items[1]
    assert isinstance(iface, ast.Interface)
    assert iface.docs.comments == ("/** shapes */",)
    assert iface.attributes == (ast.Since(ast.Version(1, 0, 0), iface.attributes[0].loc),)
    names = [
        item.name.name if isinstance(item, ast.TypeDef | ast.NamedFunc) else "use"
        for item in iface.items
    ]
    assert names == [
        "use",
        "pair",
        "shape",
        "color",
        "perms",
        "maybe",
        "lookup",
        "ticks",
        "blob",
        "type",
    ]
    use = iface.items[0]
    assert isinstance(use, ast.Use)
    assert [(n.name.name, n.as_ and n.as_.name) for n in use.names] == [
        ("point", None),
        ("size", "extent"),
    ]


def test_type_expressions(tree: ast.PackageFile) -> None:
    iface = tree.items[1]
    assert isinstance(iface, ast.Interface)
    defs = {i.name.name: i for i in iface.items if isinstance(i, ast.TypeDef)}
    pair = defs["pair"].body
    assert isinstance(pair, ast.Record)
    assert pair.fields[1].docs.comments == ("/** why */",)
    y = pair.fields[1].type
    assert isinstance(y, ast.ListOf) and y.length == 4
    maybe = defs["maybe"].body
    assert isinstance(maybe, ast.OptionOf)
    assert isinstance(maybe.value, ast.ResultOf)
    assert maybe.value.ok is None and isinstance(maybe.value.err, ast.Primitive)
    assert isinstance(defs["lookup"].body, ast.MapOf)
    ticks = defs["ticks"]
    assert [type(a).__name__ for a in ticks.attributes] == ["Unstable", "Deprecated"]
    color = defs["color"].body
    assert isinstance(color, ast.Enum)
    assert [c.name.name for c in color.cases] == ["red", "green"]


def test_resource_functions(tree: ast.PackageFile) -> None:
    iface = tree.items[1]
    assert isinstance(iface, ast.Interface)
    blob = next(i for i in iface.items if isinstance(i, ast.TypeDef) and i.name.name == "blob")
    assert isinstance(blob.body, ast.Resource)
    funcs = blob.body.funcs
    assert [(f.kind, f.func.name.name) for f in funcs] == [
        ("constructor", "constructor"),
        ("method", "read"),
        ("static", "merge"),
    ]
    assert funcs[1].func.func.is_async
    params = funcs[2].func.func.params
    assert [type(t).__name__ for _, t in params] == ["Handle", "Handle"]


def test_world_items(tree: ast.PackageFile) -> None:
    world = tree.items[2]
    assert isinstance(world, ast.World)
    summary: list[tuple[str, str]] = []
    for item in world.items:
        if isinstance(item, ast.WorldExtern):
            summary.append((item.direction, type(item.kind).__name__))
        else:
            summary.append((type(item).__name__, ""))
    assert summary == [
        ("import", "ExternInterface"),
        ("import", "ExternPath"),
        ("import", "ExternPath"),
        ("export", "ExternFunc"),
        ("import", "ExternNamedPath"),
        ("Include", ""),
        ("Include", ""),
        ("Use", ""),
        ("TypeDef", ""),
    ]
    cache = world.items[4]
    assert isinstance(cache, ast.WorldExtern)
    assert cache.attributes == (ast.ExternalId("urn:cache", cache.attributes[0].loc),)
    include = world.items[5]
    assert isinstance(include, ast.Include)
    assert [(n.name.name, n.as_.name) for n in include.names] == [("a", "b"), ("c", "d")]


def test_locations_point_at_the_text(tree: ast.PackageFile) -> None:
    world = tree.items[2]
    assert isinstance(world, ast.World)
    assert SAMPLE[world.name.loc.start : world.name.loc.end] == "app"


def test_import_label_colon_path_is_a_named_path() -> None:
    world = parse_file("world w { import a: b; import a:b/c; }").items[0]
    assert isinstance(world, ast.World)
    first, second = world.items
    assert isinstance(first, ast.WorldExtern) and isinstance(first.kind, ast.ExternNamedPath)
    assert isinstance(second, ast.WorldExtern) and isinstance(second.kind, ast.ExternPath)


def test_version_before_a_use_list() -> None:
    iface = parse_file("interface i { use a:b/c@1.0.0-rc.{x}; }").items[0]
    assert isinstance(iface, ast.Interface)
    use = iface.items[0]
    assert isinstance(use, ast.Use) and isinstance(use.path, ast.ForeignPath)
    assert str(use.path.package.version) == "1.0.0-rc"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interface i { x: func() }", "expected ';', found '}'"),
        ("interface i { record r { a u32 } }", "expected ':', found keyword `u32`"),
        ("interface { }", "expected an identifier or string, found '{'"),
        (
            "world w { foo; }",
            "expected `import`, `export`, `include`, `use`, or type definition, found an identifier",
        ),
        ("interface i { type t = list<u8, x>; }", "expected fixed-length, found an identifier"),
        ("@nope interface i {}", "unknown attribute `nope`"),
        ("@since(version = 1.0) interface i {}", "expected '.', found ')'"),
        ("package a:b@1.0.0-01; interface i {}", "invalid leading zero in pre-release identifier"),
        ("interface My {}", "invalid character in identifier 'y'"),
        (
            "interface i { resource r { async constructor(); } }",
            "expected `constructor` or identifier, found keyword `async`",
        ),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_file(text)
    assert info.value.message == message


def test_type_nesting_is_bounded() -> None:
    deep = "list<" * (MAX_TYPE_DEPTH + 1) + "u8" + ">" * (MAX_TYPE_DEPTH + 1)
    with pytest.raises(ParseError, match="type nesting too deep"):
        parse_file(f"interface i {{ type t = {deep}; }}")


def _all_wit_files() -> list[Path]:
    files = sorted(CASES.rglob("*.wit"))
    files += sorted((jco_dir() / "lib" / "wit" / "builtin").rglob("*.wit"))
    return files


@pytest.mark.parametrize("path", _all_wit_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parses_real_wit(path: Path) -> None:
    parse_file(path.read_text(encoding="utf-8"))
