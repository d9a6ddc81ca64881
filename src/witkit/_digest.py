"""BLAKE2b without ``hashlib``'s start-up cost, for witkit's cache keys and file identities.

``import hashlib`` loads OpenSSL's ``_hashlib`` (~2 ms here) even for a digest it
then takes from the built-in ``_blake2`` module; the caches on every start's path
need only BLAKE2b, so they take it from ``_blake2`` directly.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without the module
    from hashlib import blake2b

__all__ = ["blake2b"]
