"""Subtyping of component-level types (Explainer.md "Subtyping"), as wasmparser implements it.

Like wasmparser (and Wasmtime), value and function types must match *exactly*
(structurally, names included); instances may export more than expected;
components may import less and export more.  Resources compare by identity of
their root.  Component types are compared by "opening" them: the expected
type's imports are supplied to the actual type, the resulting substitution of
resources is applied to the actual exports, which must then satisfy the expected
exports (``open_instance_type``, the heart of instantiation too).

Failures raise ``ValidationError``; context lines ("type mismatch for import
`x`") are prepended the way wasmparser does, one per line.
"""

from __future__ import annotations

from typing import Any, Literal

from witkit.binary.validate.context import Ctx, fail
from witkit.binary.validate.core import module_subtype
from witkit.binary.validate.resources import Remap
from witkit.errors import ValidationError
from witkit.types import (
    BorrowType,
    ComponentType,
    EnumType,
    ExternType,
    FlagsType,
    FuncType,
    FutureType,
    InstanceType,
    ListType,
    MapType,
    ModuleType,
    OptionType,
    OwnType,
    PrimType,
    RecordType,
    ResourceType,
    ResultType,
    StreamType,
    TupleType,
    TypeExtern,
    ValType,
    ValueExtern,
    VariantType,
    root,
)

__all__ = ["Subtyper", "context", "desc", "extern_desc"]


def context(exc: ValidationError, line: str) -> ValidationError:
    """``exc`` with a context line prepended (wasmparser's ``with_context``)."""
    return ValidationError(f"{line}\n{exc.message}", exc.offset)


def desc(ty: Any) -> str:
    """wasmparser's ``desc()`` of a type."""
    if isinstance(ty, str):
        return ty
    names: dict[type, str] = {
        PrimType: "primitive",
        RecordType: "record",
        VariantType: "variant",
        ListType: "list",
        TupleType: "tuple",
        FlagsType: "flags",
        EnumType: "enum",
        OptionType: "option",
        ResultType: "result",
        OwnType: "own",
        BorrowType: "borrow",
        StreamType: "stream",
        FutureType: "future",
        MapType: "map",
        ResourceType: "resource",
        FuncType: "func",
        InstanceType: "instance",
        ComponentType: "component",
    }
    if isinstance(ty, ListType) and ty.length is not None:
        return "fixed-length list"
    return names.get(type(ty), "type")


def extern_desc(ty: ExternType) -> str:
    if isinstance(ty, ModuleType):
        return "module"
    if isinstance(ty, TypeExtern):
        return "type"
    if isinstance(ty, ValueExtern):
        return "value"
    return desc(ty)


def _any_desc(ty: Any) -> str:
    if isinstance(ty, ResourceType):
        return "resource"
    if isinstance(ty, (FuncType,)):
        return "func type"
    if isinstance(ty, InstanceType):
        return "instance type"
    if isinstance(ty, ComponentType):
        return "component type"
    return "defined type"


