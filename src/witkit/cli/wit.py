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
from typing import TYPE_CHECKING

from witkit.errors import WitkitError

if TYPE_CHECKING:  # start-up of every command pays for what is imported here
    from witkit.wit.model import PackageId, Resolve


__all__ = ["EPILOG", "HELP", "add_arguments", "run"]

#: the command's line in ``witkit --help``
HELP = "print the WIT of a component, WIT package binary, .wit file or WIT directory"

#: examples and notes after the options, printed as written
EPILOG = """\
examples:
  witkit wit app.wasm                      the world of a component and the packages it uses
  witkit wit app.wat                       .wat text is assembled first
  witkit wit --json app.wasm               the resolved model as JSON (wasm-tools' shape)
  witkit wit wit/                          a WIT directory (with deps/) resolved and printed
  witkit wit --check wit/                  only validate; exit 1 with a caret diagnostic if wrong
  witkit wit --features fancy api.wit      include items gated by @unstable(feature = fancy)
  witkit wit --wasm -o pkg.wasm wit/       encode the package as a WIT package binary
  witkit wit --wasm --world proxy -o t.wasm wit/
                                           encode one world as a component type (the payload
                                           of a `component-type` custom section)
  witkit wit --world proxy wit/            check that the world exists; print the package
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "--world",
        metavar="NAME",
        help="a world of the main package (`proxy`) or a qualified one (`wasi:http/proxy`)",
    )
    parser.add_argument(
        "--wasm",
        action="store_true",
        help="write the binary encoding (package, or --world as a component type)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )


def load(path: Path, features: list[str], all_features: bool) -> tuple[Resolve, PackageId]:
    """Resolve ``path`` by whichever road its kind needs."""
    if path.is_dir() or path.suffix == ".wit":
        from witkit.wit.resolve import parse_path

        return parse_path(path, features=features, all_features=all_features)
    from witkit import wat
    from witkit.wit.decode import decode_wasm

    decoded = decode_wasm(wat.load(path))
    return decoded.resolve, decoded.package


def _write(data: bytes, output: str | None) -> None:
    """Write ``data`` to ``output`` (atomically) or stdout; never a binary to a terminal."""
    if output is None:
        if sys.stdout.isatty() and not data.isascii():
            raise WitkitError("refusing to write a binary to a terminal; use -o FILE")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        return
    import os
    import tempfile

    target = Path(output)
    fd, temp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    features = [f.strip() for f in args.features.split(",") if f.strip()]
    resolve, package = load(Path(args.path), features, args.all_features)
    world = None
    if args.world is not None:
        from witkit.wit.resolve import select_world

        world = select_world(resolve, package, args.world)
    if args.check:
        return 0
    if args.wasm:
        from witkit.wit.encode import encode_package, encode_world

        if world is not None:
            _write(encode_world(resolve, world), args.output)
        else:
            _write(encode_package(resolve, package), args.output)
        return 0
    if args.json:
        from witkit.wit.json import resolve_to_json

        # byte for byte what `wasm-tools component wit --json` writes: no final newline
        text = resolve_to_json(resolve)
    else:
        from witkit.wit.printer import print_resolve

        text = print_resolve(resolve, package)
        text = text if text.endswith("\n") else text + "\n"
    if args.output is not None:
        _write(text.encode(), args.output)
    else:
        sys.stdout.write(text)
    return 0
