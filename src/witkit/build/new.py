"""A component from a core module with an embedded world (``component new``), simplest cases only.

wit-component's job, begun: read the world a core module embeds
(``component-type`` custom sections, :mod:`witkit.build.embed`), then wrap the
module in a component that imports what the world imports, lowers those imports
into the module, instantiates it, and lifts its exports with the canonical
options they need.

What is done, and its rules:

* world-level functions only (imports and exports), their types anonymous
  (primitives, ``string``, ``list``, ``option``, ``result``, ``tuple``); anything
  else (interfaces, named types, resources, adapters) is refused with a
  ``BuildError`` saying what is not supported yet;
* only the imports the module uses are imported (as wit-component does); an
  import needing memory (strings, lists, spilled results) would need
  wit-component's shim and fixup modules, and is refused for now;
* exports are lifted with ``memory`` when their values pass through memory,
  ``realloc`` when their parameters need space, ``string-encoding`` when not
  UTF-8, and ``post-return`` when the module exports one; both name manglings
  (``cabi_post_f``/``memory``/``cabi_realloc`` and ``cm32p2||f_post``...) are read;
* the component is written as text with a placeholder module, assembled, and
  the real module (its ``component-type`` sections removed) spliced in; it is
  valid and has the world's WIT, but its bytes are not wasm-tools'.
"""

from __future__ import annotations

from witkit.binary.encode.writer import uleb
from witkit.build.embed import STRING_ENCODINGS, BuildError
from witkit.wit import model

__all__ = ["new"]

_SECTION_NAME = "component-type"
_ENCODING_SECTION = "wit-component-encoding"
_STRING_OPTIONS = {
    "utf16": "string-encoding=utf16",
    "compact-utf16": "string-encoding=latin1+utf16",
}
_PRIMS = frozenset(
    ["bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"]
)


def _read_uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise BuildError("the module is truncated")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _sections(data: bytes) -> list[tuple[int, int, int, str | None, bytes]]:
    """(id, start, end, custom name, payload) of each section after the 8-byte preamble."""
    out = []
    pos = 8
    while pos < len(data):
        start = pos
        sid = data[pos]
        size, body = _read_uleb(data, pos + 1)
        end = body + size
        name = None
        payload = data[body:end]
        if sid == 0:
            n, p = _read_uleb(data, body)
            name = data[p : p + n].decode("utf-8", "replace")
            payload = data[p + n : end]
        out.append((sid, start, end, name, payload))
        pos = end
    return out


def _embedded(module: bytes) -> tuple[bytes, bytes]:
    """The module without its ``component-type`` sections, and the one section's payload."""
    if not module.startswith(b"\0asm\x01\0\0\0"):
        raise BuildError("the input is not a core wasm module")
    kept = bytearray(module[:8])
    found: list[bytes] = []
    for sid, start, end, name, payload in _sections(module):
        if sid == 0 and name is not None and name.startswith(_SECTION_NAME):
            found.append(payload)
        else:
            kept += module[start:end]
    if not found:
        raise BuildError("the module embeds no world (no `component-type` section)")
    if len(found) > 1:
        raise BuildError("the module embeds several worlds; merging them is not supported yet")
    return bytes(kept), found[0]


def _world(payload: bytes) -> tuple[model.Resolve, model.WorldId, str]:
    from witkit.binary import ir, read, validate
    from witkit.wit.decode import decode_world

    component = read(payload)
    if not isinstance(component, ir.Component):
        raise BuildError("the `component-type` section does not hold a component")
    resolve, world = decode_world(validate(component).type)
    encoding = "utf8"
    for sid, _start, _end, name, data in _sections(payload):
        if sid == 0 and name == _ENCODING_SECTION and len(data) == 2:
            names = {v: k for k, v in STRING_ENCODINGS.items()}
            encoding = names.get(data[1], "utf8")
    return resolve, world, encoding


def _wat_type(resolve: model.Resolve, ty: model.Type) -> str:
    if not isinstance(ty, model.TypeRef):
        if ty not in _PRIMS:
            raise BuildError(f"`{ty}` in a signature is not supported yet")
        return ty
    typedef = resolve.types[ty.id]
    if typedef.name is not None:
        raise BuildError(f"named type `{typedef.name}` is not supported yet")
    match typedef.kind:
        case model.ListOf(element, None):
            return f"(list {_wat_type(resolve, element)})"
        case model.OptionOf(value):
            return f"(option {_wat_type(resolve, value)})"
        case model.Tuple(types):
            return f"(tuple {' '.join(_wat_type(resolve, t) for t in types)})"
        case model.ResultOf(ok, err):
            parts = ["result"]
            if ok is not None:
                parts.append(_wat_type(resolve, ok))
            if err is not None:
                parts.append(f"(error {_wat_type(resolve, err)})")
            return f"({' '.join(parts)})"
        case model.Alias(target):
            return _wat_type(resolve, target)
    raise BuildError("a type in a signature is not supported yet")


def _uses_memory(resolve: model.Resolve, ty: model.Type | None) -> bool:
    """Whether values of ``ty`` live partly in memory (strings, lists)."""
    if ty is None:
        return False
    if not isinstance(ty, model.TypeRef):
        return ty == "string"
    kind = resolve.types[ty.id].kind
    match kind:
        case model.ListOf():
            return True
        case model.OptionOf(value) | model.Alias(value):
            return _uses_memory(resolve, value)
        case model.Tuple(types):
            return any(_uses_memory(resolve, t) for t in types)
        case model.ResultOf(ok, err):
            return _uses_memory(resolve, ok) or _uses_memory(resolve, err)
    return False


