"""Print a resolved WIT model (``Resolve``) as WIT text, exactly as wasm-tools does.

The goal is byte-for-byte agreement with ``wasm-tools component wit`` (its
``WitPrinter``), so that ``witkit wit`` can stand in for it and so that golden
files are interchangeable.  Both roads into the model share this printer: the
text road (parser -> resolver) and the binary road (``wit.decode``).

Public API:

* ``print_resolve(resolve, package, nested=None, *, docs=True) -> str``: the
  main ``package`` in the ``package ns:name;`` form, followed by ``nested``
  packages (by default every other package of the resolve, in arena order,
  which is dependency order) in the ``package ns:name { ... }`` form.  This is
  what ``wasm-tools component wit`` writes.
* ``print_package(resolve, package, *, main=True, docs=True) -> str``: one
  package on its own (what ``--out-dir`` writes per file).

Rules of the layout, which is wasm-tools' and is kept here on purpose:

* Two spaces of indentation; a blank line between the items of a block but
  none before the first; ``use`` statements of a block come first, unspaced.
* An interface lists its ``use``s, then its types (a resource carries its
  constructor, methods and statics), then its freestanding functions.
* A world lists its interface imports (unspaced), then its types, then its
  function imports (unspaced, right after the types), then -- after one blank
  line -- its exports.
* In the main package every interface is followed by a blank line; worlds are
  not, and nested packages have no blank lines between their items at all.
* Names that are WIT keywords are written ``%name``.

Errors: a model that cannot be written as WIT (an unnamed record, a ``use`` of
an anonymous type ...) raises ``WitError``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

from witkit.errors import WitError
from witkit.wit import model as wm

__all__ = ["KEYWORDS", "escape_name", "print_package", "print_resolve"]

#: words that must be written ``%word`` when used as a name (wasm-tools' list)
_KEYWORD_TEXT = """
    use type func u8 u16 u32 u64 s8 s16 s32 s64 f32 f64 float32 float64 char resource
    record flags variant enum bool string option result future stream list own borrow _
    as from static interface tuple world import export package with include constructor
    error-context async map
"""
KEYWORDS = frozenset(_KEYWORD_TEXT.split())

#: characters an ``@external-id("...")`` string keeps as they are
_EXTERNAL_ID_PLAIN = frozenset("-_./: ")
_EXTERNAL_ID_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_name(name: str) -> str:
    """``%name`` for a keyword, else the name: what makes any kebab name valid WIT."""
    return "%" + name if name in KEYWORDS else name


def print_resolve(
    resolve: wm.Resolve,
    package: wm.PackageId,
    nested: Sequence[wm.PackageId] | None = None,
    *,
    docs: bool = True,
) -> str:
    """WIT text for ``package`` followed by ``nested`` packages, as ``wasm-tools component wit``.

    ``nested`` defaults to every other package of ``resolve`` in arena order;
    ``docs=False`` drops doc comments (wasm-tools' ``--no-docs``).
    """
    if nested is None:
        nested = [wm.PackageId(i) for i in range(len(resolve.packages)) if i != package]
    printer = _Printer(resolve, docs)
    printer.package(package, main=True)
    for i, pkg in enumerate(nested):
        if i > 0:
            printer.out.newline()
            printer.out.newline()
        printer.package(pkg, main=False)
    return printer.out.getvalue()


def print_package(
    resolve: wm.Resolve, package: wm.PackageId, *, main: bool = True, docs: bool = True
) -> str:
    """WIT text for one package: ``package x:y;`` form if ``main``, else ``package x:y { ... }``."""
    printer = _Printer(resolve, docs)
    printer.package(package, main=main)
    return printer.out.getvalue()


def _rust_lines(text: str) -> list[str]:
    """The lines of ``text`` as Rust's ``str::lines`` gives them (the printer's doc splitting).

    Only ``\\n`` ends a line, a final empty line is not a line, and one
    trailing ``\\r`` is dropped from each line -- unlike ``str.splitlines``.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


