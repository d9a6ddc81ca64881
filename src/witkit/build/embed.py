"""Embedding a world in a core module: the ``component-type`` custom section (``component embed``).

A core module that is to become a component says which world it was built for
in a custom section named ``component-type``; wit-component (and later
``component new``) reads it back.  Its payload is the world encoded as a
component type (:func:`witkit.wit.encode.encode_world`), preceded by the
``wit-component-encoding`` section that records the string encoding of the
world's functions, and followed by a ``producers`` section.

Rules, all as ``wasm-tools component embed`` 1.x has them:

* the section is *appended* to the input as it is (text is assembled first);
  a module that already carries a ``component-type`` section gets a second
  one (both are kept; ``component new`` merges them), and, as in wasm-tools,
  the input is not validated (a component gets the section too);
* ``dummy`` modules are generated with the ``standard32`` name mangling
  (``cm32p2|iface|func``, ``cm32p2_memory``, ``cm32p2_realloc``...), every
  function ``unreachable``, in the order wit-component writes them, so the bytes
  equal the reference's;
* with ``producer=WASM_TOOLS_PRODUCER`` the output is byte-identical to
  wasm-tools'; by default witkit names itself in ``processed-by``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Literal

from witkit import types as wt
from witkit.build._signature import core_signature
from witkit.errors import WitkitError
from witkit.wit import model
from witkit.wit.encode import WITKIT_PRODUCER, component_type_section, encode_world

__all__ = [
    "STRING_ENCODINGS",
    "BuildError",
    "StringEncoding",
    "dummy_module",
    "embed",
    "embed_world",
    "load_world",
]

StringEncoding = Literal["utf8", "utf16", "compact-utf16"]

#: the byte wit-component records for each string encoding
STRING_ENCODINGS: dict[str, int] = {"utf8": 0, "utf16": 1, "compact-utf16": 2}

_STD = "cm32p2"


class BuildError(WitkitError):
    """A component could not be built from what was given (a module, a world, an option)."""


def load_world(
    wit: str | os.PathLike[str] | tuple[model.Resolve, model.PackageId],
    world: str | None = None,
    *,
    features: Iterable[str] = (),
    all_features: bool = False,
) -> tuple[model.Resolve, model.WorldId]:
    """The resolve and world named by ``wit`` (a path or a resolved package) and ``world``.

    A path may be a ``.wit`` file, a directory (with ``deps/``) or a WIT package
    binary (``.wasm``/``.wat``), as every wasm-tools ``WIT`` operand.
    """
    from witkit.wit.resolve import select_world

    if isinstance(wit, tuple):
        resolve, package = wit
    else:
        path = os.fspath(wit)
        if os.path.isdir(path) or path.endswith(".wit"):
            from witkit.wit.resolve import parse_path

            resolve, package = parse_path(path, features=features, all_features=all_features)
        else:
            from witkit import wat
            from witkit.wit.decode import decode_wasm

            decoded = decode_wasm(wat.load(path))
            resolve, package = decoded.resolve, decoded.package
    return resolve, select_world(resolve, package, world)


def embed(
    wit: str | os.PathLike[str] | tuple[model.Resolve, model.PackageId],
    module: bytes | None,
    *,
    world: str | None = None,
    string_encoding: StringEncoding = "utf8",
    dummy: bool = False,
    producer: tuple[str, str] = WITKIT_PRODUCER,
    only_custom: bool = False,
) -> bytes:
    """``module`` (core wasm, binary or text) with ``world`` of ``wit`` embedded in it.

    With ``dummy`` (or ``module=None``), a placeholder module with the imports and
    exports the world implies is generated first.  With ``only_custom``, only the
    section's payload is returned (``--only-custom``).  Raises ``BuildError`` for an
    unknown string encoding, ``WitError`` for WIT that does not resolve or a
    world that is not there, ``WatError`` for text that does not assemble.
    """
    resolve, wid = load_world(wit, world)
    return embed_world(
        resolve,
        wid,
        module,
        string_encoding=string_encoding,
        dummy=dummy,
        producer=producer,
        only_custom=only_custom,
    )


def embed_world(
    resolve: model.Resolve,
    world: model.WorldId,
    module: bytes | None,
    *,
    string_encoding: StringEncoding = "utf8",
    dummy: bool = False,
    producer: tuple[str, str] = WITKIT_PRODUCER,
    only_custom: bool = False,
) -> bytes:
    """:func:`embed` for a world already resolved."""
    if string_encoding not in STRING_ENCODINGS:
        choices = ", ".join(STRING_ENCODINGS)
        raise BuildError(f"unknown string encoding `{string_encoding}` (one of {choices})")
    wid = world
    code = STRING_ENCODINGS[string_encoding]
    if only_custom:
        return encode_world(resolve, wid, producer=producer, string_encoding=code)
    data = dummy_module(resolve, wid) if dummy or module is None else _core_module(module)
    return data + component_type_section(resolve, wid, producer=producer, string_encoding=code)


def _core_module(module: bytes) -> bytes:
    """The module's binary: text is assembled, a binary is taken as it is (as wasm-tools does)."""
    from witkit import wat

    if wat.is_text(module):
        try:
            text = module.decode("utf-8")
        except UnicodeDecodeError:
            raise BuildError("the input is neither wasm nor wasm text") from None
        return wat.assemble(text)
    return module


