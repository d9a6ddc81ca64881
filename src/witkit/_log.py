"""What witkit does, told on request: cache hits and misses, compile times, link decisions.

``witkit -v`` (info), ``-vv`` (debug) or ``WITKIT_LOG=info|debug`` turn it on
for the command line; records go to stderr as ``witkit: <topic>: <message>``.
In a host program, witkit's records go to the ``witkit`` logger of the stdlib
``logging`` module, under the host's own configuration, once that program has
imported ``logging`` (``WITKIT_LOG`` also works there, and configures a stderr
handler itself).

Rules:

* **Nothing is imported unless asked.** ``logging`` costs ~6 ms of import, more
  than a quarter of a warm ``witkit run``, so witkit never imports it itself
  unless ``WITKIT_LOG`` or ``-v`` asked for records; otherwise a call site
  costs one dictionary lookup (``sys.modules``) and returns.
* **Cold paths only.** Call sites are per module compiled or loaded, per
  component, per instance, per import linked: never per call into a guest or
  per value.  Each site is written ``if (log := _log.get("cache")) is not
  None: log.debug(...)``, so its arguments are not even built when nothing
  listens.
* **Keys are abbreviated** to their first 12 hex digits: enough to tell entries
  apart in a directory listing.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["enable", "get", "short"]

#: ``WITKIT_LOG`` values -> logging levels (the numbers, so nothing is imported to read them)
LEVELS = {"debug": 10, "info": 20, "warning": 30}

#: None until the environment was read: whether ``WITKIT_LOG`` asked for records
_from_environment: bool | None = None


def enable(level: int) -> None:
    """Send witkit's records at ``level`` and above to stderr (what ``-v`` does)."""
    import logging

    logger = logging.getLogger("witkit")
    logger.setLevel(level)
    if not any(getattr(h, "_witkit", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        handler._witkit = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False


def _read_environment() -> None:
    global _from_environment
    name = os.environ.get("WITKIT_LOG", "").strip().lower()
    level = LEVELS.get(name)
    _from_environment = level is not None
    if level is not None:
        enable(level)


def get(topic: str, level: int = 10) -> logging.Logger | None:
    """The logger ``witkit.<topic>`` if it would emit a record at ``level``, else None.

    None at once when ``logging`` has not been imported (no one can be listening).
    """
    if _from_environment is None:
        _read_environment()
    logging_module = sys.modules.get("logging")
    if logging_module is None:
        return None
    logger: logging.Logger = logging_module.getLogger(f"witkit.{topic}")
    return logger if logger.isEnabledFor(level) else None


def short(key: str) -> str:
    """A cache key as records show it: its first 12 characters."""
    return key[:12]
