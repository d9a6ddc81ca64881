"""Validation: from decoded IR to resolved types and index spaces, or a ``ValidationError``.

The model is wasmparser's validator (``validator/component.rs``): the goal is to
accept exactly what ``wasm-tools validate`` accepts with the same features.
Modules, one job each:

* ``component`` -- a component body section by section, nested components, start, values
* ``scope`` -- one component's (or component/instance type's) index spaces and state
* ``deftypes`` -- type definitions: defined value types, functions, resources, component
  and instance types
* ``externs`` -- imports and exports, extern names and their rules
* ``instances`` -- core and component instances, aliases
* ``canon`` -- canonical definitions, checked with the ABI's flattening (``abi.layout``)
* ``subtype`` -- subtyping, and opening component types for instantiation
* ``resources`` -- resources as type variables: free variables, substitution
* ``names`` -- kebab-case, extern names, strong uniqueness (versions: ``witkit.semver``)
* ``core`` -- core module types and core subtyping
* ``context`` -- features, side tables, type sizes; ``result`` -- the output
"""

from __future__ import annotations

from witkit.binary import ir
from witkit.binary.validate.component import validate_component
from witkit.binary.validate.context import CoreValidator, Ctx, Features
from witkit.binary.validate.result import CanonOptions, Entry, ValidatedComponent
from witkit.errors import ValidationError

__all__ = ["CanonOptions", "CoreValidator", "Entry", "Features", "ValidatedComponent", "validate"]


def validate(
    component: ir.Component,
    features: Features | None = None,
    *,
    core_validator: CoreValidator | None = None,
) -> ValidatedComponent:
    """Validate a decoded component; raise ``ValidationError`` if it breaks a rule.

    Core modules are checked only as far as their types go.  To also validate
    their code (as ``wasm-tools validate`` does), pass ``core_validator``: it is
    called with each embedded module's bytes and raises any exception to reject
    it (e.g. ``lambda m: wasmtime.Module.validate(engine, m)``).
    """
    if not isinstance(component, ir.Component):
        raise TypeError(
            f"validate() takes an ir.Component, not {type(component).__name__} "
            "(read() returns ir.CoreModule for a core module)"
        )
    ctx = Ctx(features if features is not None else Features(), core_validator)
    try:
        return validate_component(component, [], ctx)
    except RecursionError:  # a last line of defence: every nesting has its own limit
        raise ValidationError("the component's types nest too deeply", component.offset) from None
