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

from witkit import types as wt
from witkit.binary.validate.context import Ctx, fail
from witkit.binary.validate.core import module_subtype
from witkit.binary.validate.resources import Remap
from witkit.errors import ValidationError

__all__ = ["Subtyper", "context", "desc", "extern_desc"]


def context(exc: ValidationError, line: str) -> ValidationError:
    """``exc`` with a context line prepended (wasmparser's ``with_context``)."""
    return ValidationError(f"{line}\n{exc.message}", exc.offset)


#: wasmparser's ``desc()`` of each kind of type (by exact class, as wasmparser's enum)
_DESC: dict[type, str] = {
    wt.PrimType: "primitive",
    wt.RecordType: "record",
    wt.VariantType: "variant",
    wt.ListType: "list",
    wt.TupleType: "tuple",
    wt.FlagsType: "flags",
    wt.EnumType: "enum",
    wt.OptionType: "option",
    wt.ResultType: "result",
    wt.OwnType: "own",
    wt.BorrowType: "borrow",
    wt.StreamType: "stream",
    wt.FutureType: "future",
    wt.MapType: "map",
    wt.ResourceType: "resource",
    wt.FuncType: "func",
    wt.InstanceType: "instance",
    wt.ComponentType: "component",
}

#: the kinds of an ``any_type`` comparison, first match wins; anything else is a defined type
_ANY_DESC: tuple[tuple[type, str], ...] = (
    (wt.ResourceType, "resource"),
    (wt.FuncType, "func type"),
    (wt.InstanceType, "instance type"),
    (wt.ComponentType, "component type"),
)


def desc(ty: Any) -> str:
    """wasmparser's ``desc()`` of a type."""
    if isinstance(ty, str):
        return ty
    if isinstance(ty, wt.ListType) and ty.length is not None:
        return "fixed-length list"
    return _DESC.get(type(ty), "type")


def extern_desc(ty: wt.ExternType) -> str:
    """What wasmparser's messages call the kind of an import, export or alias."""
    if isinstance(ty, wt.ModuleType):
        return "module"
    if isinstance(ty, wt.TypeExtern):
        return "type"
    if isinstance(ty, wt.ValueExtern):
        return "value"
    return desc(ty)