class _Output:
    """Text with wasm-tools' indentation discipline: indent lazily at the first token of a line."""

    __slots__ = ("indent", "needs_indent", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.indent = 0
        self.needs_indent = False

    def getvalue(self) -> str:
        return "".join(self.parts)

    def _indent_if_needed(self) -> None:
        if self.needs_indent:
            if self.indent:
                self.parts.append("  " * self.indent)
            self.needs_indent = False

    def text(self, src: str) -> None:
        """A token (keyword, name, punctuation) on the current line."""
        if self.needs_indent:
            self._indent_if_needed()
        self.parts.append(src)

    def newline(self) -> None:
        self.parts.append("\n")
        self.needs_indent = True

    def semicolon(self) -> None:
        self.parts.append(";\n")
        self.needs_indent = True

    def indent_start(self) -> None:
        self.parts.append(" {\n")
        self.indent += 1
        self.needs_indent = True

    def indent_end(self) -> None:
        self.indent = max(0, self.indent - 1)
        self._indent_if_needed()
        self.parts.append("}\n")
        self.needs_indent = True

    def doc(self, line: str) -> None:
        self._indent_if_needed()
        self.parts.append("/// " + line + "\n" if line else "///\n")
        self.needs_indent = True


class _Printer:
    """One printing run: the resolve, the output, and the blank-line state of the current block."""

    def __init__(self, resolve: wm.Resolve, emit_docs: bool) -> None:
        self.resolve = resolve
        self.emit_docs = emit_docs
        self.out = _Output()
        # whether the current block printed an item yet (a blank line goes between items)
        self.any_items = False

    # ------------------------------------------------------------------ packages

    def package(self, pkg_id: wm.PackageId, *, main: bool) -> None:
        resolve = self.resolve
        out = self.out
        pkg = resolve.packages[pkg_id]
        self.docs(pkg.docs)
        out.text("package ")
        out.text(escape_name(pkg.name.namespace))
        out.text(":")
        out.text(escape_name(pkg.name.name))
        if pkg.name.version is not None:
            out.text("@" + pkg.name.version)
        if main:
            out.semicolon()
            out.newline()
        else:
            out.indent_start()
        for name, iface_id in pkg.interfaces.items():
            with self.named_block("interface", name, resolve.interfaces[iface_id]):
                self.interface(iface_id)
            if main:
                out.newline()
        for name, world_id in pkg.worlds.items():
            with self.named_block("world", name, resolve.worlds[world_id]):
                self.world(world_id)
        if not main:
            out.indent_end()

    @contextlib.contextmanager
    def named_block(self, keyword: str, name: str, item: wm.Interface | wm.World) -> Iterator[None]:
        """``interface name { ... }`` or ``world name { ... }`` with its docs and gate;
        the block writes the body."""
        self.docs(item.docs)
        self.stability(item.stability)
        self.out.text(keyword + " ")
        self.out.text(escape_name(name))
        self.out.indent_start()
        yield
        self.out.indent_end()

    def new_item(self) -> None:
        if self.any_items:
            self.out.newline()
        self.any_items = True

    # ------------------------------------------------------------------ interfaces

    def interface(self, iface_id: wm.InterfaceId) -> None:
        prev_items, self.any_items = self.any_items, False
        iface = self.resolve.interfaces[iface_id]
        resource_funcs: dict[wm.TypeId, list[wm.Function]] = {}
        freestanding: list[wm.Function] = []
        for func in iface.functions.values():
            if func.kind.resource is not None and func.kind.kind != "freestanding":
                resource_funcs.setdefault(func.kind.resource, []).append(func)
            else:
                freestanding.append(func)
        self.types(wm.TypeOwner("interface", iface_id), iface.types.items(), resource_funcs)
        out = self.out
        for func in freestanding:
            self.new_item()
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            out.text(escape_name(func.item_name()))
            out.text(": ")
            self.function(func)
            out.semicolon()
        self.any_items = prev_items

    def types(
        self,
        owner: wm.TypeOwner,
        types: Iterable[tuple[str, wm.TypeId]],
        resource_funcs: dict[wm.TypeId, list[wm.Function]],
    ) -> None:
        """``use`` statements for types aliased from other interfaces, then declarations."""
        resolve = self.resolve
        out = self.out
        to_declare: list[wm.TypeId] = []
        # (other interface, the first aliasing type of the group, [(my name, their name)])
        to_import: list[tuple[wm.TypeOwner, wm.TypeId, list[tuple[str, str]]]] = []
        for name, ty_id in types:
            ty = resolve.types[ty_id]
            kind = ty.kind
            if isinstance(kind, wm.Alias) and isinstance(kind.target, wm.TypeRef):
                other = resolve.types[kind.target.id]
                if other.owner.kind != "none" and other.owner != owner:
                    if other.name is None:
                        raise WitError(f"cannot import unnamed type as `{name}`")
                    if to_import:
                        prev_owner, prev_ty, names = to_import[-1]
                        first = resolve.types[prev_ty]
                        if (
                            prev_owner == other.owner
                            and first.stability == ty.stability
                            and first.external_id == ty.external_id
                        ):
                            names.append((name, other.name))
                            continue
                    to_import.append((other.owner, ty_id, [(name, other.name)]))
                    continue
            to_declare.append(ty_id)

        if to_import:
            my_pkg = self._owner_package(owner)
            for other_owner, first_id, names in to_import:
                first = resolve.types[first_id]
                self.any_items = True
                self.stability(first.stability)
                self.external_id(first.external_id)
                out.text("use ")
                if other_owner.kind != "interface" or other_owner.id is None:
                    raise WitError("types can only be used from interfaces")
                self.path_to_interface(wm.InterfaceId(other_owner.id), my_pkg)
                out.text(".{")
                for i, (mine, theirs) in enumerate(names):
                    if i:
                        out.text(", ")
                    if mine == theirs:
                        out.text(escape_name(mine))
                    else:
                        out.text(escape_name(theirs))
                        out.text(" as ")
                        out.text(escape_name(mine))
                out.text("}")
                out.semicolon()

        for ty_id in to_declare:
            ty = resolve.types[ty_id]
            self.new_item()
            self.docs(ty.docs)
            self.stability(ty.stability)
            self.external_id(ty.external_id)
            if isinstance(ty.kind, wm.Resource):
                self.resource(ty_id, resource_funcs.get(ty_id, []))
            else:
                self.declare_type(ty_id)

    def _owner_package(self, owner: wm.TypeOwner) -> wm.PackageId | None:
        if owner.kind == "interface" and owner.id is not None:
            return self.resolve.interfaces[owner.id].package
        if owner.kind == "world" and owner.id is not None:
            return self.resolve.worlds[owner.id].package
        return None

    def resource(self, ty_id: wm.TypeId, funcs: list[wm.Function]) -> None:
        out = self.out
        name = self.resolve.types[ty_id].name
        if name is None:
            raise WitError("resources must be named")
        out.text("resource ")
        out.text(escape_name(name))
        if not funcs:
            out.semicolon()
            return
        out.indent_start()
        for func in funcs:
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            kind = func.kind.kind
            if kind == "method":
                out.text(escape_name(func.item_name()))
                out.text(": ")
            elif kind == "static":
                out.text(escape_name(func.item_name()))
                out.text(": static ")
            self.function(func)
            out.semicolon()
        out.indent_end()

    def function(self, func: wm.Function) -> None:
        """``[async ]func(params) -> result``, or ``constructor(params)``."""
        out = self.out
        kind = func.kind
        if kind.is_async and kind.kind != "constructor":
            out.text("async ")
        out.text("constructor(" if kind.kind == "constructor" else "func(")
        params = func.params[1:] if kind.kind == "method" else func.params
        for i, (name, ty) in enumerate(params):
            if i:
                out.text(", ")
            out.text(escape_name(name))
            out.text(": ")
            self.type_name(ty)
        out.text(")")
        if func.result is None or self._is_constructor_shorthand(func):
            return
        out.text(" -> ")
        self.type_name(func.result)

    def _is_constructor_shorthand(self, func: wm.Function) -> bool:
        """A constructor returning ``own<its resource>`` prints no result."""
        if func.kind.kind != "constructor" or not isinstance(func.result, wm.TypeRef):
            return False
        kind = self.resolve.types[func.result.id].kind
        return (
            isinstance(kind, wm.Handle)
            and kind.kind == "own"
            and kind.resource == func.kind.resource
        )

    # ------------------------------------------------------------------ worlds

    def world(self, world_id: wm.WorldId) -> None:
        """Interface imports, then types, then function imports, then (after a blank line) exports.

        This is the order wasm-tools' WIT encoding uses for a world, so that
        printing and re-encoding round-trip; source order within each group is kept.
        """
        prev_items, self.any_items = self.any_items, False
        resolve = self.resolve
        world = resolve.worlds[world_id]
        pkg = world.package
        types: list[tuple[str, wm.TypeId]] = []
        resource_funcs: dict[wm.TypeId, list[wm.Function]] = {}
        func_imports: list[tuple[wm.WorldKey, wm.WorldItem]] = []
        for key, item in world.imports.items():
            if item.kind == "type":
                if key.name is None or item.type is None:
                    raise WitError("a type in a world must be imported by name")
                types.append((key.name, item.type))
            elif item.kind == "function":
                func = item.function
                if (
                    func is not None
                    and func.kind.kind != "freestanding"
                    and func.kind.resource is not None
                ):
                    resource_funcs.setdefault(func.kind.resource, []).append(func)
                else:
                    func_imports.append((key, item))
            else:
                self.world_item(key, item, pkg, "import")
                # no blank line between imports, but something after them gets one
                self.any_items = True
        self.types(wm.TypeOwner("world", world_id), types, resource_funcs)
        for key, item in func_imports:
            self.world_item(key, item, pkg, "import")
            self.any_items = True
        if world.exports:
            self.new_item()
        for key, item in world.exports.items():
            self.world_item(key, item, pkg, "export")
        self.any_items = prev_items

    def world_item(
        self, key: wm.WorldKey, item: wm.WorldItem, pkg: wm.PackageId | None, keyword: str
    ) -> None:
        resolve = self.resolve
        out = self.out
        if item.kind == "interface":
            if item.interface is None:
                raise WitError("world interface item without an interface")
            iface = resolve.interfaces[item.interface]
            # the statement's own docs; for `name: ...` items fall back to the interface's
            if item.docs.contents is not None:
                self.docs(item.docs)
            elif key.name is not None:
                self.docs(iface.docs)
            self.stability(item.stability)
            self.external_id(item.external_id)
            out.text(keyword)
            out.text(" ")
            if key.name is not None:
                out.text(escape_name(key.name))
                out.text(": ")
                if iface.name is None:
                    out.text("interface")
                    out.indent_start()
                    self.interface(item.interface)
                    out.indent_end()
                else:
                    self.path_to_interface(item.interface, pkg)
                    out.semicolon()
            else:
                self.path_to_interface(item.interface, pkg)
                out.semicolon()
        elif item.kind == "function":
            func = item.function
            if func is None:
                raise WitError("world function item without a function")
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            out.text(keyword)
            out.text(" ")
            out.text(escape_name(func.name))
            out.text(": ")
            self.function(func)
            out.semicolon()
        else:
            raise WitError("types cannot be exported from a world")

    def path_to_interface(self, iface_id: wm.InterfaceId, cur_pkg: wm.PackageId | None) -> None:
        """``name`` inside its own package, ``ns:pkg/name@version`` from elsewhere."""
        out = self.out
        iface = self.resolve.interfaces[iface_id]
        if iface.name is None:
            raise WitError("cannot refer to an anonymous interface by path")
        if iface.package == cur_pkg:
            out.text(escape_name(iface.name))
            return
        if iface.package is None:
            raise WitError(f"interface `{iface.name}` belongs to no package")
        pkg = self.resolve.packages[iface.package].name
        out.text(escape_name(pkg.namespace))
        out.text(":")
        out.text(escape_name(pkg.name))
        out.text("/")
        out.text(escape_name(iface.name))
        if pkg.version is not None:
            out.text("@" + pkg.version)

    # ------------------------------------------------------------------ types

    def type_name(self, ty: wm.Type) -> None:
        """A type where it is used: a primitive, a name, or an anonymous ``list<...>`` etc."""
        out = self.out
        if isinstance(ty, str):
            out.text(ty)
            return
        typedef = self.resolve.types[ty.id]
        if typedef.name is not None:
            out.text(escape_name(typedef.name))
            return
        kind = typedef.kind
        if self.type_expression(kind, force_handle=False):
            return
        if isinstance(kind, wm.Unknown):
            raise WitError("cannot print a type of unknown structure")
        raise WitError(f"resolve has an unnamed {wm.kind_word(kind)} type")

    def type_expression(self, kind: wm.TypeDefKind, *, force_handle: bool) -> bool:
        """Write the kinds that have an expression form (``list<u8>``, ``option<t>``...).

        Shared by a type's uses and by ``type x = ...`` definitions; returns False for
        the kinds that only exist as declarations (records, variants...).
        """
        out = self.out
        if isinstance(kind, wm.Handle):
            self.handle(kind, force=force_handle)
        elif isinstance(kind, wm.Alias):
            self.type_name(kind.target)
        elif isinstance(kind, wm.Tuple):
            self.tuple(kind)
        elif isinstance(kind, wm.OptionOf):
            out.text("option<")
            self.type_name(kind.value)
            out.text(">")
        elif isinstance(kind, wm.ResultOf):
            self.result(kind)
        elif isinstance(kind, wm.ListOf):
            out.text("list<")
            self.type_name(kind.element)
            if kind.length is not None:
                out.text(f", {kind.length}")
            out.text(">")
        elif isinstance(kind, wm.MapOf):
            out.text("map<")
            self.type_name(kind.key)
            out.text(", ")
            self.type_name(kind.value)
            out.text(">")
        elif isinstance(kind, wm.Future | wm.Stream):
            inner = kind.value if isinstance(kind, wm.Future) else kind.element
            out.text("future" if isinstance(kind, wm.Future) else "stream")
            if inner is not None:
                out.text("<")
                self.type_name(inner)
                out.text(">")
        else:
            return False
        return True

    def handle(self, handle: wm.Handle, *, force: bool) -> None:
        """``r``/``own<r>`` (``force`` for ``type x = own<r>``) or ``borrow<r>``."""
        out = self.out
        name = self.resolve.types[handle.resource].name
        if name is None:
            raise WitError("unnamed resource type")
        if handle.kind == "borrow":
            out.text("borrow<" + escape_name(name) + ">")
        elif force:
            out.text("own<" + escape_name(name) + ">")
        else:
            out.text(escape_name(name))

    def tuple(self, tup: wm.Tuple) -> None:
        out = self.out
        out.text("tuple<")
        for i, ty in enumerate(tup.types):
            if i:
                out.text(", ")
            self.type_name(ty)
        out.text(">")

    def result(self, res: wm.ResultOf) -> None:
        out = self.out
        out.text("result")
        if res.ok is None and res.err is None:
            return
        out.text("<")
        if res.ok is None:
            out.text("_")
        else:
            self.type_name(res.ok)
        if res.err is not None:
            out.text(", ")
            self.type_name(res.err)
        out.text(">")

    def declare_type(self, ty_id: wm.TypeId) -> None:
        """The declaration of a named type: ``record r { ... }``, ``type t = ...;`` ..."""
        out = self.out
        typedef = self.resolve.types[ty_id]
        kind = typedef.kind
        name = typedef.name
        if name is None:
            raise WitError(f"document has an unnamed {wm.kind_word(kind)} type")
        ename = escape_name(name)
        if isinstance(kind, wm.Record):
            out.text("record " + ename)
            out.indent_start()
            for fname, fty, fdocs in kind.fields:
                self.docs(fdocs)
                out.text(escape_name(fname))
                out.text(": ")
                self.type_name(fty)
                out.text(",")
                out.newline()
            out.indent_end()
        elif isinstance(kind, wm.Variant):
            out.text("variant " + ename)
            out.indent_start()
            for cname, cty, cdocs in kind.cases:
                self.docs(cdocs)
                out.text(escape_name(cname))
                if cty is not None:
                    out.text("(")
                    self.type_name(cty)
                    out.text(")")
                out.text(",")
                out.newline()
            out.indent_end()
        elif isinstance(kind, wm.Flags | wm.Enum):
            out.text(("flags " if isinstance(kind, wm.Flags) else "enum ") + ename)
            out.indent_start()
            for cname, cdocs in kind.names if isinstance(kind, wm.Flags) else kind.cases:
                self.docs(cdocs)
                out.text(escape_name(cname))
                out.text(",")
                out.newline()
            out.indent_end()
        elif isinstance(kind, wm.Resource):
            raise WitError("resources are declared with their functions")
        elif isinstance(kind, wm.Unknown):
            raise WitError(f"type `{name}` has unknown structure")
        else:
            out.text("type " + ename + " = ")
            if not self.type_expression(kind, force_handle=True):
                raise WitError(f"type `{name}` has no expression form")
            out.semicolon()

    # ------------------------------------------------------------------ annotations

    def docs(self, docs: wm.Docs) -> None:
        if self.emit_docs and docs.contents is not None:
            for line in _rust_lines(docs.contents):
                self.out.doc(line)

    def stability(self, stability: wm.Stability) -> None:
        out = self.out
        if stability.kind == "stable":
            out.text(f"@since(version = {stability.since})")
            out.newline()
        elif stability.kind == "unstable":
            out.text(f"@unstable(feature = {stability.feature})")
            out.newline()
        else:
            return
        if stability.deprecated is not None:
            out.text(f"@deprecated(version = {stability.deprecated})")
            out.newline()

    def external_id(self, external_id: str | None) -> None:
        if external_id is None:
            return
        chars = []
        for c in external_id:
            if (c.isascii() and c.isalnum()) or c in _EXTERNAL_ID_PLAIN:
                chars.append(c)
            else:
                chars.append(_EXTERNAL_ID_ESCAPES.get(c) or f"\\u{{{ord(c):x}}}")
        self.out.text('@external-id("' + "".join(chars) + '")')
        self.out.newline()
