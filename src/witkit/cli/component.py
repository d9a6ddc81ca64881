"""``witkit component``: build components from core modules (``embed``, ``new``, ``targets``).

A thin shell over :mod:`witkit.build`: files become bytes, the library decides,
and problems come back as data to print, one per line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from witkit.errors import WitkitError

if TYPE_CHECKING:  # start-up of every command pays for what is imported here
    from witkit.wit.model import Resolve, WorldId

__all__ = ["EPILOG", "HELP", "add_arguments", "run"]

#: the command's line in ``witkit --help``
HELP = "build components from core modules: embed a world, new, check against a world"

#: examples and notes after the subcommands, printed as written
EPILOG = """\
examples:
  witkit component embed add.wit add.wasm -o add.embed.wasm
                                  add.wasm with the world of add.wit in a
                                  `component-type` custom section
  witkit component embed wit/ -w adder add.wat -o add.embed.wasm
                                  one world of a WIT directory; .wat is assembled
  witkit component embed wit/ -w adder --dummy -o dummy.wasm
                                  a placeholder module with the world's imports
                                  and exports (standard32 names: cm32p2|...)
  witkit component embed add.wit --only-custom -o type.wasm
                                  only the section's payload (the world's type)
  witkit component new add.embed.wasm -o add.component.wasm
                                  a component of a module with an embedded world
                                  (world-level functions only, no adapters yet)
  witkit component targets wit/ -w adder add.component.wasm
                                  does the component fit the world? exit 0 if so,
                                  1 with one line per problem if not
"""

_EMBED_EPILOG = """\
examples:
  witkit component embed add.wit add.wasm -o add.embed.wasm
  witkit component embed wit/ -w adder add.wat -o add.embed.wasm
  witkit component embed wit/ -w adder --dummy -o dummy.wasm
  witkit component embed add.wit add.wasm --string-encoding utf16 -o out.wasm
  witkit component embed add.wit --only-custom -o type.wasm

The section is appended to the module as it is; a module that already has one
gets a second (as wasm-tools does). The bytes equal `wasm-tools component
embed`'s except for the producers entry, which names witkit.
"""

_TARGETS_EPILOG = """\
examples:
  witkit component targets wit/ -w adder add.component.wasm
  witkit component targets wasi-http/ -w wasi:http/proxy server.wasm

A component fits a world when each of its imports is one of the world's (with
the same type) and it exports everything the world exports (with the same type).
Exit status 0 when it fits, 1 with one line per problem when it does not.
"""


def _subcommand(
    sub: Any, name: str, summary: str, description: str, epilog: str, *, wit: bool = True
) -> argparse.ArgumentParser:
    """A subcommand's parser, with the WIT operand and the options that choose a world."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if wit:
        _wit_arguments(parser)
    return parser


_NEW_EPILOG = """\
examples:
  witkit component embed add.wit add.wat -o add.embed.wasm
  witkit component new add.embed.wasm -o add.component.wasm

Supported so far: a world of functions (imports and exports) whose types are
primitives, strings, lists, options, results and tuples, imports passing no
memory. Anything else is refused with a message saying what is not supported.
"""


def _wit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wit", metavar="WIT", help=".wit file, WIT directory or WIT package binary")
    parser.add_argument(
        "-w",
        "--world",
        metavar="WORLD",
        help="a world of the main package (`adder`) or a qualified one (`wasi:http/proxy`)",
    )
    parser.add_argument(
        "--features",
        default="",
        metavar="A,B",
        help="comma-separated @unstable features to enable",
    )
    parser.add_argument(
        "--all-features", action="store_true", help="enable every @unstable feature"
    )


class _Intermixed(argparse.ArgumentParser):
    """Options may come between operands (``WIT -w adder MODULE``), as in wasm-tools."""

    _inner = False

    def parse_known_args(  # type: ignore[override]
        self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inner:  # parse_known_intermixed_args calls back here
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # the sub-parsers keep the top parser's way of reporting usage errors
    parser_class = type("_Parser", (_Intermixed, type(parser)), {})
    sub: Any = parser.add_subparsers(
        dest="component_command", metavar="COMMAND", required=True, parser_class=parser_class
    )
    embed = _subcommand(
        sub,
        "embed",
        "embed a world in a core module (its `component-type` custom section)",
        "Embed a WIT world in a core module, as `wasm-tools component embed`.",
        _EMBED_EPILOG,
    )
    embed.add_argument(
        "module", metavar="MODULE", nargs="?", help="the core module (.wasm or .wat)"
    )
    embed.add_argument(
        "--string-encoding",
        "--encoding",
        dest="string_encoding",
        default="utf8",
        choices=["utf8", "utf16", "compact-utf16"],
        help="the string encoding of the world's functions (default utf8)",
    )
    embed.add_argument(
        "--dummy",
        action="store_true",
        help="generate a placeholder module with the world's imports and exports",
    )
    embed.add_argument(
        "--only-custom", action="store_true", help="write only the custom section's payload"
    )
    embed.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write")
    embed.set_defaults(component_run=_embed)

    targets = _subcommand(
        sub,
        "targets",
        "check that a component fits a world",
        "Check that a component fits a WIT world, as `wasm-tools component targets`.",
        _TARGETS_EPILOG,
    )
    targets.add_argument("component", metavar="COMPONENT", help="the component (.wasm or .wat)")
    targets.set_defaults(component_run=_targets)

    new = _subcommand(
        sub,
        "new",
        "make a component of a core module with an embedded world (simplest cases)",
        "Make a component of a core module and the world embedded in it, as"
        " `wasm-tools component new` (world-level functions only, no adapters yet).",
        _NEW_EPILOG,
        wit=False,
    )
    new.add_argument("module", metavar="MODULE", help="the core module (.wasm or .wat)")
    new.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write")
    new.set_defaults(component_run=_new)


def _new(args: argparse.Namespace) -> int:
    from witkit import wat
    from witkit.build import new

    Path(args.output).write_bytes(new(wat.load(args.module)))
    return 0


def _features(args: argparse.Namespace) -> list[str]:
    return [f.strip() for f in args.features.split(",") if f.strip()]


def _world(args: argparse.Namespace) -> tuple[Resolve, WorldId]:
    from witkit.build.embed import load_world

    return load_world(
        args.wit, args.world, features=_features(args), all_features=args.all_features
    )


def _embed(args: argparse.Namespace) -> int:
    from witkit.build import embed_world

    needs_module = not (args.dummy or args.only_custom)
    if needs_module and args.module is None:
        raise WitkitError("a MODULE is needed (or --dummy, or --only-custom)")
    module = None
    if needs_module:
        module = sys.stdin.buffer.read() if args.module == "-" else Path(args.module).read_bytes()
    resolve, world = _world(args)
    data = embed_world(
        resolve,
        world,
        module,
        string_encoding=args.string_encoding,
        dummy=args.dummy,
        only_custom=args.only_custom,
    )
    Path(args.output).write_bytes(data)
    return 0


def _targets(args: argparse.Namespace) -> int:
    from witkit import wat
    from witkit.build import targets_world

    resolve, world = _world(args)
    problems = targets_world(resolve, world, wat.load(args.component))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def run(args: argparse.Namespace) -> int:
    code: int = args.component_run(args)
    return code