def _any_desc(ty: Any) -> str:
    return next((name for cls, name in _ANY_DESC if isinstance(ty, cls)), "defined type")


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

    def entity(self, a: wt.ExternType, b: wt.ExternType, offset: int) -> None:
        found = extern_desc(a)
        if extern_desc(b) != found:
            raise fail(f"expected {extern_desc(b)}, found {found}", offset)
        if isinstance(a, wt.ModuleType) and isinstance(b, wt.ModuleType):
            module_subtype(a, b, offset)
        elif isinstance(a, wt.FuncType) and isinstance(b, wt.FuncType):
            self.func(a, b, offset)
        elif isinstance(a, wt.ValueExtern) and isinstance(b, wt.ValueExtern):
            self.val(a.ty, b.ty, offset)
        elif isinstance(a, wt.TypeExtern) and isinstance(b, wt.TypeExtern):
            self.any_type(a.referenced, b.referenced, offset)
        elif isinstance(a, wt.InstanceType) and isinstance(b, wt.InstanceType):
            self.instance(a, b, offset)
        elif isinstance(a, wt.ComponentType) and isinstance(b, wt.ComponentType):
            self.component(a, b, offset)

    def any_type(self, a: Any, b: Any, offset: int) -> None:
        found = _any_desc(a)
        if _any_desc(b) != found:
            raise fail(f"expected {_any_desc(b)}, found {found}", offset)
        if isinstance(a, wt.ResourceType):
            if wt.root(a) is not wt.root(b):
                raise fail(f"resource types are not the same ({_rname(a)} vs. {_rname(b)})", offset)
        elif isinstance(a, wt.FuncType):
            self.func(a, b, offset)
        elif isinstance(a, wt.InstanceType):
            self.instance(a, b, offset)
        elif isinstance(a, wt.ComponentType):
            self.component(a, b, offset)
        else:
            self.defined(a, b, offset)

    # ------------------------------------------------------------------ instances and components

    def instance(self, a: wt.InstanceType, b: wt.InstanceType, offset: int) -> None:
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

    def component(self, a: wt.ComponentType, b: wt.ComponentType, offset: int) -> None:
        b_imports = {name: item.ty for name, item in b.imports.items()}
        mapping = self.open_instance_type(b_imports, a, "import", offset)
        a_exports = {name: mapping.extern(item.ty) for name, item in a.exports.items()}
        self.open_instance_type(a_exports, b, "export", offset)

    def open_instance_type(
        self,
        args: dict[str, wt.ExternType],
        b: wt.ComponentType,
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
            ty: wt.ExternType = entities[names[path[0]]].ty
            arg: wt.ExternType | None = args.get(names[path[0]])
            ok = True
            for i in path[1:]:
                if not isinstance(ty, wt.InstanceType):
                    ok = False
                    break
                exp_name = list(ty.exports)[i]
                ty = ty.exports[exp_name].ty
                if not isinstance(arg, wt.InstanceType):
                    ok = False
                    break
                item = arg.exports.get(exp_name)
                arg = None if item is None else item.ty
            if not ok:
                continue
            if isinstance(arg, wt.TypeExtern) and isinstance(arg.created, wt.ResourceType):
                mapping.add(resource, wt.root(arg.created))

        checks: list[tuple[str, wt.ExternType, wt.ExternType]] = []
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

    def func(self, a: wt.FuncType, b: wt.FuncType, offset: int) -> None:
        if a.is_async != b.is_async:
            a_desc = "async" if a.is_async else "sync"
            b_desc = "async" if b.is_async else "sync"
            raise fail(f"expected {a_desc} function, found {b_desc} function", offset)
        self._labelled(
            a.params,
            b.params,
            "parameters",
            "expected parameter named `{}`, found `{}`",
            "type mismatch in function parameter `{}`",
            offset,
        )
        if a.result is not None and b.result is not None:
            self._val_in(a.result, b.result, offset, "type mismatch with result type")
        elif a.result is not None:
            raise fail("expected no result, found one", offset)
        elif b.result is not None:
            raise fail("expected a result, found none", offset)

    def val(self, a: wt.ValType, b: wt.ValType, offset: int) -> None:
        if a is b:
            return
        ap = a if isinstance(a, str) else a.prim if isinstance(a, wt.PrimType) else None
        bp = b if isinstance(b, str) else b.prim if isinstance(b, wt.PrimType) else None
        if ap is not None and bp is not None:
            if ap != bp:
                raise fail(f"expected primitive `{bp}` found primitive `{ap}`", offset)
            return
        if isinstance(a, str):
            raise fail(f"expected {desc(b)}, found {a}", offset)
        if isinstance(b, str):
            raise fail(f"expected {b}, found {desc(a)}", offset)
        self.defined(a, b, offset)

    def _val_in(
        self, a: wt.ValType, b: wt.ValType, offset: int, where: str, label: object = None
    ) -> None:
        """``val``, a failure prefixed with the context line ``where`` (``{}``: ``label``)."""
        try:
            self.val(a, b, offset)
        except ValidationError as exc:
            raise context(exc, where.format(label)) from None

    def _labelled(
        self,
        a: tuple[tuple[Any, wt.ValType], ...],
        b: tuple[tuple[Any, wt.ValType], ...],
        plural: str,
        renamed: str,
        where: str,
        offset: int,
    ) -> None:
        """Fields, parameters or tuple members: as many, named alike in order, types matching."""
        if len(a) != len(b):
            raise fail(f"expected {len(b)} {plural}, found {len(a)}", offset)
        for (an, at), (bn, bt) in zip(a, b, strict=True):
            if an != bn:
                raise fail(renamed.format(bn, an), offset)
            self._val_in(at, bt, offset, where, an)

    def _optional(
        self, a: wt.ValType | None, b: wt.ValType | None, what: str, where: str, offset: int
    ) -> None:
        """An optional payload (``result``'s ok and err, ``stream``, ``future``): both or neither."""
        if a is not None and b is not None:
            self._val_in(a, b, offset, where)
        elif b is not None:
            raise fail(f"expected {what} type, but found none", offset)
        elif a is not None:
            raise fail(f"expected {what} type to not be present", offset)

    def defined(self, a: Any, b: Any, offset: int) -> None:
        if a is b:
            return
        key = (id(a), id(b))
        if key in self._same:
            return
        self._defined(a, b, offset)
        self._same[key] = (a, b)

    def _defined(self, a: Any, b: Any, offset: int) -> None:
        if isinstance(a, wt.PrimType) or isinstance(b, wt.PrimType):
            self.val(
                a.prim if isinstance(a, wt.PrimType) else a,
                b.prim if isinstance(b, wt.PrimType) else b,
                offset,
            )
            return
        if type(a) is not type(b) or (
            isinstance(a, wt.ListType)
            and isinstance(b, wt.ListType)
            and (a.length is None) != (b.length is None)
        ):
            raise fail(f"expected {desc(b)}, found {desc(a)}", offset)
        if isinstance(a, wt.RecordType):
            self._labelled(
                a.fields,
                b.fields,
                "fields",
                "expected field name `{}`, found `{}`",
                "type mismatch in record field `{}`",
                offset,
            )
        elif isinstance(a, wt.VariantType):
            if len(a.cases) != len(b.cases):
                raise fail(f"expected {len(b.cases)} cases, found {len(a.cases)}", offset)
            for (an, ac), (bn, bc) in zip(a.cases, b.cases, strict=True):
                if an != bn:
                    raise fail(f"expected case named `{bn}`, found `{an}`", offset)
                if ac is not None and bc is not None:
                    self._val_in(ac, bc, offset, "type mismatch in variant case `{}`", an)
                elif bc is not None:
                    raise fail(f"expected case `{an}` to have a type, found none", offset)
                elif ac is not None:
                    raise fail(f"expected case `{an}` to have no type", offset)
        elif isinstance(a, wt.ListType):
            if a.length != b.length:
                raise fail(f"expected fixed-length {b.length}, found size {a.length}", offset)
            self.val(a.element, b.element, offset)
        elif isinstance(a, wt.OptionType):
            self.val(a.value, b.value, offset)
        elif isinstance(a, wt.MapType):
            self._val_in(a.key, b.key, offset, "type mismatch in map key")
            self._val_in(a.value, b.value, offset, "type mismatch in map value")
        elif isinstance(a, wt.TupleType):
            self._labelled(
                tuple(enumerate(a.types)),
                tuple(enumerate(b.types)),
                "types",
                "",
                "type mismatch in tuple field {}",
                offset,
            )
        elif isinstance(a, (wt.FlagsType, wt.EnumType)):
            if a.names != b.names:
                raise fail(f"mismatch in {desc(a)} elements", offset)
        elif isinstance(a, wt.ResultType):
            self._optional(a.ok, b.ok, "ok", "type mismatch in ok variant", offset)
            self._optional(a.err, b.err, "err", "type mismatch in err variant", offset)
        elif isinstance(a, (wt.OwnType, wt.BorrowType)):
            if wt.root(a.resource) is not wt.root(b.resource):
                raise fail("resource types are not the same", offset)
        elif isinstance(a, wt.StreamType):
            self._optional(a.element, b.element, "stream", "type mismatch in stream", offset)
        elif isinstance(a, wt.FutureType):
            self._optional(a.value, b.value, "future", "type mismatch in future", offset)


def _rname(r: wt.ResourceType) -> str:
    r = wt.root(r)
    return f"`{r.name}`" if r.name else "an unnamed resource"


def _register_renamings(
    actual: wt.ExternType, expected: wt.ExternType, out: dict[int, Any], keep: list[object]
) -> None:
    if isinstance(expected, wt.TypeExtern) and isinstance(actual, wt.TypeExtern):
        out[id(expected.created)] = actual.created
        keep.append(expected.created)
    elif isinstance(expected, wt.InstanceType) and isinstance(actual, wt.InstanceType):
        for name, item in expected.exports.items():
            act = actual.exports.get(name)
            if act is not None:
                _register_renamings(act.ty, item.ty, out, keep)
