"""The public surface of the decoding/printing side of ``witkit.wit``: ``__all__`` is honest."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "witkit.wit.decode",
    "witkit.wit.decode.decoder",
    "witkit.wit.decode.embedded",
    "witkit.wit.decode.names",
    "witkit.wit.decode.wasm",
    "witkit.wit.json",
    "witkit.wit.metadata",
    "witkit.wit.printer",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported), exported - set(vars(module))
    defined = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == name
    }
    assert defined <= exported, defined - exported


def test_package_reexports_the_entry_points() -> None:
    import witkit.wit.decode as decode

    assert set(decode.__all__) == {
        "DecodedWasm",
        "decode_component_type",
        "decode_wasm",
        "decode_wit_package",
        "decode_world",
        "is_wit_package",
    }


def test_decode_path_imports_no_runtime() -> None:
    """Start-up of `witkit wit` pays for every import: the decode/print path stays lean."""
    import subprocess
    import sys

    code = (
        "import sys, witkit.wit.decode, witkit.wit.printer;"
        "heavy = {'wasmtime', 'witkit.runtime', 'witkit.abi', 'witkit.wit.metadata', 'json'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
