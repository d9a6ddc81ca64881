"""The use paths of a WIT file, in the order the reference visits them.

Resolution looks at every ``use`` path and ``include`` of a file several times
(foreign packages first, then the order of local interfaces and worlds, then the
types used from foreign interfaces), and each of those passes numbers what it
finds in the order it meets it.  So the order of this one list is part of the
output: placeholders and ids come out as wasm-tools numbers them only if every
pass walks the paths as ``ast/resolve.rs`` does, which is written here once.
"""

from __future__ import annotations

from witkit.wit import ast

__all__ = ["PathVisit", "paths_of"]

# A use path, where it appears: (enclosing interface/world name or None, attributes,
# path, imported names or None, what it must name).
PathVisit = tuple[
    ast.Id | None, tuple[ast.Attribute, ...], ast.UsePath, tuple[ast.UseName, ...] | None, str
]


def paths_of(items: tuple[ast.PackageItem, ...]) -> list[PathVisit]:
    """Every use path of a file in the reference's visiting order.

    A world's imports are visited before its exports (whatever the text order),
    so round trips through the printer keep their order.
    """
    out: list[PathVisit] = []
    for item in items:
        if isinstance(item, ast.World):
            imports: list[ast.WorldExtern] = []
            exports: list[ast.WorldExtern] = []
            for w in item.items:
                if isinstance(w, ast.Use):
                    out.append((None, w.attributes, w.path, w.names, "interface"))
                elif isinstance(w, ast.Include):
                    out.append((item.name, w.attributes, w.path, None, "world"))
                elif isinstance(w, ast.WorldExtern):
                    (imports if w.direction == "import" else exports).append(w)
            for ext in imports + exports:
                kind = ext.kind
                if isinstance(kind, ast.ExternInterface):
                    for i in kind.items:
                        if isinstance(i, ast.Use):
                            out.append((None, i.attributes, i.path, i.names, "interface"))
                elif isinstance(kind, ast.ExternPath | ast.ExternNamedPath):
                    out.append((None, ext.attributes, kind.path, None, "interface"))
        elif isinstance(item, ast.Interface):
            for i in item.items:
                if isinstance(i, ast.Use):
                    out.append((item.name, i.attributes, i.path, i.names, "interface"))
        elif isinstance(item, ast.ToplevelUse):
            out.append((None, item.attributes, item.path, None, "unknown"))
    return out