class Subtyper:
    """Subtype checks; holds the metadata context (resource paths of component types)."""

    __slots__ = ("_same", "ctx")

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        #: pairs of defined value types already found to match, by identity (the pair is
        #: kept alive with its key).  Value types are DAGs: without this, comparing two
        #: copies of ``t(i) = tuple<t(i-1), t(i-1)>`` walks 2**depth paths, and a
        #: few-hundred-byte component could keep the validator busy for minutes.  A match
        #: depends only on the two types (resources compare by root), so it can be reused.
        self._same: dict[tuple[int, int], tuple[object, object]] = {}

    # ------------------------------------------------------------------ externs

    def entity(self, a: ExternType, b: ExternType, offset: int) -> None:
        if isinstance(a, ModuleType):
            if not isinstance(b, ModuleType):
                raise fail(f"expected {extern_desc(b)}, found module", offset)
            module_subtype(a, b, offset)
        elif isinstance(a, FuncType):
            if not isinstance(b, FuncType):
                raise fail(f"expected {extern_desc(b)}, found func", offset)
            self.func(a, b, offset)
        elif isinstance(a, ValueExtern):
            if not isinstance(b, ValueExtern):
                raise fail(f"expected {extern_desc(b)}, found value", offset)
            self.val(a.ty, b.ty, offset)
        elif isinstance(a, TypeExtern):
            if not isinstance(b, TypeExtern):
                raise fail(f"expected {extern_desc(b)}, found type", offset)
            self.any_type(a.referenced, b.referenced, offset)
        elif isinstance(a, InstanceType):
            if not isinstance(b, InstanceType):
                raise fail(f"expected {extern_desc(b)}, found instance", offset)
            self.instance(a, b, offset)
        else:
            if not isinstance(b, ComponentType):
                raise fail(f"expected {extern_desc(b)}, found component", offset)
            self.component(a, b, offset)

    def any_type(self, a: Any, b: Any, offset: int) -> None:
        if isinstance(a, ResourceType):
            if not isinstance(b, ResourceType):
                raise fail(f"expected {_any_desc(b)}, found resource", offset)
            if root(a) is not root(b):
                raise fail(f"resource types are not the same ({_rname(a)} vs. {_rname(b)})", offset)
        elif isinstance(a, FuncType):
            if not isinstance(b, FuncType):
                raise fail(f"expected {_any_desc(b)}, found func type", offset)
            self.func(a, b, offset)
        elif isinstance(a, InstanceType):
            if not isinstance(b, InstanceType):
                raise fail(f"expected {_any_desc(b)}, found instance type", offset)
            self.instance(a, b, offset)
        elif isinstance(a, ComponentType):
            if not isinstance(b, ComponentType):
                raise fail(f"expected {_any_desc(b)}, found component type", offset)
            self.component(a, b, offset)
        else:
            if isinstance(b, (ResourceType, FuncType, InstanceType, ComponentType)):
                raise fail(f"expected {_any_desc(b)}, found defined type", offset)
            self.defined(a, b, offset)

    # ------------------------------------------------------------------ instances and components

    def instance(self, a: InstanceType, b: InstanceType, offset: int) -> None:
        pairs = []
        for name, bi in b.exports.items():
            ai = a.exports.get(name)
            if ai is None:
                raise fail(f"missing expected export `{name}`", offset)
            pairs.append((name, ai.ty, bi.ty))
        for name, at, bt in pairs:
            try:
                self.entity(at, bt, offset)
            except ValidationError as exc:
                raise context(exc, f"type mismatch in instance export `{name}`") from None

    def component(self, a: ComponentType, b: ComponentType, offset: int) -> None:
        b_imports = {name: item.ty for name, item in b.imports.items()}
        mapping = self.open_instance_type(b_imports, a, "import", offset)
        a_exports = {name: mapping.extern(item.ty) for name, item in a.exports.items()}
        self.open_instance_type(a_exports, b, "export", offset)

    def open_instance_type(
        self,
        args: dict[str, ExternType],
        b: ComponentType,
        kind: Literal["import", "export"],
        offset: int,
    ) -> Remap:
        """Check ``args`` satisfy ``b``'s imports (or exports); return the resource substitution.

        The substitution maps each resource ``b`` imports (or defines) to the one
        supplied in ``args`` at the same path; then every entity is checked
        against ``b``'s expectation with that substitution applied.
        """
        entities = b.imports if kind == "import" else b.exports
        meta = self.ctx.meta(b)
        resources = meta.imported if kind == "import" else meta.defined
        mapping = Remap(self.ctx)
        names = list(entities)
        for resource, path in resources:
            ty: ExternType = entities[names[path[0]]].ty
            arg: ExternType | None = args.get(names[path[0]])
            ok = True
            for i in path[1:]:
                if not isinstance(ty, InstanceType):
                    ok = False
                    break
                exp_name = list(ty.exports)[i]
                ty = ty.exports[exp_name].ty
                if not isinstance(arg, InstanceType):
                    ok = False
                    break
                item = arg.exports.get(exp_name)
                arg = None if item is None else item.ty
            if not ok:
                continue
            if isinstance(arg, TypeExtern) and isinstance(arg.created, ResourceType):
                mapping.add(resource, root(arg.created))

        checks: list[tuple[str, ExternType, ExternType]] = []
        for name, expected in entities.items():
            actual = args.get(name)
            if actual is None:
                raise fail(f"missing {kind} named `{name}`", offset)
            checks.append((name, actual, expected.ty))
        renamings: dict[int, Any] = {}
        keep: list[object] = []
        for name, actual, wanted in checks:
            sub = Remap(self.ctx)
            sub.resources = mapping.resources
            try:
                self.entity(actual, sub.extern(wanted), offset)
            except ValidationError as exc:
                raise context(exc, f"type mismatch for {kind} `{name}`") from None
            _register_renamings(actual, wanted, renamings, keep)
        mapping.types = renamings
        mapping._keep.extend(keep)
        return mapping

    # ------------------------------------------------------------------ functions and values

    def func(self, a: FuncType, b: FuncType, offset: int) -> None:
        if a.is_async != b.is_async:
            a_desc = "async" if a.is_async else "sync"
            b_desc = "async" if b.is_async else "sync"
            raise fail(f"expected {a_desc} function, found {b_desc} function", offset)
        if len(a.params) != len(b.params):
            raise fail(f"expected {len(b.params)} parameters, found {len(a.params)}", offset)
        for (an, at), (bn, bt) in zip(a.params, b.params, strict=True):
            if an != bn:
                raise fail(f"expected parameter named `{bn}`, found `{an}`", offset)
            try:
                self.val(at, bt, offset)
            except ValidationError as exc:
                raise context(exc, f"type mismatch in function parameter `{an}`") from None
        if a.result is not None and b.result is not None:
            try:
                self.val(a.result, b.result, offset)
            except ValidationError as exc:
                raise context(exc, "type mismatch with result type") from None
        elif a.result is not None:
            raise fail("expected no result, found one", offset)
        elif b.result is not None:
            raise fail("expected a result, found none", offset)

    def val(self, a: ValType, b: ValType, offset: int) -> None:
        if a is b:
            return
        ap = a if isinstance(a, str) else a.prim if isinstance(a, PrimType) else None
        bp = b if isinstance(b, str) else b.prim if isinstance(b, PrimType) else None
        if ap is not None and bp is not None:
            if ap != bp:
                raise fail(f"expected primitive `{bp}` found primitive `{ap}`", offset)
            return
        if isinstance(a, str):
            raise fail(f"expected {desc(b)}, found {a}", offset)
        if isinstance(b, str):
            raise fail(f"expected {b}, found {desc(a)}", offset)
        self.defined(a, b, offset)

    def defined(self, a: Any, b: Any, offset: int) -> None:
        if a is b:
            return
        key = (id(a), id(b))
        if key in self._same:
            return
        self._defined(a, b, offset)
        self._same[key] = (a, b)

    def _defined(self, a: Any, b: Any, offset: int) -> None:
        if isinstance(a, PrimType) or isinstance(b, PrimType):
            self.val(
                a.prim if isinstance(a, PrimType) else a,
                b.prim if isinstance(b, PrimType) else b,
                offset,
            )
            return
        if type(a) is not type(b) or (
            isinstance(a, ListType)
            and isinstance(b, ListType)
            and (a.length is None) != (b.length is None)
        ):
            raise fail(f"expected {desc(b)}, found {desc(a)}", offset)
        if isinstance(a, RecordType):
            if len(a.fields) != len(b.fields):
                raise fail(f"expected {len(b.fields)} fields, found {len(a.fields)}", offset)
            for (an, at), (bn, bt) in zip(a.fields, b.fields, strict=True):
                if an != bn:
                    raise fail(f"expected field name `{bn}`, found `{an}`", offset)
                try:
                    self.val(at, bt, offset)
                except ValidationError as exc:
                    raise context(exc, f"type mismatch in record field `{an}`") from None
        elif isinstance(a, VariantType):
            if len(a.cases) != len(b.cases):
                raise fail(f"expected {len(b.cases)} cases, found {len(a.cases)}", offset)
            for (an, ac), (bn, bc) in zip(a.cases, b.cases, strict=True):
                if an != bn:
                    raise fail(f"expected case named `{bn}`, found `{an}`", offset)
                if ac is not None and bc is not None:
                    try:
                        self.val(ac, bc, offset)
                    except ValidationError as exc:
                        raise context(exc, f"type mismatch in variant case `{an}`") from None
                elif bc is not None:
                    raise fail(f"expected case `{an}` to have a type, found none", offset)
                elif ac is not None:
                    raise fail(f"expected case `{an}` to have no type", offset)
        elif isinstance(a, ListType):
            if a.length != b.length:
                raise fail(f"expected fixed-length {b.length}, found size {a.length}", offset)
            self.val(a.element, b.element, offset)
        elif isinstance(a, OptionType):
            self.val(a.value, b.value, offset)
        elif isinstance(a, MapType):
            try:
                self.val(a.key, b.key, offset)
            except ValidationError as exc:
                raise context(exc, "type mismatch in map key") from None
            try:
                self.val(a.value, b.value, offset)
            except ValidationError as exc:
                raise context(exc, "type mismatch in map value") from None
        elif isinstance(a, TupleType):
            if len(a.types) != len(b.types):
                raise fail(f"expected {len(b.types)} types, found {len(a.types)}", offset)
            for i, (at, bt) in enumerate(zip(a.types, b.types, strict=True)):
                try:
                    self.val(at, bt, offset)
                except ValidationError as exc:
                    raise context(exc, f"type mismatch in tuple field {i}") from None
        elif isinstance(a, (FlagsType, EnumType)):
            if a.names != b.names:
                raise fail(f"mismatch in {desc(a)} elements", offset)
        elif isinstance(a, ResultType):
            if a.ok is not None and b.ok is not None:
                try:
                    self.val(a.ok, b.ok, offset)
                except ValidationError as exc:
                    raise context(exc, "type mismatch in ok variant") from None
            elif b.ok is not None:
                raise fail("expected ok type, but found none", offset)
            elif a.ok is not None:
                raise fail("expected ok type to not be present", offset)
            if a.err is not None and b.err is not None:
                try:
                    self.val(a.err, b.err, offset)
                except ValidationError as exc:
                    raise context(exc, "type mismatch in err variant") from None
            elif b.err is not None:
                raise fail("expected err type, but found none", offset)
            elif a.err is not None:
                raise fail("expected err type to not be present", offset)
        elif isinstance(a, (OwnType, BorrowType)):
            if root(a.resource) is not root(b.resource):
                raise fail("resource types are not the same", offset)
        elif isinstance(a, StreamType):
            self._stream_future(a.element, b.element, "stream", offset)
        elif isinstance(a, FutureType):
            self._stream_future(a.value, b.value, "future", offset)

    def _stream_future(self, a: ValType | None, b: ValType | None, what: str, offset: int) -> None:
        if a is None and b is None:
            return
        if a is not None and b is not None:
            try:
                self.val(a, b, offset)
            except ValidationError as exc:
                raise context(exc, f"type mismatch in {what}") from None
        elif b is not None:
            raise fail(f"expected {what} type, but found none", offset)
        else:
            raise fail(f"expected {what} type to not be present", offset)


def _rname(r: ResourceType) -> str:
    r = root(r)
    return f"`{r.name}`" if r.name else "an unnamed resource"


def _register_renamings(
    actual: ExternType, expected: ExternType, out: dict[int, Any], keep: list[object]
) -> None:
    if isinstance(expected, TypeExtern) and isinstance(actual, TypeExtern):
        out[id(expected.created)] = actual.created
        keep.append(expected.created)
    elif isinstance(expected, InstanceType) and isinstance(actual, InstanceType):
        for name, item in expected.exports.items():
            act = actual.exports.get(name)
            if act is not None:
                _register_renamings(act.ty, item.ty, out, keep)
