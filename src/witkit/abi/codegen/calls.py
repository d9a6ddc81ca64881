"""Generate the per-shape fast paths of a call: ``canon_lift`` from the host, ``canon_lower`` to it.

A call's own work (check the instance's flags, lower the arguments, call core
wasm, lift the result) is a few dozen bytecodes, so each common shape of call
gets a function of its own, generated here as Python source and compiled once
per distinct text (``compile_source``).  The runtime chooses the shape and
supplies the names the text uses; the general path of the runtime handles every
other shape.

Rules of the generated code:

* **The bookkeeping is not written here.**  The instance-flag rules (may-enter,
  may-leave, poisoning, call depth) are the runtime's: they come in as a
  ``Guard`` of source snippets (``witkit.runtime.canon.flags.ONE_INSTANCE``)
  that every template inlines unchanged, so each fast path follows the same
  rules as the general path without paying for a function call.
* **What fails, fails where the general path would.**  A failure while lowering
  the host's arguments (before guest code runs) leaves the instance enterable
  unless it is a ``Trap`` or exhaustion; anything after poisons it.  Python's
  exhaustion (``EXHAUSTED``) becomes the runtime's trap (``exhausted``).
* **Integers are checked inline.**  For signatures of integers only, an argument
  of the exact type and range is passed straight to core wasm; anything unusual
  (wrong arity, out of range, an ``__index__`` object) goes to ``general``, the
  ABI's path, which coerces or raises the proper ``TypeError``; the guest sees
  the same core call either way.
* The text depends only on the shape (the integer types, the number of results,
  a post-return), never on the instance, so identical shapes share one code
  object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from witkit._record import record
from witkit.abi._codecache import compile_source
from witkit.types import FuncType

__all__ = ["INTS", "Guard", "all_ints", "build", "lift_call", "lower_call"]


@record
class Guard:
    """The runtime's instance-flag rules as unindented source lines (see the module docstring).

    ``enter`` leaves the depth to restore in ``n``; ``leave`` and ``poison`` use it.
    """

    enter: str
    leave: str
    poison: str
    check_leave: str
    forbid_leave: str
    permit_leave: str


#: integer WIT types a fast path checks inline: (lowest, highest, lifted value of a core integer ``{}``)
INTS: dict[str, tuple[int, int, str]] = {
    "u8": (0, 0xFF, "{} & 0xff"),
    "u16": (0, 0xFFFF, "{} & 0xffff"),
    "u32": (0, 0xFFFF_FFFF, "{}"),
    "u64": (0, 0xFFFF_FFFF_FFFF_FFFF, "{}"),
    "s8": (-(2**7), 2**7 - 1, "(({} & 0xff) ^ 0x80) - 0x80"),
    "s16": (-(2**15), 2**15 - 1, "(({} & 0xffff) ^ 0x8000) - 0x8000"),
    "s32": (-(2**31), 2**31 - 1, "({} ^ 0x80000000) - 0x80000000"),
    "s64": (-(2**63), 2**63 - 1, "({} ^ 0x8000000000000000) - 0x8000000000000000"),
}


def all_ints(ty: FuncType) -> bool:
    """Whether every parameter and the result (if any) is an integer of ``INTS``."""
    types = [t for _, t in ty.params]
    if ty.result is not None:
        types.append(ty.result)
    return all(isinstance(t, str) and t in INTS for t in types)


def _lifted(t: object, name: str) -> str:
    """The lifted value of core integer ``name`` (unsigned, as the core layer gives it)."""
    return INTS[t][2].format(name)  # type: ignore[index]


def _at(indent: int, snippet: str) -> list[str]:
    pad = " " * indent
    return [pad + line for line in snippet.splitlines()]


def lift_call(guard: Guard, ty: FuncType | None, nresults: int, post_return: bool) -> str:
    """``def call(*args)``: a host's call of a lifted function entering one instance.

    ``ty`` given (an ``all_ints`` type, no post-return): the integer shape, using
    ``core`` and ``general``.  Otherwise the ABI's shape with ``nresults`` flat
    results, using ``cx``, ``lower_params``, ``core``, ``lift_results`` and, if
    ``post_return``, ``post_return``.  Both use ``inst``, ``depth`` and the
    guard's names.
    """
    lines = ["def call(*args):"]
    if ty is not None:
        assert not post_return, "the integer shape has no post-return"
        names = [f"a{i}" for i in range(len(ty.params))]
        if names:
            lines.append(f"    if len(args) != {len(names)}: return general(*args)")
            lines.append(f"    {', '.join(names)}, = args")
        else:
            lines.append("    if args: return general(*args)")
        for name, (_, t) in zip(names, ty.params, strict=True):
            lo, hi, _ = INTS[t]  # type: ignore[index]
            lines.append(
                f"    if type({name}) is not int or not {lo} <= {name} <= {hi}: "
                "return general(*args)"
            )
        lines += _at(4, guard.enter)
        body = [f"r = core({', '.join(names)})"]
        value = "None" if ty.result is None else _lifted(ty.result, "r")
    else:
        lines += _at(4, guard.enter)
        lines += ["    try:", "        flat = lower_params(cx, args)", "    except Trap:"]
        lines += _at(8, guard.poison)
        lines += ["        raise", "    except EXHAUSTED as e:"]
        lines += _at(8, guard.poison)
        lines += ["        raise exhausted(e) from None", "    except BaseException:"]
        lines += _at(8, guard.leave)
        lines += ["        raise"]
        flat = {0: "()", 1: "(r,)"}.get(nresults, "r")
        body = ["r = core(*flat)", f"value = lift_results(cx, {flat})"]
        if post_return:
            call = {0: "post_return()", 1: "post_return(r)"}.get(nresults, "post_return(*r)")
            body += [*guard.forbid_leave.splitlines(), call, *guard.permit_leave.splitlines()]
        value = "value"
    lines.append("    try:")
    lines += _at(8, "\n".join(body))
    lines.append("    except EXHAUSTED as e:")
    lines += _at(8, guard.poison)
    lines += ["        raise exhausted(e) from None", "    except BaseException:"]
    lines += _at(8, guard.poison)
    lines.append("        raise")
    lines += _at(4, guard.leave)
    lines.append(f"    return {value}")
    return "\n".join(lines) + "\n"


def lower_call(
    guard: Guard, ty: FuncType | None, nresults: int, host: bool = False, resultless: bool = False
) -> str:
    """``def trampoline(...)``: a guest's call of a lowered host function, borrowing nothing.

    ``ty`` given (an ``all_ints`` type): arguments are lifted inline, and a result
    out of range goes through ``lower_results``, which raises the host's
    ``TypeError`` naming it.  Otherwise the ABI's shape: ``lift_params``, then
    ``lower_results`` into ``nresults`` flat results.  Both use ``inst``,
    ``target``, ``cx`` and the guard's names.

    ``host``: the target is a host function, whose failures become traps: what
    it raises goes through ``host_raised(exc)``, a result that does not lower
    through ``bad_result(value, exc)`` (``exc`` None: a value other than None from
    a function without a result: ``resultless``, or an integer shape's ``ty``
    says so), both returning the ``Trap`` to raise.  A ``Trap`` and
    exhaustion pass unchanged.  The ``try`` costs nothing until something raises.
    """
    lines: list[str]
    if ty is None:
        lines = ["def trampoline(*flat):"]
        lines += _at(4, guard.check_leave)
        if not host:
            lines.append("    out = lower_results(cx, target(*lift_params(cx, flat)), flat)")
            lines.append("    return " + {0: "None", 1: "out[0]"}.get(nresults, "out"))
            return "\n".join(lines) + "\n"
        lines.append("    args = lift_params(cx, flat)")
        call, check, store = "r = target(*args)", None, "out = lower_results(cx, r, flat)"
        done = "return " + {0: "None", 1: "out[0]"}.get(nresults, "out")
        if resultless:
            check = "if r is not None: raise bad_result(r, None)"
            store = ""
    else:
        names = [f"a{i}" for i in range(len(ty.params))]
        lifted = [_lifted(t, n) for n, (_, t) in zip(names, ty.params, strict=True)]
        lines = [f"def trampoline({', '.join(names)}):"]
        lines += _at(4, guard.check_leave)
        call = f"r = target({', '.join(lifted)})"
        if ty.result is None:
            check = (
                "if r is not None: lower_results(cx, r, ())"
                if not host
                else ("if r is not None: raise bad_result(r, None)")
            )
            store, done = "", "return None"
        else:
            lo, hi, _ = INTS[ty.result]  # type: ignore[index]
            check = None
            store = (
                f"if type(r) is not int or not {lo} <= r <= {hi}: "
                f"r, = lower_results(cx, r, ({', '.join(names)}{',' if names else ''}))"
            )
            done = "return r"
        if not host:
            lines += ["    " + call, "    " + (check or store), "    " + done]
            return "\n".join(lines) + "\n"
    passing = ["    except Trap:", "        raise", "    except EXHAUSTED:", "        raise"]
    lines += ["    try:", "        " + call, *passing, "    except Exception as e:"]
    lines += ["        raise host_raised(e) from e"]
    if check is not None:
        lines.append("    " + check)
    if store:
        lines += ["    try:", "        " + store, *passing, "    except Exception as e:"]
        lines += ["        raise bad_result(r, e) from e"]
    lines.append("    " + done)
    return "\n".join(lines) + "\n"


def build(source: str, name: str, filename: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile ``source`` (cached by text) and return its function ``name``, bound to ``namespace``."""
    exec(compile_source(source, filename), namespace)
    fn: Callable[..., Any] = namespace[name]
    return fn
