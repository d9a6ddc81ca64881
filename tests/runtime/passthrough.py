"""A generated test component that sends a value of any type through both ABI directions.

For each type ``T`` the component imports ``g-N: func(x: T) -> T`` and exports
``f-N: func(x: T) -> T`` whose core function just calls the lowered import with
its own flat arguments (and its return area).  So one call of ``f-N`` from the
host lowers ``T`` into the guest (``canon lift``), lifts it again for the host
import (``canon lower``), lowers the host's answer into the guest's return area
and lifts that for the caller: every conversion of ``T``, both ways, under the
string encoding asked for.  The same binary runs under ``wasmtime.component``
for differential tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from witkit.abi.layout import flatten_types
from witkit.abi.limits import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS
from witkit.types import (
    EnumType,
    FlagsType,
    ListType,
    OptionType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)


class _Types:
    """Every compound type gets a definition and an ``(eq ...)`` import, so it is named
    (validation wants the types of imported and exported functions named)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def ref(self, t: ValType) -> str:
        if isinstance(t, str):
            return t
        body = self.define(t)
        n = self.count
        self.count += 1
        self.lines.append(f'  (type $d{n} {body})\n  (import "t{n}" (type $t{n} (eq $d{n})))')
        return f"$t{n}"

    def define(self, t: ValType) -> str:
        ref = self.ref
        if isinstance(t, ListType):
            return f"(list {ref(t.element)})"
        if isinstance(t, RecordType):
            fields = " ".join(f'(field "{n}" {ref(x)})' for n, x in t.fields)
            return f"(record {fields})"
        if isinstance(t, VariantType):
            cases = " ".join(
                f'(case "{n}")' if x is None else f'(case "{n}" {ref(x)})' for n, x in t.cases
            )
            return f"(variant {cases})"
        if isinstance(t, TupleType):
            return f"(tuple {' '.join(ref(x) for x in t.types)})"
        if isinstance(t, FlagsType):
            return f"(flags {' '.join(_quote(n) for n in t.names)})"
        if isinstance(t, EnumType):
            return f"(enum {' '.join(_quote(n) for n in t.names)})"
        if isinstance(t, OptionType):
            return f"(option {ref(t.value)})"
        if isinstance(t, ResultType):
            ok = "" if t.ok is None else f" {ref(t.ok)}"
            err = "" if t.err is None else f" (error {ref(t.err)})"
            return f"(result{ok}{err})"
        raise TypeError(f"no text for {t!r}")


def _quote(name: str) -> str:
    return f'"{name}"'


def _params(types: Sequence[str]) -> str:
    return f"(param {' '.join(types)})" if types else ""


def _results(types: Sequence[str]) -> str:
    return f"(result {' '.join(types)})" if types else ""


def build(types: Sequence[ValType], encoding: str = "utf8") -> str:
    """Component text with ``f-N``/``g-N`` for each of ``types`` (see the module docstring)."""
    enc = {"utf8": "string-encoding=utf8", "utf16": "string-encoding=utf16"}.get(
        encoding, "string-encoding=latin1+utf16"
    )
    parts = [
        "(component",
        """  (core module $Mem
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param $old i32) (param $os i32) (param $al i32) (param $ns i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $al) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $al))))
      (local.set $end (i32.add (local.get $p) (local.get $ns)))
      (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
        (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)
          (i32.shl (memory.size) (i32.const 16))) (i32.const 16)) (i32.const 1))))))
      (if (local.get $os) (then (memory.copy (local.get $p) (local.get $old) (local.get $os))))
      (global.set $next (local.get $end))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))""",
    ]
    opts = f'(memory (core memory $mem "mem")) (realloc (core func $mem "realloc")) {enc}'
    named = _Types()
    for n, t in enumerate(types):
        ref = named.ref(t)
        parts.extend(named.lines)
        named.lines.clear()
        flat = flatten_types([t])
        lift_params = flat if len(flat) <= MAX_FLAT_PARAMS else ["i32"]
        spill = len(flat) > MAX_FLAT_RESULTS
        lift_results = ["i32"] if spill else flat
        lower_params = [*lift_params, *(["i32"] if spill else [])]
        lower_results = [] if spill else flat
        args = " ".join(f"(local.get {i})" for i in range(len(lift_params)))
        # a spilled result goes through the return area at address 16
        body = f"(call $g {args} (i32.const 16)) (i32.const 16)" if spill else f"(call $g {args})"
        parts.append(
            f"""  (import "g-{n}" (func $g{n} (param "x" {ref}) (result {ref})))
  (core func $g{n}' (canon lower (func $g{n}) {opts}))
  (core module $M{n}
    (import "" "g" (func $g {_params(lower_params)} {_results(lower_results)}))
    (func (export "f") {_params(lift_params)} {_results(lift_results)} {body}))
  (core instance $m{n} (instantiate $M{n} (with "" (instance (export "g" (func $g{n}'))))))
  (func (export "f-{n}") (param "x" {ref}) (result {ref})
    (canon lift (core func $m{n} "f") {opts}))"""
        )
    parts.append(")")
    return "\n".join(parts)
