"""Name resolution: WIT text (files, directories, strings) in, a ``model.Resolve`` out.

The package is laid out as the phases run:

* ``unresolved`` -- names inside one package (wasm-tools ``ast/resolve.rs``),
  with ``types`` (type expressions), ``attributes`` (docs, gates), ``names``
  (strong uniqueness) and ``toposort``;
* ``merge`` -- names across packages, feature gates and ``include``
  (``Remap::append`` in ``resolve/mod.rs``), with ``clone`` (copies for
  ``include``) and ``elaborate`` (the interfaces a world needs);
* ``packages`` -- ordering package groups and their dependencies;
* ``fs`` -- reading paths (a file, or a directory with ``deps/``).

The functions here are the public entry points; every error they raise is a
``WitError`` with a ``Span`` when the problem has a place in the text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from witkit.errors import WitError
from witkit.wit import model
from witkit.wit.parser import ParseError
from witkit.wit.resolve.fs import read_path
from witkit.wit.resolve.packages import (
    Group,
    parse_group,
    resolve_groups,
    select_world,
    to_wit_error,
)
from witkit.wit.source_map import SourceMap

__all__ = ["parse_path", "parse_sources", "parse_text", "select_world"]

# The parser and resolver bound their own nesting; this is the last line of defence.
_TOO_DEEP = "WIT input is nested too deeply to resolve"


def parse_path(
    path: str | os.PathLike[str],
    *,
    deps: Iterable[str | os.PathLike[str]] = (),
    features: Iterable[str] = (),
    all_features: bool = False,
) -> tuple[model.Resolve, model.PackageId]:
    """Resolve the WIT package at ``path`` (a ``.wit`` file or a directory with ``deps/``).

    ``deps`` are extra files or directories whose packages may be used (each one
    as if it were an entry of ``deps/``).  ``features`` enables ``@unstable``
    items by feature name; ``all_features`` enables them all.  Returns the
    ``Resolve`` (dependencies first) and the id of the main package.
    """
    smap = SourceMap()
    try:
        main, dep_groups = read_path(os.fspath(path), smap)
        for extra in deps:
            extra_main, extra_deps = read_path(os.fspath(extra), smap)
            dep_groups.extend([extra_main, *extra_deps])
        return resolve_groups(main, dep_groups, features=features, all_features=all_features)
    except ParseError as e:
        raise to_wit_error(e, smap) from None
    except RecursionError:
        raise WitError(_TOO_DEEP) from None


def parse_text(
    text: str,
    name: str = "<input>.wit",
    *,
    features: Iterable[str] = (),
    all_features: bool = False,
) -> tuple[model.Resolve, model.PackageId]:
    """Resolve one WIT file given as text; ``name`` is the file name diagnostics show."""
    return parse_sources([(name, text)], features=features, all_features=all_features)


def parse_sources(
    main: Sequence[tuple[str, str]],
    deps: Sequence[Sequence[tuple[str, str]]] = (),
    *,
    features: Iterable[str] = (),
    all_features: bool = False,
) -> tuple[model.Resolve, model.PackageId]:
    """Resolve a package given as ``(file name, text)`` pairs, with dependency packages.

    ``main`` is the files of the main package (like a directory's ``*.wit``);
    each entry of ``deps`` is the files of one dependency.  Nothing is read from
    the filesystem.
    """
    smap = SourceMap()
    try:
        main_group = parse_group([smap.add(n, t) for n, t in main], "<main>")
        dep_groups: list[Group] = [
            parse_group([smap.add(n, t) for n, t in files], f"<dependency {i}>")
            for i, files in enumerate(deps)
        ]
        return resolve_groups(main_group, dep_groups, features=features, all_features=all_features)
    except ParseError as e:
        raise to_wit_error(e, smap) from None
    except RecursionError:
        raise WitError(_TOO_DEEP) from None
