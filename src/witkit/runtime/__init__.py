"""The component runtime: runs validated components on a core wasm engine.

Each module here is self-contained; import from the module that owns a concept
(``witkit.runtime.core`` is the core-engine adapter).
"""
