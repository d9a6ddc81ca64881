"""witkit's core-engine adapter: everything the component runtime needs from core wasm.

Core wasm runs on wasmtime (Cranelift JIT) through its C API; this package is the
thin, fast layer between it and witkit's component runtime.  It uses wasmtime's
*unchecked* entry points with precomputed addresses and per-signature generated
code, so a Python -> guest call and a guest -> Python call each cost a fraction of
wasmtime-py's ``Func.__call__`` / ``Func(store, ty, fn)`` (figures in
``benchmarks/bench_core.py``).  It declares the C functions it calls itself, on
the native library the ``wasmtime`` package ships (``_library``, ``_capi``):
importing wasmtime-py would cost ~20 ms of every start, so nothing here does
(``Engine.raw``, a wasmtime-py view for code that wants one, imports it on demand).

The API
-------
::

    engine = Engine(EngineConfig(opt_level="speed", consume_fuel=False,
                                 epoch_interruption=False, cache=True, cache_dir=None))
    engine = Engine(consume_fuel=True)              # keyword overrides of EngineConfig
    module = engine.compile(wasm_bytes, name="app") # -> CoreModule; on-disk cache first
    module.imports, module.exports                  # tuples of CoreImport / CoreExport
                                                    # (types: CoreFuncType, CoreMemoryType,
                                                    #  CoreGlobalType, CoreTableType, CoreTagType)
    module.from_cache                               # loaded rather than compiled?

    store = Store(engine, fuel=None, timeout=None, max_memory=None,
                  max_table_elements=None, max_instances=None, max_tables=None,
                  max_memories=None)
    instance = store.instantiate(module, [extern, ...])          # in declared order
    instance = store.instantiate(module, {("env", "f"): extern})  # or by (module, name)
    instance.get(name) / .export(name) / .exports()  # CoreExtern (None / LinkError / dict)
    instance.func(name) / .memory(name) / .global_(name) / .table(name)

    add = instance.func("add")          # CoreFunc: .type (CoreFuncType), .name, .store
    add.call(1, 2)                      # fast path: a plain function, keep it around
                                        # (generated on first access, not per export)
    add(1, 2)                           # the same through __call__ (one frame slower)
    add.bind(signed=True)(-1, 2)        # the signed-integer view of the same function

    log = store.host_func(CoreFuncType(("i32", "i32"), ()), fn, signed=False, name="log")
    # -> CoreFunc; pass it as an import.  fn(*ints_or_floats) -> None | value | sequence

    memory = instance.memory("memory")  # CoreMemory
    view = memory.view()                # writable zero-copy memoryview ('B') of it all
    view[ptr:ptr + n] = data; bytes(view[ptr:ptr + n]); struct.unpack_from("<I", view, ptr)
    memory.read(ptr, n) / memory.write(ptr, data)    # bounds-checked (CoreTrap)
    memory.grow(pages) -> old pages; memory.pages; memory.data_size

    glob = instance.global_("g"); glob.get(signed=False); glob.set(v); glob.type
    table = instance.table("t"); table.size(); table.get(i) -> CoreFunc | None;
    table.set(i, func_or_none); table.grow(n, init)
    store.memory(CoreMemoryType(1)); store.global_(CoreGlobalType("i32", True), 0);
    store.table(CoreTableType("funcref", 1))

    store.set_fuel(n); store.fuel; store.set_timeout(seconds | None); store.timeout

Values: i32/i64 come back unsigned by default (the convention of the Canonical
ABI's ``definitions.py``; ``bind(signed=True)`` for the other) and are accepted in
either range; f32/f64 are Python floats with NaN bit patterns preserved.  See
``witkit.runtime.core.func`` for the details.

Errors: a guest trap raises ``CoreTrap`` (a ``witkit.errors.Trap``) carrying
wasmtime's root message (``"wasm trap: integer divide by zero"``), ``rule`` (the
trap code: ``"integer-division-by-zero"``), ``context``, ``backtrace`` text and
``frames``.  Limits re-describe it: ``"fuel exhausted (...)"`` (rule
``out-of-fuel``), ``"timeout after 2.0s (...)"`` (``timeout``), ``"memory limit of
N bytes exceeded (...)"`` (``memory-limit``).  An exception raised by a host
function unwinds the guest and is re-raised, as the same object, from the guest
call that led to it (so ``SystemExit``-style exits pass straight through nested
guest -> host -> guest calls).  Missing or mistyped imports raise ``LinkError``;
an invalid module raises ``ValidationError``.

For substitution in tests, ``witkit.runtime.core.protocols`` states this surface
as Protocols (``EngineLike``, ``StoreLike``, ``InstanceLike``, ``FuncLike``,
``MemoryLike``, ``ModuleLike``).

Rules and hazards
-----------------
* **One thread per store.** wasmtime stores are not thread-safe and the GIL is
  released while wasm runs, so two threads must never use one store (or its
  functions, memories...) at the same time.  Different stores on different
  threads are fine; an ``Engine`` is shared freely.
* **Lifetimes.** Every wrapper (func, memory, view, instance) keeps its store
  alive, and the store keeps its host functions' C callbacks alive until it is
  collected, so nothing dangles.  Host functions are never freed before their
  store: creating them in a loop grows the store.
* **Views.** Memories never move (the engine sets ``memory_may_move=False``), so an
  old view is safe, just possibly shorter than the memory after a grow.
* **Externs belong to one store**: passing one to another store raises
  ``LinkError`` (wasmtime itself would abort the process).
* **Use witkit's call path.** A host function's exception is stashed on the store
  until a witkit call sees the trap; calling guest code through wasmtime-py
  directly would leave it there.
* **No v128 or typed references at the Python boundary**: such functions can be
  looked up and passed along as imports, but calling them raises ``TypeError``.
  Exception tags and shared memories are ``OpaqueExtern``s: passed from an
  export to an import, never used from Python.
"""

