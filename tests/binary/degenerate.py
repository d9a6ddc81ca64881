"""Degenerate binaries a hostile input can take, built at any size ``n``.

Shared by ``tests/security/test_reader_cost.py`` (small ``n``, checks that the
cost grows linearly) and ``benchmarks/bench_degenerate.py`` (large ``n``,
compares with ``wasm-tools validate``).  Each builder returns the bytes of a
component; what the reader and the validator must do with it (accept or
reject, and how cheaply) is in ``SHAPES``.  Everything is made of a few
repeated byte patterns, so building even the 15 MB shapes takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from tests.binary.helpers import CORE_PREAMBLE, PREAMBLE, leb, section
from tests.binary.helpers import component_bytes as component
from witkit.binary.encode import sleb

__all__ = ["SHAPES", "Shape", "component", "leb", "section"]

#: component section ids whose body is a vector (an empty one is ``id 01 00``)
_VECTOR_SECTIONS = (2, 3, 5, 6, 7, 8, 10, 11)


def _name(s: bytes) -> bytes:
    return leb(len(s)) + s


# --------------------------------------------------------------------------- shapes


def empty_sections(n: int) -> bytes:
    """``n`` empty type sections (``07 01 00``): valid, 3 bytes each (the issue's 15 MB file)."""
    return PREAMBLE + b"\x07\x01\x00" * n


def empty_sections_mixed(n: int) -> bytes:
    """``n`` empty sections of every vector kind in turn, then a malformed one at the very end."""
    pattern = b"".join(bytes([sid, 1, 0]) for sid in _VECTOR_SECTIONS)
    reps, rest = divmod(n, len(_VECTOR_SECTIONS))
    body = pattern * reps + pattern[: 3 * rest]
    return PREAMBLE + body + b"\x0d\x01\x00"  # section id 13 does not exist


def tiny_customs(n: int) -> bytes:
    """``n`` custom sections with an empty name and no payload (``00 01 00``): valid."""
    return PREAMBLE + b"\x00\x01\x00" * n


def named_customs(n: int) -> bytes:
    """``n`` custom sections named ``producers`` whose payload is an empty field vector."""
    return PREAMBLE + section(0, _name(b"producers") + b"\x00") * n


def big_name_section(n: int) -> bytes:
    """A ``component-name`` section naming ``n`` items, spread over all 13 sorts: valid.

    Names are advisory, so no validator looks at them, but the reader parses them.
    """
    sorts = [b"\x00" + bytes([k]) for k in (0, 1, 2, 3, 4, 0x10, 0x11, 0x12)]
    sorts += [bytes([k]) for k in (1, 2, 3, 4, 5)]
    per = n // len(sorts)
    entries = b"".join(leb(i) + b"\x00" for i in range(per))
    payload = b"".join(
        b"\x01" + leb(len(sort) + len(leb(per)) + len(entries)) + sort + leb(per) + entries
        for sort in sorts
    )
    return component(section(0, _name(b"component-name") + payload))


def core_module_customs(n: int) -> bytes:
    """One core module made of ``n`` empty-named custom sections: valid."""
    module = CORE_PREAMBLE + b"\x00\x01\x00" * n
    return component(section(1, module))


def many_types(n: int) -> bytes:
    """One type section of ``n`` ``bool`` types: invalid beyond 1 000 000 types."""
    return component(section(7, leb(n) + b"\x7f" * n))


def many_type_sections(n: int) -> bytes:
    """``n`` type sections of one ``bool`` type each: invalid beyond 1 000 000 types."""
    return PREAMBLE + b"\x07\x02\x01\x7f" * n


def many_instances(n: int) -> bytes:
    """One instance section of ``n`` empty inline instances: invalid beyond 1 000 instances."""
    return component(section(5, leb(n) + b"\x01\x00" * n))


def many_instance_sections(n: int) -> bytes:
    """``n`` instance sections of one empty inline instance each: invalid beyond 1 000."""
    return PREAMBLE + b"\x05\x03\x01\x01\x00" * n


def many_aliases(n: int) -> bytes:
    """A nested component aliasing its parent's type ``n`` times: invalid beyond 1 000 000 types."""
    inner = component(section(6, leb(n) + b"\x03\x02\x01\x00" * n))
    return component(section(7, b"\x01\x7f"), section(4, inner))


def many_alias_sections(n: int) -> bytes:
    """``many_aliases`` with one alias per section: invalid beyond 1 000 000 types."""
    inner = PREAMBLE + b"\x06\x05\x01\x03\x02\x01\x00" * n
    return component(section(7, b"\x01\x7f"), section(4, inner))


def many_exports(n: int) -> bytes:
    """``n`` exports of one type under distinct names: valid (wasm-tools allows 1 000 000)."""
    names = b"".join(b"\x00" + _name(b"e%d" % i) + b"\x03\x00\x00" for i in range(n))
    return component(section(7, b"\x01\x7f"), section(11, leb(n) + names))


def many_imports_long_names(n: int) -> bytes:
    """``n`` imports of type bounds whose names are ~100 000-byte kebab words: valid."""
    items = []
    for i in range(n):
        word = b"a" * 99_990 + b"-" + b"x%d" % i
        items.append(b"\x00" + _name(word) + b"\x03\x01")
    return component(section(10, leb(n) + b"".join(items)))


def many_resource_imports(n: int) -> bytes:
    """``n`` imported resource types (``(import "rN" (type (sub resource)))``): valid."""
    items = b"".join(b"\x00" + _name(b"r%d" % i) + b"\x03\x01" for i in range(n))
    return component(section(10, leb(n) + items))


def big_instance_type(n: int) -> bytes:
    """One instance type exporting ``n`` resources, imported once: valid."""
    decls = b"".join(b"\x04\x00" + _name(b"r%d" % i) + b"\x03\x01" for i in range(n))
    ty = section(7, b"\x01\x42" + leb(n) + decls)
    return component(ty, section(10, b"\x01\x00" + _name(b"i") + b"\x05\x00"))


def big_component_type(n: int) -> bytes:
    """One component type importing ``n`` resources and exporting as many: valid."""
    imports = b"".join(b"\x03\x00" + _name(b"r%d" % i) + b"\x03\x01" for i in range(n))
    exports = b"".join(b"\x04\x00" + _name(b"e%d" % i) + b"\x03\x00" + leb(i) for i in range(n))
    return component(section(7, b"\x01\x41" + leb(2 * n) + imports + exports))


def many_core_modules(n: int) -> bytes:
    """``n`` empty core modules: invalid beyond 1 000 modules."""
    return PREAMBLE + section(1, CORE_PREAMBLE) * n


def deep_components(n: int) -> bytes:
    """Components nested ``n`` deep: invalid beyond 1 000 levels; never a ``RecursionError``."""
    data = PREAMBLE
    for _ in range(n):
        data = PREAMBLE + section(4, data)
    return data


def deep_instance_types(n: int) -> bytes:
    """An instance type declaring an instance type ... ``n`` deep: invalid beyond 100 levels."""
    return component(section(7, b"\x01" + b"\x42\x01\x01" * n + b"\x42\x00"))


def deep_value_types(n: int) -> bytes:
    """``n`` types, each a ``list`` of the one before: invalid once they nest beyond 100."""
    types = b"\x7f" + b"".join(b"\x70" + sleb(i) for i in range(n - 1))
    return component(section(7, leb(n) + types))


def type_dag_exports(n: int) -> bytes:
    """Two copies of ``t(i) = tuple<t(i-1), t(i-1)>`` (18 deep: 2**18 paths, within the
    type size limit), a function imported with one and exported ``n`` times ascribed the
    other: each export's subtype check would walk every path.  Invalid (the component's
    type grows past the type size limit at the first export), but only a few hundred bytes.
    """
    depth = 18
    types = []
    for base in (0, depth + 1):
        types.append(b"\x7d")
        types += [b"\x6f\x02" + sleb(base + i - 1) * 2 for i in range(1, depth + 1)]
    fa = len(types)
    types.append(b"\x40\x01\x01p" + sleb(depth) + b"\x01\x00")
    fb = len(types)
    types.append(b"\x40\x01\x01p" + sleb(2 * depth + 1) + b"\x01\x00")
    exports = b"".join(
        b"\x00" + _name(b"e%d" % i) + b"\x01\x00\x01\x01" + leb(fb) for i in range(n)
    )
    return component(
        section(7, leb(len(types)) + b"".join(types)),
        section(10, b"\x01\x00\x01a\x01" + leb(fa)),
        section(11, leb(n) + exports),
    )


def huge_counts(n: int) -> bytes:
    """``n`` sections, each a vector whose count says 2**32-1 and whose items are missing."""
    lie = b"\xff\xff\xff\xff\x0f"
    pattern = b"".join(bytes([sid, len(lie)]) + lie for sid in _VECTOR_SECTIONS)
    return PREAMBLE + pattern * (n // len(_VECTOR_SECTIONS) + 1)


class Shape(NamedTuple):
    build: Callable[[int], bytes]
    #: ``n`` for the issue's 15 MB file size (or the largest size worth running)
    full: int
    #: whether ``wasm-tools validate`` accepts it at the full size
    valid: bool


SHAPES: dict[str, Shape] = {
    "empty_sections": Shape(empty_sections, 5_000_000, True),
    "empty_sections_mixed": Shape(empty_sections_mixed, 5_000_000, False),
    "tiny_customs": Shape(tiny_customs, 5_000_000, True),
    "named_customs": Shape(named_customs, 1_200_000, True),
    "big_name_section": Shape(big_name_section, 3_750_000, True),
    "core_module_customs": Shape(core_module_customs, 5_000_000, True),
    "many_types": Shape(many_types, 15_000_000, False),
    "many_type_sections": Shape(many_type_sections, 3_750_000, False),
    "many_instances": Shape(many_instances, 7_500_000, False),
    "many_instance_sections": Shape(many_instance_sections, 3_000_000, False),
    "many_aliases": Shape(many_aliases, 3_750_000, False),
    "many_alias_sections": Shape(many_alias_sections, 2_100_000, False),
    "many_exports": Shape(many_exports, 1_000_000, True),
    "many_imports_long_names": Shape(many_imports_long_names, 150, True),
    "many_resource_imports": Shape(many_resource_imports, 1_000_000, True),
    "big_instance_type": Shape(big_instance_type, 1_000_000, True),
    "big_component_type": Shape(big_component_type, 500_000, True),
    "many_core_modules": Shape(many_core_modules, 1_500_000, False),
    "deep_components": Shape(deep_components, 5_000, False),
    "deep_instance_types": Shape(deep_instance_types, 5_000_000, False),
    "deep_value_types": Shape(deep_value_types, 1_000_000, False),
    "type_dag_exports": Shape(type_dag_exports, 100_000, False),
    "huge_counts": Shape(huge_counts, 2_000_000, False),
}
