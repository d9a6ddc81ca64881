"""The component binary writer: values in, the bytes of Binary.md's productions out.

Layout: ``binary/encode/`` mirrors the reader file for file, as wasm-tools
pairs ``wasmparser``'s ``readers/component/x.rs`` with ``wasm-encoder``'s
``component/x.rs``:

========================  ====================================  =============================
writer                    reader                                productions
========================  ====================================  =============================
``encode/writer.py``      ``binary/reader.py``                  LEB128, ``name``, ``vec``, section
``encode/component.py``   ``binary/parser.py``                  the preamble and the sections
``encode/sorts.py``       ``binary/sections/sorts.py``          ``sort``, ``valtype``
``encode/imports.py``     ``binary/sections/imports.py``        ``nameattributes``, ``externtype``, import
``encode/exports.py``     ``binary/sections/exports.py``        export
``encode/aliases.py``     ``binary/sections/aliases.py``        alias
``encode/types.py``       ``binary/sections/types.py``          ``deftype``; instance/component types
``encode/custom.py``      ``binary/sections/custom.py``         custom sections, ``producers``
========================  ====================================  =============================

Both sides take every byte code from ``binary.codes``.  Rules: sans-IO and
stateless except the two builders (``ComponentWriter`` for sections,
``InstanceTypeWriter``/``ComponentTypeWriter`` for type declarations); output is
wasm-tools' byte for byte (shortest LEB128, plain name form when a name has no
attributes), so witkit's encodings can be compared with the reference tools.
Sections not listed (core types, canon, instances, start, values, nested
modules and components) get their writer beside their reader when a caller needs
them (composition, ``component new``).

    from witkit.binary.encode import ComponentWriter, ComponentTypeWriter, ...
    ty = ComponentTypeWriter()
    f = ty.ty(write_func_type([("x", "u32")], "string"))
    ty.export(write_extern_name("f"), write_extern_desc("func", f))
    w = ComponentWriter()
    w.type_section([ty.encode()])
    w.export_section([write_export(write_extern_name("t"), "type", 0)])
    data = w.finish()
"""

from __future__ import annotations

from witkit.binary.encode.aliases import write_alias_core_export as write_alias_core_export
from witkit.binary.encode.aliases import write_alias_export as write_alias_export
from witkit.binary.encode.aliases import write_alias_outer as write_alias_outer
from witkit.binary.encode.component import ComponentWriter as ComponentWriter
from witkit.binary.encode.custom import write_custom_section as write_custom_section
from witkit.binary.encode.custom import write_producers as write_producers
from witkit.binary.encode.exports import write_export as write_export
from witkit.binary.encode.imports import write_extern_desc as write_extern_desc
from witkit.binary.encode.imports import write_extern_name as write_extern_name
from witkit.binary.encode.imports import write_import as write_import
from witkit.binary.encode.sorts import write_optional_valtype as write_optional_valtype
from witkit.binary.encode.sorts import write_sort as write_sort
from witkit.binary.encode.sorts import write_valtype as write_valtype
from witkit.binary.encode.types import ComponentTypeWriter as ComponentTypeWriter
from witkit.binary.encode.types import InstanceTypeWriter as InstanceTypeWriter
from witkit.binary.encode.types import write_borrow as write_borrow
from witkit.binary.encode.types import write_enum as write_enum
from witkit.binary.encode.types import write_flags as write_flags
from witkit.binary.encode.types import write_func_type as write_func_type
from witkit.binary.encode.types import write_future as write_future
from witkit.binary.encode.types import write_list as write_list
from witkit.binary.encode.types import write_map as write_map
from witkit.binary.encode.types import write_option as write_option
from witkit.binary.encode.types import write_own as write_own
from witkit.binary.encode.types import write_record as write_record
from witkit.binary.encode.types import write_resource as write_resource
from witkit.binary.encode.types import write_result as write_result
from witkit.binary.encode.types import write_stream as write_stream
from witkit.binary.encode.types import write_tuple as write_tuple
from witkit.binary.encode.types import write_variant as write_variant
from witkit.binary.encode.writer import name as name
from witkit.binary.encode.writer import section as section
from witkit.binary.encode.writer import sleb as sleb
from witkit.binary.encode.writer import uleb as uleb
from witkit.binary.encode.writer import vec as vec

__all__ = [
    "ComponentTypeWriter",
    "ComponentWriter",
    "InstanceTypeWriter",
    "name",
    "section",
    "sleb",
    "uleb",
    "vec",
    "write_alias_core_export",
    "write_alias_export",
    "write_alias_outer",
    "write_borrow",
    "write_custom_section",
    "write_enum",
    "write_export",
    "write_extern_desc",
    "write_extern_name",
    "write_flags",
    "write_func_type",
    "write_future",
    "write_import",
    "write_list",
    "write_map",
    "write_option",
    "write_optional_valtype",
    "write_own",
    "write_producers",
    "write_record",
    "write_resource",
    "write_result",
    "write_sort",
    "write_stream",
    "write_tuple",
    "write_valtype",
    "write_variant",
]
