"""``witkit cache dir|size|clean|prune``: look at and trim the compile cache.

A thin shell over :mod:`witkit.runtime.pruning`, which holds the rules (only
witkit's files, never through a link, never outside the directory, least
recently used first).  The cache is the one ``witkit run`` and ``Engine()``
use: ``$WITKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/witkit``, else
``~/.cache/witkit``; everything is in its ``core/`` subdirectory.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from witkit.errors import WitkitError

__all__ = ["DESCRIPTION", "EPILOG", "HELP", "add_arguments", "format_size", "run"]

#: the command's line in ``witkit --help``
HELP = "show, measure, clean or prune the compile cache"

#: the text of ``witkit cache --help`` (the docstring's first line has markup)
DESCRIPTION = "show, measure, clean or prune the compile cache of witkit run and Engine()"

#: examples and notes after the options, printed as written
EPILOG = """\
actions:
  dir                      print the cache directory (what $WITKIT_CACHE_DIR names)
  size                     entries and disk space per kind: compiled modules,
                           generated code, prepared components
  clean                    remove every file witkit put there
  prune [--max-size SIZE]  remove least recently used entries until the cache takes
                           at most SIZE (default: the automatic limit)

automatic pruning:
  After a run compiles and stores a module, witkit checks the cache's size (at most
  once a minute) and, when it is over the limit, removes least recently used
  entries down to 80% of it. The limit is 512MiB unless $WITKIT_CACHE_MAX_SIZE
  says otherwise (e.g. 2GiB, or off); Engine(cache_max_size=...) in Python.
  Only files of witkit's own formats are removed; links are never followed.

examples:
  witkit cache size
  witkit cache prune --max-size 200MiB
  du -sh "$(witkit cache dir)"
  WITKIT_CACHE_DIR=/tmp/wk witkit cache clean
"""

_LABELS = {
    "modules": ("compiled modules", "core/*.cwasm"),
    "code": ("generated code", "core/code-*/"),
    "prepared": ("prepared components", "core/components/"),
    "debris": ("unfinished writes, locks", ""),
    "other": ("not witkit's (kept)", ""),
}


#: each action's help line
_ACTIONS = {
    "dir": "print the cache directory",
    "size": "entries and disk space per kind",
    "clean": "remove every witkit file from the cache",
    "prune": "remove least recently used entries until the cache fits a size",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    chosen = {name: actions.add_parser(name, help=t, description=t) for name, t in _ACTIONS.items()}
    prune = chosen["prune"]
    prune.add_argument(
        "--max-size",
        metavar="SIZE",
        help="at most this much on disk: 200MiB, 1G, 0 (default: the automatic limit)",
    )


def format_size(size: int) -> str:
    """``1536`` -> ``1.5 KiB``: binary units, one decimal from KiB on."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def run(args: argparse.Namespace) -> int:
    from witkit.runtime import pruning
    from witkit.runtime.cache import default_location

    location = default_location()
    action: str = args.action
    if action == "dir":
        print(os.path.dirname(location))
        return 0
    try:
        if action == "size":
            _print_usage(location, pruning.usage(location), pruning.configured_max_size())
        elif action == "clean":
            removed = pruning.clean(location)
            print(f"removed {_count(removed.total_entries)}, {format_size(removed.total_bytes)}")
        else:
            limit = _limit(args.max_size, pruning)
            removed = pruning.prune(location, limit)
            left = pruning.usage(location).total_bytes
            print(
                f"removed {_count(removed.total_entries)}, {format_size(removed.total_bytes)};"
                f" the cache takes {format_size(left)} (at most {format_size(limit)})"
            )
    except pruning.CacheRefused as refused:
        raise WitkitError(f"cache directory not used: {refused}") from None
    return 0


def _limit(text: str | None, pruning: Any) -> int:
    if text is None:
        limit: int | None = pruning.configured_max_size()
        if limit is None:
            raise WitkitError("WITKIT_CACHE_MAX_SIZE is off: give --max-size SIZE")
        return limit
    size: int | None = pruning.parse_size(text)
    if size is None:
        raise WitkitError(f"--max-size: not a size: {text!r} (e.g. 200MiB, 1G, 0)")
    return size


def _count(entries: int) -> str:
    return f"{entries} entr{'y' if entries == 1 else 'ies'}"


def _print_usage(location: str, usage: Any, limit: int | None) -> None:
    print(location)
    for kind, (label, where) in _LABELS.items():
        entries, size = usage.entries[kind], usage.bytes[kind]
        if entries or kind in ("modules", "code", "prepared"):
            print(f"  {label:<26}{where:<18}{_count(entries):>15}{format_size(size):>12}")
    total = f"{_count(usage.total_entries):>15}{format_size(usage.total_bytes):>12}"
    print(f"  {'total':<44}{total}")
    if limit is None:
        print("automatic pruning is off (WITKIT_CACHE_MAX_SIZE=off)")
    else:
        print(f"automatic pruning keeps it under {format_size(limit)}, least recently used first")
