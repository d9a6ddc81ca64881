"""The layering rules of ARCHITECTURE.md, checked: which part of witkit may import which.

Data flows one way (bytes -> IR -> types -> plan -> instance -> call, the CLI on top), so a
lower layer never imports a higher one, at module level or inside a function.  Every
``import`` and ``from ... import`` of a ``witkit`` module in ``src/witkit`` is read with
``ast`` (so lazy imports count too) and its layer compared with the table below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "witkit"

#: the foundation: small modules every layer may use (records, the start-up helpers, errors,
#: the shared types, interface-name versions, atomic files, the spare descriptor, the
#: signal latch, the opt-in log, WAT assembly)
FOUNDATION = frozenset(
    {
        "_record",
        "_startup",
        "_atomic",
        "_spare",
        "_signals",
        "_log",
        "errors",
        "types",
        "semver",
        "wat",
    }
)

#: layer -> the layers it may import besides the foundation and itself
ALLOWED: dict[str, frozenset[str]] = {
    "foundation": frozenset(),
    "binary": frozenset({"abi"}),  # validation uses the ABI's flattening (lazily)
    "wit": frozenset({"binary", "abi"}),  # the ABI's limits (MAX_FLAT_PARAMS...) in resolution
    "abi": frozenset(),
    "runtime": frozenset({"binary", "abi"}),
    "wasi": frozenset({"runtime", "abi"}),
    "inspect": frozenset({"binary", "wit"}),
    "wave": frozenset({"abi"}),  # WAVE text reads into and writes the ABI's Python values
    # wit-component's jobs (embed, targets): WIT encoded, binaries read and validated
    "build": frozenset({"binary", "wit", "abi"}),
    "cli": frozenset(
        {"binary", "wit", "abi", "runtime", "wasi", "inspect", "package", "wave", "build"}
    ),
    "package": frozenset({"binary", "wit", "abi", "runtime", "wasi"}),
    "__main__": frozenset({"cli"}),
}

#: (importing module, imported layer): the deliberate exceptions, each with its reason
EXCEPTIONS = {
    # Linker.add_wasi is a convenience for witkit.wasi.add_to_linker(linker, config): a lazy
    # import at the call, so the runtime never loads the WASI host unless asked to
    ("witkit.runtime.linker", "wasi"): "Linker.add_wasi convenience, imported lazily",
    # a package's PEP 562 __getattr__ is made by witkit._first_use: the one helper lives in
    # the root package's __init__ (always loaded first) so that importing a package loads no
    # other module; it imports witkit._startup (foundation) at the first lookup
    **{
        (package, "package"): "witkit._first_use, the package __getattr__ (see witkit._startup)"
        for package in ("witkit.abi", "witkit.runtime", "witkit.wit", "witkit.wasi.preview1")
    },
}


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts == ["witkit"]:
        return "package"
    head = parts[1]
    if head in FOUNDATION:
        return "foundation"
    return head


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["witkit", *parts])


def _imports(path: Path) -> set[str]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "witkit":  # from witkit import x: x is a module or a name
                found.update(
                    f"witkit.{alias.name}"
                    if (SRC / alias.name).is_dir() or (SRC / f"{alias.name}.py").exists()
                    else "witkit"
                    for alias in node.names
                )
            else:
                found.add(target)
    return {name for name in found if name == "witkit" or name.startswith("witkit.")}


def _violations() -> list[str]:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        layer = _layer(module)
        allowed = ALLOWED.get(layer)
        if allowed is None:
            problems.append(f"{module}: layer {layer!r} is not in ARCHITECTURE.md's table")
            continue
        for imported in sorted(_imports(path)):
            target = _layer(imported)
            if target in (layer, "foundation") or target in allowed:
                continue
            if (module, target) in EXCEPTIONS:
                continue
            problems.append(f"{module} imports {imported} ({layer} -> {target})")
    return problems


def test_layers_import_only_downwards() -> None:
    assert _violations() == []


def test_the_check_sees_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is not vacuous: forbid runtime -> binary and the existing imports show up."""
    monkeypatch.setitem(ALLOWED, "runtime", frozenset({"abi"}))
    assert any("(runtime -> binary)" in line for line in _violations())
