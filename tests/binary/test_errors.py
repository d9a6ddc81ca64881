"""Malformed and invalid binaries: every failure is a ``BinaryError`` with a message and an offset."""

from __future__ import annotations

import pytest

from tests.binary.helpers import CORE_PREAMBLE, PREAMBLE, component_bytes, leb, section, string, wat
from witkit.binary import ir, read, validate
from witkit.errors import BinaryError, ValidationError


def _read_error(data: bytes) -> BinaryError:
    with pytest.raises(BinaryError) as info:
        read(data)
    assert not isinstance(info.value, ValidationError)
    return info.value


def _validation_error(text_or_bytes: str | bytes) -> ValidationError:
    data = wat(text_or_bytes) if isinstance(text_or_bytes, str) else text_or_bytes
    decoded = read(data)
    assert isinstance(decoded, ir.Component)
    with pytest.raises(ValidationError) as info:
        validate(decoded)
    return info.value


# --------------------------------------------------------------------------- preamble


def test_empty_input() -> None:
    err = _read_error(b"")
    assert "end of input" in err.message
    assert err.offset == 0


def test_truncated_preamble() -> None:
    err = _read_error(PREAMBLE[:6])
    assert "end of input" in err.message


def test_wrong_magic() -> None:
    err = _read_error(b"\x00asn\x0d\x00\x01\x00")
    assert err.message == "magic header not detected: bad magic number"
    assert err.offset == 0


def test_wrong_component_version() -> None:
    err = _read_error(b"\x00asm\x0e\x00\x01\x00")
    assert err.message == "unknown component version: 0xe"
    assert err.offset == 4
    err = _read_error(b"\x00asm\x0c\x00\x01\x00")
    assert err.message == "unsupported component version: 0xc"


def test_wrong_layer() -> None:
    err = _read_error(b"\x00asm\x0d\x00\x02\x00")
    assert "unknown binary version and encoding combination" in err.message
    assert err.offset == 4


def test_wrong_core_version() -> None:
    err = _read_error(b"\x00asm\x02\x00\x00\x00")
    assert err.message == "unknown binary version: 0x2"


def test_core_module_is_recognised() -> None:
    module = read(CORE_PREAMBLE)
    assert isinstance(module, ir.CoreModule)
    assert module.imports == () and module.exports == ()


def test_random_bytes() -> None:
    err = _read_error(b"\x13\x37" * 10)
    assert "magic" in err.message


# --------------------------------------------------------------------------- sections


def test_truncated_section() -> None:
    data = wat('(component (type (func (param "a" u32))))')
    err = _read_error(data[:-2])
    assert "extends past the end" in err.message or "end of input" in err.message


def test_section_size_mismatch_leftover() -> None:
    # a type section declaring 5 bytes whose one type uses 3
    data = component_bytes(section(7, b"\x01\x40\x00\x01\x00" + b"\x00\x00"))
    err = _read_error(data)
    assert "unexpected content" in err.message
    assert err.offset == len(PREAMBLE) + 2 + 5


def test_section_larger_than_file() -> None:
    data = PREAMBLE + b"\x07\x10\x00"
    err = _read_error(data)
    assert "extends past the end" in err.message
    assert err.offset == len(PREAMBLE) + 2


def test_bad_section_id() -> None:
    err = _read_error(component_bytes(section(13, b"")))
    assert err.message == "malformed section id: 13"
    assert err.offset == len(PREAMBLE)


def test_bad_leb_in_section_size() -> None:
    err = _read_error(PREAMBLE + b"\x07\xff\xff\xff\xff\x7f")
    assert "var_u32" in err.message


def test_huge_vector_count() -> None:
    err = _read_error(component_bytes(section(7, b"\xff\xff\xff\xff\x0f")))
    assert "count" in err.message
    assert err.offset == len(PREAMBLE) + 2


def test_bad_type_opcode() -> None:
    err = _read_error(component_bytes(section(7, b"\x01\x6c")))
    assert err.message == "invalid leading byte (0x6c) for component defined type"
    assert err.offset == len(PREAMBLE) + 3


def test_bad_name_utf8() -> None:
    body = b"\x01\x00\x02\xff\xfe\x01\x00"  # import "\xff\xfe" (func 0)
    err = _read_error(component_bytes(section(10, body)))
    assert "UTF-8" in err.message


def test_bad_canon_opcode() -> None:
    err = _read_error(component_bytes(section(8, b"\x01\x07")))
    assert err.message == "invalid leading byte (0x07) for canonical function"


