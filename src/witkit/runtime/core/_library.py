"""wasmtime's native library, found through the ``wasmtime`` package without running it.

Importing wasmtime-py costs ~20 ms of a ~100 ms ``witkit run``: its bindings
declare ~2000 C functions and it imports ``pathlib``, ``platform``, ``zipfile``...
witkit calls fewer than a hundred of those functions, so it loads the library
the package ships and declares just those (``_capi``).  ``find_spec`` locates the
package's directory without executing it; the library sits in a
``<platform>-<machine>`` folder beside its modules, as wasmtime-py expects.

Loading the very file wasmtime-py loads keeps the two interchangeable in one
process: ``dlopen`` of the same path returns the same handle, so pointers made by
witkit are valid for wasmtime-py (the tests use it as an oracle; ``witkit.wat``
and the wast runner still call it) and the other way round.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys

__all__ = ["PACKAGE", "library_file", "load", "machine"]

#: The PyPI package that ships the library (and whose version pins its C API).
PACKAGE = "wasmtime"

_LIBRARY_NAMES = {
    "linux": "_libwasmtime.so",
    "android": "_libwasmtime.so",
    "darwin": "_libwasmtime.dylib",
    "win32": "_wasmtime.dll",
}
# Spellings of the same two architectures across systems, to wasmtime-py's folder names.
_MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}


def machine() -> str:
    """The machine name as ``platform.machine()`` gives it (without importing ``platform``)."""
    if hasattr(os, "uname"):
        return os.uname().machine
    return os.environ.get("PROCESSOR_ARCHITECTURE", "")  # pragma: no cover - Windows


def _system() -> str:
    # Python before 3.13 calls Android "linux"; wasmtime-py ships it as "android".
    return "android" if hasattr(sys, "getandroidapilevel") else sys.platform


def library_file() -> tuple[str, str]:
    """(the package's directory, the library's path relative to it).

    Raises ``ImportError`` naming the package when it is missing, and naming the
    file when this platform has none.
    """
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):  # pragma: no cover - a broken meta path entry
        spec = None
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        raise ImportError(
            f"witkit runs core wasm on the native library of the {PACKAGE!r} package, "
            f"which is not installed (pip install {PACKAGE})",
            name=PACKAGE,
        )
    package = locations[0]
    system = _system()
    arch = _MACHINES.get(machine().lower(), machine())
    relative = os.path.join(f"{system}-{arch}", _LIBRARY_NAMES.get(system, "_libwasmtime.so"))
    if not os.path.isfile(os.path.join(package, relative)):
        raise ImportError(
            f"the {PACKAGE!r} package in {package} has no native library for "
            f"{system}-{arch} ({relative} is missing)",
            name=PACKAGE,
        )
    return package, relative


def load() -> ctypes.CDLL:
    """Load (or find already loaded) the library."""
    package, relative = library_file()
    return ctypes.CDLL(os.path.join(package, relative))
