"""The Component Model binary format: ``read`` bytes into IR, ``validate`` IR into types.

    from witkit.binary import read, validate
    component = read(data)            # ir.Component (or ir.CoreModule); BinaryError
    vc = validate(component)          # ValidatedComponent; ValidationError
    vc.type.imports, vc.type.exports  # witkit.types.ExternItem, in binary order

Both are sans-IO (``read_file`` is the one convenience that opens a file).
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
