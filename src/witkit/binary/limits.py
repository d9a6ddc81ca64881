"""Implementation limits of the reader and validator, each with its reason.

The spec leaves most limits to implementations; we use wasmparser's values so
that witkit accepts and rejects the same binaries as ``wasm-tools validate``.
They also bound what a guest can make us allocate before we notice a lie: a
vector's declared length is checked against its limit (and against the bytes
left) before anything is built.
"""

from __future__ import annotations

# --- core wasm (wasmparser's limits.rs) -------------------------------------
MAX_WASM_TYPES = 1_000_000
MAX_WASM_SUPERTYPES = 1
MAX_WASM_FUNCTIONS = 1_000_000
MAX_WASM_IMPORTS = 1_000_000
MAX_WASM_EXPORTS = 1_000_000
MAX_WASM_GLOBALS = 1_000_000
MAX_WASM_TABLES = 100
MAX_WASM_MEMORIES = 100
MAX_WASM_TAGS = 1_000_000
MAX_WASM_STRING_SIZE = 100_000
MAX_WASM_FUNCTION_PARAMS = 1000
MAX_WASM_FUNCTION_RETURNS = 1000
MAX_WASM_STRUCT_FIELDS = 10_000
#: the largest "type size" (number of type nodes, counted with repetition) of one type
MAX_WASM_TYPE_SIZE = 1_000_000

# --- component model ---------------------------------------------------------
MAX_WASM_MODULE_TYPE_DECLS = 100_000
MAX_WASM_COMPONENT_TYPE_DECLS = 1_000_000
MAX_WASM_INSTANCE_TYPE_DECLS = 1_000_000
MAX_WASM_RECORD_FIELDS = 10_000
MAX_WASM_VARIANT_CASES = 10_000
MAX_WASM_TUPLE_TYPES = 10_000
MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS = 1_073_741_824
MAX_WASM_FLAG_NAMES = 1_000
MAX_WASM_ENUM_CASES = 10_000
#: nesting of defined value types; also bounds recursion in every walk over a type
MAX_WASM_COMPONENT_TYPE_DEPTH = 100
MAX_WASM_INSTANTIATION_EXPORTS = 100_000
MAX_WASM_CANONICAL_OPTIONS = 10
MAX_WASM_INSTANTIATION_ARGS = 100_000
MAX_WASM_START_ARGS = 1000
MAX_WASM_MODULES = 1_000
MAX_WASM_COMPONENTS = 1_000
#: wasm-tools 1.262 allows 4 096 (core and component instances together)
MAX_WASM_INSTANCES = 4_096
MAX_WASM_VALUES = 1_000
MAX_CORE_INDEX_SPACE_ITEMS = 1_000_000

#: nesting of component types and instance types inside each other (wasmparser:
#: "component type nesting is too deep"); also keeps our recursion over them bounded
MAX_NESTING_DEPTH = 100
#: module and component sections in a whole file, at every level (wasm-tools 1.262);
#: nested components are read and validated without recursion, so 999 levels work
MAX_MODULES_AND_COMPONENTS = 1000

#: custom sections kept in the ``ir`` of one component or core module (witkit's own
#: limit; wasm-tools has none).  Custom sections are advisory and a real binary has a
#: handful, but a hostile one can hold millions of tiny ones, and each kept one is a
#: Python object: past this many, further custom sections are checked (their name
#: must be UTF-8) and dropped, so they cost time linear in their number and no memory.
MAX_KEPT_CUSTOM_SECTIONS = 10_000

# The Canonical ABI's limits (MAX_FLAT_PARAMS ...) are ``witkit.abi.limits``.
