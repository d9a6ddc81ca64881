"""The lift/lower generator: ``Lifting`` and ``Lowering`` joined into one emitter of modules.

See the package docstring (``witkit.abi.codegen``) for what the emitted code does and its rules.
"""

from __future__ import annotations

from witkit.abi.codegen.lifting import Lifting
from witkit.abi.codegen.lowering import Lowering

__all__ = ["Generator"]


class Generator(Lifting, Lowering):
    """Emits the source of one module of lift/lower functions (see the module docstring).

    The spec-named emitters come from ``Lifting`` and ``Lowering``; the writing
    machinery (functions, names, constants, memory plans) from ``Emitter``.
    """
