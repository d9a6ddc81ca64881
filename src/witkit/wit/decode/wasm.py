"""``decode_wasm``: from the bytes of a binary to its WIT, as ``wasm-tools component wit`` decodes.

The bytes are read and validated by ``witkit.binary``; this module only picks
what WIT decoding needs out of the result: the component's type, the order of
its import and export entries, and the ``package-docs`` custom section.  Which
decoding applies is decided by the type: a component whose exports are all
component types is a WIT package, anything else a concrete component.

A core module carries WIT only in ``component-type*`` custom sections (what
bindings generators embed); ``embedded`` decodes those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from witkit._record import record
from witkit.errors import WitError
from witkit.wit.decode.decoder import decode_component_type, decode_wit_package, is_wit_package
from witkit.wit.model import PackageId, Resolve, WorldId

if TYPE_CHECKING:
    from witkit.binary.ir import Component

__all__ = ["DecodedWasm", "decode_wasm"]

#: the custom section of doc comments and gates (``witkit.wit.metadata``, imported only when present)
PACKAGE_DOCS = "package-docs"


@record
class DecodedWasm:
    """What a binary decodes to: a resolve, its main package, and a world for components.

    ``world`` is set when the input was a concrete component (the invented
    world ``root`` of package ``root:component``); it is ``None`` for a WIT
    package encoded as a component.  ``package`` is what to print first
    (``print_resolve(d.resolve, d.package)``).
    """

    resolve: Resolve
    package: PackageId
    world: WorldId | None = None

    @property
    def is_wit_package(self) -> bool:
        return self.world is None


def decode_wasm(data: bytes) -> DecodedWasm:
    """Decode a component, a WIT package encoded as one, or a core module's embedded world.

    This is what ``wasm-tools component wit FILE.wasm`` decodes before printing:
    ``print_resolve(d.resolve, d.package)`` then prints the same text.
    """
    from witkit.binary import Features, ir, read, validate

    component = read(data)
    if not isinstance(component, ir.Component):
        from witkit.wit.decode.embedded import decode_core_module

        resolve, world = decode_core_module(component)
        return DecodedWasm(resolve, PackageId(0), world)
    # wasm-tools decodes WIT with every feature on: WIT must not depend on them
    ct = validate(component, Features.all()).type
    docs = _package_docs(component)
    if is_wit_package(ct) is not None:
        resolve, package = decode_wit_package(ct, docs)
        return DecodedWasm(resolve, package)
    resolve, world = decode_component_type(ct, docs, _extern_order(component))
    world_package = resolve.worlds[world].package
    assert world_package is not None
    return DecodedWasm(resolve, world_package, world)


def _package_docs(component: Component) -> bytes | None:
    """The payload of the ``package-docs`` section, looked for at any nesting depth as wasm-tools does."""
    from witkit.binary.ir import ComponentSection, CustomSection

    found: list[bytes] = []
    # a work list, not recursion: a valid component may nest 999 components deep
    work = [iter(component.sections)]
    while work:
        section = next(work[-1], None)
        if section is None:
            work.pop()
        elif isinstance(section, CustomSection) and section.name == PACKAGE_DOCS:
            start = section.data_offset
            found.append(bytes(component.source[start : start + section.size]))
        elif isinstance(section, ComponentSection):
            work.append(iter(section.component.sections))
    if len(found) > 1:
        raise WitError(f"multiple {PACKAGE_DOCS!r} sections")
    return found[0] if found else None


def _extern_order(component: Component) -> list[tuple[Literal["import", "export"], str]]:
    """Import and export names in binary order, interleaved as the sections are."""
    from witkit.binary.ir import ExportSection, ImportSection

    order: list[tuple[Literal["import", "export"], str]] = []
    for section in component.sections:
        if isinstance(section, ImportSection):
            order.extend(("import", item.name.name) for item in section.items)
        elif isinstance(section, ExportSection):
            order.extend(("export", item.name.name) for item in section.items)
    return order
