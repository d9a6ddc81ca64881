"""WIT on the filesystem: paths in, package groups out (``WIT.md`` "Filesystem structure").

* A file is one group: its package and the nested packages it defines.
* A directory is one group made of its ``*.wit`` files (sub-directories and other
  files are ignored), plus a ``deps/`` directory whose entries, in file-name
  order, are each a group: a sub-directory (no recursive ``deps/``) or a single
  ``.wit`` file.  Other files in ``deps/`` are ignored.

Names in diagnostics are the paths as given, joined with the file name.
"""

from __future__ import annotations

import os

from witkit.errors import WitError
from witkit.wit.resolve.packages import Group, parse_group
from witkit.wit.source_map import Source, SourceMap

__all__ = ["read_dir_group", "read_file_group", "read_path", "read_text"]


def read_text(path: str) -> str:
    """The text of a WIT file, as the reference reads it (UTF-8, newlines kept)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise WitError(f"failed to read path for WIT [{path}]: {e.strerror}") from None
    if data[:4] == b"\0asm" or data.lstrip()[:1] == b"(":
        raise WitError(
            f"`{path}` looks like a WebAssembly binary or text file; only WIT text is "
            "supported as a dependency for now"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WitError(f"input file is not valid utf-8 [{path}]") from None


def read_file_group(path: str, smap: SourceMap) -> Group:
    source = smap.add(path, read_text(path))
    return parse_group([source], path)


def _list_dir(path: str) -> list[str]:
    """The names in directory ``path``, in file-name order (the order groups are read in)."""
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise WitError(f"failed to read directory [{path}]: {e.strerror}") from None


def read_dir_group(path: str, smap: SourceMap) -> Group:
    sources: list[Source] = []
    for name in _list_dir(path):
        full = os.path.join(path, name)
        if not name.endswith(".wit") or os.path.isdir(full):
            continue
        sources.append(smap.add(full, read_text(full)))
    return parse_group(sources, path)


def read_path(path: str, smap: SourceMap) -> tuple[Group, list[Group]]:
    """The main group of ``path`` and the groups of its ``deps/`` directory."""
    if not os.path.isdir(path):
        return read_file_group(path, smap), []
    main = read_dir_group(path, smap)
    deps_dir = os.path.join(path, "deps")
    deps: list[Group] = []
    if os.path.exists(deps_dir):
        for name in _list_dir(deps_dir):
            full = os.path.join(deps_dir, name)
            if os.path.isdir(full):
                deps.append(read_dir_group(full, smap))
            elif name.endswith(".wit"):
                deps.append(read_file_group(full, smap))
            elif name.endswith((".wasm", ".wat")):
                raise WitError(
                    f"`{full}`: WIT packages encoded as WebAssembly are not supported as "
                    "dependencies yet; use the package's WIT text"
                )
    return main, deps