from witkit.runtime.core.engine import CoreModule as CoreModule
from witkit.runtime.core.engine import Engine as Engine
from witkit.runtime.core.engine import EngineConfig as EngineConfig
from witkit.runtime.core.extern import CoreExtern as CoreExtern
from witkit.runtime.core.extern import OpaqueExtern as OpaqueExtern
from witkit.runtime.core.func import CoreFunc as CoreFunc
from witkit.runtime.core.instance import CoreInstance as CoreInstance
from witkit.runtime.core.memory import CoreGlobal as CoreGlobal
from witkit.runtime.core.memory import CoreMemory as CoreMemory
from witkit.runtime.core.memory import CoreTable as CoreTable
from witkit.runtime.core.store import Store as Store
from witkit.runtime.core.traps import CoreTrap as CoreTrap
from witkit.runtime.core.traps import TrapFrame as TrapFrame
from witkit.runtime.core.types import CoreExport as CoreExport
from witkit.runtime.core.types import CoreExternType as CoreExternType
from witkit.runtime.core.types import CoreFuncType as CoreFuncType
from witkit.runtime.core.types import CoreGlobalType as CoreGlobalType
from witkit.runtime.core.types import CoreImport as CoreImport
from witkit.runtime.core.types import CoreMemoryType as CoreMemoryType
from witkit.runtime.core.types import CoreTableType as CoreTableType
from witkit.runtime.core.types import CoreTagType as CoreTagType
from witkit.runtime.core.types import ValType as ValType

__all__ = [
    "CoreExport",
    "CoreExtern",
    "CoreExternType",
    "CoreFunc",
    "CoreFuncType",
    "CoreGlobal",
    "CoreGlobalType",
    "CoreImport",
    "CoreInstance",
    "CoreMemory",
    "CoreMemoryType",
    "CoreModule",
    "CoreTable",
    "CoreTableType",
    "CoreTagType",
    "CoreTrap",
    "Engine",
    "EngineConfig",
    "OpaqueExtern",
    "Store",
    "TrapFrame",
    "ValType",
]
