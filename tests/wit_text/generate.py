"""Random valid WIT packages, for property tests (hypothesis strategies).

A package is generated as a small *plan* -- interfaces with types in dependency
order, functions, ``use``s of earlier interfaces, worlds importing and exporting
them -- and written out as WIT source.  Everything is valid by construction:
names are unique per scope (a kind prefix and a counter), types only mention
types defined before them, ``borrow`` appears only as a parameter, map keys are
primitives, and exported interfaces bring their dependencies along.

This writes *source text* for the parser to read; it is not a printer of models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

PRIMITIVES = [
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
]
KEY_TYPES = ["bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"]


@dataclass
class Names:
    """A counter shared by a whole package, so generated names never collide."""

    counter: int = 0


@dataclass
class Scope:
    """What an interface (or world) has defined so far, by name."""

    names: Names = field(default_factory=Names)
    values: list[str] = field(default_factory=list)  # types usable as values
    resources: list[str] = field(default_factory=list)

    def fresh(self, prefix: str) -> str:
        self.names.counter += 1
        return f"{prefix}{self.names.counter}"


def type_expr(draw: st.DrawFn, scope: Scope, depth: int = 0) -> str:
    """A value type: primitive, named, or an anonymous type built from them."""
    choices = ["prim", "prim"]
    if scope.values:
        choices += ["named", "named"]
    if scope.resources:
        choices.append("own")
    if depth < 2:
        choices += ["list", "fixed", "option", "result", "tuple", "map", "future", "stream"]
    kind = draw(st.sampled_from(choices))
    inner = depth + 1
    if kind == "prim":
        return draw(st.sampled_from(PRIMITIVES))
    if kind == "named":
        return draw(st.sampled_from(scope.values))
    if kind == "own":
        res = draw(st.sampled_from(scope.resources))
        return draw(st.sampled_from([res, f"own<{res}>"]))
    if kind == "list":
        return f"list<{type_expr(draw, scope, inner)}>"
    if kind == "fixed":
        return f"list<{type_expr(draw, scope, inner)}, {draw(st.integers(1, 8))}>"
    if kind == "option":
        return f"option<{type_expr(draw, scope, inner)}>"
    if kind == "result":
        form = draw(st.sampled_from(["both", "ok", "err", "bare"]))
        if form == "bare":
            return "result"
        if form == "ok":
            return f"result<{type_expr(draw, scope, inner)}>"
        if form == "err":
            return f"result<_, {type_expr(draw, scope, inner)}>"
        return f"result<{type_expr(draw, scope, inner)}, {type_expr(draw, scope, inner)}>"
    if kind == "tuple":
        n = draw(st.integers(1, 3))
        return "tuple<" + ", ".join(type_expr(draw, scope, inner) for _ in range(n)) + ">"
    if kind == "map":
        return f"map<{draw(st.sampled_from(KEY_TYPES))}, {type_expr(draw, scope, inner)}>"
    payload = draw(st.booleans())
    word = "future" if kind == "future" else "stream"
    return f"{word}<{type_expr(draw, scope, inner)}>" if payload else word


def docs(draw: st.DrawFn, indent: str) -> str:
    if draw(st.integers(0, 4)) != 0:
        return ""
    text = draw(st.sampled_from(["Does a thing.", "Two\n  lines", "`code` and *emphasis*"]))
    style = draw(st.sampled_from(["line", "block"]))
    if style == "block":
        return f"{indent}/** {text} */\n"
    return "".join(f"{indent}/// {line}\n" for line in text.split("\n"))


def func_sig(draw: st.DrawFn, scope: Scope, *, allow_borrow: bool = True) -> str:
    params = []
    for i in range(draw(st.integers(0, 3))):
        if allow_borrow and scope.resources and draw(st.integers(0, 3)) == 0:
            ty = f"borrow<{draw(st.sampled_from(scope.resources))}>"
        else:
            ty = type_expr(draw, scope)
        params.append(f"p{i}: {ty}")
    result = f" -> {type_expr(draw, scope)}" if draw(st.booleans()) else ""
    prefix = "async " if draw(st.integers(0, 5)) == 0 else ""
    return f"{prefix}func({', '.join(params)}){result}"


@st.composite
def interface_body(
    draw: st.DrawFn,
    uses: list[tuple[str, list[str], list[str]]],
    indent: str,
    names: Names,
    versioned: bool = False,
) -> tuple[str, Scope]:
    """Items of an interface; ``uses`` are (interface, value types, resources) it may use."""
    scope = Scope(names)
    lines: list[str] = []
    for iface, values, resources in uses:
        if (not values and not resources) or not draw(st.booleans()):
            continue
        picked = draw(
            st.lists(st.sampled_from(values + resources), min_size=1, max_size=3, unique=True)
        )
        imported: list[str] = []
        for name in picked:
            local = scope.fresh("alias") if draw(st.booleans()) else name
            if local in scope.values or local in scope.resources:
                continue
            imported.append(name if local == name else f"{name} as {local}")
            (scope.resources if name in resources else scope.values).append(local)
        if imported:
            lines.append(f"{indent}use {iface}.{{{', '.join(imported)}}};")
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["alias", "record", "variant", "enum", "flags", "resource"]))
        name = scope.fresh("t")
        doc = docs(draw, indent)
        if kind == "alias":
            lines.append(f"{doc}{indent}type {name} = {type_expr(draw, scope)};")
        elif kind == "record":
            fields = [f"f{i}: {type_expr(draw, scope)}" for i in range(draw(st.integers(1, 3)))]
            lines.append(f"{doc}{indent}record {name} {{ {', '.join(fields)} }}")
        elif kind == "variant":
            cases = []
            for i in range(draw(st.integers(1, 3))):
                payload = f"({type_expr(draw, scope)})" if draw(st.booleans()) else ""
                cases.append(f"c{i}{payload}")
            lines.append(f"{doc}{indent}variant {name} {{ {', '.join(cases)} }}")
        elif kind == "enum":
            cases = [f"e{i}" for i in range(draw(st.integers(1, 4)))]
            lines.append(f"{doc}{indent}enum {name} {{ {', '.join(cases)} }}")
        elif kind == "flags":
            flags = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
            lines.append(f"{doc}{indent}flags {name} {{ {', '.join(flags)} }}")
        else:
            scope.resources.append(name)
            members = []
            if draw(st.booleans()):
                params = ", ".join(
                    f"a{i}: {type_expr(draw, scope)}" for i in range(draw(st.integers(0, 2)))
                )
                members.append(f"constructor({params});")
            for i in range(draw(st.integers(0, 2))):
                static = "static " if draw(st.booleans()) else ""
                members.append(f"m{i}: {static}{func_sig(draw, scope)};")
            body = " ".join(members)
            lines.append(
                f"{doc}{indent}resource {name}"
                + (f" {{ {body} }}" if body or draw(st.booleans()) else ";")
            )
            continue
        scope.values.append(name)
    for _ in range(draw(st.integers(0, 3))):
        gate = draw(gates(indent, versioned))
        lines.append(
            f"{docs(draw, indent)}{gate}{indent}{scope.fresh('fn')}: {func_sig(draw, scope)};"
        )
    return "\n".join(lines), scope


@st.composite
def gates(draw: st.DrawFn, indent: str, versioned: bool) -> str:
    """Nothing, an ``@unstable`` gate, or (in a versioned package) a ``@since`` gate."""
    choice = draw(st.sampled_from(["none", "none", "unstable", "since"]))
    if choice == "unstable":
        feature = draw(st.sampled_from(["fancy", "other"]))
        return f"{indent}@unstable(feature = {feature})\n"
    if choice == "since" and versioned:
        deprecated = f"{indent}@deprecated(version = 0.1.0)\n" if draw(st.booleans()) else ""
        return f"{indent}@since(version = 0.1.0)\n{deprecated}"
    return ""


@st.composite
def wit_packages(draw: st.DrawFn) -> str:
    """The text of one valid WIT file: a package with interfaces and worlds."""
    version = draw(st.sampled_from(["", "@0.1.0", "@1.2.3", "@2.0.0-rc.1"]))
    out = [f"{docs(draw, '')}package gen:pkg{version};", ""]
    names = Names()
    exported: list[tuple[str, Scope]] = []
    ifaces: list[str] = []
    for i in range(draw(st.integers(1, 4))):
        name = f"iface{i}"
        uses = [(n, s.values, s.resources) for n, s in exported]
        body, scope = draw(interface_body(uses, "  ", names, bool(version)))
        out.append(f"{docs(draw, '')}interface {name} {{\n{body}\n}}\n")
        exported.append((name, scope))
        ifaces.append(name)
    for w in range(draw(st.integers(0, 2))):
        items = []
        imports = draw(st.lists(st.sampled_from(ifaces), max_size=3, unique=True))
        items += [f"  import {i};" for i in imports]
        # Exporting an interface exports everything it uses too (no split imports).
        exports = draw(st.lists(st.sampled_from(ifaces), max_size=2, unique=True))
        if exports:
            start = min(ifaces.index(e) for e in exports)
            items += [f"  export {i};" for i in ifaces[start:]]
        for f in range(draw(st.integers(0, 2))):
            direction = draw(st.sampled_from(["import", "export"]))
            sig = func_sig(draw, Scope(names), allow_borrow=False)
            items.append(f"  {direction} w{w}f{f}: {sig};")
        if draw(st.booleans()):
            body, _ = draw(interface_body([], "    ", names))
            items.append(f"  import inline{w}: interface {{\n{body}\n  }}")
        if draw(st.booleans()) and ifaces:
            items.append(f"  import label{w}: {draw(st.sampled_from(ifaces))};")
        if draw(st.booleans()):
            # World-level types: a `use`, an alias and a resource of the world's own.
            world_scope = Scope(names)
            candidates = [(n, sc) for n, sc in exported if sc.values]
            if candidates:
                iface, sc = draw(st.sampled_from(candidates))
                used = draw(st.sampled_from(sc.values))
                local = world_scope.fresh("wu")
                items.append(f"  use {iface}.{{{used} as {local}}};")
                world_scope.values.append(local)
            alias = world_scope.fresh("wt")
            items.append(f"  type {alias} = {type_expr(draw, world_scope)};")
            world_scope.values.append(alias)
            res = world_scope.fresh("wr")
            items.append(f"  resource {res} {{ m: func() -> {alias}; }}")
            world_scope.resources.append(res)
            sig = func_sig(draw, world_scope)
            items.append(f"  import w{w}g: {sig};")
        if w == 1 and draw(st.booleans()):
            items.append("  include world0;")
        out.append(f"world world{w} {{\n" + "\n".join(items) + "\n}\n")
    return "\n".join(out)
