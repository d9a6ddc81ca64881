"""The core signature of a WIT function under the Canonical ABI, for a module that uses a world.

A core module built for a world declares one core function per WIT function:
exports as ``canon lift`` expects them, imports as ``canon lower`` provides them
(wit-parser's ``wasm_signature``).  The flattening rules live in
:mod:`witkit.abi.layout`; this module only carries a resolved WIT type over to
the component type model those rules are written against, so the rules stay in
one place.
"""

from __future__ import annotations

from typing import Literal

from witkit import types as wt
from witkit.abi.layout import flatten_functype
from witkit.wit import model

__all__ = ["core_signature", "valtype"]


def valtype(resolve: model.Resolve, ty: model.Type) -> wt.ValType:
    """The component value type of the WIT type ``ty`` (names dropped; resources by identity)."""
    return _Converter(resolve).valtype(ty)


def core_signature(
    resolve: model.Resolve, func: model.Function, context: Literal["lift", "lower"]
) -> wt.CoreFuncType:
    """The core type of ``func`` exported from a module (``lift``) or imported into one (``lower``)."""
    conv = _Converter(resolve)
    ft = wt.FuncType(
        tuple((name, conv.valtype(t)) for name, t in func.params),
        None if func.result is None else conv.valtype(func.result),
    )
    return flatten_functype(ft, context)


class _Converter:
    def __init__(self, resolve: model.Resolve) -> None:
        self.r = resolve
        self.resources: dict[model.TypeId, wt.ResourceType] = {}

    def opt(self, ty: model.Type | None) -> wt.ValType | None:
        return None if ty is None else self.valtype(ty)

    def resource(self, tid: model.TypeId) -> wt.ResourceType:
        while isinstance(kind := self.r.types[tid].kind, model.Alias):
            assert isinstance(kind.target, model.TypeRef)
            tid = kind.target.id
        if tid not in self.resources:
            self.resources[tid] = wt.ResourceType(name=self.r.types[tid].name)
        return self.resources[tid]

    def valtype(self, ty: model.Type) -> wt.ValType:
        if not isinstance(ty, model.TypeRef):
            return wt.PrimType(ty)
        kind = self.r.types[ty.id].kind
        match kind:
            case model.Alias(target):
                return self.valtype(target)
            case model.Record(fields):
                return wt.RecordType(tuple((n, self.valtype(t)) for n, t, _ in fields))
            case model.Variant(cases):
                return wt.VariantType(tuple((n, self.opt(t)) for n, t, _ in cases))
            case model.Enum(cases):
                return wt.EnumType(tuple(n for n, _ in cases))
            case model.Flags(names):
                return wt.FlagsType(tuple(n for n, _ in names))
            case model.Tuple(types):
                return wt.TupleType(tuple(self.valtype(t) for t in types))
            case model.OptionOf(value):
                return wt.OptionType(self.valtype(value))
            case model.ResultOf(ok, err):
                return wt.ResultType(self.opt(ok), self.opt(err))
            case model.ListOf(element, length):
                return wt.ListType(self.valtype(element), length)
            case model.MapOf(key, value):
                return wt.MapType(self.valtype(key), self.valtype(value))
            case model.Handle("own", resource):
                return wt.OwnType(self.resource(resource))
            case model.Handle(_, resource):
                return wt.BorrowType(self.resource(resource))
            case model.Future(value):
                return wt.FutureType(self.opt(value))
            case model.Stream(element):
                return wt.StreamType(self.opt(element))
            case _:  # a resource or an unknown type used as a value: a handle, one i32
                return wt.OwnType(self.resource(ty.id))
