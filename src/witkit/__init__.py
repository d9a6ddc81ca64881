"""witkit: the WebAssembly Component Model and WASI 0.2, native to Python."""

__version__ = "0.1.0"
