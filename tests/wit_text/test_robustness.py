"""Hostile input: whatever the text, resolving it succeeds or raises ``WitError``.

Long chains (of named types, of interfaces using one another) resolve, print
and encode without running out of stack, and arbitrary token soup never
escapes as anything but a ``WitError``.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from witkit.errors import WitError
from witkit.wit import encode_package, parse_text
from witkit.wit.printer import print_resolve

CHAIN = 1500


def test_long_chain_of_type_aliases() -> None:
    lines = ["package deep:types;", "interface i {", "  type t0 = u32;"]
    lines += [f"  type t{i} = t{i - 1};" for i in range(1, CHAIN)]
    lines += [f"  record r0 {{ a: t{CHAIN - 1} }}"]
    lines += [f"  record r{i} {{ a: r{i - 1} }}" for i in range(1, CHAIN)]
    lines += [f"  f: func() -> r{CHAIN - 1};", "}", "world w { import i; }"]
    resolve, package = parse_text("\n".join(lines), "deep.wit")
    assert f"type t{CHAIN - 1} = t{CHAIN - 2};" in print_resolve(resolve, package)
    assert encode_package(resolve, package)


def test_long_chain_of_interfaces() -> None:
    n = 1200
    lines = ["package deep:ifaces;", "interface i0 { type t = u32; }"]
    lines += [f"interface i{i} {{ use i{i - 1}.{{t}}; }}" for i in range(1, n)]
    lines += [f"world w {{ import i{n - 1}; export i{n - 1}; }}"]
    resolve, package = parse_text("\n".join(lines), "deep.wit")
    world = resolve.worlds[resolve.packages[package].worlds["w"]]
    assert len(world.imports) == n


TOKENS = [
    "package", "a:b", "interface", "world", "use", "type", "record", "resource", "func",
    "import", "export", "include", "with", "as", "{", "}", "(", ")", "<", ">", ";", ":",
    ",", ".", "/", "@", "->", "=", "list", "option", "result", "borrow", "own", "u32",
    "string", "_", "x", "y", "%z", "1.0.0", "@since(version = 1.0.0)", "\n", "///doc\n",
    "/*", "*/", "\"s\"", "future", "stream", "static", "constructor", "async", "enum",
    "flags", "variant", "tuple", "map",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup_fails_only_with_wit_errors(tokens: list[str]) -> None:
    text = "package a:b;\n" + " ".join(tokens)
    with contextlib.suppress(WitError):
        parse_text(text, "soup.wit", all_features=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_fails_only_with_wit_errors(text: str) -> None:
    with contextlib.suppress(WitError):
        parse_text(text, "any.wit")
