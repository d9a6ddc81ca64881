"""The old home of the call path, kept for existing imports: see ``witkit.runtime.canon``.

``Func``, ``LowerSite``, ``MAX_CALL_DEPTH`` and the other names below now live
in the modules of ``witkit.runtime.canon``, one per operation of CanonicalABI.md.
"""

from __future__ import annotations

from witkit.runtime.canon import MAX_CALL_DEPTH as MAX_CALL_DEPTH
from witkit.runtime.canon import AsyncTask as AsyncTask
from witkit.runtime.canon import CallDepth as CallDepth
from witkit.runtime.canon import Func as Func
from witkit.runtime.canon import Hooks as Hooks
from witkit.runtime.canon import LowerSite as LowerSite
from witkit.runtime.canon import cannot_enter as cannot_enter
from witkit.runtime.canon import cannot_leave as cannot_leave

__all__ = [
    "MAX_CALL_DEPTH",
    "AsyncTask",
    "CallDepth",
    "Func",
    "Hooks",
    "LowerSite",
    "cannot_enter",
    "cannot_leave",
]
