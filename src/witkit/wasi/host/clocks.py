"""The WIT face of ``wasi:clocks``: the monotonic clock and its pollables, the wall clock.

The clocks are the context's (substitutable: a virtual clock makes a run
reproducible); instants and durations are nanoseconds both sides, a wall-clock
reading becomes the ``datetime`` record.
"""

from __future__ import annotations

from typing import Any

from witkit.wasi.clocks import Datetime, subscribe_duration, subscribe_instant
from witkit.wasi.config import WasiContext
from witkit.wasi.host.io import PollableResource

__all__ = ["interfaces"]


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:clocks``' interfaces: unversioned name -> {WIT item name -> host function or class}."""
    mono = ctx.monotonic
    wall = ctx.wall

    def now_wall() -> Datetime:
        return Datetime.from_ns(wall.now())

    def wall_resolution() -> Datetime:
        return Datetime.from_ns(wall.resolution())

    return {
        "wasi:clocks/monotonic-clock": {
            "pollable": PollableResource,
            "now": mono.now,
            "resolution": mono.resolution,
            "subscribe-instant": lambda when: PollableResource(subscribe_instant(mono, when)),
            "subscribe-duration": lambda when: PollableResource(subscribe_duration(mono, when)),
        },
        "wasi:clocks/wall-clock": {"now": now_wall, "resolution": wall_resolution},
    }
