"""Fuzzing: whatever the bytes, ``read`` + ``validate`` raise ``BinaryError`` or succeed.

Bounded (300 examples per strategy, no deadline): random bytes, random bytes after
a valid preamble, and real components -- hand-written ones and small ones from
the fixture corpus -- with a few bytes flipped, inserted or deleted.
"""

from __future__ import annotations

import functools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.binary.corpus_wat import TEXTS
from tests.binary.helpers import CORE_PREAMBLE, PREAMBLE, wat
from tests.fixtures.build import cache_dir
from witkit.binary import Features, ir, read, validate
from witkit.errors import BinaryError

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def seeds() -> tuple[bytes, ...]:
    """Valid-ish binaries to mutate: the hand-written texts, plus small built components."""
    out = [wat(text) for text in TEXTS]  # every text assembles (test_differential checks)
    components = cache_dir() / "components"
    if components.is_dir():
        out.extend(
            p.read_bytes() for p in sorted(components.glob("*.wasm")) if p.stat().st_size < 100_000
        )
    return tuple(out)


def check(data: bytes) -> None:
    """The property: decoding and validating only ever raise ``BinaryError``."""
    for features in (Features(), Features.all()):
        try:
            decoded = read(data)
            if isinstance(decoded, ir.Component):
                validate(decoded, features)
        except BinaryError as exc:
            assert exc.offset is None or 0 <= exc.offset <= len(data)
            assert exc.message


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(("set", "nudge", "insert", "delete", "truncate")))
        if op == "insert" or pos == len(data):
            data.insert(pos, draw(st.integers(0, 255)))
        elif op == "set":
            data[pos] = draw(st.integers(0, 255))
        elif op == "nudge":
            data[pos] = (data[pos] + draw(st.sampled_from((-1, 1, 0x40, 0x80)))) % 256
        elif op == "delete":
            del data[pos]
        else:
            del data[pos:]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.sampled_from((PREAMBLE, CORE_PREAMBLE)), st.binary(max_size=512))
def test_random_sections(preamble: bytes, body: bytes) -> None:
    check(preamble + body)


@FUZZ
@given(mutants())
def test_mutated_components(data: bytes) -> None:
    check(data)


def test_seeds_exist() -> None:
    assert len(seeds()) > 50
    assert all(isinstance(read(s), ir.Component) for s in seeds()[:5])


def test_large_component_mutations_stay_cheap(tmp_path: Path) -> None:
    """A lie about a huge vector length in a big input must fail fast, without allocating."""
    data = PREAMBLE + b"\x07\x85\x80\x80\x80\x00" + b"\x80\x80\x80\x80\x08" + b"\x00" * 100
    check(data)
