"""Core wasm inside a component: module types, core instance types, core subtyping.

A core module is validated only as far as its *type* goes (its import and
export declarations, the types of its functions, tables, memories, globals and
tags); function bodies are left to the core engine that will compile the module.
Core function types compare structurally (params and results), which is what
wasmparser's canonicalised type ids amount to for non-GC types.
"""

from __future__ import annotations

from typing import Any

from witkit.binary import ir
from witkit.binary.validate.context import Ctx, fail
from witkit.errors import ValidationError
from witkit.types import (
    CoreExtern,
    CoreFuncType,
    CoreInstanceType,
    GlobalType,
    MemoryType,
    ModuleType,
    TableType,
    TagType,
)

__all__ = [
    "CoreTypeEntry",
    "check_memory",
    "check_table",
    "core_func_eq",
    "describe",
    "entity_subtype",
    "module_type_of",
    "sub_type",
]

#: what the core type index space holds: func types, module types, other GC sub types
CoreTypeEntry = CoreFuncType | ModuleType | ir.CoreSubType

_MAX_PAGES_32 = 1 << 16
_MAX_PAGES_64 = 1 << 48


def sub_type(sub: ir.CoreSubType) -> CoreTypeEntry:
    if sub.kind == "func":
        return CoreFuncType(sub.params, sub.results)
    return sub


def core_func_eq(a: CoreFuncType, b: CoreFuncType) -> bool:
    return a is b or (a.params == b.params and a.results == b.results)


def describe(ty: CoreFuncType) -> str:
    params = " ".join(ty.params)
    results = " ".join(ty.results)
    return (
        f"(func (param {params}) (result {results}))".replace("(param )", "")
        .replace(" (result )", "")
        .replace("(func  ", "(func ")
    )


def check_table(t: ir.TableDef, offset: int) -> TableType:
    if t.maximum is not None and t.minimum > t.maximum:
        raise fail("size minimum must not be greater than maximum", offset)
    return TableType(t.element, t.minimum, t.maximum, t.table64)


def check_memory(m: ir.MemoryDef, offset: int) -> MemoryType:
    if m.page_size_log2 not in (0, 16):
        raise fail(f"invalid custom page size: {1 << min(m.page_size_log2, 64)}", offset)
    limit = _MAX_PAGES_64 if m.memory64 else _MAX_PAGES_32
    if m.page_size_log2 == 0:
        limit = (1 << 64) - 1 if m.memory64 else (1 << 32) - 1
    if m.minimum > limit:
        raise fail(f"memory size must be at most {limit} pages", offset)
    if m.maximum is not None:
        if m.maximum > limit:
            raise fail(f"memory size must be at most {limit} pages", offset)
        if m.minimum > m.maximum:
            raise fail("size minimum must not be greater than maximum", offset)
    elif m.shared:
        raise fail("shared memory must have maximum size", offset)
    return MemoryType(m.minimum, m.maximum, m.shared, m.memory64, m.page_size_log2)


