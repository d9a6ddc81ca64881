"""Recipes: a function type's generated ABI code, reused without generating it again.

The generated lift/lower code of a function type is a function of the type's
*shape* -- its structure, names, and which of its nodes are the same object --
plus the string encoding and address type.  Generating it takes ~0.3 ms per
function, and importing the generator ~1 ms, on every start of a component,
although the answer is always the same.  A recipe keeps what generation
produced: the source's file name and text, its compiled code, and for each
object the code refers to (resource types, record classes, element types) the
*path* to it in the function type.  Another function type of the same shape
binds its own objects along the same paths and runs the same code.

Rules:

* **The shape is exact.**  Every defined type node is numbered by identity
  (and by its root's identity, which resources and record classes are shared
  by), names, labels, lengths and primitive names are spelled out, so two types
  with one shape really get the same source from the generator.
* **Only locatable objects.**  A recipe is kept only if every object of the
  generated namespace is found in the function type; binding checks that the
  objects found are as distinct as the names are, else it is not used.
* **Where they live.**  In memory, and through the ABI code cache's data slots
  (``witkit.runtime._codecache``) when one is installed, so a second process
  skips generation too.  ``WITKIT_CHECK_RECIPES=1`` makes every use of a recipe
  generate the code as well and compare (the test suite runs with it).
* **Trust.**  A recipe's code is executed, so a stored one is used only as the
  code cache's own entries are: from a directory no one else can write, framed
  with its key (the file name) and a CRC, and its shape, stored beside it, must
  be the shape asked for; anything else is a miss and is generated again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

from witkit import types as wt
from witkit._startup import blake2b
from witkit.abi import _codecache as codecache
from witkit.abi.values import Record, record_class

__all__ = ["Recipe", "bind", "checking", "find", "remember", "shape_of"]

#: bump when the recipe layout or the generator's output changes incompatibly
FORMAT = 3

#: (file name, source, code, ((name, kind, path), ...))
Recipe = tuple[str, str, Any, tuple[tuple[str, str, tuple[int, ...]], ...]]

_recipes: dict[str, Recipe | None] = {}


def checking() -> bool:
    """Whether recipe uses are checked against fresh generation (tests)."""
    return os.environ.get("WITKIT_CHECK_RECIPES") == "1"


# --------------------------------------------------------------------------- the type tree


def _children(node: object) -> tuple[object, ...]:
    """The child nodes of a type node, in a fixed order (paths index into these)."""
    if isinstance(node, wt.RecordType):
        return tuple(t for _, t in node.fields)
    if isinstance(node, wt.VariantType):
        return tuple(t for _, t in node.cases)
    if isinstance(node, wt.ListType):
        return (node.element,)
    if isinstance(node, wt.TupleType):
        return node.types
    if isinstance(node, wt.OptionType):
        return (node.value,)
    if isinstance(node, wt.ResultType):
        return (node.ok, node.err)
    if isinstance(node, wt.OwnType | wt.BorrowType):
        return (node.resource,)
    if isinstance(node, wt.StreamType):
        return (node.element,)
    if isinstance(node, wt.FutureType):
        return (node.value,)
    if isinstance(node, wt.MapType):
        return (node.key, node.value)
    return ()


def _top(ft: wt.FuncType) -> tuple[object, ...]:
    return (*(t for _, t in ft.params), ft.result)


def _label(node: object) -> str:
    """Everything about a node except its children and identity."""
    if isinstance(node, wt.RecordType):
        return "record:" + ",".join(n for n, _ in node.fields)
    if isinstance(node, wt.VariantType):
        return "variant:" + ",".join(f"{n}{'' if t is None else '+'}" for n, t in node.cases)
    if isinstance(node, wt.ListType):
        return f"list:{node.length}"
    if isinstance(node, wt.FlagsType | wt.EnumType):
        return f"{type(node).__name__}:" + ",".join(node.names)
    if isinstance(node, wt.PrimType):
        return f"prim:{node.prim}"
    if isinstance(node, wt.ResourceType):
        # the name only reaches the source's header comment and file name (wit_text)
        return f"resource:{wt.root(node).name}"
    return type(node).__name__


def shape_of(ft: wt.FuncType, encoding: str, ptr: str) -> str:
    """The shape of ``ft`` (see the module rules) as one string."""
    ids: dict[int, int] = {}
    roots: dict[int, int] = {}
    # the byte order decides whether number lists are bulk-copied (codegen's BULK)
    head = f"{FORMAT}|{sys.byteorder}|{encoding}|{ptr}|"
    out: list[str] = [head, ",".join(n for n, _ in ft.params), "|"]

    def number(table: dict[int, int], obj: object) -> int:
        return table.setdefault(id(obj), len(table))

    def walk(node: object) -> None:
        if node is None:
            out.append("-")
            return
        if isinstance(node, str):
            out.append(f"'{node}'#{number(ids, node)}")
            return
        seen = id(node) in ids
        n = number(ids, node)
        r = number(roots, _root(node))
        out.append(f"<{n}/{r}")
        if not seen:
            out.append(_label(node))
            for child in _children(node):
                walk(child)
        out.append(">")

    for node in _top(ft):
        walk(node)
    return "".join(out)


def _root(node: object) -> object:
    """The node an alias chain ends at (``witkit.types.root`` for any node)."""
    while (up := getattr(node, "alias_of", None)) is not None:
        node = up
    return node


def _nodes(ft: wt.FuncType) -> Iterator[tuple[tuple[int, ...], object]]:
    """Every node with its path, depth first (a node met again is not descended again)."""
    seen: set[int] = set()
    stack: list[tuple[tuple[int, ...], object]] = [((i,), t) for i, t in enumerate(_top(ft))]
    stack.reverse()
    while stack:
        path, node = stack.pop()
        yield path, node
        if node is None or isinstance(node, str) or id(node) in seen:
            continue
        seen.add(id(node))
        kids = _children(node)
        stack.extend(((*path, i), kid) for i, kid in reversed(list(enumerate(kids))))


def _at(ft: wt.FuncType, path: tuple[int, ...]) -> object:
    node: object = _top(ft)[path[0]]
    for step in path[1:]:
        node = _children(node)[step]
    return node


# --------------------------------------------------------------------------- recipes


def _locate(ft: wt.FuncType, value: object) -> tuple[str, tuple[int, ...]] | None:
    """How to find ``value`` again from ``ft``: (kind, path), or None."""
    if isinstance(value, type) and issubclass(value, Record):
        for path, node in _nodes(ft):
            if isinstance(node, wt.RecordType) and record_class(node) is value:
                return "record", path
        return None
    if isinstance(value, wt.ResourceType):
        for path, node in _nodes(ft):
            if isinstance(node, wt.ResourceType) and wt.root(node) is value:
                return "root", path
        return None
    for path, node in _nodes(ft):
        if node is value:
            return "obj", path
    return None


def _key(shape: str) -> str:
    return "recipe-" + blake2b(shape.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def find(shape: str) -> Recipe | None:
    """The recipe for ``shape``, from memory or the installed code cache."""
    if shape in _recipes:
        return _recipes[shape]
    found: Recipe | None = None
    cache = codecache.get_code_cache()
    get = getattr(cache, "get_data", None)
    if get is not None:
        data = get(_key(shape))
        if isinstance(data, tuple) and len(data) == 5 and data[0] == shape:
            found = data[1:]
    if found is not None:
        _recipes[shape] = found
    return found


def remember(
    shape: str, ft: wt.FuncType, filename: str, source: str, code: Any, objects: dict[str, object]
) -> None:
    """Keep what generation made for ``shape``, if every object can be found again."""
    names = []
    for name, value in objects.items():
        located = _locate(ft, value)
        if located is None:
            _recipes[shape] = None  # this shape is always generated
            return
        names.append((name, located[0], located[1]))
    recipe: Recipe = (filename, source, code, tuple(names))
    _recipes[shape] = recipe
    cache = codecache.get_code_cache()
    put = getattr(cache, "put_data", None)
    if put is not None:
        put(_key(shape), (shape, *recipe))


def bind(ft: wt.FuncType, recipe: Recipe) -> dict[str, object] | None:
    """The objects a recipe's code refers to, found in ``ft`` (None: not this shape after all)."""
    bound: dict[str, object] = {}
    for name, kind, path in recipe[3]:
        try:
            node = _at(ft, path)
        except (IndexError, TypeError):
            return None
        if kind == "record":
            if not isinstance(node, wt.RecordType):
                return None
            bound[name] = record_class(node)
        elif kind == "root":
            if not isinstance(node, wt.ResourceType):
                return None
            bound[name] = wt.root(node)
        else:
            bound[name] = node
    if len({id(v) for v in bound.values()}) != len(bound):
        return None  # generation would have given two of these one name
    return bound
