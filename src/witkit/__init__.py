"""witkit: the WebAssembly Component Model and WASI 0.2, native to Python.

    import witkit
    engine = witkit.Engine()
    component = witkit.Component.from_file(engine, "calc.wasm")
    linker = witkit.Linker(engine)
    linker.define_instance("docs:adder/add@0.1.0", {"add": lambda a, b: a + b})
    instance = linker.instantiate(component)
    instance.exports["docs:calculator/calculate@0.1.0"]["eval-expression"]("1 + 2")

Everything here is imported on first use, so ``import witkit`` stays cheap
(the core engine, wasmtime, loads only when an ``Engine`` is made).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from witkit.abi.values import Err as Err
    from witkit.abi.values import Ok as Ok
    from witkit.abi.values import Record as Record
    from witkit.abi.values import Some as Some
    from witkit.abi.values import UnwrapError as UnwrapError
    from witkit.abi.values import Variant as Variant
    from witkit.errors import BinaryError as BinaryError
    from witkit.errors import LinkError as LinkError
    from witkit.errors import Trap as Trap
    from witkit.errors import ValidationError as ValidationError
    from witkit.errors import WatError as WatError
    from witkit.errors import WitError as WitError
    from witkit.errors import WitkitError as WitkitError
    from witkit.runtime.canon.lift import Func as Func
    from witkit.runtime.component import Component as Component
    from witkit.runtime.core import Engine as Engine
    from witkit.runtime.core import Store as Store
    from witkit.runtime.instance import Exports as Exports
    from witkit.runtime.instance import Instance as Instance
    from witkit.runtime.linker import Linker as Linker
    from witkit.runtime.resources import ResourceHandle as ResourceHandle
    from witkit.runtime.resources import ResourceType as ResourceType
    from witkit.wasi import WasiConfig as WasiConfig

__all__ = [
    # running components
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
    # values
    "Record",
    "Variant",
    "Ok",
    "Err",
    "Some",
    "UnwrapError",
    # errors
    "WitkitError",
    "BinaryError",
    "ValidationError",
    "WitError",
    "WatError",
    "LinkError",
    "Trap",
    "__version__",
]

#: public name -> the module that defines it, imported on first use
#: (``witkit._startup.attribute``: importing the package loads nothing else)
_HOMES: dict[str, str] = {
    "Engine": "witkit.runtime.core",
    "Store": "witkit.runtime.core",
    "Component": "witkit.runtime.component",
    "Linker": "witkit.runtime.linker",
    "Instance": "witkit.runtime.instance",
    "Exports": "witkit.runtime.instance",
    "Func": "witkit.runtime.canon.lift",
    "ResourceHandle": "witkit.runtime.resources",
    "ResourceType": "witkit.runtime.resources",
    "WasiConfig": "witkit.wasi",
    "Record": "witkit.abi.values",
    "Variant": "witkit.abi.values",
    "Ok": "witkit.abi.values",
    "Err": "witkit.abi.values",
    "Some": "witkit.abi.values",
    "UnwrapError": "witkit.abi.values",
    "WitkitError": "witkit.errors",
    "BinaryError": "witkit.errors",
    "ValidationError": "witkit.errors",
    "WitError": "witkit.errors",
    "WatError": "witkit.errors",
    "LinkError": "witkit.errors",
    "Trap": "witkit.errors",
}


def _first_use(package: str) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: ``witkit._startup.attribute`` over its ``_HOMES``.

    Here, not in ``witkit._startup``, so that importing a witkit package loads no
    other module: ``_startup`` is imported at the first lookup.
    """

    def __getattr__(name: str) -> Any:
        from witkit._startup import attribute

        return attribute(package, name)

    return __getattr__


__getattr__ = _first_use(__name__)


def __dir__() -> list[str]:
    """The public names and the subpackages loaded so far: not this module's own
    helpers (``Any``, ``TYPE_CHECKING``...), which are no part of the API."""
    loaded = {
        n
        for n, v in globals().items()
        if not n.startswith("_") and getattr(v, "__name__", None) == f"{__name__}.{n}"
    }
    return sorted(set(__all__) | loaded)
