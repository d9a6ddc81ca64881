"""``witkit wit PATH``: the WIT of a component, of a WIT package binary, or of WIT text.

The two roads into the resolved model meet here: a ``.wasm``/``.wat`` is decoded
from its component types (``witkit.wit.decode``), a ``.wit`` file or a directory is
parsed and resolved (``witkit.wit.resolve``).  Either way one printer writes the
text, so output is the same as ``wasm-tools component wit`` for the same input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # start-up of every command pays for what is imported here
    from witkit.wit.model import PackageId, Resolve

__all__ = ["register", "run"]

_EPILOG = """\
examples:
  witkit wit app.wasm                      the world of a component and the packages it uses
  witkit wit app.wat                       .wat text is assembled first
  witkit wit --json app.wasm               the resolved model as JSON (wasm-tools' shape)
  witkit wit wit/                          a WIT directory (with deps/) resolved and printed
  witkit wit --check wit/                  only validate; exit 1 with a caret diagnostic if wrong
  witkit wit --features fancy api.wit      include items gated by @unstable(feature = fancy)
"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "wit",
        help="print the WIT of a component, WIT package binary, .wit file or WIT directory",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", metavar="PATH", help=".wasm, .wat, .wit file or WIT directory")
    parser.add_argument("--json", action="store_true", help="print the resolved model as JSON")
    parser.add_argument(
        "--check", action="store_true", help="only validate; print nothing on success"
    )
    parser.add_argument(
        "--features",
        default="",
        metavar="A,B",
        help="comma-separated @unstable features to enable (WIT text input)",
    )
    parser.add_argument(
        "--all-features", action="store_true", help="enable every @unstable feature"
    )
    parser.set_defaults(func=run)


def load(path: Path, features: list[str], all_features: bool) -> tuple[Resolve, PackageId]:
    """Resolve ``path`` by whichever road its kind needs."""
    if path.is_dir() or path.suffix == ".wit":
        from witkit.wit.resolve import parse_path

        return parse_path(path, features=features, all_features=all_features)
    from witkit import wat
    from witkit.wit.decode import decode_wasm

    decoded = decode_wasm(wat.load(path))
    return decoded.resolve, decoded.package


def run(args: argparse.Namespace) -> int:
    features = [f.strip() for f in args.features.split(",") if f.strip()]
    resolve, package = load(Path(args.path), features, args.all_features)
    if args.check:
        return 0
    if args.json:
        from witkit.wit.json import resolve_to_json

        text = resolve_to_json(resolve)
    else:
        from witkit.wit.printer import print_resolve

        text = print_resolve(resolve, package)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
