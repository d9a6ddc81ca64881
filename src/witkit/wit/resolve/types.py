"""Type expressions of one package: names to ids, anonymous types interned.

The type half of ``unresolved.PackageResolver`` (a mixin): it turns syntax-tree
type expressions into ``model`` type definitions inside the scope being
resolved (``type_lookup``), checks handles point at resources, gives anonymous
types the gate of the first gated type they mention, and interns anonymous
types so ``list<u8>`` written twice is one type -- all as wasm-tools does, so
ids come out identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from witkit.abi.limits import MAX_FLAGS
from witkit.types import PRIMITIVES
from witkit.wit import ast, model
from witkit.wit.ast import Loc
from witkit.wit.resolve.attributes import docs_of
from witkit.wit.resolve.errors import ResolveError, did_you_mean
from witkit.wit.resolve.names import unique_labels

if TYPE_CHECKING:
    from witkit.wit.resolve.unresolved import UnresolvedPackage

__all__ = ["Scoped", "TypeResolver", "collect_deps"]

#: names that were types once and what they are called now, for a better error
_RENAMED_TYPES = {"float32": "f32", "float64": "f64"}

# What a name in an interface or world scope stands for: a type id, or a function.
Scoped = tuple[Literal["type", "function"], int]


class TypeResolver:
    """Resolves types in ``type_lookup``; the package being built is ``pkg``."""

    pkg: UnresolvedPackage | None
    type_lookup: dict[str, tuple[Scoped, Loc]]
    anon: dict[tuple[object, ...], model.TypeId]

    @property
    def p(self) -> UnresolvedPackage:
        assert self.pkg is not None
        return self.pkg

    def alloc_type(self, typedef: model.TypeDef, loc: Loc) -> model.TypeId:
        self.p.types.append(typedef)
        self.p.type_locs.append(loc)
        return model.TypeId(len(self.p.types) - 1)

    @staticmethod
    def type_hint(
        name: str, scope: dict[str, list[ast.Id]] | dict[str, tuple[Scoped, Loc]]
    ) -> str | None:
        if name in _RENAMED_TYPES:
            return f"the `{name}` type has been renamed to `{_RENAMED_TYPES[name]}`"
        return did_you_mean(name, [*scope, *PRIMITIVES])

    def resolve_type_name(self, name: ast.Id) -> model.TypeId:
        found = self.type_lookup.get(name.name)
        if found is None:
            raise ResolveError(
                f"unknown type `{name.name}`", name.loc, self.type_hint(name.name, self.type_lookup)
            )
        if found[0][0] != "type":
            raise ResolveError(f"cannot use function `{name.name}` as a type", name.loc)
        return model.TypeId(found[0][1])

    def validate_resource(self, name: ast.Id) -> model.TypeId:
        tid = self.resolve_type_name(name)
        cur = tid
        types = self.p.types
        while True:
            kind = types[cur].kind
            if isinstance(kind, model.Resource):
                return tid
            if isinstance(kind, model.Alias) and isinstance(kind.target, model.TypeRef):
                cur = kind.target.id
                continue
            if isinstance(kind, model.Unknown):
                self.p.required_resources.append((cur, name.loc))
                return tid
            raise ResolveError(f"type `{name.name}` used in a handle must be a resource", name.loc)

    def resolve_type_def(self, body: ast.TypeBody, stability: model.Stability) -> model.TypeDefKind:
        if isinstance(body, ast.Primitive):
            return model.Alias(body.name)
        if isinstance(body, ast.NamedType):
            return model.Alias(model.TypeRef(self.resolve_type_name(body.name)))
        if isinstance(body, ast.ListOf):
            return model.ListOf(self.resolve_type(body.element, stability), body.length)
        if isinstance(body, ast.MapOf):
            key = self.resolve_type(body.key, stability)
            value = self.resolve_type(body.value, stability)
            if not isinstance(key, str) or key in ("f32", "f64", "error-context"):
                raise ResolveError(
                    "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, "
                    "s32, s64, char, or string",
                    body.loc,
                )
            return model.MapOf(key, value)
        if isinstance(body, ast.Handle):
            return model.Handle(body.kind, self.validate_resource(body.resource))
        if isinstance(body, ast.Resource):
            # Its functions' names are checked as they are defined.
            return model.Resource()
        if isinstance(body, ast.Record):
            if not body.fields:
                raise ResolveError("empty record", body.loc, "a record needs at least one field")
            unique_labels([f.name for f in body.fields], "field")
            return model.Record(
                tuple(
                    (f.name.name, self.resolve_type(f.type, stability), docs_of(f.docs))
                    for f in body.fields
                )
            )
        if isinstance(body, ast.Flags):
            if not body.flags:
                raise ResolveError("empty flags", body.loc, "flags need at least one flag")
            unique_labels([f.name for f in body.flags], "flag")
            if len(body.flags) > MAX_FLAGS:
                raise ResolveError(
                    f"cannot have more than {MAX_FLAGS} flags",
                    body.flags[MAX_FLAGS].name.loc,
                    "split the flags into several types",
                )
            return model.Flags(tuple((f.name.name, docs_of(f.docs)) for f in body.flags))
        if isinstance(body, ast.TupleOf):
            if not body.types:
                raise ResolveError("empty tuple", body.loc, "a tuple needs at least one type")
            return model.Tuple(tuple(self.resolve_type(t, stability) for t in body.types))
        if isinstance(body, ast.Variant):
            if not body.cases:
                raise ResolveError("empty variant", body.loc, "a variant needs at least one case")
            unique_labels([c.name for c in body.cases], "case")
            return model.Variant(
                tuple(
                    (
                        c.name.name,
                        None if c.type is None else self.resolve_type(c.type, stability),
                        docs_of(c.docs),
                    )
                    for c in body.cases
                )
            )
        if isinstance(body, ast.Enum):
            if not body.cases:
                raise ResolveError("empty enum", body.loc, "an enum needs at least one case")
            unique_labels([c.name for c in body.cases], "case")
            return model.Enum(tuple((c.name.name, docs_of(c.docs)) for c in body.cases))
        if isinstance(body, ast.OptionOf):
            return model.OptionOf(self.resolve_type(body.value, stability))
        if isinstance(body, ast.ResultOf):
            return model.ResultOf(
                None if body.ok is None else self.resolve_type(body.ok, stability),
                None if body.err is None else self.resolve_type(body.err, stability),
            )
        if isinstance(body, ast.FutureOf):
            return model.Future(
                None if body.value is None else self.resolve_type(body.value, stability)
            )
        assert isinstance(body, ast.StreamOf)
        return model.Stream(
            None if body.element is None else self.resolve_type(body.element, stability)
        )

    def resolve_type(self, ty: ast.TypeExpr, stability: model.Stability) -> model.Type:
        if isinstance(ty, ast.Primitive):
            return ty.name
        if isinstance(ty, ast.NamedType):
            # A name (or `own<name>`, below) is the type itself, never a new anonymous one.
            return model.TypeRef(self.resolve_type_name(ty.name))
        kind = self.resolve_type_def(ty, stability)
        if isinstance(kind, model.Handle) and kind.kind == "own":
            return model.TypeRef(kind.resource)
        return self.anon_type(kind, self.find_stability(kind, stability), ast.type_loc(ty))

    def find_stability(
        self, kind: model.TypeDefKind, stability: model.Stability
    ) -> model.Stability:
        """An anonymous type inherits the gate of the first gated type it mentions."""
        if stability.kind != "unknown":
            return stability
        types = self.p.types

        def of(ty: model.Type | None) -> model.Stability | None:
            if isinstance(ty, model.TypeRef):
                s = types[ty.id].stability
                if s.kind != "unknown":
                    return s
            return None

        found: model.Stability | None = None
        if isinstance(kind, model.Alias):
            found = of(kind.target)
        elif isinstance(kind, model.Handle):
            found = of(model.TypeRef(kind.resource))
        elif isinstance(kind, model.Tuple):
            for t in kind.types:
                found = of(t)
                if found is not None:
                    break
        elif isinstance(kind, model.ListOf):
            found = of(kind.element)
        elif isinstance(kind, model.OptionOf):
            found = of(kind.value)
        elif isinstance(kind, model.MapOf):
            found = of(kind.key) or of(kind.value)
        elif isinstance(kind, model.Future):
            found = of(kind.value)
        elif isinstance(kind, model.Stream):
            found = of(kind.element)
        elif isinstance(kind, model.ResultOf):
            found = of(kind.ok) or of(kind.err)
        return found if found is not None else stability

    def anon_type(
        self, kind: model.TypeDefKind, stability: model.Stability, loc: Loc
    ) -> model.Type:
        key: tuple[object, ...]
        if isinstance(kind, model.Alias):
            return kind.target
        if isinstance(kind, model.Handle):
            if kind.kind == "own":
                # `own<r>` written anonymously is just a reference to `r`.
                return model.TypeRef(kind.resource)
            key = ("borrow", kind.resource)
        elif isinstance(kind, model.Record):
            key = ("record", tuple((n, t) for n, t, _ in kind.fields))
        elif isinstance(kind, model.Variant):
            key = ("variant", tuple((n, t) for n, t, _ in kind.cases))
        elif isinstance(kind, model.Flags):
            key = ("flags", tuple(n for n, _ in kind.names))
        elif isinstance(kind, model.Enum):
            key = ("enum", tuple(n for n, _ in kind.cases))
        else:
            key = (kind,)
        found = self.anon.get(key)
        if found is None:
            found = self.alloc_type(
                model.TypeDef(kind, None, model.NO_OWNER, stability=stability), loc
            )
            self.anon[key] = found
        return model.TypeRef(found)


def collect_deps(body: ast.TypeBody | ast.TypeExpr | None, out: list[ast.Id]) -> None:
    """The names a type definition mentions (the edges of the type toposort)."""
    if body is None or isinstance(body, ast.Primitive | ast.Flags | ast.Enum | ast.Resource):
        return
    if isinstance(body, ast.NamedType):
        out.append(body.name)
    elif isinstance(body, ast.Handle):
        out.append(body.resource)
    elif isinstance(body, ast.Record):
        for f in body.fields:
            collect_deps(f.type, out)
    elif isinstance(body, ast.TupleOf):
        for t in body.types:
            collect_deps(t, out)
    elif isinstance(body, ast.Variant):
        for c in body.cases:
            collect_deps(c.type, out)
    elif isinstance(body, ast.OptionOf):
        collect_deps(body.value, out)
    elif isinstance(body, ast.ListOf):
        collect_deps(body.element, out)
    elif isinstance(body, ast.MapOf):
        collect_deps(body.key, out)
        collect_deps(body.value, out)
    elif isinstance(body, ast.ResultOf):
        collect_deps(body.ok, out)
        collect_deps(body.err, out)
    elif isinstance(body, ast.FutureOf):
        collect_deps(body.value, out)
    elif isinstance(body, ast.StreamOf):
        collect_deps(body.element, out)