class _ModuleTypes:
    """The type of one core module (or module type) being built: its types, imports, exports.

    Type indices resolve to core types; an import name may appear once (components
    forbid the duplicates core wasm allows), an export name once.
    """

    __slots__ = ("exports", "imports", "seen", "types")

    def __init__(self) -> None:
        self.types: list[CoreTypeEntry] = []
        self.imports: list[tuple[str, str, CoreExtern]] = []
        self.seen: set[tuple[str, str]] = set()
        self.exports: dict[str, CoreExtern] = {}

    def add_import(self, imp: ir.CoreImport, ctx: Ctx) -> None:
        key = (imp.module, imp.name)
        if key in self.seen:
            raise fail(
                f"module has a duplicate import name `{imp.module}:{imp.name}` "
                "that is not allowed in components",
                imp.offset,
            )
        self.seen.add(key)
        self.imports.append((imp.module, imp.name, self.extern(imp.desc, imp.offset, ctx)))

    def add_export(self, name: str, ty: CoreExtern, offset: int) -> None:
        if name in self.exports:
            raise fail(f"duplicate export name `{name}` already defined", offset)
        self.exports[name] = ty

    def module_type(self) -> ModuleType:
        return ModuleType(tuple(self.imports), self.exports)

    def tag(self, index: int, offset: int) -> TagType:
        func = self.func(index, offset)
        if func.results:
            raise fail("invalid exception type: non-empty tag result type", offset)
        return TagType(func)

    def add_group(self, group: ir.CoreRecGroup) -> None:
        base = len(self.types)
        n = len(group.types)
        for sub in group.types:
            for sup in sub.supertypes:
                if sup >= base + n:
                    raise fail(f"unknown type {sup}: type index out of bounds", sub.offset)
            self.types.append(sub_type(sub))

    def func(self, index: int, offset: int) -> CoreFuncType:
        if index >= len(self.types):
            raise fail(f"unknown type {index}: type index out of bounds", offset)
        ty = self.types[index]
        if not isinstance(ty, CoreFuncType):
            raise fail(f"type index {index} is not a function type", offset)
        return ty

    def extern(self, desc: ir.CoreExternDesc, offset: int, ctx: Ctx) -> CoreExtern:
        if desc.kind == "func":
            return self.func(desc.type_index, offset)
        if desc.kind == "table":
            assert desc.table is not None
            return check_table(desc.table, offset)
        if desc.kind == "memory":
            assert desc.memory is not None
            return check_memory(desc.memory, offset)
        if desc.kind == "global":
            assert desc.global_ is not None
            return GlobalType(desc.global_.valtype, desc.global_.mutable)
        if not ctx.features.exceptions:
            raise fail("exceptions proposal not enabled", offset)
        return self.tag(desc.type_index, offset)


def module_type_of(module: ir.CoreModule, ctx: Ctx) -> ModuleType:
    """The type of a core module, checking the declarations that type depends on."""
    types = _ModuleTypes()
    for group in module.types:
        types.add_group(group)
    for imp in module.imports:
        types.add_import(imp, ctx)
    # every function's type index must name a function type; only exported
    # functions need their type resolved, so the check is a set operation
    func_indices = {i for i, t in enumerate(types.types) if isinstance(t, CoreFuncType)}
    if not func_indices.issuperset(module.funcs):
        bad = next(i for i in module.funcs if i not in func_indices)
        types.func(bad, module.offset)
    tables = [check_table(t, module.offset) for t in module.tables]
    memories = [check_memory(m, module.offset) for m in module.memories]
    globals_ = [GlobalType(g.valtype, g.mutable) for g in module.globals]
    tags = [types.tag(t, module.offset) for t in module.tags]
    n_funcs = len(module.funcs)
    if module.start is not None:
        if module.start >= n_funcs:
            raise fail(
                f"unknown function {module.start}: start function index out of bounds",
                module.offset,
            )
        start = types.func(module.funcs[module.start], module.offset)
        if start.params or start.results:
            raise fail("invalid start function type", module.offset)
    for exp in module.exports:
        kind = exp.kind
        ty: CoreExtern
        if kind == "func":
            if exp.index >= n_funcs:
                raise fail(
                    f"unknown func {exp.index}: exported func index out of bounds", exp.offset
                )
            ty = types.func(module.funcs[exp.index], exp.offset)
        else:
            space: list[Any] = (
                tables
                if kind == "table"
                else memories
                if kind == "memory"
                else globals_
                if kind == "global"
                else tags
            )
            if exp.index >= len(space):
                raise fail(
                    f"unknown {kind} {exp.index}: exported {kind} index out of bounds",
                    exp.offset,
                )
            ty = space[exp.index]
        types.add_export(exp.name, ty, exp.offset)
    return types.module_type()


