"""The public surface of ``witkit.binary``: what ``__all__`` promises exists, and nothing else leaks."""

from __future__ import annotations

import importlib

import pytest

import witkit.binary

PUBLIC = {
    "CanonOptions",
    "CoreValidator",
    "Entry",
    "Features",
    "ValidatedComponent",
    "ir",
    "read",
    "read_file",
    "validate",
}

MODULES = [
    "witkit.binary.ir",
    "witkit.binary.ir.canon",
    "witkit.binary.ir.component",
    "witkit.binary.ir.core",
    "witkit.binary.ir.instances",
    "witkit.binary.ir.types",
    "witkit.binary.reader",
    "witkit.binary.parser",
    "witkit.binary.limits",
    "witkit.binary.codes",
    "witkit.binary.encode",
    "witkit.binary.encode.aliases",
    "witkit.binary.encode.component",
    "witkit.binary.encode.custom",
    "witkit.binary.encode.exports",
    "witkit.binary.encode.imports",
    "witkit.binary.encode.sorts",
    "witkit.binary.encode.types",
    "witkit.binary.encode.writer",
    "witkit.binary.sections.aliases",
    "witkit.binary.sections.canonicals",
    "witkit.binary.sections.core",
    "witkit.binary.sections.custom",
    "witkit.binary.sections.exports",
    "witkit.binary.sections.imports",
    "witkit.binary.sections.instances",
    "witkit.binary.sections.sorts",
    "witkit.binary.sections.start",
    "witkit.binary.sections.types",
    "witkit.binary.sections.values",
    "witkit.binary.validate",
    "witkit.binary.validate.canon",
    "witkit.binary.validate.component",
    "witkit.binary.validate.context",
    "witkit.binary.validate.core",
    "witkit.binary.validate.deftypes",
    "witkit.binary.validate.externs",
    "witkit.binary.validate.instances",
    "witkit.binary.validate.names",
    "witkit.binary.validate.resources",
    "witkit.binary.validate.result",
    "witkit.binary.validate.scope",
    "witkit.binary.validate.subtype",
    "witkit.binary.validate.values",
]


def test_public_names() -> None:
    assert set(witkit.binary.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(witkit.binary, name)


def test_writer_public_names() -> None:
    """``witkit.binary.encode`` re-exports every public name of its modules, and only those."""
    import witkit.binary.encode as encode

    submodules = [m for m in MODULES if m.startswith("witkit.binary.encode.")]
    expected = {n for m in submodules for n in importlib.import_module(m).__all__}
    assert set(encode.__all__) == expected
    for name in expected:
        assert hasattr(encode, name)


@pytest.mark.parametrize("module", MODULES)
def test_module_all_is_defined(module: str) -> None:
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None)
    if names is None:
        return
    for name in names:
        assert hasattr(mod, name), f"{module}.__all__ names {name}, which it does not define"


def test_read_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "empty.wasm"
    path.write_bytes(b"\x00asm\x0d\x00\x01\x00")
    decoded = witkit.binary.read_file(path)
    assert isinstance(decoded, witkit.binary.ir.Component)
    assert witkit.binary.validate(decoded).type.imports == {}


def test_validate_rejects_a_core_module_as_misuse() -> None:
    module = witkit.binary.read(b"\x00asm\x01\x00\x00\x00")
    with pytest.raises(TypeError, match=r"ir\.Component"):
        witkit.binary.validate(module)  # type: ignore[arg-type]
