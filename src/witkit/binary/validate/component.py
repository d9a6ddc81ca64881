"""Validation of a component: its sections in order, its nested components, its type.

A component body is validated section by section into one ``Scope``
(``validate/scope.py``), each kind of definition by the module of its Binary.md
section: ``deftypes`` (types), ``externs`` (imports and exports), ``instances``
(instances and aliases), ``canon`` (canonical definitions).  What is left here
is the body itself: the section counts checked before their items, core
modules, the start function and value definitions, and the finished component's
``ValidatedComponent``.

Rules: every check raises ``ValidationError`` with the offset of the definition
at fault; nested components are a work list, not recursion (wasm-tools accepts
999 levels of nesting); nothing here reads bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from witkit.binary import ir, limits
from witkit.binary.validate.canon import canonical_function
from witkit.binary.validate.context import Ctx, fail
from witkit.binary.validate.core import module_type_of
from witkit.binary.validate.deftypes import add_core_type, add_type
from witkit.binary.validate.externs import add_export, add_import, export_to_entity_type
from witkit.binary.validate.instances import add_alias, add_core_instance, add_instance
from witkit.binary.validate.result import ValidatedComponent
from witkit.binary.validate.scope import Scope, check_max
from witkit.binary.validate.subtype import context
from witkit.errors import ValidationError

__all__ = ["validate_component"]

Adder = Callable[[list[Scope], Any], None]


def _top(add: Callable[[Scope, Any], None]) -> Adder:
    """An item adder of the innermost scope, for those that need no enclosing scope."""
    return lambda stack, item: add(stack[-1], item)


#: the sections whose items enter a counted index space (or the exports): the index space's
#: size, its limit and plural; the vector is checked as a whole before its first item, as
#: wasmparser does
_COUNTED: dict[type, tuple[Callable[[Scope], int], int, str]] = {
    ir.CoreInstanceSection: (Scope.instance_count, limits.MAX_WASM_INSTANCES, "instances"),
    ir.InstanceSection: (Scope.instance_count, limits.MAX_WASM_INSTANCES, "instances"),
    ir.CoreTypeSection: (Scope.type_count, limits.MAX_WASM_TYPES, "types"),
    ir.TypeSection: (Scope.type_count, limits.MAX_WASM_TYPES, "types"),
    ir.CanonSection: (Scope.function_count, limits.MAX_WASM_FUNCTIONS, "functions"),
    ir.ExportSection: (lambda scope: len(scope.exports), limits.MAX_WASM_EXPORTS, "exports"),
}


def _add_core_module(scope: Scope, module: ir.CoreModule) -> None:
    check_max(len(scope.core_modules), 1, limits.MAX_WASM_MODULES, "modules", module.offset)
    scope.origin = module
    ty = module_type_of(module, scope.ctx)
    if scope.ctx.core_validator is not None:
        try:
            scope.ctx.core_validator(module.data)
        except Exception as exc:  # the hook's own error type is unknown to us
            raise fail(f"core module failed to validate: {exc}", module.offset) from None
    scope.push("core_modules", ty)


def _add_start(scope: Scope, start: ir.Start) -> None:
    """🪙 The start definition: a function applied to values, its result a new value."""
    offset = start.offset
    scope.origin = start
    scope.check_value_support(offset)
    if scope.has_start:
        raise fail("component cannot have more than one start function", offset)
    ft = scope.function_at(start.func, offset)
    if len(ft.params) != len(start.args):
        raise fail(
            f"component start function requires {len(ft.params)} arguments but was given "
            f"{len(start.args)}",
            offset,
        )
    expected_results = 0 if ft.result is None else 1
    if expected_results != start.results:
        raise fail(
            f"component start function has a result count of {start.results} but the "
            f"function type has a result count of {expected_results}",
            offset,
        )
    for i, ((_, pty), arg) in enumerate(zip(ft.params, start.args, strict=True)):
        try:
            scope.subtyper.val(scope.value_at(arg, offset), pty, offset)
        except ValidationError as exc:
            raise context(
                exc, f"value type mismatch for component start function argument {i}"
            ) from None
    if ft.result is not None:
        scope.push("values", ft.result)
        scope.values_used.append(False)
    scope.has_start = True


def _add_value(scope: Scope, value: ir.Value) -> None:
    """🪙 A value definition: its encoding must decode as its type."""
    scope.origin = value
    scope.check_value_support(value.offset)
    ty = scope.valtype(value.valtype, value.offset)
    from witkit.binary.validate.values import check_value

    check_value(scope, ty, value)
    check_max(len(scope.values), 1, limits.MAX_WASM_VALUES, "values", value.offset)
    scope.push("values", ty)
    scope.values_used.append(False)


def _add_export(scope: Scope, exp: ir.Export) -> None:
    scope.origin = exp
    add_export(scope, exp.name, export_to_entity_type(scope, exp), exp.offset)


def _validate_section(scope: Scope, stack: list[Scope], section: ir.Section) -> None:
    """One section of a component body (nested components are handled by the caller)."""
    if isinstance(section, ir.CoreModuleSection):
        _add_core_module(scope, section.module)
    elif isinstance(section, ir.StartSection):
        _add_start(scope, section.start)
    else:
        if isinstance(section, ir.ValueSection):
            # judged even when empty: without the feature the section itself is an error
            scope.check_value_support(section.offset)
        items: tuple[Any, ...] = section.items  # type: ignore[union-attr]
        counted = _COUNTED.get(type(section))
        if counted is not None:
            count, limit, what = counted
            check_max(count(scope), len(items), limit, what, section.offset)
        add = _ADD[type(section)]
        for item in items:
            add(stack, item)


#: how one item of each section of items is added
_ADD: dict[type, Adder] = {
    ir.CoreInstanceSection: _top(add_core_instance),
    ir.InstanceSection: _top(add_instance),
    ir.CoreTypeSection: add_core_type,
    ir.TypeSection: add_type,
    ir.CanonSection: _top(canonical_function),
    ir.ExportSection: _top(_add_export),
    ir.AliasSection: add_alias,
    ir.ImportSection: _top(add_import),
    ir.ValueSection: _top(_add_value),
}


def _finish_component(scope: Scope, component: ir.Component) -> ValidatedComponent:
    for index, used in enumerate(scope.values_used):
        if not used:
            raise fail(
                f"value index {index} was not used as part of an instantiation, start "
                "function, or export",
                component.end,
            )
    ty = scope.finish(component.end)
    # every field of a ValidatedComponent but ``ir`` and ``type`` is an index space
    spaces = {f.name: scope.entries(f.name) for f in fields(ValidatedComponent)[2:]}
    return ValidatedComponent(ir=component, type=ty, **spaces)


def validate_component(component: ir.Component, stack: list[Scope], ctx: Ctx) -> ValidatedComponent:
    """Validate ``component`` and the components nested in it (``stack``: enclosing scopes).

    Nested components are validated with an explicit work list rather than by
    recursion, so the 999 levels of nesting wasm-tools accepts stay far from
    Python's recursion limit.
    """
    base = len(stack)
    work: list[tuple[ir.Component, list[int]]] = [(component, [0])]
    stack.append(Scope("component", ctx))
    try:
        while True:
            current, position = work[-1]
            scope = stack[-1]
            sections = current.sections
            nested: ir.Component | None = None
            while position[0] < len(sections):
                section = sections[position[0]]
                position[0] += 1
                if isinstance(section, ir.CustomSection):
                    continue
                if isinstance(section, ir.ComponentSection):
                    n = len(scope.components)
                    check_max(n, 1, limits.MAX_WASM_COMPONENTS, "components", section.offset)
                    nested = section.component
                    break
                _validate_section(scope, stack, section)
            if nested is not None:
                work.append((nested, [0]))
                stack.append(Scope("component", ctx))
                continue
            vc = _finish_component(scope, current)
            stack.pop()
            work.pop()
            if not work:
                return vc
            parent = stack[-1]
            parent.origin = current
            parent.push("components", vc.type, nested=vc)
    finally:
        del stack[base:]
