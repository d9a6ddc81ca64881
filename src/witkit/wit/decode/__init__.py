"""Decode a component's types into the resolved WIT model, as wasm-tools' wit-parser does.

A component binary does not carry WIT; it carries component-level types.  This
module recovers the WIT those types were made from, following wit-parser's
``decoding.rs`` rule for rule so that printing the result gives exactly what
``wasm-tools component wit`` prints:

* **A concrete component** (``decode_component_type``) becomes a world ``root``
  in a package ``root:component``.  An import or export named
  ``ns:pkg/iface@v`` refers to an interface of a *foreign* package, created
  lazily with just the types and functions this component mentions; a plain
  name (``import x: interface {...}``) is an inline interface; functions and
  types become world items.
* **A WIT package encoded as a component** (``decode_wit_package``) -- every
  export is a component type: v1 (one export ``ns:pkg/wit``) or v2 (one export
  per interface/world, named by its plain name) -- becomes the package itself
  plus the foreign packages it refers to.
* ``use`` is recovered from type identity: a type export whose definition (or
  any type it aliases, via ``alias_of``) was already decoded as another named
  type becomes ``type x = that`` -- printed as ``use``.  Anonymous types
  (``list<u8>``) are decoded once per definition and shared.
* Foreign packages come out in dependency order, then the main package.
* Docs and ``@since``/``@unstable`` gates live in the ``package-docs`` custom
  section (``wit.metadata``) and are injected into the main package last.

Public API:

* ``decode_wasm(data) -> DecodedWasm``: bytes of a component or of a WIT
  package encoded as a component; reads and validates with ``witkit.binary``.
  ``print_resolve(d.resolve, d.package)`` then prints what wasm-tools prints.
* ``decode_component_type(ct, package_docs=None, order=None) -> (Resolve, WorldId)``
* ``decode_wit_package(ct, package_docs=None) -> (Resolve, PackageId)``
* ``decode_world(ct) -> (Resolve, WorldId)``: a component whose only export is
  one world's component type (the ``component-type`` custom section form).
* ``DecodedWasm``: the resolve plus the main package, and the world when the
  input was a concrete component.

Layout: ``names`` classifies component names, ``decoder`` is the decoder
proper (types -> ``Resolve``), ``wasm`` reads bytes through ``witkit.binary``;
``witkit.wit.metadata`` reads ``package-docs``.

Errors: types that WIT cannot express raise ``WitError``; bad bytes raise the
binary reader's ``BinaryError``/``ValidationError``.
"""

from witkit.wit.decode.decoder import (
    decode_component_type as decode_component_type,
)
from witkit.wit.decode.decoder import (
    decode_wit_package as decode_wit_package,
)
from witkit.wit.decode.decoder import (
    decode_world as decode_world,
)
from witkit.wit.decode.decoder import (
    is_wit_package as is_wit_package,
)
from witkit.wit.decode.wasm import DecodedWasm as DecodedWasm
from witkit.wit.decode.wasm import decode_wasm as decode_wasm

__all__ = [
    "DecodedWasm",
    "decode_component_type",
    "decode_wasm",
    "decode_wit_package",
    "decode_world",
    "is_wit_package",
]
