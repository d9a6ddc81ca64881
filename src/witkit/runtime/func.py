"""The old home of the call path, kept for existing imports: see ``witkit.runtime.canon``.

``Func``, ``LowerSite`` and ``MAX_CALL_DEPTH`` (the names imported from here) now live
in the modules of ``witkit.runtime.canon``, one per operation of CanonicalABI.md.
"""

from __future__ import annotations

from witkit.runtime.canon import MAX_CALL_DEPTH as MAX_CALL_DEPTH
from witkit.runtime.canon import Func as Func
from witkit.runtime.canon import LowerSite as LowerSite

__all__ = ["MAX_CALL_DEPTH", "Func", "LowerSite"]
