"""Strings: the three encodings both ways, the spec's realloc size/shrink protocol, and
long strings lifted through a memory's ASCII scan."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from witkit.abi import CanonicalOptions, Context, func_abi, type_abi
from witkit.abi import strings as strings_module
from witkit.abi.strings import load_string_from_range, store_string_into_range
from witkit.abi.testing import FakeMemory
from witkit.errors import Trap
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


# --------------------------------------------------------------------------- long strings, one copy

LONG = strings_module.ASCII_SCAN_MIN


class ScanningMemory(FakeMemory):
    """A ``FakeMemory`` that offers ``ascii_prefix``, as ``CoreMemory`` does, and logs its use."""

    def __init__(self, *args: Any, answer: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scans: list[tuple[int, int]] = []
        #: a fixed answer (a memory that knows less), or None for the true one
        self.answer = answer

    def ascii_prefix(self, ptr: int, length: int) -> int:
        self.scans.append((ptr, length))
        if self.answer is not None:
            return self.answer
        data = bytes(self.view[ptr : ptr + length])
        return next((i for i, byte in enumerate(data) if byte >= 0x80), length)


def _scanning_cx(encoding: str, answer: int | None = None) -> tuple[ScanningMemory, Context]:
    mem = ScanningMemory(4 * LONG, base=256, answer=answer)
    opts = mem.options(string_encoding=encoding)
    return mem, Context(opts)


def _echo(cx: Context, text: str) -> str:
    abi = func_abi(FuncType((("s", "string"),), None), cx.opts)
    value: str = abi.lift_params(cx, abi.lower_params(cx, [text]))[0]
    return value


def test_the_context_finds_the_scan_on_the_memorys_object() -> None:
    assert _scanning_cx("utf8")[1].ascii_prefix is not None
    assert _cx("utf8")[1].ascii_prefix is None  # FakeMemory has none
    assert Context(CanonicalOptions()).ascii_prefix is None  # no memory at all


@pytest.mark.parametrize("encoding", ["utf8", "latin1+utf16"])
def test_a_long_ascii_string_is_scanned_then_copied_once(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    new = strings_module._NEW_ASCII
    if new is not None:  # CPython: watch the one-copy path being taken

        def spy(n: int, maxchar: int) -> str:
            made.append(n)
            return new(n, maxchar)

        monkeypatch.setattr(strings_module, "_NEW_ASCII", spy)
    mem, cx = _scanning_cx(encoding)
    text = "".join(chr(32 + i % 95) for i in range(LONG + 3))
    out = _echo(cx, text)
    assert out == text and type(out) is str and out.isascii()
    assert len(mem.scans) == 1 and mem.scans[0][1] == len(text)
    assert made == ([len(text)] if new is not None else [])
    assert hash(out) == hash(text)
    # only long strings are scanned: below the threshold CPython's decoder is quicker
    assert _echo(cx, text[: LONG - 1]) == text[: LONG - 1]
    assert len(mem.scans) == 1


@pytest.mark.parametrize("encoding", ["utf8", "latin1+utf16"])
@pytest.mark.parametrize("where", [0, LONG // 2, -1], ids=["first", "middle", "last"])
def test_long_non_ascii_strings_decode_as_before(encoding: str, where: int) -> None:
    mem, cx = _scanning_cx(encoding)
    chars = ["a"] * (LONG + 10)
    chars[where] = "é"
    text = "".join(chars)
    assert _echo(cx, text) == text
    assert len(mem.scans) == 1


@pytest.mark.parametrize("answer", [0, 7])
def test_a_scan_that_knows_less_means_the_usual_decoder(answer: int) -> None:
    mem, cx = _scanning_cx("utf8", answer=answer)
    text = "b" * LONG
    assert _echo(cx, text) == text
    assert mem.scans


def test_long_utf16_strings_are_not_scanned() -> None:
    mem, cx = _scanning_cx("utf16")
    text = "c" * LONG
    assert _echo(cx, text) == text
    assert not mem.scans


@pytest.mark.parametrize("where", [0, LONG // 2, LONG + 4], ids=["first", "middle", "tail"])
@pytest.mark.parametrize("bad", [b"\xff", b"\xc3", b"\xed\xa0\x80"], ids=["ff", "cut", "surrogate"])
def test_invalid_utf8_in_a_long_string_still_traps(where: int, bad: bytes) -> None:
    mem, cx = _scanning_cx("utf8")
    ptr, n = 1024, LONG + 5
    data = bytearray(b"a" * n)
    data[where : where + len(bad)] = bad
    mem.data[ptr : ptr + n] = data[:n]
    with pytest.raises(Trap) as info:
        type_abi("string", cx.opts).lift_flat(cx, [ptr, n])
    assert info.value.rule == "invalid-utf8"
    with pytest.raises(Trap):
        load_string_from_range(cx, ptr, n)
    assert mem.scans


def test_load_string_from_range_takes_the_same_path() -> None:
    mem, cx = _scanning_cx("latin1+utf16")
    ptr, n = 512, LONG
    mem.data[ptr : ptr + n] = b"d" * n
    assert load_string_from_range(cx, ptr, n) == ("d" * n, "latin1+utf16", n)
    mem.data[ptr + n - 1] = 0xFF  # Latin-1 has no invalid bytes: a scan miss decodes it
    assert load_string_from_range(cx, ptr, n)[0] == "d" * (n - 1) + "ÿ"
    assert len(mem.scans) == 2


def test_decode_large_falls_back_without_cpythons_layout_or_a_writable_view() -> None:
    from witkit.abi import strings

    mem, cx = _scanning_cx("utf8")
    mem.data[0:LONG] = b"e" * LONG
    view = memoryview(bytes(mem.data))  # read-only: no address for memmove
    assert strings.decode_large(cx, view, 0, LONG, "utf-8") == "e" * LONG
    saved = strings._NEW_ASCII
    strings._NEW_ASCII = None
    try:
        assert strings.decode_large(cx, mem.view, 0, LONG, "utf-8") == "e" * LONG
    finally:
        strings._NEW_ASCII = saved
    if sys.implementation.name == "cpython":
        assert saved is not None  # the one-copy path is really taken here
