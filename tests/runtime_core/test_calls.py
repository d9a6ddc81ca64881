"""Python -> guest calls: every core value type, both integer conventions, arities, errors."""

from __future__ import annotations

import gc
import math
import struct

import pytest

from tests.runtime_core.conftest import Instantiate
from witkit.runtime.core import CoreFunc, Engine, Store
from witkit.runtime.core.func import f32_from_nan_bits, f32_nan_bits

IDENTITIES = """(module
  (func (export "i32") (param i32) (result i32) local.get 0)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "f32_bits") (param f32) (result i32) local.get 0 i32.reinterpret_f32)
  (func (export "bits_f32") (param i32) (result f32) local.get 0 f32.reinterpret_i32)
  (func (export "f64_bits") (param f64) (result i64) local.get 0 i64.reinterpret_f64)
  (func (export "bits_f64") (param i64) (result f64) local.get 0 f64.reinterpret_i64)
  (func (export "swap") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    local.get 3 local.get 2 local.get 1 local.get 0)
  (func (export "nothing"))
  (func (export "neg_i32") (result i32) i32.const -1)
  (func (export "neg_i64") (result i64) i64.const -2)
  (func (export "sum16")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add local.get 3 i32.add
    local.get 4 i32.add local.get 5 i32.add local.get 6 i32.add local.get 7 i32.add
    local.get 8 i32.add local.get 9 i32.add local.get 10 i32.add local.get 11 i32.add
    local.get 12 i32.add local.get 13 i32.add local.get 14 i32.add local.get 15 i32.add)
  (func (export "takes_ref") (param funcref))
  (func (export "v128") (result v128) v128.const i64x2 0 0)
)"""


@pytest.fixture
def ids(instantiate: Instantiate) -> dict[str, CoreFunc]:
    instance = instantiate(IDENTITIES)
    return {name: instance.func(name) for name in instance.exports()}


def test_i32_unsigned_by_default(ids: dict[str, CoreFunc]) -> None:
    i32 = ids["i32"].call
    assert i32(5) == 5
    assert i32(-1) == 0xFFFF_FFFF
    assert i32(0xFFFF_FFFF) == 0xFFFF_FFFF
    assert i32(-(2**31)) == 2**31
    assert ids["neg_i32"]() == 0xFFFF_FFFF


def test_i32_signed_view(ids: dict[str, CoreFunc]) -> None:
    i32 = ids["i32"].bind(signed=True)
    assert i32(0xFFFF_FFFF) == -1
    assert i32(-1) == -1
    assert i32(2**31) == -(2**31)
    assert i32(2**31 - 1) == 2**31 - 1
    assert ids["neg_i32"].bind(signed=True)() == -1


def test_i64_both_views(ids: dict[str, CoreFunc]) -> None:
    assert ids["i64"](-1) == 2**64 - 1
    assert ids["i64"](2**64 - 1) == 2**64 - 1
    assert ids["i64"](2**63) == 2**63
    signed = ids["i64"].bind(signed=True)
    assert signed(2**64 - 1) == -1
    assert signed(-(2**63)) == -(2**63)
    assert ids["neg_i64"]() == 2**64 - 2
    assert ids["neg_i64"].bind(signed=True)() == -2


@pytest.mark.parametrize(
    ("name", "value"),
    [("i32", 2**32), ("i32", -(2**31) - 1), ("i64", 2**64), ("i64", -(2**63) - 1)],
)
def test_out_of_range_ints_are_value_errors(
    ids: dict[str, CoreFunc], name: str, value: int
) -> None:
    with pytest.raises(ValueError, match="out of range"):
        ids[name](value)


def test_wrong_types_are_type_errors(ids: dict[str, CoreFunc]) -> None:
    with pytest.raises(TypeError, match="expected an int"):
        ids["i32"](1.5)
    with pytest.raises(TypeError, match="expected a float"):
        ids["f64"].call("1.0")
    with pytest.raises(TypeError):
        ids["i32"](1, 2)  # arity is checked by Python itself


