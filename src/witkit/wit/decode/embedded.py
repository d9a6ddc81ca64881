"""WIT embedded in a core module: the ``component-type`` custom sections.

Bindings generators (wit-bindgen, ``wasm-tools component embed``) record the
world a core module was written against in a custom section whose name starts
with ``component-type``; ``component new`` later reads it to wrap the module
into a component.  Its payload is a component whose single export is the
world's type (``decoding.decode_world``); an older format (first byte 3) holds a
string encoding, a world name and a WIT package.

``wasm-tools component wit`` on such a module shows the world *merged* into an
empty world ``root`` of a package ``root:root``: every import and export of the
embedded world is copied over, and whatever belongs to the embedded world --
its types, its inline interfaces and the anonymous types they use -- is cloned
so the copies belong to ``root``.  This module reproduces that merge for a
module with one such section (wit-component's ``Bindgen::merge`` into its
default, then ``Resolve::merge_worlds``); several sections, which wasm-tools
unifies item by item, are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from witkit._record import replace
from witkit.errors import WitError
from witkit.wit import model as wm
from witkit.wit.clone import Cloner

if TYPE_CHECKING:
    from witkit.binary.ir import CoreModule

__all__ = ["SECTION_PREFIX", "decode_core_module", "merge_into_root"]

#: custom sections whose name starts with this hold an embedded world
SECTION_PREFIX = "component-type"

#: first byte of the pre-component payload format (encoding, world name, WIT package)
_LEGACY_FORMAT = 0x03


def decode_core_module(module: CoreModule) -> tuple[wm.Resolve, wm.WorldId]:
    """The world a core module's ``component-type`` section describes, merged into ``root:root``."""
    sections = [s for s in module.customs if s.name.startswith(SECTION_PREFIX)]
    if not sections:
        raise WitError(
            "input is a core wasm module with no `component-type*` custom sections meaning "
            "that there is not WIT information; is the information not embedded or is this "
            "supposed to be a component?"
        )
    if len(sections) > 1:
        raise WitError("merging several component-type sections of one module is not supported")
    section = sections[0]
    data = bytes(module.source[section.data_offset : section.data_offset + section.size])
    try:
        resolve, world = _decode_section(data)
    except WitError as exc:
        raise WitError(f"decoding custom section {section.name}: {exc}") from exc
    return merge_into_root(resolve, world)


def _decode_section(data: bytes) -> tuple[wm.Resolve, wm.WorldId]:
    from witkit.binary import Features, ir, read, validate
    from witkit.wit.decode.decoder import decode_wit_package, decode_world

    if data[:1] == bytes([_LEGACY_FORMAT]):
        pos = 2  # format byte, string-encoding byte
        length, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        world_name = data[pos : pos + length].decode()
        component = read(data[pos + length :])
        if not isinstance(component, ir.Component):
            raise WitError("expected encoded wit package(s)")
        resolve, pkg = decode_wit_package(validate(component, Features.all()).type)
        world = resolve.packages[pkg].worlds.get(world_name)
        if world is None:
            raise WitError(f"world `{world_name}` not found in package")
        return resolve, world
    component = read(data)
    if not isinstance(component, ir.Component):
        raise WitError("expected a component in the component-type section")
    return decode_world(validate(component, Features.all()).type)


def merge_into_root(resolve: wm.Resolve, world: wm.WorldId) -> tuple[wm.Resolve, wm.WorldId]:
    """``resolve`` appended to a fresh resolve holding only ``root:root/root``, ``world`` merged in.

    The appended arenas keep their order (types and interfaces keep their ids,
    worlds and packages move up by one); then each import and export of
    ``world`` is copied into ``root``, cloning what the old world owned.
    """
    out = wm.Resolve()
    root_pkg = out.add_package(wm.Package(wm.PackageName("root", "root")))
    root = out.add_world(wm.World("root", package=root_pkg))
    out.packages[root_pkg].worlds["root"] = root

    def shift_owner(owner: wm.TypeOwner) -> wm.TypeOwner:
        if owner.kind == "world" and owner.id is not None:
            return wm.TypeOwner("world", owner.id + 1)
        return owner

    for typedef in resolve.types:
        out.add_type(replace(typedef, owner=shift_owner(typedef.owner)))
    for iface in resolve.interfaces:
        pkg = None if iface.package is None else wm.PackageId(iface.package + 1)
        out.add_interface(
            replace(
                iface,
                types=dict(iface.types),
                functions={n: replace(f) for n, f in iface.functions.items()},
                package=pkg,
            )
        )
    for w in resolve.worlds:
        pkg = None if w.package is None else wm.PackageId(w.package + 1)
        out.add_world(replace(w, imports=dict(w.imports), exports=dict(w.exports), package=pkg))
    for p in resolve.packages:
        out.add_package(
            replace(
                p,
                interfaces=dict(p.interfaces),
                worlds={n: wm.WorldId(w + 1) for n, w in p.worlds.items()},
            )
        )

    source = wm.WorldId(world + 1)
    cloner = Cloner(out, wm.TypeOwner("world", source), wm.TypeOwner("world", root), root_pkg)
    target = out.worlds[root]
    for items, into in (
        (out.worlds[source].imports, target.imports),
        (out.worlds[source].exports, target.exports),
    ):
        for key, item in items.items():
            into[key] = item if key.name is None else cloner.world_item(item)
    return out, root
