"""The byte cursor: LEB128, names, vectors -- and that malformed input is a ``BinaryError``."""

from __future__ import annotations

import pytest

from witkit.binary.reader import Reader
from witkit.errors import BinaryError


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b"\x00", 0),
        (b"\x7f", 127),
        (b"\x80\x01", 128),
        (b"\xe5\x8e\x26", 624485),
        (b"\xff\xff\xff\xff\x0f", 0xFFFF_FFFF),
        (b"\x80\x80\x80\x80\x00", 0),
    ],
)
def test_u32(data: bytes, value: int) -> None:
    r = Reader(data)
    assert r.u32() == value
    assert r.eof()


@pytest.mark.parametrize(
    ("data", "message", "offset"),
    [
        (b"\xff\xff\xff\xff\x1f", "integer too large", 4),
        (b"\x80\x80\x80\x80\x80\x00", "integer representation too long", 4),
        (b"\x80", "unexpected end of input", 1),
        (b"", "unexpected end of input", 0),
    ],
)
def test_u32_malformed(data: bytes, message: str, offset: int) -> None:
    with pytest.raises(BinaryError, match=message) as info:
        Reader(data).u32()
    assert info.value.offset == offset


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b"\x00", 0),
        (b"\x7f", -1),
        (b"\x40", -64),
        (b"\x3f", 63),
        (b"\x80\x7f", -128),
        (b"\xff\xff\xff\xff\x0f", 0xFFFF_FFFF),
        (b"\x80\x80\x80\x80\x70", -(1 << 32)),
    ],
)
def test_s33(data: bytes, value: int) -> None:
    r = Reader(data)
    assert r.s33() == value
    assert r.eof()


def test_s33_unused_bits_must_extend_the_sign() -> None:
    with pytest.raises(BinaryError, match="integer too large"):
        Reader(b"\x80\x80\x80\x80\x20").s33()


def test_s64_and_u64_bounds() -> None:
    assert Reader(b"\xff" * 9 + b"\x01").u64() == (1 << 64) - 1
    with pytest.raises(BinaryError, match="too large"):
        Reader(b"\xff" * 9 + b"\x02").u64()
    assert Reader(b"\x80" * 9 + b"\x7f").s64() == -(1 << 63)
    with pytest.raises(BinaryError):
        Reader(b"\x80" * 10 + b"\x00").s64()


def test_name() -> None:
    r = Reader(b"\x03abc\x02\xc3\xa9")
    assert r.name() == "abc"
    assert r.name() == "é"


def test_name_not_utf8() -> None:
    with pytest.raises(BinaryError, match="not valid UTF-8") as info:
        Reader(b"\x02a\xff").name()
    assert info.value.offset == 2


def test_name_longer_than_input() -> None:
    with pytest.raises(BinaryError, match="unexpected end of input"):
        Reader(b"\x05ab").name()


def test_huge_declared_count_allocates_nothing() -> None:
    r = Reader(b"\xff\xff\xff\xff\x0f")
    with pytest.raises(BinaryError, match="count is out of bounds"):
        r.vec(1_000_000, "things", lambda r: r.u8())
    r = Reader(b"\x90\x4e\x00")  # 10000 items declared, 1 byte present
    with pytest.raises(BinaryError, match="larger than the bytes that remain"):
        r.vec(1_000_000, "things", lambda r: r.u8())


def test_u32_vec_matches_vec() -> None:
    data = b"\x04\x01\x80\x01\x7f\xff\xff\xff\xff\x0f"
    assert Reader(data).u32_vec(10, "xs") == (1, 128, 127, 0xFFFF_FFFF)


def test_sub_reader_is_bounded() -> None:
    r = Reader(b"\x01\x02\x03\x04")
    sub = r.sub(2, "part")
    assert sub.u8() == 1 and sub.u8() == 2
    with pytest.raises(BinaryError, match="unexpected end of input"):
        sub.u8()
    assert r.pos == 2
    with pytest.raises(BinaryError, match="extends past the end"):
        r.sub(5, "part")