def test_floats(ids: dict[str, CoreFunc]) -> None:
    assert ids["f64"](1.5) == 1.5
    assert ids["f64"](3) == 3.0  # ints are accepted for float params
    assert ids["f64"](-math.inf) == -math.inf
    assert ids["f32"](0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert ids["f32"](1e300) == math.inf  # f32.demote_f64 semantics
    assert ids["f32"](-1e300) == -math.inf
    assert math.copysign(1.0, ids["f32"](-0.0)) == -1.0


F64_PATTERNS = [
    0x7FF8_0000_0000_0000,  # canonical quiet NaN
    0xFFF8_0000_0000_0123,  # negative quiet NaN with payload
    0x7FF0_0000_0000_0001,  # signalling NaN
    0x7FF4_0000_0000_0000,  # signalling NaN, payload high
    0x3FF0_0000_0000_0000,  # 1.0
]


@pytest.mark.parametrize("bits", F64_PATTERNS)
def test_f64_bit_patterns_survive_round_trips(ids: dict[str, CoreFunc], bits: int) -> None:
    value = ids["bits_f64"](bits)
    assert struct.unpack("<Q", struct.pack("<d", value))[0] == bits
    assert ids["f64_bits"](value) == bits
    assert ids["f64_bits"](ids["f64"](value)) == bits


F32_PATTERNS = [
    0x7FC0_0000,  # canonical quiet NaN
    0xFFC0_0001,  # negative quiet NaN with payload
    0x7FA0_0000,  # signalling NaN
    0x7F80_0001,  # signalling NaN, smallest payload
    0xFF80_0001,
    0x3F80_0000,  # 1.0
    0x0000_0001,  # smallest subnormal
]


@pytest.mark.parametrize("bits", F32_PATTERNS)
def test_f32_bit_patterns_survive_round_trips(ids: dict[str, CoreFunc], bits: int) -> None:
    value = ids["bits_f32"](bits)
    assert ids["f32_bits"](value) == bits
    assert ids["f32_bits"](ids["f32"](value)) == bits


def test_f32_nan_helpers_are_inverse() -> None:
    for bits in F32_PATTERNS[:5]:
        value = f32_from_nan_bits(bits)
        assert math.isnan(value)
        assert f32_nan_bits(value) == bits


def test_multi_value(ids: dict[str, CoreFunc]) -> None:
    assert ids["swap"](-1, 2**40, 0.5, 2.25) == (2.25, 0.5, 2**40, 0xFFFF_FFFF)
    assert ids["swap"].bind(signed=True)(-1, -5, 0.5, 2.25) == (2.25, 0.5, -5, -1)


def test_no_results_is_none(ids: dict[str, CoreFunc]) -> None:
    assert ids["nothing"]() is None


def test_many_params(ids: dict[str, CoreFunc]) -> None:
    assert ids["sum16"](*range(16)) == sum(range(16))
    assert ids["sum16"](*([-1] * 16)) == (-16) & 0xFFFF_FFFF


def test_bind_is_cached_and_call_is_the_unsigned_binding(ids: dict[str, CoreFunc]) -> None:
    func = ids["i32"]
    assert func.bind() is func.call
    assert func.bind(signed=True) is func.bind(signed=True)
    assert func.call.__name__ == "i32"


def test_non_numeric_signatures_can_be_looked_up_but_not_called(
    ids: dict[str, CoreFunc],
) -> None:
    assert ids["takes_ref"].type.params == ("funcref",)
    with pytest.raises(TypeError, match="funcref"):
        ids["takes_ref"].call(None)
    with pytest.raises(TypeError, match="v128"):
        ids["v128"]()
    with pytest.raises(TypeError, match="v128"):
        ids["v128"].bind(signed=True)


def test_generated_call_code_is_what_the_docs_describe() -> None:
    """The per-signature code, pinned: one pack, one C call, one unpack (results + trap)."""
    from witkit.runtime.core.func import _call_source

    assert _call_source(("i32", "f32"), ("i32",)) == (
        "def factory(c_call, ctx, fn, buf, nslots, trap_at, mv, pack, unpack, slow_pack,\n"
        "            fail, clear, trap_off, f32_get, f32_put):\n"
        "    def call(a0, a1):\n"
        "        try:\n"
        "            pack(mv, 0, a0, a1)\n"
        "        except _PackErrors:\n"
        "            slow_pack(mv, (a0, a1,))\n"
        "        if a1 != a1: f32_put(mv, 16, a1)\n"
        "        err = c_call(ctx, fn, buf, nslots, trap_at)\n"
        "        r0, trap, = unpack(mv)\n"
        "        if err or trap:\n"
        "            clear(mv, trap_off, 0)\n"
        "            fail(err, trap)\n"
        "        return r0\n"
        "    return call\n"
    )


def test_generated_host_code_is_what_the_docs_describe() -> None:
    from witkit.runtime.core.func import _host_source

    assert _host_source(("i32", "i32"), ("i32",)) == (
        "def factory(fn, views, view_at, unpack, pack, slow_results, to_guest, f32_get, f32_put,\n"
        "            signalled, raise_signal):\n"
        "    def trampoline(env, caller, addr, n):\n"
        "        try:\n"
        "            if signalled[0]:\n"
        "                raise_signal()\n"
        "            mv = views.get(addr)\n"
        "            if mv is None:\n"
        "                mv = view_at(addr)\n"
        "            a0, a1, = unpack(mv)\n"
        "            r = fn(a0, a1)\n"
        "            try:\n"
        "                pack(mv, 0, r)\n"
        "            except _PackErrors:\n"
        "                slow_results(mv, (r,))\n"
        "            return 0\n"
        "        except BaseException as exc:\n"
        "            return to_guest(exc)\n"
        "    return trampoline\n"
    )


def test_a_bound_call_keeps_its_function_and_store_alive(engine: Engine) -> None:
    from tests.runtime_core.conftest import compile_wat

    call = Store(engine).instantiate(compile_wat(engine, IDENTITIES)).func("i32").call
    gc.collect()
    assert call(41) == 41


def test_the_fast_caller_is_built_on_first_use(instantiate: Instantiate) -> None:
    """Instantiating wraps every export; only the ones called pay for their caller."""
    inst = instantiate(
        '(module (func (export "f") (param i32) (result i32) (local.get 0))'
        ' (func (export "v") (param v128)))'
    )
    f, v = inst.func("f"), inst.func("v")
    assert f._bound == {} and v._bound == {}
    assert f(7) == 7
    assert f.call is f.bind() and list(f._bound) == [False]
    with pytest.raises(TypeError, match="v128"):
        v.call()
    assert v._bound == {}
    with pytest.raises(AttributeError, match="nope"):
        f.nope  # noqa: B018
