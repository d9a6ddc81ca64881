"""What a binary is made of, as data: the model behind ``witkit inspect``.

``inspect_bytes`` reads (and, for components, validates) a binary and returns a
``Report``: its kind, its size, and for a component the tree a person wants to see
first -- core modules with their sizes, nested components, core and component
instances and how they are made, imports and exports with their types written in
WIT syntax, and the producers.  Rendering is the CLI's job; ``Report.to_json()``
serves scripts.

Types are written the way WIT writes them.  A named type (one an instance or
component exports as ``(type (eq ...))``, or a resource) is written by its name, so
functions read like their WIT declarations: ``func(self: borrow<output-stream>,
contents: list<u8>) -> result<_, stream-error>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, field
from typing import Literal

from witkit import types as t
from witkit._record import record
from witkit.binary import ValidatedComponent, ir

__all__ = [
    "ComponentReport",
    "Item",
    "ModuleReport",
    "Report",
    "TypeNames",
    "describe_extern",
    "describe_valtype",
    "inspect_bytes",
]


@record
class Item:
    """One import or export: its name, its kind, and its type in WIT syntax."""

    name: str
    kind: str
    type: str
    #: for instances: ``(name, type)`` of each export
    members: tuple[tuple[str, str], ...] = ()


@record
class ModuleReport:
    index: int
    name: str | None
    offset: int
    size: int
    imports: tuple[str, ...]
    exports: tuple[str, ...]
    memories: int
    tables: int


@record
class ComponentReport:
    name: str | None
    offset: int
    size: int
    modules: tuple[ModuleReport, ...] = ()
    components: tuple[ComponentReport, ...] = ()
    #: how each core instance is made, in index order
    core_instances: tuple[str, ...] = ()
    #: how each component instance is made, in index order (imports included)
    instances: tuple[str, ...] = ()
    imports: tuple[Item, ...] = ()
    exports: tuple[Item, ...] = ()
    producers: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


@record
class Report:
    """``kind`` is ``component``, ``core module`` or ``wit package`` (a component that only exports types)."""

    kind: Literal["component", "core module", "wit package"]
    size: int
    component: ComponentReport | None = None
    module: ModuleReport | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


# --------------------------------------------------------------------------- types in WIT syntax


# ``TypeNames`` and the WIT text of value and function types live in ``witkit.types``
# (the runtime's messages use them too); this module adds the extern summary.
TypeNames = t.TypeNames


def describe_valtype(ty: t.ValType, names: TypeNames | None = None, *, top: bool = True) -> str:
    """A value type in WIT syntax; named types by their name unless at the top."""
    return t.wit_text(ty, names, top=top)


_describe_func = t.func_text


def describe_extern(ty: t.ExternType, names: TypeNames | None = None) -> tuple[str, str]:
    """``(kind, type)`` of an import or export, the type in WIT syntax."""
    names = names or TypeNames()
    match ty:
        case t.FuncType():
            return "func", _describe_func(ty, names)
        case t.InstanceType(exports=exports):
            return "instance", f"instance ({len(exports)} exports)"
        case t.ComponentType(imports=imports, exports=exports):
            return "component", f"component ({len(imports)} imports, {len(exports)} exports)"
        case t.ModuleType(imports=imports, exports=exports):
            return "core module", f"core module ({len(imports)} imports, {len(exports)} exports)"
        case t.ValueExtern(ty=value):
            return "value", describe_valtype(value, names, top=False)
        case t.TypeExtern(referenced=ref):
            if isinstance(ref, t.ResourceType):
                return "type", "resource"
            if isinstance(ref, t.FuncType):
                return "type", _describe_func(ref, names)
            if isinstance(ref, (t.InstanceType, t.ComponentType)):
                return "type", describe_extern(ref, names)[1]
            return "type", describe_valtype(ref, names, top=True)
    return "unknown", type(ty).__name__  # pragma: no cover


def _items(externs: dict[str, t.ExternItem], names: TypeNames) -> tuple[Item, ...]:
    out: list[Item] = []
    for name, item in externs.items():
        members: tuple[tuple[str, str], ...] = ()
        if isinstance(item.ty, t.InstanceType):
            names.learn(item.ty.exports)
            members = tuple(
                (member, describe_extern(sub.ty, names)[1])
                for member, sub in item.ty.exports.items()
            )
        if isinstance(item.ty, t.TypeExtern):
            names.learn({name: item})
        kind, text = describe_extern(item.ty, names)
        out.append(Item(name, kind, text, members))
    return tuple(out)


# --------------------------------------------------------------------------- the tree


def _sort_names(component: ir.Component) -> dict[str, dict[int, str]]:
    for custom in component.customs:
        if custom.names is not None:
            return {sort: dict(pairs) for sort, pairs in custom.names.sorts.items()}
    return {}


def _own_name(component: ir.Component) -> str | None:
    for custom in component.customs:
        if custom.names is not None:
            return custom.names.component
    return None


def _module_report(index: int, module: ir.CoreModule, name: str | None) -> ModuleReport:
    return ModuleReport(
        index=index,
        name=name,
        offset=module.offset,
        size=module.size,
        imports=tuple(f"{i.module}::{i.name}" for i in module.imports),
        exports=tuple(e.name for e in module.exports),
        memories=len(module.memories),
        tables=len(module.tables),
    )


def _describe_core_instance(inst: ir.CoreInstance, names: dict[int, str]) -> str:
    if isinstance(inst, ir.CoreInstantiate):
        module = names.get(inst.module, str(inst.module))
        return _instantiate(f"module {module}", (f"{a.name}=instance {a.index}" for a in inst.args))
    return _exports(e.name for e in inst.exports)


def _names(names: Iterable[str], shown: int = 8) -> str:
    """A comma list that stays one readable line: the first few, then how many more."""
    items = list(names)
    head = ", ".join(items[:shown])
    return head if len(items) <= shown else f"{head}, ... ({len(items) - shown} more)"


def _describe_instance(inst: ir.Instance, names: dict[int, str]) -> str:
    if isinstance(inst, ir.Instantiate):
        comp = names.get(inst.component, str(inst.component))
        return _instantiate(
            f"component {comp}", (f"{a.name}={a.sort} {a.index}" for a in inst.args)
        )
    return _exports(e.name.name for e in inst.exports)


def _instantiate(what: str, args: Iterable[str]) -> str:
    """An instance made by instantiating ``what``, core or component alike."""
    joined = ", ".join(args)
    return f"instantiate {what}" + (f" with {joined}" if joined else "")


def _exports(names: Iterable[str]) -> str:
    """An instance made of exports, core or component alike."""
    return f"exports {{{_names(names)}}}"


def _nested_types(checked: ValidatedComponent) -> dict[int, ValidatedComponent]:
    """The validation of every nested component definition, by the identity of its IR."""
    found: dict[int, ValidatedComponent] = {}
    for entry in checked.components:
        if entry.nested is not None:
            found[id(entry.nested.ir)] = entry.nested
            found.update(_nested_types(entry.nested))
    return found


def _component_report(
    component: ir.Component,
    name: str | None,
    ctype: t.ComponentType | None,
    nested_types: dict[int, ValidatedComponent] | None = None,
) -> ComponentReport:
    sort_names = _sort_names(component)
    modules: list[ModuleReport] = []
    components: list[ComponentReport] = []
    core_instances: list[str] = []
    instances: list[str] = []
    producers: dict[str, tuple[tuple[str, str], ...]] = {}
    module_names = sort_names.get("core module", {})
    component_names = sort_names.get("component", {})
    for section in component.sections:
        if isinstance(section, ir.CoreModuleSection):
            index = len(modules)
            modules.append(_module_report(index, section.module, module_names.get(index)))
        elif isinstance(section, ir.ComponentSection):
            index = len(components)
            nested = section.component
            nested_name = component_names.get(index) or _own_name(nested)
            checked = (nested_types or {}).get(id(nested))
            components.append(
                _component_report(
                    nested, nested_name, checked.type if checked else None, nested_types
                )
            )
        elif isinstance(section, ir.CoreInstanceSection):
            core_instances.extend(_describe_core_instance(i, module_names) for i in section.items)
        elif isinstance(section, ir.InstanceSection):
            instances.extend(_describe_instance(i, component_names) for i in section.items)
        elif isinstance(section, ir.ImportSection):
            instances.extend(
                f"import {i.name.name}" for i in section.items if i.desc.sort == "instance"
            )
        elif isinstance(section, ir.CustomSection) and section.producers is not None:
            for key, values in section.producers.fields.items():
                producers[key] = producers.get(key, ()) + values
    names = TypeNames()
    if ctype is not None:
        imports = _items(ctype.imports, names)
        exports = _items(ctype.exports, names)
    else:
        imports = tuple(Item(i.name.name, i.desc.sort, "") for i in component.imports)
        exports = tuple(Item(e.name.name, e.sort, "") for e in component.exports)
    return ComponentReport(
        name=name,
        offset=component.offset,
        size=component.size,
        modules=tuple(modules),
        components=tuple(components),
        core_instances=tuple(core_instances),
        instances=tuple(instances),
        imports=imports,
        exports=exports,
        producers=producers,
    )


def inspect_bytes(data: bytes) -> Report:
    """Read (and validate) ``data``; raise ``BinaryError``/``ValidationError`` when it is not wasm."""
    from witkit.binary import read, validate

    parsed = read(data)
    if isinstance(parsed, ir.CoreModule):
        return Report("core module", len(data), module=_module_report(0, parsed, None))
    checked = validate(parsed)
    exports = checked.type.exports
    is_package = bool(exports) and all(
        isinstance(item.ty, t.TypeExtern) and isinstance(item.ty.referenced, t.ComponentType)
        for item in exports.values()
    )
    report = _component_report(parsed, _own_name(parsed), checked.type, _nested_types(checked))
    return Report("wit package" if is_package else "component", len(data), component=report)
