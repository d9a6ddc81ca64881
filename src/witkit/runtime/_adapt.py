"""Component-to-component calls: the one place their values differ from host values.

Between two component instances the spec passes values, not Python objects, so
nothing may be lost on the way through Python.  One lifted form would lose
something: ``map<K, V>`` lifts to a ``dict`` for the host, where the last of
duplicate keys wins, but the spec's ``despecialize`` makes a map a
``list<tuple<K, V>>`` and both copies must reach the callee.  So the caller's
side of an adapter lifts with every map replaced by that list (same layout, same
flattening); the callee's lowering accepts the pairs as they are.
"""

from __future__ import annotations

from witkit import types as wt

__all__ = ["maps_as_lists"]

_funcs: dict[wt.FuncType, wt.FuncType] = {}
_vals: dict[object, wt.ValType] = {}


def maps_as_lists(ft: wt.FuncType) -> wt.FuncType:
    """``ft`` with every ``map<K, V>`` inside it replaced by ``list<tuple<K, V>>`` (cached)."""
    found = _funcs.get(ft)
    if found is None:
        params = tuple((name, _val(t)) for name, t in ft.params)
        result = None if ft.result is None else _val(ft.result)
        same = result is ft.result and all(
            p[1] is q[1] for p, q in zip(params, ft.params, strict=True)
        )
        found = _funcs[ft] = ft if same else wt.FuncType(params, result, ft.is_async)
    return found


def _val(t: wt.ValType) -> wt.ValType:
    """A copy of ``t`` without maps; ``t`` itself (same object) when it holds none."""
    if isinstance(t, str):
        return t
    found = _vals.get(t)
    if found is not None:
        return found
    out: wt.ValType = t
    if isinstance(t, wt.MapType):
        out = wt.ListType(wt.TupleType((_val(t.key), _val(t.value))))
    elif isinstance(t, wt.ListType):
        element = _val(t.element)
        out = t if element is t.element else wt.ListType(element, t.length)
    elif isinstance(t, wt.TupleType):
        types = tuple(_val(x) for x in t.types)
        out = t if all(a is b for a, b in zip(types, t.types, strict=True)) else wt.TupleType(types)
    elif isinstance(t, wt.RecordType):
        fields = tuple((n, _val(x)) for n, x in t.fields)
        changed = any(a[1] is not b[1] for a, b in zip(fields, t.fields, strict=True))
        out = wt.RecordType(fields) if changed else t
    elif isinstance(t, wt.VariantType):
        cases = tuple((n, None if x is None else _val(x)) for n, x in t.cases)
        changed = any(a[1] is not b[1] for a, b in zip(cases, t.cases, strict=True))
        out = wt.VariantType(cases) if changed else t
    elif isinstance(t, wt.OptionType):
        value = _val(t.value)
        out = t if value is t.value else wt.OptionType(value)
    elif isinstance(t, wt.ResultType):
        ok = None if t.ok is None else _val(t.ok)
        err = None if t.err is None else _val(t.err)
        out = t if ok is t.ok and err is t.err else wt.ResultType(ok, err)
    _vals[t] = out
    return out
