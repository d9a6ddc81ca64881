"""Calls across the component boundary, one module per operation of CanonicalABI.md.

"Canonical Definitions", run synchronously:

* ``lift`` — ``canon_lift``: a component function called from outside its
  instance; ``Func`` is what the host holds.
* ``lower`` — ``canon_lower``: the core function a guest calls for an import;
  ``LowerSite`` for host functions that lower themselves.
* ``resource`` — ``canon_resource_new``/``drop``/``rep`` and guest destructors.
* ``task`` — ``AsyncTask``, ``canon_task_return``, ``context.*``, ``backpressure.*``.
* ``hooks`` — handles across a call (the ABI's ``ResourceHooks``, borrow scopes).
* ``flags`` — the instance-flag rules every path above shares, written once:
  may-enter, may-leave, poisoning, ``MAX_CALL_DEPTH``, exhaustion to ``Trap``.

The per-shape fast paths are generated (``witkit.abi.codegen.calls``) with the
rules of ``flags`` inlined.
"""

from __future__ import annotations

from witkit.runtime.canon.flags import MAX_CALL_DEPTH as MAX_CALL_DEPTH
from witkit.runtime.canon.flags import CallDepth as CallDepth
from witkit.runtime.canon.flags import cannot_enter as cannot_enter
from witkit.runtime.canon.flags import cannot_leave as cannot_leave
from witkit.runtime.canon.hooks import Hooks as Hooks
from witkit.runtime.canon.lift import Func as Func
from witkit.runtime.canon.lift import canon_lift as canon_lift
from witkit.runtime.canon.lower import LowerSite as LowerSite
from witkit.runtime.canon.lower import canon_lower as canon_lower
from witkit.runtime.canon.resource import canon_resource_drop as canon_resource_drop
from witkit.runtime.canon.resource import canon_resource_new as canon_resource_new
from witkit.runtime.canon.resource import canon_resource_rep as canon_resource_rep
from witkit.runtime.canon.resource import resource_dtor as resource_dtor
from witkit.runtime.canon.task import AsyncTask as AsyncTask
from witkit.runtime.canon.task import canon_task_return as canon_task_return
from witkit.runtime.canon.task import task_builtin as task_builtin

__all__ = [
    "MAX_CALL_DEPTH",
    "AsyncTask",
    "CallDepth",
    "Func",
    "Hooks",
    "LowerSite",
    "cannot_enter",
    "cannot_leave",
    "canon_lift",
    "canon_lower",
    "canon_resource_drop",
    "canon_resource_new",
    "canon_resource_rep",
    "canon_task_return",
    "resource_dtor",
    "task_builtin",
]
