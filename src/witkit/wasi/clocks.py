"""``wasi:clocks``: the monotonic clock (with its pollables) and the wall clock.

Clocks are edges, not facts: the host reads time only through the two small
Protocols below, so tests and reproducible runs substitute a virtual clock
(:class:`VirtualMonotonicClock`, :class:`FixedWallClock`) for the real ones.  A
virtual monotonic clock never sleeps: when everything a ``poll`` waits for is a
deadline, it jumps to the earliest one, so a guest that sleeps a minute finishes
at once, deterministically.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from witkit._record import record
from witkit.wasi.io import Pollable, Wait

__all__ = [
    "Datetime",
    "FixedWallClock",
    "MonotonicClock",
    "SystemMonotonicClock",
    "SystemWallClock",
    "VirtualMonotonicClock",
    "WallClock",
    "subscribe_duration",
    "subscribe_instant",
]

NS_PER_S = 1_000_000_000
#: instants and durations are u64 nanoseconds
U64_MAX = (1 << 64) - 1


@record
class Datetime:
    """``wasi:clocks/wall-clock.datetime``: seconds and nanoseconds since the Unix epoch."""

    seconds: int
    nanoseconds: int

    @classmethod
    def from_ns(cls, ns: int) -> Datetime:
        return cls(ns // NS_PER_S, ns % NS_PER_S)


class MonotonicClock(Protocol):
    """The monotonic clock edge (it is also the :class:`~witkit.wasi.io.Timer` of ``poll``)."""

    def now(self) -> int: ...

    def resolution(self) -> int: ...

    def block_until(self, deadline: int | None, wait: Callable[[float | None], bool]) -> None: ...


class WallClock(Protocol):
    """The wall clock edge: nanoseconds since the epoch, and the resolution in ns."""

    def now(self) -> int: ...

    def resolution(self) -> int: ...


class SystemMonotonicClock:
    """The host's monotonic clock, counted from when this object was made (starts near 0)."""

    def __init__(self) -> None:
        self._origin = time.monotonic_ns()

    def now(self) -> int:
        return time.monotonic_ns() - self._origin

    def resolution(self) -> int:
        return max(1, int(time.get_clock_info("monotonic").resolution * NS_PER_S))

    def block_until(self, deadline: int | None, wait: Callable[[float | None], bool]) -> None:
        if deadline is None:
            wait(None)
            return
        remaining = deadline - self.now()
        if remaining > 0:
            wait(remaining / NS_PER_S)


class VirtualMonotonicClock:
    """A monotonic clock that moves only when told, or when a poll would sleep.

    ``step`` nanoseconds are added on every reading, so loops that wait for time
    to pass still make progress.
    """

    def __init__(self, start: int = 0, step: int = 0) -> None:
        self._now = start
        self._step = step
        self._lock = threading.Lock()

    def now(self) -> int:
        with self._lock:
            value = self._now
            self._now = min(U64_MAX, self._now + self._step)
            return value

    def resolution(self) -> int:
        return 1

    def advance(self, ns: int) -> None:
        with self._lock:
            self._now = min(U64_MAX, self._now + ns)

    def block_until(self, deadline: int | None, wait: Callable[[float | None], bool]) -> None:
        if deadline is None:
            wait(None)
            return
        if not wait(0.0):
            with self._lock:
                self._now = max(self._now, deadline)


class SystemWallClock:
    """The host's real-time clock."""

    def now(self) -> int:
        return time.time_ns()

    def resolution(self) -> int:
        return max(1, int(time.get_clock_info("time").resolution * NS_PER_S))


class FixedWallClock:
    """A wall clock that always says the same time (default: the epoch)."""

    def __init__(self, ns: int = 0) -> None:
        self._ns = ns

    def now(self) -> int:
        return self._ns

    def resolution(self) -> int:
        return 1


class _Deadline:
    """The waitable of ``subscribe-instant``: ready once the clock reaches the instant."""

    def __init__(self, clock: MonotonicClock, instant: int) -> None:
        self._clock = clock
        self._instant = instant

    def ready(self) -> bool:
        return self._clock.now() >= self._instant

    def wait(self) -> Wait:
        return Wait(deadline=self._instant, timer=self._clock)


def subscribe_instant(clock: MonotonicClock, when: int) -> Pollable:
    return Pollable(_Deadline(clock, when))


def subscribe_duration(clock: MonotonicClock, when: int) -> Pollable:
    return Pollable(_Deadline(clock, min(U64_MAX, clock.now() + when)))
