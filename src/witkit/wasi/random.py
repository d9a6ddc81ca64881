"""``wasi:random``: secure and insecure random bytes, and the insecure seed.

Randomness is an edge: a :class:`RandomSource` is anything that hands out bytes.
The real one is the OS's CSPRNG; :class:`SeededRandom` is deterministic for tests
and reproducible runs (it is *not* secure, and says so in its name only because
that is the point of substituting it).
"""

from __future__ import annotations

import os
from typing import Protocol

__all__ = ["MAX_RANDOM_BYTES", "OsRandom", "RandomSource", "SeededRandom"]

#: the most one call hands out: the spec lets a host bound the length, and a
#: guest asking for 2**64 bytes must not exhaust the host's memory
MAX_RANDOM_BYTES = 64 * 1024 * 1024


class RandomSource(Protocol):
    def bytes(self, n: int) -> bytes: ...


class OsRandom:
    """The operating system's cryptographically secure generator."""

    def bytes(self, n: int) -> bytes:
        return os.urandom(n)


class SeededRandom:
    """A reproducible generator (Mersenne Twister from ``seed``); never secure."""

    def __init__(self, seed: int = 0) -> None:
        import random  # here: only deterministic runs need it, every start would pay ~1 ms

        self._rng = random.Random(seed)

    def bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def get_bytes(source: RandomSource, n: int) -> bytes:
    """At most :data:`MAX_RANDOM_BYTES` bytes (a bigger request is a guest bug, see above)."""
    from witkit.errors import Trap

    if n > MAX_RANDOM_BYTES:
        raise Trap(
            f"random: {n} bytes requested, at most {MAX_RANDOM_BYTES} per call", rule="wasi:random"
        )
    return source.bytes(n)


def get_u64(source: RandomSource) -> int:
    return int.from_bytes(source.bytes(8), "little")
