"""The spec's executable reference (``definitions.py``) as an oracle: loading it, converting to it.

The component-model repository's ``design/mvp/canonical-abi/definitions.py`` is
the Canonical ABI written as Python.  We load it (never copy it) from a path
given, ``$WITKIT_CANONICAL_ABI_DEFINITIONS``, a component-model checkout named
by ``$WITKIT_SPEC_DIR`` or a local mirror of the repository, and convert types
and values between its representation and ours, so the same lift/lower can run
through both and bytes, ``realloc`` calls and values be compared.  Used by
``tools/abi_spec_diff.py`` (the differential check, also run as
``tests/abi/test_spec_definitions.py`` where ``$WITKIT_SPEC_DIR`` is set) and
``benchmarks/bench_abi.py`` (the peer).  The file is not in this repository or
in CI.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from witkit.abi.values import Err, Ok, Record, Some, Variant, record_class
from witkit.types import (
    EnumType,
    FlagsType,
    ListType,
    MapType,
    OptionType,
    PrimType,
    RecordType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

MIRROR = Path("/work/.mirror/WebAssembly+component-model/repo")
DEFINITIONS = "design/mvp/canonical-abi/definitions.py"


def spec_definitions(checkout: Path) -> Path:
    """Where a component-model checkout keeps ``definitions.py``."""
    return checkout / DEFINITIONS


@cache
def load_spec(path: str | None = None) -> ModuleType | None:
    """The spec's definitions module, with the deterministic profile on (canonical NaNs)."""
    if path is None:
        path = os.environ.get("WITKIT_CANONICAL_ABI_DEFINITIONS")
    if path is None and os.environ.get("WITKIT_SPEC_DIR"):
        path = str(spec_definitions(Path(os.environ["WITKIT_SPEC_DIR"])))
    if path is None:
        if not MIRROR.exists():
            return None
        result = subprocess.run(
            ["git", "-C", str(MIRROR), "show", f"HEAD:{DEFINITIONS}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return None
        target = Path(tempfile.gettempdir()) / "witkit_canonical_abi_definitions.py"
        target.write_text(result.stdout)
        path = str(target)
    spec = importlib.util.spec_from_file_location("canonical_abi_definitions", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    setattr(module, "DETERMINISTIC_PROFILE", True)  # noqa: B010 - the module is untyped
    return module


def _peel(t: ValType) -> ValType:
    while isinstance(t, PrimType):
        t = t.prim
    return t


_PRIM_CLASS = {
    "bool": "BoolType",
    "s8": "S8Type",
    "u8": "U8Type",
    "s16": "S16Type",
    "u16": "U16Type",
    "s32": "S32Type",
    "u32": "U32Type",
    "s64": "S64Type",
    "u64": "U64Type",
    "f32": "F32Type",
    "f64": "F64Type",
    "char": "CharType",
    "string": "StringType",
}


def spec_type(m: ModuleType, t: ValType) -> Any:
    """Our type as the spec's type object."""
    t = _peel(t)
    match t:
        case str():
            return getattr(m, _PRIM_CLASS[t])()
        case ListType(element=e, length=n):
            return m.ListType(spec_type(m, e), n)
        case TupleType(types=ts):
            return m.TupleType([spec_type(m, u) for u in ts])
        case RecordType(fields=fs):
            return m.RecordType([m.FieldType(n, spec_type(m, u)) for n, u in fs])
        case VariantType(cases=cs):
            return m.VariantType(
                [m.CaseType(n, None if u is None else spec_type(m, u)) for n, u in cs]
            )
        case EnumType(names=ns):
            return m.EnumType(list(ns))
        case FlagsType(names=ns):
            return m.FlagsType(list(ns))
        case OptionType(value=u):
            return m.OptionType(spec_type(m, u))
        case ResultType(ok=ok, err=err):
            return m.ResultType(
                None if ok is None else spec_type(m, ok), None if err is None else spec_type(m, err)
            )
        case MapType(key=k, value=v):
            return m.MapType(spec_type(m, k), spec_type(m, v))
    raise AssertionError(f"no spec type for {t!r}")


def to_spec(t: ValType, v: Any) -> Any:
    """Our Python value as the spec's abstract value (host strings are UTF-8 sourced)."""
    t = _peel(t)
    match t:
        case "string":
            return (v, "utf8", len(v.encode("utf-8")))
        case str():
            return v
        case ListType(element=e):
            return [to_spec(e, x) for x in v]
        case TupleType(types=ts):
            return {str(i): to_spec(u, x) for i, (u, x) in enumerate(zip(ts, v, strict=True))}
        case RecordType(fields=fs):
            return {n: to_spec(u, getattr(v, a)) for (n, u), a in zip(fs, v._fields, strict=True)}
        case VariantType(cases=cs):
            (u,) = [u for n, u in cs if n == v.tag]
            return {v.tag: None if u is None else to_spec(u, v.value)}
        case EnumType():
            return {v: None}
        case FlagsType(names=ns):
            return {n: n in v for n in ns}
        case OptionType(value=u):
            if v is None:
                return {"none": None}
            return {"some": to_spec(u, v.value if isinstance(v, Some) else v)}
        case ResultType(ok=ok, err=err):
            if isinstance(v, Ok):
                return {"ok": None if ok is None else to_spec(ok, v.value)}
            return {"error": None if err is None else to_spec(err, v.value)}
        case MapType(key=k, value=val):
            return [{"0": to_spec(k, a), "1": to_spec(val, b)} for a, b in v.items()]
    raise AssertionError(f"no spec value for {t!r}")


def from_spec(t: ValType, sv: Any) -> Any:
    """The spec's abstract value as our Python value."""
    t = _peel(t)
    match t:
        case "string":
            return sv[0]
        case str():
            return sv
        case ListType(element=e):
            items = [from_spec(e, x) for x in sv]
            return bytes(items) if _peel(e) == "u8" else items
        case TupleType(types=ts):
            return tuple(from_spec(u, sv[str(i)]) for i, u in enumerate(ts))
        case RecordType(fields=fs):
            cls: type[Record] = record_class(t)
            return cls(*(from_spec(u, sv[n]) for n, u in fs))
        case VariantType(cases=cs):
            ((tag, payload),) = sv.items()
            (u,) = [u for n, u in cs if n == tag]
            return Variant(tag, None if u is None else from_spec(u, payload))
        case EnumType():
            ((tag, _),) = sv.items()
            return tag
        case FlagsType(names=ns):
            return frozenset(n for n in ns if sv[n])
        case OptionType(value=u):
            if "none" in sv:
                return None
            inner = from_spec(u, sv["some"])
            return Some(inner) if isinstance(_peel(u), OptionType) else inner
        case ResultType(ok=ok, err=err):
            if "ok" in sv:
                return Ok(None if ok is None else from_spec(ok, sv["ok"]))
            return Err(None if err is None else from_spec(err, sv["error"]))
        case MapType(key=k, value=val):
            return {from_spec(k, e["0"]): from_spec(val, e["1"]) for e in sv}
    raise AssertionError(f"no value for {t!r}")


def spec_context(m: ModuleType, data: bytearray, encoding: str, realloc: Any) -> Any:
    """A spec ``LiftLowerContext`` over ``data`` whose ``realloc`` is a plain Python function."""
    opts = m.LiftLowerOptions(string_encoding=encoding, memory=m.MemInst(data, "i32"))
    cx = m.LiftLowerContext(opts, m.ComponentInstance(m.Store()))
    cx.reallocate = realloc
    cx.allocate = lambda align, size: realloc(0, 0, align, size)
    return cx
