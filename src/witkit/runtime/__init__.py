"""The component runtime: runs validated components on a core wasm engine.

How a component gets from bytes to a call, one module per arrow::

    bytes ──binary.read──▶ ir.Component ──binary.validate──▶ ValidatedComponent
          ──translate──▶ Translation          (component.py: + core modules compiled)
          ──linker──▶ ResolvedImports         (names, semver, subtyping: once)
          ──instance──▶ Instance               (steps run in a core Store)
          ──func──▶ calls                      (canon lift / lower, resource built-ins)

* ``translate`` walks the validated index spaces *once*, in binary order, as a
  symbolic instantiation: every index of every space becomes a definition (an
  export of the core instance of step *n*, a trampoline, a lifted function, a
  host import at a path, a runtime resource), and nested components are
  inlined by walking their bodies in child frames bound to the parent's
  arguments.  Out come flat lists -- core instantiation ``steps`` whose imports
  are positions, ``trampolines``, ``lifts``, ``resources`` -- plus the root
  ``imports`` (with the paths used) and ``exports``.  Nothing later looks at a
  name or an index space again.
* ``linker`` matches the root imports to host definitions (plain callables,
  mappings, classes for resources; exports of other instances), by exact name
  then by semver-compatible interface name, checking the spec's subtyping, and
  produces positional lookups for the instance.
* ``instance`` runs the steps in one ``core.Store``: each step is one core
  instantiation with a ready list of externs; trampolines and lifted functions
  are made on first use.  Each frame of the translation is a
  ``RuntimeInstance`` (the spec's ``ComponentInstance``: a handle table, the
  ``may_enter``/``may_leave`` flags, a parent).
* ``func`` is the boundary: a lifted function lowers Python arguments into the
  guest with the ABI layer's generated code (``witkit.abi``), calls the core
  function, lifts the result, checks borrows and runs ``post-return``; a
  lowered import does the reverse for a host callable, or -- between two
  component instances of one component -- calls the callee's lifted function
  with the Python values it lifted (strings are transcoded on the way, as the
  two sides' options say).  ``resources`` holds the runtime resource types,
  the handle tables and the handles the host holds.

Modules: ``core`` (the core engine adapter, its own owner), ``cache`` (the
compile cache, where it lives and whom it trusts), ``plan`` (the translation's
records), ``component``, ``linker``, ``instance``, ``canon`` (the spec's
``canon`` operations), ``resources``.  Internal helpers are named ``_x``:
``_translate`` (the validated component into a plan), ``_typecheck`` (host
values against import types), ``_adapt`` (what differs between
component-to-component and host values), ``_prepared`` and ``_codecache`` (the
prepared-component and generated-code caches beside the compile cache),
``_wast`` (the script runner behind ``witkit wast``).

Async runs only where nothing waits: ``async`` lifts (with or without a
``callback``) whose core function calls ``task.return`` before finishing, and
``async`` lowers of such callees, run to completion on the caller's stack.
Not yet: waiting (``WAIT``, waitable sets, subtasks that stay pending),
streams, futures and the other async built-ins (they trap when called), threads, ``error-context``; imported
core modules and components; 🪙 value *definitions* (imported values and start
results work).
"""

from typing import TYPE_CHECKING

from witkit import _first_use

if TYPE_CHECKING:
    from witkit.runtime.canon.lift import Func as Func
    from witkit.runtime.component import Component as Component
    from witkit.runtime.core import Engine as Engine
    from witkit.runtime.core import Store as Store
    from witkit.runtime.instance import Exports as Exports
    from witkit.runtime.instance import Instance as Instance
    from witkit.runtime.linker import Linker as Linker
    from witkit.runtime.resources import ResourceHandle as ResourceHandle
    from witkit.runtime.resources import ResourceType as ResourceType

__all__ = [
    "Component",
    "Engine",
    "Exports",
    "Func",
    "Instance",
    "Linker",
    "ResourceHandle",
    "ResourceType",
    "Store",
]

#: public name -> the module that defines it, imported on first use
#: (``witkit._startup.attribute``: importing the package loads nothing else)
_HOMES: dict[str, str] = {
    "Component": "witkit.runtime.component",
    "Engine": "witkit.runtime.core",
    "Store": "witkit.runtime.core",
    "Func": "witkit.runtime.canon.lift",
    "Exports": "witkit.runtime.instance",
    "Instance": "witkit.runtime.instance",
    "Linker": "witkit.runtime.linker",
    "ResourceHandle": "witkit.runtime.resources",
    "ResourceType": "witkit.runtime.resources",
}


__getattr__ = _first_use(__name__)
