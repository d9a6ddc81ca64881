"""Package groups: many files and packages in, one ``Resolve`` out.

A *group* is what one path yields: the files of a directory (or one file), whose
top level is the group's main package, plus any nested ``package a:b { ... }``
blocks.  The main group and its dependency groups are resolved together
(wasm-tools ``sort_unresolved_packages``): packages are visited in name order
and each is added after the packages it uses, so dependencies come first in the
``Resolve``.  A package defined twice, or packages that use each other, are
errors.

This module reads no files; ``fs`` turns paths into sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from witkit.errors import WitError
from witkit.wit import ast, model
from witkit.wit.parser import ParseError, parse_file
from witkit.wit.resolve.errors import ResolveError, did_you_mean
from witkit.wit.resolve.merge import Builder
from witkit.wit.resolve.unresolved import PackageResolver, UnresolvedPackage
from witkit.wit.source_map import Source, SourceMap

__all__ = ["Group", "parse_group", "resolve_groups", "select_world", "to_wit_error"]


class Group:
    """The packages one path defines: its main package and nested ones.

    ``origin`` is what the group was read from, for messages without a location.
    """

    __slots__ = ("main", "nested", "origin")

    def __init__(
        self, main: UnresolvedPackage, nested: list[UnresolvedPackage], origin: str
    ) -> None:
        self.main = main
        self.nested = nested
        self.origin = origin


def parse_group(sources: Sequence[Source], origin: str) -> Group:
    """Parse and resolve (within each package) the sources of one path."""
    nested: list[UnresolvedPackage] = []
    resolver = PackageResolver()
    for src in sorted(sources, key=lambda s: s.name):
        file = parse_file(src.text, src.base)
        top: list[ast.PackageItem] = []
        for item in file.items:
            if isinstance(item, ast.PackageFile):
                inner = PackageResolver()
                inner.push(item)
                nested.append(inner.resolve())
            else:
                top.append(item)
        resolver.push(ast.PackageFile(file.package, tuple(top)))
    try:
        main = resolver.resolve()
    except ResolveError as e:
        if e.loc is None and not sources:
            e.message = f"no WIT files found in `{origin}`"
        elif e.loc is None:
            e.hint = f"start one of the files of `{origin}` with `package namespace:name;`"
        raise
    return Group(main, nested, origin)


def _name_key(name: model.PackageName) -> tuple[str, str, tuple[object, ...]]:
    version: tuple[object, ...] = (
        () if name.version is None else (ast.Version.parse(name.version).sort_key(),)
    )
    return (name.namespace, name.name, version)


def resolve_groups(
    main: Group,
    deps: Iterable[Group],
    *,
    features: Iterable[str] = (),
    all_features: bool = False,
) -> tuple[model.Resolve, model.PackageId]:
    """Resolve ``main`` with ``deps`` into a fresh ``Resolve``; returns it and main's id."""
    packages: dict[model.PackageName, UnresolvedPackage] = {}
    for group in [main, *deps]:
        for pkg in [*group.nested, group.main]:
            prev = packages.get(pkg.name)
            if prev is not None:
                raise ResolveError(
                    f"package `{pkg.name}` is defined in two different locations",
                    pkg.name_loc,
                    "remove one of the copies",
                    also=prev.name_loc,
                )
            packages[pkg.name] = pkg

    order: list[UnresolvedPackage] = []
    placed: set[model.PackageName] = set()
    visiting: set[model.PackageName] = set()

    def visit(pkg: UnresolvedPackage) -> None:
        if pkg.name in placed:
            return
        for i, dep in enumerate(pkg.foreign_deps):
            if dep in visiting:
                raise ResolveError(
                    f"package `{dep}` creates a dependency cycle",
                    pkg.foreign_dep_locs[i],
                    "packages may not use each other, directly or indirectly",
                )
            visiting.add(dep)
            found = packages.get(dep)
            if found is not None:
                visit(found)
            visiting.discard(dep)
        placed.add(pkg.name)
        order.append(pkg)

    for name in sorted(packages, key=_name_key):
        visit(packages[name])

    builder = Builder(
        features=frozenset(features), all_features=all_features, all_names=list(packages)
    )
    main_id: model.PackageId | None = None
    for pkg in order:
        pid = builder.append(pkg)
        if pkg is main.main:
            main_id = pid
    assert main_id is not None
    return builder.resolve, main_id


def to_wit_error(error: ParseError, smap: SourceMap) -> WitError:
    """The public error for an internal located one."""
    hint = error.hint
    if isinstance(error, ResolveError) and error.also is not None:
        where = f"also defined at {smap.location(error.also)}"
        hint = where if hint is None else f"{where}; {hint}"
    return smap.error(error.message, error.loc, hint)


# --------------------------------------------------------------------------- world selection


def select_world(
    resolve: model.Resolve,
    main: model.PackageId | Sequence[model.PackageId],
    world: str | None = None,
) -> model.WorldId:
    """Pick the world to use, as bindings generators do (``WIT.md`` "Specifying a World").

    ``world`` is a world of the main package (``"proxy"``), a qualified name
    (``"wasi:http/proxy@0.2.12"``), or None when the main package has exactly one
    world.  A qualified name may leave out the version if only one version of the
    package is known.
    """
    mains = [main] if isinstance(main, int) else list(main)
    if world is None:
        if len(mains) != 1:
            raise WitError("there are multiple main packages; a world must be chosen")
        pkg = resolve.packages[mains[0]]
        if not pkg.worlds:
            raise WitError(f"the main package `{pkg.name}` contains no worlds")
        if len(pkg.worlds) > 1:
            names = ", ".join(f"`{n}`" for n in pkg.worlds)
            raise WitError(
                f"there are multiple worlds in `{pkg.name}`; one must be chosen",
                hint=f"one of {names}",
            )
        return next(iter(pkg.worlds.values()))
    try:
        path = _parse_world_path(world)
    except ParseError as e:
        raise WitError(f"failed to parse world specifier `{world}`: {e.message}") from None
    if isinstance(path, ast.LocalPath):
        if len(mains) != 1:
            raise WitError("there are multiple main packages; a world must be chosen by full name")
        pid = mains[0]
    else:
        pid = _find_package(resolve, path.package)
    pkg = resolve.packages[pid]
    found = pkg.worlds.get(path.name.name)
    if found is None:
        raise WitError(
            f"world `{path.name.name}` not found in package `{pkg.name}`",
            hint=did_you_mean(path.name.name, pkg.worlds),
        )
    return found


def _parse_world_path(text: str) -> ast.UsePath:
    pf = parse_file(f"world x {{ include {text}; }}")
    world = pf.items[0]
    assert isinstance(world, ast.World)
    include = world.items[0]
    assert isinstance(include, ast.Include)
    return include.path


def _find_package(resolve: model.Resolve, name: ast.PackageName) -> model.PackageId:
    ns, pname = name.namespace.name, name.name.name
    version = None if name.version is None else str(name.version)
    candidates = []
    for pid, pkg in enumerate(resolve.packages):
        n = pkg.name
        if n.namespace == ns and n.name == pname:
            if n.version == version:
                return model.PackageId(pid)
            if version is None and n.version is not None:
                candidates.append((pid, n))
    if len(candidates) == 1:
        return model.PackageId(candidates[0][0])
    if len(candidates) > 1:
        versions = " and ".join(str(n.version) for _, n in candidates[:2])
        raise WitError(
            f"package name `{ns}:{pname}` is available at both versions {versions} but which "
            "is not specified"
        )
    raise WitError(f"unknown package `{ns}:{pname}{'' if version is None else '@' + version}`")
