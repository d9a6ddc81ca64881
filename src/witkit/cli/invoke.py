"""``witkit run --invoke 'f(args)'``: call one export of a component, values written in WAVE.

What ``wasmtime run --invoke`` does, with the same answers, so a command line
and its output carry over unchanged (tests/cli/test_invoke.py runs both):

* **Finding the function.**  A bare name (``add``) is looked up among the root
  exports first, then in every exported instance; found in several instances it
  is an error that lists the qualified names.  A qualified name names the
  instance: ``ns:pkg/iface.f``, ``ns:pkg/iface.f@1.0.0`` (wasm-wave's spelling,
  the one wasmtime reads) or ``ns:pkg/iface@1.0.0.f`` (the export's own); the
  version is matched by ``witkit.semver``'s rules, which are wasmtime's
  (``@1.0.1`` finds an export ``@1.0.0``).
* **Typing early.**  The call is parsed before the file is even opened, and its
  arguments typed against the function as soon as the component's type is
  known -- before anything is compiled -- so a misspelt name or argument costs
  nothing.  Trailing ``option`` arguments may be left out.
* **Printing.**  The result in WAVE (``witkit.wave.to_wave``) and a newline;
  ``()`` for a function without a result, as wasmtime.  A ``result`` that is an
  ``err`` is a value like any other: printed, exit status 0.
* **Errors** are one line, exit status 1: an unknown function (with the names
  that exist), an ambiguous one, an argument that does not parse or does not fit
  its type (with line and column in the call).  Resources have no WAVE spelling,
  so a function taking or returning one cannot be invoked (wasmtime refuses too).

``library_message`` is what ``witkit run`` says, instead of compiling anything,
about a component that has no ``wasi:cli/run`` to run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from witkit import types as wt
from witkit._record import record
from witkit.errors import WitkitError

if TYPE_CHECKING:
    from witkit.runtime import Instance
    from witkit.wave import Call, CallName

__all__ = ["Invocation", "Target", "exported_functions", "find_function", "library_message"]


@record
class Target:
    """An exported function: the instance exporting it (None: the root), its name, its type."""

    instance: str | None
    function: str
    func: wt.FuncType

    @property
    def shown(self) -> str:
        """The name as ``--invoke`` takes it in both witkit and wasmtime (``i.f@1.0.0``)."""
        if self.instance is None:
            return self.function
        name, at, version = self.instance.partition("@")
        return f"{name}.{self.function}{at}{version}"


def exported_functions(exports: dict[str, wt.ExternItem]) -> Iterator[Target]:
    """Every function a component exports: the root's, then each exported instance's."""
    for name, item in exports.items():
        if isinstance(item.ty, wt.FuncType):
            yield Target(None, name, item.ty)
    for name, item in exports.items():
        if isinstance(item.ty, wt.InstanceType):
            for inner, sub in item.ty.exports.items():
                if isinstance(sub.ty, wt.FuncType):
                    yield Target(name, inner, sub.ty)


def find_function(exports: dict[str, wt.ExternItem], name: CallName) -> Target:
    """The export ``name`` designates (see the module rules); ``WitkitError`` if none or several."""
    from witkit import semver

    if name.instance is None:
        root = exports.get(name.function)
        if root is not None and isinstance(root.ty, wt.FuncType):
            return Target(None, name.function, root.ty)
        found = [t for t in exported_functions(exports) if t.function == name.function]
        if len(found) > 1:
            listed = ", ".join(t.shown for t in found)
            raise WitkitError(
                f"more than one exported instance has a function {name.function!r}; "
                f"name one of: {listed}"
            )
        if found:
            return found[0]
    else:
        instances = {n: i for n, i in exports.items() if isinstance(i.ty, wt.InstanceType)}
        hit = semver.lookup(instances, name.instance)
        if hit is not None:
            instance_name, item = hit
            assert isinstance(item.ty, wt.InstanceType)
            sub = item.ty.exports.get(name.function)
            if sub is not None and isinstance(sub.ty, wt.FuncType):
                return Target(instance_name, name.function, sub.ty)
    known = ", ".join(t.shown for t in exported_functions(exports)) or "none"
    raise WitkitError(f"no exported function {name.text!r} (the component's functions: {known})")


class Invocation:
    """One ``--invoke``: parsed at once, typed by ``check``, called by ``__call__``.

    ``check`` and ``__call__`` are ``run_component``'s hooks: the first sees the
    component's type before compilation, the second the instance instead of ``run``.
    """

    def __init__(self, text: str) -> None:
        from witkit import wave

        self.text = text
        try:
            self.call: Call = wave.parse_call(text)
        except wave.WaveError as err:
            raise WitkitError(f"--invoke {text!r}: {err}") from None
        self.target: Target | None = None
        self.arguments: list[Any] = []

    def check(self, component: wt.ComponentType) -> None:
        """Find the function and type the arguments, before anything is compiled."""
        from witkit import wave

        target = find_function(component.exports, self.call.name)
        try:
            self.arguments = self.call.arguments(target.func)
        except wave.WaveError as err:
            raise WitkitError(f"--invoke {self.text!r}: {err}") from None
        self.target = target

    def __call__(self, instance: Instance) -> int:
        """Call the function and print its result in WAVE; the exit status (0)."""
        from witkit import wave

        target = self.target
        assert target is not None, "run_component calls check before call"
        exports: Any = instance.exports
        func = (
            exports[target.function]
            if target.instance is None
            else exports[target.instance][target.function]
        )
        result = func(*self.arguments)
        if target.func.result is None:
            text = "()"
        else:
            try:
                text = wave.to_wave(result, target.func.result)
            except wave.WaveError as err:
                raise WitkitError(f"cannot print the result of {target.shown}: {err}") from None
        sys.stdout.write(text + "\n")
        return 0


# --------------------------------------------------------------------------- a library's message


def _sample(ty: wt.ValType, depth: int = 0) -> str:
    """A WAVE value of type ``ty`` to show in an example (the simplest one)."""
    if depth > 3:
        return "..."

    def sub(inner: wt.ValType) -> str:
        return _sample(inner, depth + 1)

    match ty:
        case "bool":
            return "false"
        case "char":
            return "'a'"
        case "string":
            return '"text"'
        case "f32" | "f64":
            return "1.5"
        case str():
            return "1"
        case wt.PrimType(prim=prim):
            return _sample(prim, depth)
        case wt.RecordType(fields=fields):
            return "{" + ", ".join(f"{n}: {sub(t)}" for n, t in fields) + "}"
        case wt.VariantType(cases=cases):
            case, payload = cases[0]
            return case if payload is None else f"{case}({sub(payload)})"
        case wt.EnumType(names=names):
            return names[0]
        case wt.FlagsType():
            return "{}"
        case wt.ListType():
            return "[]"
        case wt.TupleType(types=types):
            return "(" + ", ".join(sub(t) for t in types) + ")"
        case wt.OptionType():
            return "none"
        case wt.ResultType(ok=ok):
            return "ok" if ok is None else f"ok({sub(ok)})"
    return "..."


def library_message(path: str, component: wt.ComponentType) -> str:
    """What ``witkit run`` says about a component that exports no ``wasi:cli/run``."""
    from witkit.inspect import TypeNames, describe_extern

    names = TypeNames()
    for externs in (component.imports, component.exports):
        names.learn(externs)
        for item in externs.values():
            if isinstance(item.ty, wt.InstanceType):
                names.learn(item.ty.exports)
    functions = list(exported_functions(component.exports))
    lines = [f"{path} is a library component: it exports no wasi:cli/run, so there is no `run`."]
    if not functions:
        lines.append("It exports no functions either: nothing can be called.")
        return "\n".join(lines)
    lines.append("Its exported functions (call one with --invoke, values in WAVE):")
    lines.extend(f"  {t.shown}: {describe_extern(t.func, names)[1]}" for t in functions)
    # the example: a function with parameters, so it shows how arguments are written
    callable_ = [t for t in functions if _invocable(t.func)]
    first = next((t for t in callable_ if t.func.params), (callable_ or functions)[0])
    args = ", ".join(_sample(t) for _, t in first.func.params)
    where = (
        f'["{first.function}"]'
        if first.instance is None
        else f'["{first.instance}"]["{first.function}"]'
    )
    lines += [
        "For example:",
        f"  witkit run --invoke '{first.shown}({args})' {path}",
        "From Python:",
        "  import witkit; e = witkit.Engine(); linker = witkit.Linker(e); "
        "linker.add_wasi(witkit.WasiConfig())",
        f'  linker.instantiate(witkit.Component.from_file(e, "{path}")).exports{where}(...)',
    ]
    return "\n".join(lines)


def _invocable(func: wt.FuncType) -> bool:
    """Whether a function's example would be a plain one (no resources in its parameters)."""
    return "..." not in ", ".join(_sample(t) for _, t in func.params)
