"""Generate specialised Python for lifting and lowering: one module of source per type.

The spec's ``lift_flat``/``lower_flat``/``load``/``store`` walk the type on every
call.  Here the walk happens once: ``Generator`` walks the type and *emits* the
straight-line Python that those functions would execute for it, with every
offset, mask, struct format and case table turned into a constant.  The methods
of ``Generator`` carry the spec's names (``lift_flat``, ``load_list_from_range``,
``store_variant``...) and emit, rather than perform, what the spec's functions do.

How the emitted code is fast:

* Several fields are read or written by one precompiled ``struct.Struct``
  (``unpack_from``/``pack_into``); a list of such records uses ``iter_unpack``.
  Variants (whose payload depends on the case) are read and written apart.
* ``list<u8>`` is one slice copy to or from ``bytes``; lists of other numbers go
  through ``memoryview.cast(...).tolist()`` and ``array`` (which range-checks
  in C); ``list<char>`` decodes as UTF-32.
* Strings are one ``str.encode``/``str(memoryview, codec)`` and one slice copy.
* A host value of the expected Python type costs one ``type(v) is`` test; the
  slow path (coercion, ``TypeError``, ``Trap``) is a call into ``_support``.

Rules of the generated code:

* ``mem`` is a local ``memoryview`` of linear memory; it is re-fetched with
  ``memory()`` after every ``realloc`` call, so writes never go to a stale view.
* Every check the spec makes with ``trap_if`` is emitted, in the spec's order,
  before the read it protects; lifting never trusts a guest length or pointer.
* Values coming from core wasm may be signed (wasmtime returns ``i32`` as
  signed); every read of a flat integer masks it first.
* Every string and list copied, either way, is counted against the call's copy
  budget before it is copied (``left``, from ``cx.max_copy``; see
  ``witkit.abi.context``): one subtraction and one test per string or list, never
  per byte.  Helper functions share ``left`` through ``cx.left``.
* The source depends only on the type's structure and the options (records,
  resources and other objects whose identity matters are referred to by name
  and supplied when the code is executed), so one structure always yields the
  same text (tested), and identical texts share one compiled code object.

Besides the per-type lift/lower modules, ``calls`` emits the per-shape fast
paths of a call itself (``canon_lift`` from the host, ``canon_lower`` to it).

The package imports none of its modules: the fast paths of a call are built
at start-up, the lift/lower generator (``generator.Generator``, ~10 ms of
imports) only when a type's recipe is not cached.  Import the module you need.
"""

from __future__ import annotations

__all__: list[str] = []
