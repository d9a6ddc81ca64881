"""The WIT face of ``wasi:random``: secure and insecure bytes, the insecure seed.

Each interface reads its own source of the context (substitutable for
reproducible runs); the length bound of a request is the core's
(:func:`witkit.wasi.random.get_bytes`).
"""

from __future__ import annotations

from typing import Any

from witkit.wasi import random as _random
from witkit.wasi.config import WasiContext

__all__ = ["interfaces"]


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:random``'s interfaces: unversioned name -> {WIT item name -> host function}."""
    return {
        "wasi:random/random": {
            "get-random-bytes": lambda len: _random.get_bytes(ctx.random, len),
            "get-random-u64": lambda: _random.get_u64(ctx.random),
        },
        "wasi:random/insecure": {
            "get-insecure-random-bytes": lambda len: _random.get_bytes(ctx.insecure_random, len),
            "get-insecure-random-u64": lambda: _random.get_u64(ctx.insecure_random),
        },
        "wasi:random/insecure-seed": {"insecure-seed": lambda: ctx.insecure_seed},
    }
