"""Differential check of witkit's Canonical ABI against the spec's ``definitions.py``.

Usage::

    git -C COMPONENT_MODEL show HEAD:design/mvp/canonical-abi/definitions.py > /tmp/definitions.py
    python tools/abi_spec_diff.py /tmp/definitions.py

or, as a test, ``WITKIT_SPEC_DIR=COMPONENT_MODEL python -m pytest tests/abi/test_spec_definitions.py``
(``COMPONENT_MODEL`` a checkout, or any directory holding its ``design/mvp/canonical-abi/``).

Random types and values (the ABI tests' hypothesis strategies) go through our
generated code and through the spec's reference implementation with the same
memory and ``realloc``:

* storing writes the same bytes and makes the same ``realloc`` calls;
* the spec loads what we store, and so do we;
* ``lower_flat`` gives the spec's flat values (and both lift them back);
* whole functions spill parameters and results as the spec does;
* every (source, destination) string transcoding follows the spec's
  ``store_string_into_range``.

This catches what round trips cannot: a layout bug made the same way in both
directions.  The spec's file is not in this repository or in CI, so the test
that runs these checks is collected only where ``$WITKIT_SPEC_DIR`` names a
copy (``tests/conftest.py`` says so in the summary when it does not: a test
skipped, or passing, without the spec would prove nothing).
Exit status 0 if every check passes, 1 otherwise (hypothesis prints the
smallest failing example).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "tools")]

from abi_spec_oracle import from_spec, load_spec, spec_context, spec_type, to_spec  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from tests.abi.helpers import same, typed_values, value_types, values_of  # noqa: E402

from witkit.abi import func_abi, type_abi  # noqa: E402
from witkit.abi.layout import flatten_functype  # noqa: E402
from witkit.abi.limits import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS  # noqa: E402
from witkit.abi.strings import load_string_from_range, store_string_into_range  # noqa: E402
from witkit.abi.testing import FakeMemory  # noqa: E402
from witkit.types import FuncType, ValType  # noqa: E402

#: the loaded definitions module (set by main before any check runs)
spec: Any = None

ENCODINGS = st.sampled_from(["utf8", "utf16", "latin1+utf16"])
PTR = 64
SIZE = 1 << 20
BASE = 4096


def _memories() -> tuple[FakeMemory, FakeMemory]:
    return FakeMemory(SIZE, base=BASE), FakeMemory(SIZE, base=BASE)


def _same_flat(ours: list[Any], theirs: list[Any]) -> bool:
    return len(ours) == len(theirs) and all(
        same(float(a), float(b)) if isinstance(a, float) or isinstance(b, float) else a == b
        for a, b in zip(ours, theirs, strict=True)
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def check_store_writes_what_the_spec_writes(tv: tuple[ValType, Any], encoding: str) -> None:
    t, v = tv
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    type_abi(t, cx.opts).store(cx, v, PTR)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    spec.store(scx, to_spec(t, v), spec_type(spec, t), PTR)
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def check_spec_loads_what_we_store(tv: tuple[ValType, Any], encoding: str) -> None:
    t, v = tv
    ours, _ = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = type_abi(t, cx.opts)
    abi.store(cx, v, PTR)
    scx = spec_context(spec, ours.data, encoding, ours.realloc)
    assert same(from_spec(t, spec.load(scx, PTR, spec_type(spec, t))), v)
    assert same(abi.load(cx, PTR), v)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(max_flags=32), ENCODINGS)
def check_lower_flat_gives_the_spec_flat_values(tv: tuple[ValType, Any], encoding: str) -> None:
    t, v = tv
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = type_abi(t, cx.opts)
    flat = abi.lower_flat(cx, v)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    spec_flat = spec.lower_flat(scx, to_spec(t, v), spec_type(spec, t))
    assert _same_flat(flat, spec_flat)
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data
    lifted = spec.lift_flat(scx, spec.CoreValueIter(flat), spec_type(spec, t))
    assert same(from_spec(t, lifted), v)
    assert same(abi.lift_flat(cx, flat), v)


@st.composite
def _functions(draw: st.DrawFn) -> tuple[FuncType, list[Any], Any]:
    types = draw(st.lists(value_types(4, 32), min_size=0, max_size=20))
    result = draw(st.none() | value_types(4, 32))
    ft = FuncType(tuple((f"p{i}", t) for i, t in enumerate(types)), result)
    args = [draw(values_of(t)) for t in types]
    value = None if result is None else draw(values_of(result))
    return ft, args, value


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(_functions(), ENCODINGS)
def check_functions_spill_as_the_spec_does(
    f: tuple[FuncType, list[Any], Any], encoding: str
) -> None:
    ft, args, value = f
    ours, theirs = _memories()
    cx = ours.context(string_encoding=encoding)
    abi = func_abi(ft, cx.opts)
    scx = spec_context(spec, theirs.data, encoding, theirs.realloc)
    param_types = [spec_type(spec, t) for _, t in ft.params]
    # canon lift: the host lowers the arguments...
    flat = abi.lower_params(cx, args)
    spec_args = [to_spec(t, a) for (_, t), a in zip(ft.params, args, strict=True)]
    assert _same_flat(flat, spec.lower_flat_values(scx, MAX_FLAT_PARAMS, spec_args, param_types))
    assert ours.calls == theirs.calls
    assert ours.data == theirs.data
    # ...and canon lower lifts them back.
    spilled_result = len(flatten_functype(ft, "lower").params) > len(flat)
    assert same(abi.lift_params(cx, [*flat, 0] if spilled_result else flat), args)
    if ft.result is None:
        return
    # canon lower: the host's result goes into a caller-supplied area if it spills.
    result_types = [spec_type(spec, ft.result)]
    retptr = ours.realloc(0, 0, 8, 4096)
    theirs.realloc(0, 0, 8, 4096)
    out = abi.lower_results(cx, value, [*flat, retptr])
    spec_out = spec.lower_flat_values(
        scx,
        MAX_FLAT_RESULTS,
        [to_spec(ft.result, value)],
        result_types,
        spec.CoreValueIter([retptr]),
    )
    assert _same_flat(out, spec_out)
    assert ours.data == theirs.data
    # canon lift again: the result is lifted from registers or from the return area.
    results = out if out else [retptr]
    assert same(abi.lift_results(cx, results), value)
    lifted = spec.lift_flat_values(scx, MAX_FLAT_RESULTS, spec.CoreValueIter(results), result_types)
    assert same(from_spec(ft.result, lifted[0]), value)


TAG = 1 << 31
SAMPLES = ["", "abc", "façade", "ÿ", "Ā", "日本語", "a😀b", "😀" * 3, "x" * 100 + "é"]
STRING_ENCODINGS = ["utf8", "utf16", "latin1+utf16"]


def _hint(encoding: str, text: str) -> int:
    """The tagged code units a guest using ``encoding`` would give for ``text``."""
    if encoding == "utf8":
        return len(text.encode())
    if encoding == "utf16":
        return len(text.encode("utf-16-le")) // 2
    try:
        return len(text.encode("latin-1"))
    except UnicodeEncodeError:
        return len(text.encode("utf-16-le")) // 2 | TAG


def check_every_transcoding_follows_the_spec() -> None:
    """Same realloc calls and same bytes as the spec's store_string_into_range."""
    for source in STRING_ENCODINGS:
        for destination in STRING_ENCODINGS:
            for text in SAMPLES:
                ours = FakeMemory(1 << 16, base=256)
                cx = ours.context(string_encoding=destination)
                theirs = FakeMemory(1 << 16, base=256)
                hint = _hint(source, text)
                ptr, units = store_string_into_range(cx, text, source, hint)  # type: ignore[arg-type]
                scx = spec_context(spec, theirs.data, destination, theirs.realloc)
                where = f"{source} -> {destination} {text!r}"
                assert (ptr, units) == spec.store_string_into_range(scx, (text, source, hint)), (
                    where
                )
                assert ours.calls == theirs.calls, where
                assert ours.data == theirs.data, where
                assert load_string_from_range(cx, ptr, units) == (text, destination, units), where


CHECKS: list[Callable[[], None]] = [
    check_store_writes_what_the_spec_writes,
    check_spec_loads_what_we_store,
    check_lower_flat_gives_the_spec_flat_values,
    check_functions_spill_as_the_spec_does,
    check_every_transcoding_follows_the_spec,
]


def use(definitions: Path) -> None:
    """Run the checks against this ``definitions.py`` (loaded once)."""
    global spec
    spec = load_spec(str(definitions.resolve()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("definitions", help="the spec's canonical-abi/definitions.py")
    args = parser.parse_args(argv)
    if not Path(args.definitions).is_file():
        print(f"{args.definitions}: no such file", file=sys.stderr)
        return 2
    use(Path(args.definitions))
    failed = 0
    for check in CHECKS:
        try:
            check()
        except Exception:  # every failure is reported, then the next check runs
            failed += 1
            traceback.print_exc()
            print(f"FAIL {check.__name__}")
        else:
            print(f"ok   {check.__name__}")
    print(f"{len(CHECKS) - failed}/{len(CHECKS)} checks agree with {args.definitions}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
