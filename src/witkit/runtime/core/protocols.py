"""The core-engine surface the component runtime depends on, as Protocols.

The component runtime should type its engine-facing code against these, so a
test (or a user virtualising execution) can hand it another implementation:
a recording fake, a pure-Python interpreter, a different engine.  The wasmtime
adapter in this package satisfies them (checked by ``tests/runtime_core``).

Objects made by one implementation are only ever given back to the same one
(a module to its engine's stores, externs to their own store), so those
parameters are typed ``Any`` here rather than pinned to this package's classes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from witkit.runtime.core.types import CoreExport, CoreFuncType, CoreImport

__all__ = [
    "EngineLike",
    "FuncLike",
    "InstanceLike",
    "MemoryLike",
    "ModuleLike",
    "StoreLike",
]


@runtime_checkable
class FuncLike(Protocol):
    """A callable core function; ``call`` is its fastest entry point."""

    type: CoreFuncType
    call: Callable[..., Any]

    def bind(self, *, signed: bool = False) -> Callable[..., Any]: ...


@runtime_checkable
class MemoryLike(Protocol):
    """A linear memory, read and written through a zero-copy view."""

    def view(self) -> memoryview: ...

    def grow(self, delta_pages: int) -> int: ...

    def read(self, address: int, length: int) -> bytes: ...

    def write(self, address: int, data: bytes | bytearray | memoryview) -> None: ...

    @property
    def data_size(self) -> int: ...


@runtime_checkable
class InstanceLike(Protocol):
    def get(self, name: str) -> Any | None: ...

    def export(self, name: str) -> Any: ...

    def func(self, name: str) -> FuncLike: ...

    def memory(self, name: str) -> MemoryLike: ...


@runtime_checkable
class ModuleLike(Protocol):
    @property
    def imports(self) -> tuple[CoreImport, ...]: ...

    @property
    def exports(self) -> tuple[CoreExport, ...]: ...


@runtime_checkable
class StoreLike(Protocol):
    def instantiate(
        self, module: Any, imports: Sequence[Any] | Mapping[tuple[str, str], Any] = ()
    ) -> InstanceLike: ...

    def host_func(
        self,
        ty: CoreFuncType,
        fn: Callable[..., Any],
        *,
        signed: bool = False,
        name: str | None = None,
    ) -> FuncLike: ...

    def set_timeout(self, seconds: float | None) -> None: ...


@runtime_checkable
class EngineLike(Protocol):
    def compile(self, wasm: bytes | bytearray | memoryview, *, name: str = "") -> ModuleLike: ...
