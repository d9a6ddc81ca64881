"""Random WIT packages, for differential testing of the decoder against wasm-tools.

A hypothesis strategy writes a package of a few interfaces and one world:
interfaces define records, variants, enums, flags, aliases and resources (with
constructors, methods and statics) and functions over them, ``use`` types of
earlier interfaces (sometimes renamed), and the world imports and exports
interfaces, inline interfaces, functions and types.  Everything it writes is
meant to be valid WIT; the test discards the rare draw wasm-tools refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

PRIMS = ("bool", "u8", "s16", "u32", "s64", "f32", "f64", "char", "string")


@dataclass
class _Scope:
    """What a block can refer to: value types by name, and resources by name."""

    types: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)


def _type_expr(draw: st.DrawFn, scope: _Scope, depth: int = 0) -> str:
    choices = ["prim"] * 3 + (["named"] * 3 if scope.types else [])
    choices += ["own"] if scope.resources else []
    if depth < 2:
        choices += ["list", "option", "result", "tuple"]
    kind = draw(st.sampled_from(choices))
    if kind == "prim":
        return draw(st.sampled_from(PRIMS))
    if kind == "named":
        return draw(st.sampled_from(scope.types))
    if kind == "own":
        return draw(st.sampled_from(scope.resources))
    if kind == "list":
        return f"list<{_type_expr(draw, scope, depth + 1)}>"
    if kind == "option":
        return f"option<{_type_expr(draw, scope, depth + 1)}>"
    if kind == "tuple":
        n = draw(st.integers(1, 3))
        return "tuple<" + ", ".join(_type_expr(draw, scope, depth + 1) for _ in range(n)) + ">"
    ok = draw(st.none() | st.just(1))
    err = draw(st.none() | st.just(1))
    if ok is None and err is None:
        return "result"
    ok_t = "_" if ok is None else _type_expr(draw, scope, depth + 1)
    if err is None:
        return f"result<{ok_t}>"
    return f"result<{ok_t}, {_type_expr(draw, scope, depth + 1)}>"


def _func(draw: st.DrawFn, scope: _Scope, *, borrow: bool = True) -> str:
    params = []
    for i in range(draw(st.integers(0, 3))):
        if borrow and scope.resources and draw(st.booleans()):
            params.append(f"p{i}: borrow<{draw(st.sampled_from(scope.resources))}>")
        else:
            params.append(f"p{i}: {_type_expr(draw, scope)}")
    result = "" if draw(st.booleans()) else f" -> {_type_expr(draw, scope)}"
    return f"func({', '.join(params)}){result}"


def _typedefs(draw: st.DrawFn, scope: _Scope, prefix: str, lines: list[str]) -> None:
    """Named type definitions appended to ``lines``, each added to ``scope`` after it is defined."""
    for i in range(draw(st.integers(0, 4))):
        name = f"{prefix}t{i}"
        kind = draw(st.sampled_from(["record", "variant", "enum", "flags", "alias", "resource"]))
        if kind == "record":
            fields = ", ".join(
                f"f{j}: {_type_expr(draw, scope)}" for j in range(draw(st.integers(1, 3)))
            )
            lines.append(f"record {name} {{ {fields} }}")
        elif kind == "variant":
            cases = []
            for j in range(draw(st.integers(1, 3))):
                payload = draw(st.booleans())
                cases.append(f"c{j}({_type_expr(draw, scope)})" if payload else f"c{j}")
            lines.append(f"variant {name} {{ {', '.join(cases)} }}")
        elif kind == "enum":
            lines.append(
                f"enum {name} {{ {', '.join(f'e{j}' for j in range(draw(st.integers(1, 3))))} }}"
            )
        elif kind == "flags":
            lines.append(
                f"flags {name} {{ {', '.join(f'g{j}' for j in range(draw(st.integers(1, 3))))} }}"
            )
        elif kind == "alias":
            lines.append(f"type {name} = {_type_expr(draw, scope)};")
        else:
            scope.resources.append(name)
            body = []
            if draw(st.booleans()):
                body.append(
                    f"constructor({', '.join(f'a{j}: {_type_expr(draw, scope)}' for j in range(draw(st.integers(0, 2))))});"
                )
            for j in range(draw(st.integers(0, 2))):
                body.append(f"m{j}: {_func(draw, scope)};")
            if draw(st.booleans()):
                body.append(f"s0: static {_func(draw, scope)};")
            lines.append(f"resource {name} {{ {' '.join(body)} }}" if body else f"resource {name};")
            continue
        scope.types.append(name)


@st.composite
def wit_packages(draw: st.DrawFn) -> str:
    """The text of one random WIT package with a world named ``w``."""
    version = draw(st.sampled_from(["", "@1.0.0", "@0.2.1-rc"]))
    out = [f"package gen:pkg{version};", ""]
    exported: list[tuple[str, list[str], list[str]]] = []  # (iface, types, resources)
    for i in range(draw(st.integers(1, 4))):
        name = f"i{i}"
        scope = _Scope()
        lines: list[str] = []
        for other, types, resources in exported:
            pool = types + resources
            if pool and draw(st.booleans()):
                picked = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
                items = []
                for t in picked:
                    alias = f"{t}-{name}" if draw(st.booleans()) else t
                    if alias in scope.types or alias in scope.resources:
                        continue
                    items.append(t if alias == t else f"{t} as {alias}")
                    (scope.resources if t in resources else scope.types).append(alias)
                if items:
                    lines.append(f"use {other}.{{{', '.join(items)}}};")
        _typedefs(draw, scope, f"{name}-", lines)
        for j in range(draw(st.integers(0, 3))):
            lines.append(f"f{j}: {_func(draw, scope)};")
        out.append(f"interface {name} {{")
        out += [f"  {line}" for line in lines]
        out.append("}")
        exported.append((name, list(scope.types), list(scope.resources)))

    world = ["world w {"]
    names = [e[0] for e in exported]
    imports = draw(st.lists(st.sampled_from(names), unique=True))
    world += [f"  import {n};" for n in imports]
    scope = _Scope()
    for iface, types, resources in exported:
        if iface in imports and (types or resources) and draw(st.booleans()):
            t = draw(st.sampled_from(types + resources))
            world.append(f"  use {iface}.{{{t}}};")
            (scope.resources if t in resources else scope.types).append(t)
    lines: list[str] = []
    _typedefs(draw, scope, "w-", lines)
    world += [f"  {line}" for line in lines]
    for j in range(draw(st.integers(0, 2))):
        world.append(f"  import wf{j}: {_func(draw, scope)};")
    if draw(st.booleans()):
        world.append(f"  import inl: interface {{ g: {_func(draw, _Scope(), borrow=False)}; }}")
    exports = draw(st.lists(st.sampled_from(names), unique=True))
    world += [f"  export {n};" for n in exports if n not in imports]
    for j in range(draw(st.integers(0, 2))):
        world.append(f"  export xf{j}: {_func(draw, scope, borrow=False)};")
    if draw(st.booleans()):
        world.append(f"  export xinl: interface {{ h: {_func(draw, _Scope(), borrow=False)}; }}")
    world.append("}")
    return "\n".join([*out, "", *world]) + "\n"
