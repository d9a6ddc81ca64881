"""The Component Model binary format: ``read`` bytes into IR, ``validate`` IR into types.

    from witkit.binary import read, validate
    component = read(data)            # ir.Component (or ir.CoreModule); BinaryError
    vc = validate(component)          # ValidatedComponent; ValidationError
    vc.type.imports, vc.type.exports  # witkit.types.ExternItem, in binary order

Both are sans-IO (``read_file`` is the one convenience that opens a file).

The writer is ``witkit.binary.encode`` (import it by name; reading does not load
it): one module per production, beside the reader's of the same name, both
taking their byte codes from ``witkit.binary.codes``.

What you get back:

* ``ir`` -- the decoded binary, one frozen record per production of Binary.md,
  every record with its byte offset.  Core modules stay byte ranges of the input
  plus a light parse (types, imports, exports, function/table/memory/global/tag
  types); their code is never parsed.
* ``ValidatedComponent`` -- ``type`` (the component's ``witkit.types.ComponentType``)
  and every index space (``core_funcs`` ... ``components``) as ``Entry``s: the
  resolved type, the ``ir`` record that defined it, the nested validation of a
  nested component, the resolved ``CanonOptions`` of a ``canon`` definition.
* ``Features`` -- the optional parts of the component model; the defaults are
  ``wasm-tools validate``'s, so the two accept the same binaries.
* ``CoreValidator`` -- a hook to validate core function bodies too (witkit
  itself checks core modules only as far as their types go).

Errors: ``BinaryError`` (malformed) and its subclass ``ValidationError``
(well-formed but invalid), each with an offset and a message for a person.
``read`` raises the ``ValidationError`` of an index-space limit itself when the
items read so far already exceed it, so hostile input fails early.

Cost on hostile input: ``read`` and ``validate`` take time linear in the input
and keep no record for a section that declares nothing; walks over value types
visit each node once (types are DAGs); ``benchmarks/bench_degenerate.py``
compares the degenerate shapes of ``tests/binary/degenerate.py`` with
``wasm-tools validate``.
"""

from __future__ import annotations

from witkit.binary import ir as ir
from witkit.binary.parser import read as read
from witkit.binary.parser import read_file as read_file
from witkit.binary.validate import CanonOptions as CanonOptions
from witkit.binary.validate import CoreValidator as CoreValidator
from witkit.binary.validate import Entry as Entry
from witkit.binary.validate import Features as Features
from witkit.binary.validate import ValidatedComponent as ValidatedComponent
from witkit.binary.validate import validate as validate

__all__ = [
    "CanonOptions",
    "CoreValidator",
    "Entry",
    "Features",
    "ValidatedComponent",
    "ir",
    "read",
    "read_file",
    "validate",
]