def _flat(resolve: model.Resolve, types: list[model.Type]) -> list[str]:
    from witkit.abi.layout import flatten_types
    from witkit.build._signature import valtype

    return list(flatten_types([valtype(resolve, t) for t in types]))


def _func_type(resolve: model.Resolve, func: model.Function) -> str:
    from witkit.build.embed import _quote

    params = "".join(f" (param {_quote(n)} {_wat_type(resolve, t)})" for n, t in func.params)
    result = "" if func.result is None else f" (result {_wat_type(resolve, func.result)})"
    return f"(func{params}{result})"


def new(module: bytes) -> bytes:
    """The component of core ``module`` (binary) and the world embedded in it."""
    from witkit import binary, wat
    from witkit.abi.limits import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS
    from witkit.build.embed import _quote

    bare, payload = _embedded(module)
    resolve, wid, encoding = _world(payload)
    core = binary.read(bare)
    assert isinstance(core, binary.ir.CoreModule)
    world = resolve.worlds[wid]
    for items in (world.imports, world.exports):
        for item in items.values():
            if item.kind != "function":
                raise BuildError("worlds with interfaces or types are not supported yet")

    imports_by_name = {
        item.function.name: item.function
        for item in world.imports.values()
        if item.function is not None
    }
    text = ["(component", "(core module)"]  # core module 0: the placeholder
    lowered: dict[str, list[tuple[str, int]]] = {}
    for count, imp in enumerate(core.imports):
        if imp.module not in ("$root", "cm32p2"):
            raise BuildError(f"the module imports `{imp.module}`: not from the world")
        func = imports_by_name.get(imp.name)
        if func is None:
            raise BuildError(f"the module imports `{imp.name}`, which the world does not")
        params = [t for _, t in func.params]
        results = [] if func.result is None else [func.result]
        if (
            any(_uses_memory(resolve, t) for t in params + results)
            or len(_flat(resolve, params)) > MAX_FLAT_PARAMS
            or len(_flat(resolve, results)) > MAX_FLAT_RESULTS
        ):
            raise BuildError(
                f"import `{imp.name}` needs memory: lowering it (shim modules) is not supported yet"
            )
        text.append(f"(import {_quote(func.name)} {_func_type(resolve, func)})")
        text.append(f"(core func (canon lower (func {count})))")
        lowered.setdefault(imp.module, []).append((imp.name, count))
    args = []
    for index, (module_name, funcs) in enumerate(lowered.items()):
        exports = " ".join(f"(export {_quote(n)} (func {i}))" for n, i in funcs)
        text.append(f"(core instance {exports})")
        args.append(f"(with {_quote(module_name)} (instance {index}))")
    instance = len(lowered)
    text.append(f"(core instance (instantiate 0 {' '.join(args)}))")

    exported = {e.name for e in core.exports}
    standard = "cm32p2_memory" in exported or any(n.startswith("cm32p2|") for n in exported)
    memory, realloc = (
        ("cm32p2_memory", "cm32p2_realloc") if standard else ("memory", "cabi_realloc")
    )
    for lifted, item in enumerate(world.exports.values()):
        func = item.function
        assert func is not None
        name = f"cm32p2||{func.name}" if standard else func.name
        post = f"{name}_post" if standard else f"cabi_post_{func.name}"
        if name not in exported:
            raise BuildError(f"the module does not export `{name}` for `{func.name}`")
        params_mem = any(_uses_memory(resolve, t) for _, t in func.params)
        spilled = len(_flat(resolve, [t for _, t in func.params])) > MAX_FLAT_PARAMS
        results = [] if func.result is None else [func.result]
        results_mem = _uses_memory(resolve, func.result)
        results_mem = results_mem or len(_flat(resolve, results)) > MAX_FLAT_RESULTS
        needs_memory = params_mem or results_mem or spilled
        opts = []
        if needs_memory:
            if memory not in exported:
                raise BuildError(f"`{func.name}` needs the module's memory, `{memory}`")
            opts.append(f"(memory (core memory {instance} {_quote(memory)}))")
        if params_mem or spilled:
            if realloc not in exported:
                raise BuildError(f"`{func.name}` needs the module's `{realloc}`")
            opts.append(f"(realloc (core func {instance} {_quote(realloc)}))")
        if encoding != "utf8":
            opts.append(_STRING_OPTIONS[encoding])
        if post in exported:
            opts.append(f"(post-return (core func {instance} {_quote(post)}))")
        lift = f"(canon lift (core func {instance} {_quote(name)}) {' '.join(opts)})"
        text.append(f"(func $lifted{lifted} {_func_type(resolve, func)[5:-1]} {lift})")
        text.append(f"(export {_quote(func.name)} (func $lifted{lifted}))")
    text.append(")")
    shell = wat.assemble("\n".join(text), "<component new>")
    return _splice(shell, bare)


def _splice(shell: bytes, module: bytes) -> bytes:
    """``shell`` with its first core module section replaced by ``module``."""
    for sid, start, end, _name, _payload in _sections(shell):
        if sid == 1:
            return shell[:start] + b"\x01" + uleb(len(module)) + module + shell[end:]
    raise AssertionError("the shell has no core module")
