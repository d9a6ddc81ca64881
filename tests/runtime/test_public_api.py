"""The public surface: a curated ``__all__`` that resolves, and ``import witkit`` stays cheap."""

from __future__ import annotations

import subprocess
import sys

import witkit

EXPECTED = {
    "Engine",
    "Store",
    "Component",
    "Linker",
    "Instance",
    "Exports",
    "Func",
    "ResourceHandle",
    "ResourceType",
    "WasiConfig",
    "Record",
    "Variant",
    "Ok",
    "Err",
    "Some",
    "UnwrapError",
    "WitkitError",
    "BinaryError",
    "ValidationError",
    "WitError",
    "WatError",
    "LinkError",
    "Trap",
    "__version__",
}


def test_all_is_curated_and_resolves() -> None:
    assert set(witkit.__all__) == EXPECTED
    assert len(witkit.__all__) == len(set(witkit.__all__))
    for name in witkit.__all__:
        assert getattr(witkit, name) is not None


def test_import_is_cheap() -> None:
    code = "import sys, witkit; print('wasmtime' in sys.modules, 'witkit.runtime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_unknown_attribute() -> None:
    try:
        witkit.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as err:
        assert "NoSuchThing" in str(err)
    else:
        raise AssertionError("expected AttributeError")