def test_nested_module_wrong_layer() -> None:
    err = _read_error(component_bytes(section(1, PREAMBLE)))
    assert err.message == "expected a version header for a module"


def test_core_section_out_of_order() -> None:
    module = CORE_PREAMBLE + section(3, b"\x00") + section(1, b"\x00")
    err = _read_error(module)
    assert err.message == "section out of order"


def test_code_and_function_counts_differ() -> None:
    module = CORE_PREAMBLE + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")
    err = _read_error(module)
    assert "inconsistent lengths" in err.message


def test_two_start_sections() -> None:
    start = section(9, b"\x00\x00\x00")
    err = _read_error(component_bytes(start, start))
    assert "more than one start function" in err.message


# --------------------------------------------------------------------------- validation


def test_type_index_out_of_bounds() -> None:
    body = b"\x01\x00" + string("f") + b"\x01\x05"  # import "f" (func (type 5))
    err = _validation_error(component_bytes(section(10, body)))
    assert err.message == "unknown type 5: type index out of bounds"
    assert err.offset == len(PREAMBLE) + 3


def test_function_index_out_of_bounds() -> None:
    err = _validation_error(
        b"".join([PREAMBLE, section(11, b"\x01\x00" + string("f") + b"\x01\x00\x00")])
    )
    assert err.message == "unknown function 0: function index out of bounds"


def test_instance_index_out_of_bounds() -> None:
    err = _validation_error(
        '(component (alias export 0 "x" (func)))'
        if False
        else component_bytes(section(6, b"\x01\x01\x00\x03" + string("x")))
    )
    assert err.message == "unknown instance 3: instance index out of bounds"


def test_not_kebab_case() -> None:
    err = _validation_error('(component (import "Not_Kebab" (func)))')
    assert "is not a valid extern name" in err.message
    assert "not in kebab case" in err.message


def test_duplicate_names_are_not_strongly_unique() -> None:
    err = _validation_error('(component (import "a-b" (func)) (import "A-B" (func)))')
    assert err.message == "import name `A-B` conflicts with previous name `a-b`"


def test_bad_interface_version() -> None:
    err = _validation_error('(component (import "a:b/c@1.0" (instance)))')
    assert "invalid interface version" in err.message


def test_own_of_a_non_resource() -> None:
    err = _validation_error("(component (type u32) (type (own 0)))")
    assert err.message == "type index 0 is not a resource type"


def test_borrow_in_result() -> None:
    err = _validation_error(
        '(component (import "r" (type $r (sub resource))) (type (func (result (borrow $r)))))'
    )
    assert err.message == "function result cannot contain a `borrow` type"


def test_method_name_rules() -> None:
    err = _validation_error(
        '(component (import "r" (type $r (sub resource))) (import "[method]r.m" (func)))'
    )
    assert "function should have at least one argument" in err.message
    assert err.message.startswith("import name `[method]r.m` is not valid")


def test_lift_signature_mismatch() -> None:
    err = _validation_error(
        """(component
          (core module $m (func (export "f") (param i64)))
          (core instance $i (instantiate $m))
          (func (param "x" u32) (canon lift (core func $i "f"))))"""
    )
    assert "do not match parameter types" in err.message


def test_lift_string_needs_memory_and_realloc() -> None:
    err = _validation_error(
        """(component
          (core module $m (func (export "f") (param i32 i32)))
          (core instance $i (instantiate $m))
          (func (param "x" string) (canon lift (core func $i "f"))))"""
    )
    assert err.message == "canonical option `memory` is required"


def test_outer_alias_of_resource_across_components() -> None:
    err = _validation_error(
        """(component
          (type $r (resource (rep i32)))
          (component (alias outer 1 $r (type))))"""
    )
    assert "cannot alias outer type which transitively refers to resources" in err.message


def test_instantiate_argument_mismatch() -> None:
    err = _validation_error(
        """(component
          (component $c (import "f" (func (param "x" u32))))
          (import "g" (func $g (param "x" u64)))
          (instance (instantiate $c (with "f" (func $g)))))"""
    )
    assert err.message.startswith("type mismatch for import `f`")
    assert "expected primitive `u32` found primitive `u64`" in err.message


def test_values_are_feature_gated() -> None:
    data = component_bytes(section(10, b"\x01\x00" + string("v") + b"\x02\x79"))
    err = _validation_error(data)
    assert err.message == "support for component model `value`s is not enabled"


def test_leb_value_helper() -> None:
    assert leb(624485) == b"\xe5\x8e\x26"