def module_type_from_decls(
    decl: ir.CoreModuleTypeDef, outer: list[list[CoreTypeEntry]], ctx: Ctx
) -> ModuleType:
    """``(module md*)``: ``outer[-1]`` is the core type space of the scope defining it.

    In a module type's outer alias, count 0 is the module type itself and
    count 1 the component (or component/instance type) that declares it.
    """
    types = _ModuleTypes()
    for d in decl.decls:
        if isinstance(d, ir.CoreRecGroup):
            types.add_group(d)
        elif isinstance(d, ir.CoreExportDecl):
            types.add_export(d.name, types.extern(d.desc, d.offset, ctx), d.offset)
        elif isinstance(d, ir.CoreAliasDecl):
            if d.count == 0:
                space = types.types
            else:
                if d.count > len(outer):
                    raise fail(f"invalid outer alias count of {d.count - 1}", d.offset)
                space = outer[len(outer) - d.count]
            if d.index >= len(space):
                raise fail(f"unknown type {d.index}: type index out of bounds", d.offset)
            target = space[d.index]
            if isinstance(target, ModuleType):
                raise fail(
                    "not implemented: aliasing core module types into a core module's "
                    "types index space",
                    d.offset,
                )
            types.types.append(target)
        else:
            types.add_import(d, ctx)
    return types.module_type()


# --------------------------------------------------------------------------- subtyping


#: a core extern's kind as wasmparser's messages name it (first match; otherwise a tag)
_KINDS: tuple[tuple[type, str], ...] = (
    (CoreFuncType, "func"),
    (TableType, "table"),
    (MemoryType, "memory"),
    (GlobalType, "global"),
)


def _kind(ty: CoreExtern) -> str:
    return next((name for cls, name in _KINDS if isinstance(ty, cls)), "tag")


def _limits_match(a_min: int, a_max: int | None, b_min: int, b_max: int | None) -> bool:
    return a_min >= b_min and (b_max is None or (a_max is not None and a_max <= b_max))


def entity_subtype(a: CoreExtern, b: CoreExtern, offset: int) -> None:
    """Is core extern ``a`` usable where ``b`` is expected?  Raise if not."""
    if isinstance(a, CoreFuncType) and isinstance(b, CoreFuncType):
        if not core_func_eq(a, b):
            raise fail(f"expected: {describe(b)}\nfound:    {describe(a)}", offset)
        return
    if isinstance(a, TableType) and isinstance(b, TableType):
        if a.element != b.element:
            raise fail(f"expected table element type {b.element}, found {a.element}", offset)
        if not _limits_match(a.minimum, a.maximum, b.minimum, b.maximum):
            raise fail("mismatch in table limits", offset)
        return
    if isinstance(a, MemoryType) and isinstance(b, MemoryType):
        if a.shared != b.shared:
            raise fail("mismatch in the shared flag for memories", offset)
        if a.memory64 != b.memory64:
            raise fail("mismatch in index type used for memories", offset)
        if a.page_size_log2 != b.page_size_log2:
            raise fail("mismatch in page size for memories", offset)
        if not _limits_match(a.minimum, a.maximum, b.minimum, b.maximum):
            raise fail("mismatch in memory limits", offset)
        return
    if isinstance(a, GlobalType) and isinstance(b, GlobalType):
        if a.mutable != b.mutable:
            raise fail("global types differ in mutability", offset)
        if a.valtype != b.valtype:
            raise fail(f"expected global type {b.valtype}, found {a.valtype}", offset)
        return
    if isinstance(a, TagType) and isinstance(b, TagType):
        if not core_func_eq(a.func, b.func):
            raise fail(f"expected: {describe(b.func)}\nfound:    {describe(a.func)}", offset)
        return
    raise fail(f"expected {_kind(b)}, found {_kind(a)}", offset)


def module_subtype(a: ModuleType, b: ModuleType, offset: int) -> None:
    """Module ``a`` may import less and export more than ``b``."""
    b_imports = {(m, n): t for m, n, t in b.imports}
    for m, n, ta in a.imports:
        tb = b_imports.get((m, n))
        if tb is None:
            raise fail(f"missing expected import `{m}::{n}`", offset)
        try:
            entity_subtype(tb, ta, offset)
        except ValidationError as exc:
            raise fail(f"type mismatch in import `{m}::{n}`\n{exc.message}", offset) from None
    for name, tb in b.exports.items():
        ta2 = a.exports.get(name)
        if ta2 is None:
            raise fail(f"missing expected export `{name}`", offset)
        try:
            entity_subtype(ta2, tb, offset)
        except ValidationError as exc:
            raise fail(f"type mismatch in export `{name}`\n{exc.message}", offset) from None


def instance_exports(ty: CoreInstanceType) -> dict[str, CoreExtern]:
    return ty.exports
