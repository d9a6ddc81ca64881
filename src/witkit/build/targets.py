"""Does a component fit a world? (``wasm-tools component targets``)

A component *targets* a world when it could be used wherever a component of the
world's type is expected: each of its imports is one the world provides, with
the same type, and it exports at least what the world exports, with the same
types (Explainer.md "Subtyping": components import less and export more).

Rules:

* the verdict is the validator's, as wit-component decides it: a component that
  imports a component of the world's type is instantiated with the component
  under test, and the whole is validated (:mod:`witkit.binary.validate.subtype`
  does the comparing), so witkit and wasm-tools agree on what fits;
* the *explanation* is computed from the two worlds by name (the component's
  world decoded with :mod:`witkit.wit.decode`): an unexpected import, a missing
  export, a function whose signature differs, each with its WIT; when the
  validator refuses for a reason the names do not show (a type's shape, a
  resource), its message is the problem;
* problems are data (``Problem``), one line each; an unreadable component
  raises (``BinaryError``), it is not a problem of fit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

from witkit._record import record
from witkit.errors import ValidationError
from witkit.wit import model

__all__ = ["Problem", "targets", "targets_world"]

ProblemKind = Literal["unexpected-import", "missing-export", "mismatch", "invalid"]


@record
class Problem:
    """One reason a component does not fit a world; ``str()`` is its one-line message."""

    kind: ProblemKind
    name: str
    message: str

    def __str__(self) -> str:
        return self.message


def targets(
    wit: str | os.PathLike[str] | tuple[model.Resolve, model.PackageId],
    component: bytes,
    *,
    world: str | None = None,
    features: Iterable[str] = (),
    all_features: bool = False,
) -> list[Problem]:
    """The problems that keep ``component`` from fitting ``world`` of ``wit``; empty if it fits."""
    from witkit.build.embed import load_world

    resolve, wid = load_world(wit, world, features=features, all_features=all_features)
    return targets_world(resolve, wid, component)


def targets_world(resolve: model.Resolve, world: model.WorldId, component: bytes) -> list[Problem]:
    """:func:`targets` for a world already resolved."""
    from witkit.binary import ir, read, validate
    from witkit.wit.decode import decode_wasm

    parsed = read(component)
    if not isinstance(parsed, ir.Component):
        from witkit.build.embed import BuildError

        raise BuildError("the input is a core module, not a component")
    validate(parsed)  # an invalid component is an error, not a misfit
    decoded = decode_wasm(component)
    problems: list[Problem] = []
    if decoded.world is not None:
        problems = _compare(resolve, world, decoded.resolve, decoded.world)
    try:
        root = read(_instantiation(resolve, world, component))
        assert isinstance(root, ir.Component)
        validate(root)
    except ValidationError as err:
        if not problems:
            lines = [line.strip() for line in err.message.splitlines() if line.strip()]
            name = resolve.worlds[world].name
            if lines and lines[0] == f"type mismatch for import `{name}`":
                lines = lines[1:]  # the wrapper's import, not the component's
            problems.append(Problem("mismatch", name, "; ".join(lines)))
    else:
        problems = []  # the validator's verdict is the one wasm-tools gives
    return problems


def _instantiation(resolve: model.Resolve, world: model.WorldId, component: bytes) -> bytes:
    """wit-component's test: a component importing the world's type, given ``component``."""
    from witkit.binary.codes import SECTION_COMPONENT, SECTION_INSTANCE
    from witkit.binary.encode import ComponentWriter, write_extern_desc, write_extern_name
    from witkit.binary.encode.imports import write_import
    from witkit.binary.encode.sorts import write_sort
    from witkit.binary.encode.writer import name, uleb, vec
    from witkit.wit.encode import encode_world_type

    world_name = resolve.worlds[world].name
    user = ComponentWriter()
    user.type_section([encode_world_type(resolve, world)])
    user.import_section(
        [write_import(write_extern_name(world_name), write_extern_desc("component", 0))]
    )
    root = ComponentWriter()
    root.section(SECTION_COMPONENT, component)
    root.section(SECTION_COMPONENT, user.finish())
    argument = name(world_name) + write_sort("component") + uleb(0)
    root.section(SECTION_INSTANCE, vec([b"\x00" + uleb(1) + vec([argument])]))
    return root.finish()


# --------------------------------------------------------------------------- explanations


def _compare(
    want: model.Resolve, wid: model.WorldId, have: model.Resolve, hid: model.WorldId
) -> list[Problem]:
    w, h = want.worlds[wid], have.worlds[hid]
    problems: list[Problem] = []
    # imports: every one the component has must be the world's (it may have fewer);
    # exports: every one the world has must be the component's (it may have more)
    for direction, wanted, had in (
        ("import", w.imports, h.imports),
        ("export", w.exports, h.exports),
    ):
        wanted_items = {want.name_world_key(k): v for k, v in wanted.items()}
        had_items = {have.name_world_key(k): v for k, v in had.items()}
        is_import = direction == "import"
        outer, inner = (had_items, wanted_items) if is_import else (wanted_items, had_items)
        for key, item in outer.items():
            if item.kind == "type":
                continue
            if key not in inner:
                kind: ProblemKind = "unexpected-import" if is_import else "missing-export"
                text = _describe(have if is_import else want, key, item)
                problems.append(Problem(kind, key, f"{kind.replace('-', ' ')} {text}"))
                continue
            ours, theirs = (inner[key], item) if is_import else (item, inner[key])
            problems += _differences(
                direction, key, want, ours, have, theirs, extra_ok=not is_import
            )
    return problems


def _describe(resolve: model.Resolve, key: str, item: model.WorldItem) -> str:
    if item.kind == "function":
        assert item.function is not None
        return f"`{key}: {_signature(resolve, item.function)}`"
    return f"`{key}` (an interface)"


def _signature(resolve: model.Resolve, func: model.Function) -> str:
    from witkit.wit.printer import _Printer

    printer = _Printer(resolve, False)
    printer.function(func)
    return printer.out.getvalue()


def _functions(resolve: model.Resolve, item: model.WorldItem) -> dict[str, model.Function]:
    if item.kind == "function":
        assert item.function is not None
        return {"": item.function}
    if item.kind == "interface":
        assert item.interface is not None
        return dict(resolve.interfaces[item.interface].functions)
    return {}


def _differences(
    direction: str,
    key: str,
    want: model.Resolve,
    wanted: model.WorldItem,
    have: model.Resolve,
    had: model.WorldItem,
    *,
    extra_ok: bool,
) -> list[Problem]:
    """What differs between an item of the world and the component's item of the same name.

    An export may have more functions than the world's (``extra_ok``); an import
    may have fewer.
    """
    if wanted.kind != had.kind:
        what = f"{direction} `{key}` is a {had.kind} in the component, a {wanted.kind} in the world"
        return [Problem("mismatch", key, what)]
    want_funcs, have_funcs = _functions(want, wanted), _functions(have, had)
    problems: list[Problem] = []
    for fname, func in want_funcs.items():
        label = key if not fname else f"{key}#{fname}"
        other = have_funcs.get(fname)
        if other is None:
            if extra_ok:
                sig = _signature(want, func)
                problems.append(
                    Problem("missing-export", label, f"missing export `{label}: {sig}`")
                )
            continue
        ours, theirs = _signature(want, func), _signature(have, other)
        if ours != theirs:
            problems.append(
                Problem(
                    "mismatch",
                    label,
                    f"type mismatch for {direction} `{label}`: the world has `{ours}`,"
                    f" the component `{theirs}`",
                )
            )
    if not extra_ok:
        for fname, func in have_funcs.items():
            if fname not in want_funcs:
                label = f"{key}#{fname}"
                sig = _signature(have, func)
                problems.append(
                    Problem("unexpected-import", label, f"unexpected import `{label}: {sig}`")
                )
    return problems
