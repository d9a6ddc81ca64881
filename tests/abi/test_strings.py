"""Strings: the three encodings both ways, and the spec's realloc size/shrink protocol."""

from __future__ import annotations

import pytest

from witkit.abi import CanonicalOptions, Context, func_abi, type_abi
from witkit.abi.strings import load_string_from_range, store_string_into_range
from witkit.abi.testing import FakeMemory
from witkit.types import FuncType

TAG = 1 << 31
SAMPLES = ["", "abc", "façade", "ÿ", "Ā", "日本語", "a😀b", "😀" * 3, "x" * 100 + "é"]


def _cx(encoding: str) -> tuple[FakeMemory, Context]:
    mem = FakeMemory(1 << 16, base=256)
    opts = CanonicalOptions(
        string_encoding=encoding,  # type: ignore[arg-type]
        memory=mem.memory,
        realloc=mem.realloc,
    )
    return mem, Context(opts)


def _sizes(mem: FakeMemory) -> list[tuple[int, int, int]]:
    """The realloc calls as (old_size, align, new_size): what the protocol decides."""
    return [(old_size, align, new_size) for _, old_size, align, new_size, _ in mem.calls]


@pytest.mark.parametrize(
    ("text", "calls", "length"),
    [
        ("abc", [(0, 1, 3)], 3),
        ("é日", [(0, 1, 5)], 5),
        ("", [(0, 1, 0)], 0),
    ],
)
def test_utf8_destination_is_one_exact_allocation(
    text: str, calls: list[tuple[int, int, int]], length: int
) -> None:
    mem, cx = _cx("utf8")
    assert type_abi("string", cx.opts).lower_flat(cx, text)[1] == length
    assert _sizes(mem) == calls


@pytest.mark.parametrize(
    ("text", "calls", "length"),
    [
        # A host string is UTF-8 sourced: worst case 2 bytes per UTF-8 byte, then shrink.
        ("ab", [(0, 2, 4)], 2),
        ("é", [(0, 2, 4), (4, 2, 2)], 1),
        ("😀", [(0, 2, 8), (8, 2, 4)], 2),
    ],
)
def test_utf16_destination_allocates_the_worst_case_then_shrinks(
    text: str, calls: list[tuple[int, int, int]], length: int
) -> None:
    mem, cx = _cx("utf16")
    assert type_abi("string", cx.opts).lower_flat(cx, text)[1] == length
    assert _sizes(mem) == calls


@pytest.mark.parametrize(
    ("text", "calls", "length"),
    [
        ("abc", [(0, 2, 3)], 3),
        # Latin-1 fits: shrink from the UTF-8 length to the Latin-1 length.
        ("façade", [(0, 2, 7), (7, 2, 6)], 6),
        # A wider character: grow to the worst case, write UTF-16, shrink, tag the length.
        ("aĀ", [(0, 2, 3), (3, 2, 6), (6, 2, 4)], 2 | TAG),
        ("日", [(0, 2, 3), (3, 2, 6), (6, 2, 2)], 1 | TAG),
    ],
)
def test_latin1_utf16_destination_hopes_for_latin1(
    text: str, calls: list[tuple[int, int, int]], length: int
) -> None:
    mem, cx = _cx("latin1+utf16")
    assert type_abi("string", cx.opts).lower_flat(cx, text)[1] == length
    assert _sizes(mem) == calls


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "latin1+utf16"])
@pytest.mark.parametrize("text", SAMPLES)
def test_host_strings_round_trip(encoding: str, text: str) -> None:
    _, cx = _cx(encoding)
    ft = FuncType((("s", "string"),), None)
    abi = func_abi(ft, cx.opts)
    flat = abi.lower_params(cx, [text])
    assert abi.lift_params(cx, flat) == [text]
    assert load_string_from_range(cx, *flat)[0] == text


def test_latin1_is_tagged_only_when_wider_characters_occur() -> None:
    _, cx = _cx("latin1+utf16")
    _, n = type_abi("string", cx.opts).lower_flat(cx, "ÿ")
    assert n == 1
    assert load_string_from_range(cx, 0, 0) == ("", "latin1+utf16", 0)


def test_a_utf16_source_that_is_all_latin1_deflates() -> None:
    mem, cx = _cx("latin1+utf16")
    ptr, units = store_string_into_range(cx, "façade", "latin1+utf16", 6 | TAG)
    assert units == 6  # no tag: the destination got Latin-1 after all
    assert _sizes(mem) == [(0, 2, 12), (12, 1, 6)]
    assert bytes(mem.data[ptr : ptr + 6]) == "façade".encode("latin-1")


def test_lone_surrogates_in_host_strings_are_type_errors() -> None:
    for encoding in ("utf8", "utf16", "latin1+utf16"):
        _, cx = _cx(encoding)
        ft = FuncType((("s", "string"),), None)
        with pytest.raises(TypeError, match=r"argument `s`: expected string \(a lone surrogate"):
            func_abi(ft, cx.opts).lower_params(cx, ["a\ud800"])


@pytest.mark.parametrize(
    "text",
    ["a" * 5000, "é" + "a" * 5000, "a" * 5000 + "😀", "short"],
    ids=["long-ascii", "long-latin1", "long-astral", "short"],
)
def test_long_ascii_strings_are_copied_from_the_str_itself(text: str) -> None:
    mem, cx = _cx("utf8")
    abi = func_abi(FuncType((("s", "string"),), None), cx.opts)
    ptr, length = abi.lower_params(cx, [text])
    assert bytes(mem.view[ptr : ptr + length]) == text.encode()


def test_copy_ascii_uses_cpythons_layout_and_falls_back_elsewhere() -> None:
    import sys

    from witkit.abi import strings

    if sys.implementation.name == "cpython":
        assert strings._ASCII_LAYOUT is not None  # the one-copy path is really taken here
    target = bytearray(16)
    strings.copy_ascii(memoryview(target), 3, "hello", 5)
    assert target[3:8] == b"hello"
    with pytest.raises(TypeError):  # read-only: the fallback's slice assignment refuses too
        strings.copy_ascii(memoryview(bytes(16)), 0, "hello", 5)
    saved = strings._ASCII_LAYOUT
    strings._ASCII_LAYOUT = None
    try:
        strings.copy_ascii(memoryview(target), 8, "world", 5)
    finally:
        strings._ASCII_LAYOUT = saved
    assert target[3:13] == b"helloworld"
