"""A compiled component: bytes decoded, validated, translated, and its core modules compiled.

``Component`` is the unit you load once and instantiate many times; everything
that does not depend on the imports is done here (the core modules go through
the engine's on-disk cache), so instantiation only runs the translation's steps.
"""

from __future__ import annotations

from pathlib import Path

from witkit.abi.codecache import get_code_cache, set_code_cache
from witkit.binary import Features, ValidatedComponent, ir, read, validate
from witkit.errors import BinaryError
from witkit.runtime.codecache import DiskCodeCache
from witkit.runtime.core import CoreModule, Engine
from witkit.runtime.translate import Translation, translate
from witkit.types import ComponentType, ExternItem

__all__ = ["Component"]


class Component:
    """A validated, translated and compiled component, ready for ``Linker.instantiate``."""

    def __init__(
        self,
        engine: Engine,
        data: bytes,
        *,
        name: str = "",
        features: Features | None = None,
    ) -> None:
        decoded = read(data)
        if not isinstance(decoded, ir.Component):
            raise BinaryError("this is a core module, not a component", 0)
        self.engine = engine
        self.name = name
        if engine.cache is not None and get_code_cache() is None:
            # The ABI's generated code is cached beside the compiled modules.
            set_code_cache(DiskCodeCache(engine.cache.directory))
        self.validated: ValidatedComponent = validate(decoded, features)
        self.translation: Translation = translate(self.validated)
        self.modules: tuple[CoreModule, ...] = tuple(
            engine.compile(module.data, name=f"{name or 'component'} module {index}")
            for index, module in enumerate(self.translation.modules)
        )

    @classmethod
    def from_bytes(
        cls, engine: Engine, data: bytes, *, name: str = "", features: Features | None = None
    ) -> Component:
        """From a component binary, or component text (``.wat``) as bytes."""
        from witkit.wat import assemble, is_text

        if is_text(data):
            data = assemble(data.decode("utf-8"), name or "<text>")
        return cls(engine, bytes(data), name=name, features=features)

    @classmethod
    def from_file(
        cls, engine: Engine, path: str | Path, *, features: Features | None = None
    ) -> Component:
        """From a ``.wasm`` file, or a ``.wat`` file (decided by content)."""
        from witkit.wat import load

        return cls(engine, load(path), name=Path(path).name, features=features)

    @classmethod
    def from_wat(
        cls, engine: Engine, text: str, *, name: str = "", features: Features | None = None
    ) -> Component:
        from witkit.wat import assemble

        return cls(engine, assemble(text, name or "<text>"), name=name, features=features)

    @property
    def type(self) -> ComponentType:
        return self.validated.type

    @property
    def imports(self) -> dict[str, ExternItem]:
        return self.validated.type.imports

    @property
    def exports(self) -> dict[str, ExternItem]:
        return self.validated.type.exports

    def __repr__(self) -> str:
        return f"<witkit.Component {self.name or '?'}>"