# --------------------------------------------------------------------------- the dummy module


def dummy_module(resolve: model.Resolve, world: model.WorldId) -> bytes:
    """A core module with the imports and exports ``world`` implies, every body ``unreachable``.

    wit-component's ``dummy_module`` with the ``standard32`` mangling, written as
    text and assembled, so the bytes are the reference's.
    """
    from witkit import wat

    return wat.assemble(dummy_module_text(resolve, world), "<dummy>")


def dummy_module_text(resolve: model.Resolve, world: model.WorldId) -> str:
    """The text of :func:`dummy_module`."""
    w = resolve.worlds[world]
    out: list[str] = ["(module"]
    for key, item in w.imports.items():
        if item.kind == "function":
            assert item.function is not None
            out.append(_import_func(resolve, _STD, item.function))
        elif item.kind == "interface":
            assert item.interface is not None
            iface = resolve.interfaces[item.interface]
            module = f"{_STD}|{_key(resolve, key)}"
            out += [_import_func(resolve, module, f) for f in iface.functions.values()]
            for tid in iface.types.values():
                if _is_resource(resolve, tid):
                    out.append(_import(module, f"{_name(resolve, tid)}_drop", "(param i32)"))
        elif item.type is not None and _is_resource(resolve, item.type):
            out.append(_import(_STD, f"{_name(resolve, item.type)}_drop", "(param i32)"))
    for key, item in w.exports.items():
        if item.kind == "interface" and item.interface is not None:
            module = f"{_STD}|_ex_{_key(resolve, key)}"
            for tid in resolve.interfaces[item.interface].types.values():
                if _is_resource(resolve, tid):
                    name = _name(resolve, tid)
                    out.append(_import(module, f"{name}_drop", "(param i32)"))
                    out.append(_import(module, f"{name}_new", "(param i32) (result i32)"))
                    out.append(_import(module, f"{name}_rep", "(param i32) (result i32)"))
    for key, item in w.exports.items():
        if item.kind == "function":
            assert item.function is not None
            out += _export_func(resolve, f"{_STD}||", item.function)
        elif item.kind == "interface":
            assert item.interface is not None
            iface = resolve.interfaces[item.interface]
            prefix = f"{_STD}|{_key(resolve, key)}|"
            for f in iface.functions.values():
                out += _export_func(resolve, prefix, f)
            for tid in iface.types.values():
                if _is_resource(resolve, tid):
                    dtor = _quote(f"{prefix}{_name(resolve, tid)}_dtor")
                    out.append(f"(func (export {dtor}) (param i32))")
    out.append(f"(memory (export {_quote(_STD + '_memory')}) 0)")
    out.append(
        f"(func (export {_quote(_STD + '_realloc')}) (param i32 i32 i32 i32) (result i32)"
        " unreachable)"
    )
    out.append(f"(func (export {_quote(_STD + '_initialize')})))")
    return "\n".join(out) + "\n"


def _key(resolve: model.Resolve, key: model.WorldKey) -> str:
    """wit-parser's ``name_canonicalized_world_key``: a plain name, or ``ns:pkg/iface@track``."""
    if key.name is not None:
        return key.name
    from witkit.semver import canonical_version

    assert key.interface is not None
    iface = resolve.interfaces[key.interface]
    assert iface.package is not None and iface.name is not None
    pkg = resolve.packages[iface.package].name
    base = f"{pkg.namespace}:{pkg.name}/{iface.name}"
    return base if pkg.version is None else f"{base}@{canonical_version(pkg.version)}"


def _is_resource(resolve: model.Resolve, tid: model.TypeId) -> bool:
    return isinstance(resolve.types[tid].kind, model.Resource)


def _name(resolve: model.Resolve, tid: model.TypeId) -> str:
    name = resolve.types[tid].name
    assert name is not None
    return name


def _quote(text: str) -> str:
    """A WAT string literal (names are ASCII in practice; JSON escapes are valid WAT for those)."""
    return json.dumps(text, ensure_ascii=False)


def _types(word: str, types: tuple[str, ...]) -> str:
    return f" ({word} {' '.join(types)})" if types else ""


def _import(module: str, name: str, sig: str) -> str:
    return f"(import {_quote(module)} {_quote(name)} (func {sig}))"


def _import_func(resolve: model.Resolve, module: str, func: model.Function) -> str:
    sig: wt.CoreFuncType = core_signature(resolve, func, "lower")
    body = (_types("param", sig.params) + _types("result", sig.results)).lstrip()
    return _import(module, func.name, body)


def _export_func(resolve: model.Resolve, prefix: str, func: model.Function) -> list[str]:
    sig = core_signature(resolve, func, "lift")
    name = _quote(prefix + func.name)
    post = _quote(prefix + func.name + "_post")
    return [
        f"(func (export {name}){_types('param', sig.params)}{_types('result', sig.results)}"
        " unreachable)",
        f"(func (export {post}){_types('param', sig.results)})",
    ]
