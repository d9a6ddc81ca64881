"""A compiled component: bytes decoded, validated, translated, and its core modules compiled.

``Component`` is the unit you load once and instantiate many times; everything
that does not depend on the imports is done here (the core modules go through
the engine's on-disk cache), so instantiation only runs the translation's steps.

``Component.from_file`` with the engine's cache on also keeps a *prepared*
entry (``witkit.runtime._prepared``): the next load of the same, unchanged file
skips decoding, validation and translation and maps the compiled modules by
their remembered keys.  A component loaded that way decodes its bytes again
only if ``validated`` is asked for, and its ``translation.modules`` is empty
(the modules' bytes stay in the file; ``modules`` has them compiled).  The
compiled modules are checked as on any load (key and CRC), and nothing is read
from a cache directory someone else could write (``witkit.runtime.cache``): the
engine's ``cache`` is then None, and the component is decoded and compiled.

Making a component changes nothing outside it and its engine's cache: the ABI
code generated for it later is cached by the engine that runs it (see
``witkit.runtime.instance``), not by anything installed for the process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from witkit import _log
from witkit._record import replace
from witkit.runtime import _prepared
from witkit.runtime.core import CoreModule, Engine
from witkit.runtime.plan import Translation
from witkit.types import ComponentType, ExternItem

if TYPE_CHECKING:
    from pathlib import Path

    from witkit.binary import Features, ValidatedComponent

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
        check: Callable[[ComponentType], None] | None = None,
    ) -> None:
        self.engine = engine
        self.name = name
        self._source: Callable[[], bytes] = lambda: data
        self._features = features
        self._validated: ValidatedComponent | None = _decode(data, features)
        if check is not None:
            check(self._validated.type)
        self.translation: Translation = _translate(self._validated)
        self.modules: tuple[CoreModule, ...] = tuple(
            engine.compile(module.data, name=self._module_name(index))
            for index, module in enumerate(self.translation.modules)
        )
        self.type: ComponentType = self._validated.type

    def _module_name(self, index: int) -> str:
        return f"{self.name or 'component'} module {index}"

    @classmethod
    def _from_prepared(
        cls,
        engine: Engine,
        entry: _prepared.Prepared,
        *,
        name: str,
        source: Callable[[], bytes],
        features: Features | None,
    ) -> Component | None:
        """The component an entry describes, or None if a module left the compile cache."""
        self = cls.__new__(cls)
        self.engine = engine
        self.name = name
        self._source = source
        self._features = features
        names = [self._module_name(index) for index in range(len(entry.modules))]
        modules = engine.load_all_cached(entry.modules, names)
        if modules is None:
            return None
        self._validated = None
        self.translation = entry.translation
        self.modules = tuple(modules)
        self.type = entry.type
        return self

    def binary(self) -> bytes:
        """The component's bytes, read again from its file if it was loaded prepared.

        Offsets reported to a person (a trap's backtrace) are in these bytes.
        """
        return self._source()

    @property
    def validated(self) -> ValidatedComponent:
        """Validation's model of the component (decoded again if it was loaded prepared)."""
        if self._validated is None:
            self._validated = _decode(self._source(), self._features)
        return self._validated

    @classmethod
    def from_bytes(
        cls, engine: Engine, data: bytes, *, name: str = "", features: Features | None = None
    ) -> Component:
        """From a component binary, or component text (``.wat``) as bytes."""
        from witkit.wat import assemble, is_text

        if not isinstance(data, bytes | bytearray | memoryview):
            hint = " (text: Component.from_wat)" if isinstance(data, str) else ""
            raise TypeError(
                f"Component.from_bytes takes the component's bytes, got {type(data).__name__}"
                + hint
            )

        if is_text(data):
            data = assemble(data.decode("utf-8"), name or "<text>")
        return cls(engine, bytes(data), name=name, features=features)

    @classmethod
    def from_file(
        cls,
        engine: Engine,
        path: str | Path,
        *,
        features: Features | None = None,
        check: Callable[[ComponentType], None] | None = None,
    ) -> Component:
        """From a ``.wasm`` file, or a ``.wat`` file (decided by content).

        With the engine's cache on, an unchanged file loads prepared (see the
        module docstring) and a changed or new one is prepared for next time.
        ``check`` sees the component's type as soon as it is known and before
        anything is translated or compiled, so it can refuse a component cheaply
        (``witkit run`` on a library) by raising.
        """
        from witkit.wat import load

        name = os.path.basename(path)
        cache = engine.cache
        key = None if cache is None else _prepared.file_key(path, engine.fingerprint, features)
        if cache is None or key is None:
            return cls(engine, load(path), name=name, features=features, check=check)
        entry = _prepared.load(cache.location, key)
        if (log := _log.get("cache", _log.LEVELS["info"])) is not None:
            log.info("%s: prepared entry %s %s", name, _log.short(key), "hit" if entry else "miss")
        if entry is not None:
            if check is not None:
                check(entry.type)
            where = os.path.abspath(path)  # decoded later, perhaps from another directory
            found = cls._from_prepared(
                engine, entry, name=name, source=lambda: load(where), features=features
            )
            if found is not None:
                return found
        component = cls(engine, load(path), name=name, features=features, check=check)
        if not _prepared.too_fresh(path):
            component._prepare(cache.location, key)
        return component

    def _prepare(self, directory: str | os.PathLike[str], key: str) -> None:
        keys = [module.key for module in self.modules]
        if any(k is None for k in keys):
            return  # a module could not be cached: nothing to remember it by
        entry = _prepared.Prepared(
            self.type,
            replace(self.translation, modules=()),
            tuple(k for k in keys if k is not None),
        )
        _prepared.store(directory, key, entry)

    @classmethod
    def from_wat(
        cls, engine: Engine, text: str, *, name: str = "", features: Features | None = None
    ) -> Component:
        from witkit.wat import assemble

        return cls(engine, assemble(text, name or "<text>"), name=name, features=features)

    @property
    def imports(self) -> dict[str, ExternItem]:
        return self.type.imports

    @property
    def exports(self) -> dict[str, ExternItem]:
        return self.type.exports

    def __repr__(self) -> str:
        return f"<witkit.Component {self.name or '?'}>"

    def __str__(self) -> str:
        """The imports and exports as WIT declares them, one per line."""
        from witkit.types import TypeNames, extern_text

        names = TypeNames()
        names.learn(self.type.imports, deep=True)
        names.learn(self.type.exports, deep=True)
        lines = [f"import {n}: {extern_text(i.ty, names)};" for n, i in self.type.imports.items()]
        lines += [f"export {n}: {extern_text(i.ty, names)};" for n, i in self.type.exports.items()]
        body = "".join("\n  " + line.replace("\n", "\n  ") for line in lines)
        return f"component {self.name or '?'} {{{body}\n}}"


def _decode(data: bytes, features: Features | None) -> ValidatedComponent:
    # Imported here: a component loaded prepared never needs the binary reader.
    from witkit.binary import ir, read, validate
    from witkit.errors import BinaryError

    decoded = read(data)
    if not isinstance(decoded, ir.Component):
        raise BinaryError("this is a core module, not a component", 0)
    return validate(decoded, features)


def _translate(validated: ValidatedComponent) -> Translation:
    from witkit.runtime._translate import translate

    return translate(validated)
