"""WIT parser: tokens of one file in, a ``PackageFile`` syntax tree out.

A recursive-descent parser over the grammar of ``WIT.md`` ("Top-level items"
onwards), with the reference implementation's readings where the grammar is
loose (wasm-tools ``wit-parser/src/ast.rs``):

* ``package ns:name;`` at the top names the file's package; ``package ns:name {``
  opens a nested package instead.
* In a world, ``import a: b;`` is a plain-named import implementing interface
  ``b``, while ``import a:b/c;`` is interface ``c`` of package ``a:b``.
* Doc comments are the comments right before an item, a field, a case or a
  parameter; comments anywhere else are ignored.
* Nesting is bounded (``MAX_TYPE_DEPTH``, ``MAX_PACKAGE_DEPTH``) so hostile
  input cannot exhaust the Python stack.

Errors are ``ParseError``s with a location; ``source_map`` turns them into
``WitError``s with file, line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from witkit.types import PRIMITIVES, PrimName
from witkit.wit import ast
from witkit.wit.ast import Loc
from witkit.wit.lexer import (
    EOF,
    EXPLICIT_ID,
    ID,
    INTEGER,
    STRING,
    LexError,
    Tokens,
    describe,
    read_string,
    tokenize,
    validate_id,
)

__all__ = ["MAX_PACKAGE_DEPTH", "MAX_TYPE_DEPTH", "ParseError", "parse_file"]

T = TypeVar("T")

#: ``list<list<...>>`` deeper than this is rejected (as wasm-tools does), to bound recursion
MAX_TYPE_DEPTH = 100
#: nested ``package a:b { ... }`` blocks deeper than this are rejected
MAX_PACKAGE_DEPTH = 100

#: a primitive type's keyword is its name
_PRIMITIVES: dict[str, PrimName] = {name: name for name in PRIMITIVES}


class ParseError(Exception):
    """A syntax (or early semantic) error at ``loc``; ``hint`` says what was probably meant."""

    def __init__(self, message: str, loc: Loc | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint


def parse_file(text: str, base: int = 0) -> ast.PackageFile:
    """Parse the text of one ``.wit`` file whose first character has global offset ``base``."""
    try:
        tokens = tokenize(text, base)
    except LexError as e:
        raise ParseError(e.message, e.loc) from None
    return _Parser(tokens).file()


class _Parser:
    __slots__ = ("docs", "ends", "i", "kinds", "starts", "toks")

    def __init__(self, toks: Tokens) -> None:
        self.toks = toks
        self.kinds = toks.kinds
        self.starts = toks.starts
        self.ends = toks.ends
        self.docs = toks.docs
        self.i = 0

    # ----------------------------------------------------------------- token helpers

    def loc(self, i: int) -> Loc:
        return Loc(self.starts[i], self.ends[i])

    def peek(self) -> str:
        return self.kinds[self.i]

    def eat(self, kind: str) -> bool:
        if self.kinds[self.i] == kind:
            self.i += 1
            return True
        return False

    def expect(self, kind: str) -> int:
        i = self.i
        found = self.kinds[i]
        if found != kind:
            raise ParseError(f"expected {describe(kind)}, found {describe(found)}", self.loc(i))
        self.i = i + 1
        return i

    def error_expected(self, what: str) -> ParseError:
        i = self.i
        return ParseError(f"expected {what}, found {describe(self.kinds[i])}", self.loc(i))

    def parse_docs(self) -> ast.Docs:
        comments = self.docs.get(self.i)
        if not comments:
            return ast.NO_DOCS
        texts = tuple(self.toks.slice(s, e) for s, e in comments)
        start = comments[0][0]
        last = texts[-1]
        end = comments[-1][1] - (len(last) - len(last.rstrip()))
        return ast.Docs(texts, Loc(start, end))

    def id(self) -> ast.Id:
        i = self.i
        kind = self.kinds[i]
        if kind == ID:
            name = self.toks.slice(self.starts[i], self.ends[i])
        elif kind == EXPLICIT_ID:
            name = self.toks.slice(self.starts[i] + 1, self.ends[i])
        else:
            raise self.error_expected("an identifier or string")
        problem = validate_id(name)
        if problem is not None:
            raise ParseError(problem, self.loc(i))
        self.i = i + 1
        return ast.Id(name, self.loc(i))

    def eat_id(self, expected: str) -> None:
        ident = self.id()
        if ident.name != expected:
            raise ParseError(f"expected `{expected}`, found `{ident.name}`", ident.loc)

    # ----------------------------------------------------------------- files and packages

    def file(self) -> ast.PackageFile:
        package: ast.PackageName | None = None
        if self.peek() == "package":
            save = self.i
            docs = self.parse_docs()
            self.i += 1
            name = self.package_name(docs)
            if self.eat(";"):
                package = name
            else:
                self.i = save
        items = self.decl_list(None, 0)
        return ast.PackageFile(package, items)

    def decl_list(self, end: str | None, depth: int) -> tuple[ast.PackageItem, ...]:
        items: list[ast.PackageItem] = []
        docs = self.parse_docs()
        while True:
            if end is not None:
                if self.eat(end):
                    break
            elif self.peek() == EOF:
                break
            items.append(self.package_item(docs, depth))
            docs = self.parse_docs()
        return tuple(items)

    def package_item(self, docs: ast.Docs, depth: int) -> ast.PackageItem:
        attributes = self.attributes()
        kind = self.peek()
        if kind == "interface":
            return self.interface(docs, attributes)
        if kind == "world":
            return self.world(docs, attributes)
        if kind == "use":
            return self.toplevel_use(attributes)
        if kind == "package":
            return self.nested_package(docs, attributes, depth)
        raise self.error_expected("`world`, `interface` or `use`")

    def nested_package(
        self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...], depth: int
    ) -> ast.PackageFile:
        kw = self.expect("package")
        if attributes:
            raise ParseError("cannot place attributes on nested packages", self.loc(kw))
        if depth >= MAX_PACKAGE_DEPTH:
            raise ParseError("package nesting too deep", self.loc(kw))
        name = self.package_name(docs)
        self.expect("{")
        items = self.decl_list("}", depth + 1)
        return ast.PackageFile(name, items)

    def package_name(self, docs: ast.Docs) -> ast.PackageName:
        namespace = self.id()
        self.expect(":")
        name = self.id()
        version = self.opt_version()
        end = version[0].end if version is not None else name.loc.end
        return ast.PackageName(
            namespace,
            name,
            None if version is None else version[1],
            Loc(namespace.loc.start, end),
            docs,
        )

    def opt_version(self) -> tuple[Loc, ast.Version] | None:
        if self.eat("@"):
            return self.version()
        return None

    def version(self) -> tuple[Loc, ast.Version]:
        start = self.starts[self.expect(INTEGER)]
        self.expect(".")
        self.expect(INTEGER)
        self.expect(".")
        end = self.ends[self.expect(INTEGER)]
        end = self.version_ids("-", end)
        end = self.version_ids("+", end)
        loc = Loc(start, end)
        try:
            return loc, ast.Version.parse(self.toks.slice(start, end))
        except ast.VersionError as e:
            raise ParseError(str(e), loc) from None

    def version_ids(self, prefix: str, end: int) -> int:
        # Pre-release and build parts are made of several tokens; take every
        # identifier, integer and `-`, and a `.` only if one of those follows (else
        # the `.` belongs to WIT, as in `use a:b/c@1.0.0-rc.{x}`).
        if not self.eat(prefix):
            return end
        kinds = self.kinds
        parts = (ID, INTEGER, "-")
        while True:
            kind = kinds[self.i]
            if kind in parts:
                end = self.ends[self.i]
                self.i += 1
            elif kind == "." and kinds[self.i + 1] in parts:
                end = self.ends[self.i + 1]
                self.i += 2
            else:
                return end

    def toplevel_use(self, attributes: tuple[ast.Attribute, ...]) -> ast.ToplevelUse:
        kw = self.expect("use")
        path = self.use_path()
        as_ = self.id() if self.eat("as") else None
        self.expect(";")
        return ast.ToplevelUse(self.loc(kw), attributes, path, as_)

    def use_path(self) -> ast.UsePath:
        first = self.id()
        if not self.eat(":"):
            return ast.LocalPath(first)
        package = self.id()
        self.expect("/")
        name = self.id()
        version = self.opt_version()
        pkg = ast.PackageName(
            first,
            package,
            None if version is None else version[1],
            Loc(first.loc.start, package.loc.end),
        )
        return ast.ForeignPath(pkg, name)

    # ----------------------------------------------------------------- attributes

    def attributes(self) -> tuple[ast.Attribute, ...]:
        if self.kinds[self.i] != "@":
            return ()
        out: list[ast.Attribute] = []
        while self.eat("@"):
            ident = self.id()
            attr: ast.Attribute
            if ident.name == "since":
                attr = ast.Since(self.attribute_argument("version", self.version)[1], ident.loc)
            elif ident.name == "unstable":
                attr = ast.Unstable(self.attribute_argument("feature", self.id), ident.loc)
            elif ident.name == "deprecated":
                version = self.attribute_argument("version", self.version)[1]
                attr = ast.Deprecated(version, ident.loc)
            elif ident.name == "external-id":
                self.expect("(")
                s = self.expect(STRING)
                try:
                    _, value = read_string(
                        self.toks.text, self.starts[s] - self.toks.base + 1, self.toks.base
                    )
                except LexError as e:  # pragma: no cover - the lexer already checked it
                    raise ParseError(e.message, e.loc) from None
                self.expect(")")
                attr = ast.ExternalId(value, ident.loc)
            else:
                raise ParseError(
                    f"unknown attribute `{ident.name}`",
                    ident.loc,
                    "expected one of `@since`, `@unstable`, `@deprecated` or `@external-id`",
                )
            out.append(attr)
        return tuple(out)

    def attribute_argument(self, key: str, value: Callable[[], T]) -> T:
        """``(key = value)``, the one argument of ``@since``, ``@unstable`` and ``@deprecated``."""
        self.expect("(")
        self.eat_id(key)
        self.expect("=")
        out = value()
        self.expect(")")
        return out

    # ----------------------------------------------------------------- interfaces

    def interface(self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]) -> ast.Interface:
        self.expect("interface")
        name = self.id()
        return ast.Interface(docs, attributes, name, self.interface_items())

    def interface_items(self) -> tuple[ast.InterfaceItem, ...]:
        self.expect("{")
        items: list[ast.InterfaceItem] = []
        while True:
            docs = self.parse_docs()
            if self.eat("}"):
                return tuple(items)
            attributes = self.attributes()
            items.append(self.interface_item(docs, attributes))

    def interface_item(
        self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]
    ) -> ast.InterfaceItem:
        kind = self.peek()
        if kind in _TYPEDEF_KEYWORDS:
            return self.typedef(docs, attributes)
        if kind in (ID, EXPLICIT_ID):
            return self.named_func(docs, attributes)
        if kind == "use":
            return self.use(attributes)
        raise self.error_expected("`type`, `resource` or `func`")

    def named_func(self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]) -> ast.NamedFunc:
        name = self.id()
        self.expect(":")
        func = self.func()
        self.expect(";")
        return ast.NamedFunc(docs, attributes, name, func)

    def func(self) -> ast.Func:
        is_async = self.eat("async")
        kw = self.expect("func")
        self.expect("(")
        params = self.params()
        result = self.type() if self.eat("->") else None
        return ast.Func(self.loc(kw), is_async, params, result)

    def params(self) -> tuple[tuple[ast.Id, ast.TypeExpr], ...]:
        out: list[tuple[ast.Id, ast.TypeExpr]] = []
        while True:
            self.parse_docs()
            if self.eat(")"):
                break
            name = self.id()
            self.expect(":")
            out.append((name, self.type()))
            if not self.eat(","):
                self.expect(")")
                break
        return tuple(out)

    def use(self, attributes: tuple[ast.Attribute, ...]) -> ast.Use:
        kw = self.expect("use")
        path = self.use_path()
        self.expect(".")
        self.expect("{")
        names: list[ast.UseName] = []
        while not self.eat("}"):
            name = self.id()
            as_ = self.id() if self.eat("as") else None
            names.append(ast.UseName(name, as_))
            if not self.eat(","):
                self.expect("}")
                break
        self.expect(";")
        return ast.Use(attributes, path, tuple(names), self.loc(kw))

    # ----------------------------------------------------------------- type definitions

    def typedef(self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]) -> ast.TypeDef:
        kw = self.peek()
        self.i += 1
        name = self.id()
        body: ast.TypeBody
        if kw == "type":
            self.expect("=")
            body = self.type()
            self.expect(";")
        elif kw == "record":
            body = ast.Record(self.braced_list(self.field), name.loc)
        elif kw == "flags":
            body = ast.Flags(self.braced_list(self.flag), name.loc)
        elif kw == "variant":
            body = ast.Variant(self.braced_list(self.case), name.loc)
        elif kw == "enum":
            body = ast.Enum(self.braced_list(self.enum_case), name.loc)
        else:
            body = ast.Resource(self.resource_funcs(), name.loc)
        return ast.TypeDef(docs, attributes, name, body)

    def braced_list(self, item: Callable[[ast.Docs], T]) -> tuple[T, ...]:
        self.expect("{")
        out: list[T] = []
        while True:
            docs = self.parse_docs()
            if self.eat("}"):
                break
            out.append(item(docs))
            if not self.eat(","):
                self.expect("}")
                break
        return tuple(out)

    def field(self, docs: ast.Docs) -> ast.Field:
        name = self.id()
        self.expect(":")
        return ast.Field(docs, name, self.type())

    def flag(self, docs: ast.Docs) -> ast.Flag:
        return ast.Flag(docs, self.id())

    def case(self, docs: ast.Docs) -> ast.VariantCase:
        name = self.id()
        ty = None
        if self.eat("("):
            ty = self.type()
            self.expect(")")
        return ast.VariantCase(docs, name, ty)

    def enum_case(self, docs: ast.Docs) -> ast.EnumCase:
        return ast.EnumCase(docs, self.id())

    def resource_funcs(self) -> tuple[ast.ResourceFunc, ...]:
        if not self.eat("{"):
            self.expect(";")
            return ()
        funcs: list[ast.ResourceFunc] = []
        while not self.eat("}"):
            docs = self.parse_docs()
            attributes = self.attributes()
            funcs.append(self.resource_func(docs, attributes))
        return tuple(funcs)

    def resource_func(
        self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]
    ) -> ast.ResourceFunc:
        kind = self.peek()
        if kind == "constructor":
            kw = self.expect("constructor")
            self.expect("(")
            params = self.params()
            result = self.type() if self.eat("->") else None
            self.expect(";")
            loc = self.loc(kw)
            func = ast.Func(loc, False, params, result)
            named = ast.NamedFunc(docs, attributes, ast.Id("constructor", loc), func)
            return ast.ResourceFunc("constructor", named)
        if kind in (ID, EXPLICIT_ID):
            name = self.id()
            self.expect(":")
            static = self.eat("static")
            func = self.func()
            self.expect(";")
            named = ast.NamedFunc(docs, attributes, name, func)
            return ast.ResourceFunc("static" if static else "method", named)
        raise self.error_expected("`constructor` or identifier")

    # ----------------------------------------------------------------- type expressions

    def type(self, depth: int = 0) -> ast.TypeExpr:
        i = self.i
        kind = self.kinds[i]
        loc = self.loc(i)
        if depth >= MAX_TYPE_DEPTH:
            raise ParseError("type nesting too deep", loc)
        self.i = i + 1
        prim = _PRIMITIVES.get(kind)
        if prim is not None:
            return ast.Primitive(prim, loc)
        inner = depth + 1
        if kind in (ID, EXPLICIT_ID):
            self.i = i
            return ast.NamedType(self.id())
        if kind == "list":
            self.expect("<")
            element = self.type(inner)
            length = None
            if self.eat(","):
                n = self.i
                if self.kinds[n] != INTEGER:
                    raise self.error_expected("fixed-length")
                self.i += 1
                length = int(self.toks.slice(self.starts[n], self.ends[n]))
                if length > 0xFFFF_FFFF:
                    raise ParseError(
                        "invalid list size: number too large to fit in target type", self.loc(n)
                    )
            self.expect(">")
            return ast.ListOf(element, loc, length)
        if kind == "map":
            self.expect("<")
            key = self.type(inner)
            self.expect(",")
            value = self.type(inner)
            self.expect(">")
            return ast.MapOf(key, value, loc)
        if kind == "option":
            self.expect("<")
            value = self.type(inner)
            self.expect(">")
            return ast.OptionOf(value, loc)
        if kind == "result":
            ok = err = None
            if self.eat("<"):
                if self.eat("_"):
                    self.expect(",")
                    err = self.type(inner)
                else:
                    ok = self.type(inner)
                    if self.eat(","):
                        err = self.type(inner)
                self.expect(">")
            return ast.ResultOf(ok, err, loc)
        if kind == "tuple":
            self.expect("<")
            types: list[ast.TypeExpr] = []
            while True:
                self.parse_docs()
                if self.eat(">"):
                    break
                types.append(self.type(inner))
                if not self.eat(","):
                    self.expect(">")
                    break
            return ast.TupleOf(tuple(types), loc)
        if kind == "future" or kind == "stream":
            payload: ast.TypeExpr | None = None
            if self.eat("<"):
                payload = self.type(inner)
                self.expect(">")
            if kind == "future":
                return ast.FutureOf(payload, loc)
            return ast.StreamOf(payload, loc)
        if kind == "own" or kind == "borrow":
            self.expect("<")
            resource = self.id()
            self.expect(">")
            return ast.Handle("own" if kind == "own" else "borrow", resource)
        self.i = i
        raise self.error_expected("a type")

    # ----------------------------------------------------------------- worlds

    def world(self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]) -> ast.World:
        self.expect("world")
        name = self.id()
        self.expect("{")
        items: list[ast.WorldItem] = []
        while True:
            item_docs = self.parse_docs()
            if self.eat("}"):
                break
            item_attributes = self.attributes()
            items.append(self.world_item(item_docs, item_attributes))
        return ast.World(docs, attributes, name, tuple(items))

    def world_item(self, docs: ast.Docs, attributes: tuple[ast.Attribute, ...]) -> ast.WorldItem:
        kind = self.peek()
        if kind == "import" or kind == "export":
            self.i += 1
            direction: Literal["import", "export"] = "import" if kind == "import" else "export"
            return ast.WorldExtern(direction, docs, attributes, self.extern_kind())
        if kind == "use":
            return self.use(attributes)
        if kind in _TYPEDEF_KEYWORDS:
            return self.typedef(docs, attributes)
        if kind == "include":
            return self.include(attributes)
        raise self.error_expected("`import`, `export`, `include`, `use`, or type definition")

    def extern_kind(self) -> ast.ExternKind:
        start = self.i
        name = self.id()
        if self.eat(":"):
            kind = self.peek()
            if kind == "func" or kind == "async":
                func = self.func()
                self.expect(";")
                return ast.ExternFunc(name, func)
            if self.eat("interface"):
                return ast.ExternInterface(name, self.interface_items())
            # `label: path` unless the colon was part of `ns:pkg/iface`.
            after_colon = self.i
            qualified = False
            try:
                self.id()
                qualified = self.peek() == "/"
            except ParseError:
                pass
            self.i = after_colon
            if not qualified:
                path = self.use_path()
                self.expect(";")
                return ast.ExternNamedPath(name, path)
        self.i = start
        path = self.use_path()
        self.expect(";")
        return ast.ExternPath(path)

    def include(self, attributes: tuple[ast.Attribute, ...]) -> ast.Include:
        self.expect("include")
        path = self.use_path()
        names: tuple[ast.IncludeName, ...] = ()
        if self.eat("with"):
            names = self.braced_list(self.include_name)
        else:
            self.expect(";")
        return ast.Include(attributes, path, names)

    def include_name(self, docs: ast.Docs) -> ast.IncludeName:
        name = self.id()
        self.expect("as")
        return ast.IncludeName(name, self.id())


_TYPEDEF_KEYWORDS = frozenset(["type", "record", "flags", "variant", "enum", "resource"])
