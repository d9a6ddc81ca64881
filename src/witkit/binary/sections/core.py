"""Core wasm, as far as a component needs it: types, externs, and the light parse of a module.

A component embeds core modules whole; to validate it we need each module's
type (its imports and exports with their core types), nothing of its code.  So
``read_core_module`` walks the section headers, parses the type, import,
function, table, memory, global, export, start and tag sections, and skips code,
data and element sections by their declared size without looking inside.  This
is what keeps an 18 MB componentize-py component cheap to read.  Custom sections
cost as little: a run of contentless ones (empty name, no payload) is skipped by
one regular expression match and leaves no trace; past
``MAX_KEPT_CUSTOM_SECTIONS`` the rest are checked and not kept.

Also here: core value/heap/reference types (WebAssembly 3.0 encodings, GC rec
groups tolerated), limits, core extern types -- shared with the component's
core type section and module types.
"""

from __future__ import annotations

import re

from witkit.binary import ir
from witkit.binary.codes import MAGIC
from witkit.binary.limits import (
    MAX_KEPT_CUSTOM_SECTIONS,
    MAX_WASM_EXPORTS,
    MAX_WASM_FUNCTION_PARAMS,
    MAX_WASM_FUNCTION_RETURNS,
    MAX_WASM_FUNCTIONS,
    MAX_WASM_GLOBALS,
    MAX_WASM_IMPORTS,
    MAX_WASM_MEMORIES,
    MAX_WASM_STRUCT_FIELDS,
    MAX_WASM_SUPERTYPES,
    MAX_WASM_TABLES,
    MAX_WASM_TAGS,
    MAX_WASM_TYPES,
)
from witkit.binary.reader import Reader
from witkit.errors import BinaryError

__all__ = [
    "read_core_extern_desc",
    "read_core_import",
    "read_core_module",
    "read_core_valtype",
    "read_global_type",
    "read_memory_type",
    "read_rec_group",
    "read_table_type",
]

#: a run of contentless custom sections; possessive, so matching it is one C loop
_EMPTY_CUSTOM_RUN = re.compile(rb"(?:\x00\x01\x00)++")

_NUM_TYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128"}

#: abstract heap type byte -> its text name
_ABSTRACT_HEAP = {
    0x70: "func",
    0x6F: "extern",
    0x6E: "any",
    0x6D: "eq",
    0x6C: "i31",
    0x6B: "struct",
    0x6A: "array",
    0x69: "exn",
    0x74: "noexn",
    0x73: "nofunc",
    0x72: "noextern",
    0x71: "none",
    0x68: "cont",
    0x75: "nocont",
}

#: the shorthand name of ``(ref null <abstract>)``
_NULLABLE_SHORTHAND = {
    "func": "funcref",
    "extern": "externref",
    "any": "anyref",
    "eq": "eqref",
    "i31": "i31ref",
    "struct": "structref",
    "array": "arrayref",
    "exn": "exnref",
    "noexn": "nullexnref",
    "nofunc": "nullfuncref",
    "noextern": "nullexternref",
    "none": "nullref",
    "cont": "contref",
    "nocont": "nullcontref",
}

# section ids of a core module, and the order they must appear in
_CUSTOM, _TYPE, _IMPORT, _FUNCTION, _TABLE, _MEMORY, _GLOBAL, _EXPORT = 0, 1, 2, 3, 4, 5, 6, 7
_START, _ELEMENT, _CODE, _DATA, _DATACOUNT, _TAG = 8, 9, 10, 11, 12, 13
_ORDER = {
    _TYPE: 1,
    _IMPORT: 2,
    _FUNCTION: 3,
    _TABLE: 4,
    _MEMORY: 5,
    _TAG: 6,
    _GLOBAL: 7,
    _EXPORT: 8,
    _START: 9,
    _ELEMENT: 10,
    _DATACOUNT: 11,
    _CODE: 12,
    _DATA: 13,
}


# --------------------------------------------------------------------------- value types


def _read_heap_type(r: Reader) -> str:
    byte = r.peek("a heap type")
    if byte == 0x65:
        r.u8()
        inner = r.u8("a shared heap type")
        name = _ABSTRACT_HEAP.get(inner)
        if name is None:
            raise r.bad_byte(inner, "shared heap type")
        return f"(shared {name})"
    if byte == 0x62:
        r.u8()
        return f"(exact {r.u32('an exact type index')})"
    name = _ABSTRACT_HEAP.get(byte)
    if name is not None:
        r.u8()
        return name
    start = r.pos
    index = r.s33("a heap type")
    if index < 0:
        raise BinaryError(f"invalid heap type (0x{byte:02x})", start)
    return str(index)


def read_core_valtype(r: Reader) -> str:
    """A core value type as its text name (``i32``, ``funcref``, ``(ref null 3)``)."""
    byte = r.u8("a value type")
    num = _NUM_TYPES.get(byte)
    if num is not None:
        return num
    if byte in (0x63, 0x64):
        heap = _read_heap_type(r)
        if byte == 0x63:
            short = _NULLABLE_SHORTHAND.get(heap)
            return short if short is not None else f"(ref null {heap})"
        return f"(ref {heap})"
    if byte == 0x65:
        inner = r.u8("a shared reference type")
        name = _ABSTRACT_HEAP.get(inner)
        if name is None:
            raise r.bad_byte(inner, "shared reference type")
        return f"(ref null (shared {name}))"
    name = _ABSTRACT_HEAP.get(byte)
    if name is not None:
        return _NULLABLE_SHORTHAND[name]
    raise r.bad_byte(byte, "value type")


def _read_storage_type(r: Reader) -> str:
    byte = r.peek("a storage type")
    if byte == 0x78:
        r.u8()
        return "i8"
    if byte == 0x77:
        r.u8()
        return "i16"
    return read_core_valtype(r)


def _read_field(r: Reader) -> tuple[str, bool]:
    ty = _read_storage_type(r)
    mut = r.u8("a field mutability")
    if mut > 1:
        raise r.bad_byte(mut, "field mutability")
    return ty, mut == 1


def _read_comp_type(
    r: Reader, offset: int, final: bool, supertypes: tuple[int, ...]
) -> ir.CoreSubType:
    byte = r.u8("a composite type")
    shared = False
    if byte == 0x65:
        shared = True
        byte = r.u8("a composite type")
    if byte == 0x60:
        params = r.vec(MAX_WASM_FUNCTION_PARAMS, "function params", read_core_valtype)
        results = r.vec(MAX_WASM_FUNCTION_RETURNS, "function returns", read_core_valtype)
        return ir.CoreSubType(offset, "func", params, results, (), final, supertypes, shared)
    if byte == 0x5F:
        fields = r.vec(MAX_WASM_STRUCT_FIELDS, "struct fields", _read_field)
        return ir.CoreSubType(
            offset,
            "struct",
            tuple(f[0] for f in fields),
            (),
            tuple(f[1] for f in fields),
            final,
            supertypes,
            shared,
        )
    if byte == 0x5E:
        ty, mut = _read_field(r)
        return ir.CoreSubType(offset, "array", (ty,), (), (mut,), final, supertypes, shared)
    if byte == 0x5D:
        index = r.s33("a continuation type index")
        if index < 0:
            raise BinaryError("invalid continuation type index", r.pos - 1)
        return ir.CoreSubType(offset, "cont", (str(index),), (), (), final, supertypes, shared)
    raise r.bad_byte(byte, "type")


def _read_sub_type(r: Reader) -> ir.CoreSubType:
    offset = r.pos
    byte = r.peek("a sub type")
    if byte in (0x50, 0x4F):
        r.u8()
        supertypes = r.vec(MAX_WASM_SUPERTYPES, "supertype idxs", lambda r: r.u32("a type index"))
        return _read_comp_type(r, offset, byte == 0x4F, supertypes)
    return _read_comp_type(r, offset, True, ())


def read_rec_group(r: Reader) -> ir.CoreRecGroup:
    """``core:rectype``: ``0x4e vec(subtype)`` or a lone sub type."""
    offset = r.pos
    if r.peek("a type") == 0x4E:
        r.u8()
        types = r.vec(MAX_WASM_TYPES, "rec group types", _read_sub_type)
        return ir.CoreRecGroup(offset, types, explicit=True)
    return ir.CoreRecGroup(offset, (_read_sub_type(r),))


# --------------------------------------------------------------------------- externs


#: (what the flags byte is, its name in the error, the flag bits allowed, minimum, maximum)
_TABLE_LIMITS = (
    "table limits",
    "table resizable limits",
    0x07,
    "the minimum of a table",
    "the maximum of a table",
)
_MEMORY_LIMITS = (
    "memory limits",
    "memory limits",
    0x0F,
    "the minimum of a memory",
    "the maximum of a memory",
)


def _read_limits(r: Reader, words: tuple[str, str, int, str, str]) -> tuple[int, int, int | None]:
    """Core ``limits`` of a table or memory: the flags byte, the minimum, the maximum if any.

    Flag 0x01: a maximum follows; 0x02: shared; 0x04: 64-bit (the bounds are
    ``u64``); 0x08 (memories): a custom page size follows the bounds.
    """
    what, name, allowed, minimum_what, maximum_what = words
    start = r.pos
    flags = r.u8(what)
    if flags & ~allowed:
        raise BinaryError(f"invalid {name} flags 0x{flags:02x}", start)
    read = r.u64 if flags & 0x04 else r.u32
    minimum = read(minimum_what)
    maximum = read(maximum_what) if flags & 0x01 else None
    return flags, minimum, maximum


def read_table_type(r: Reader) -> ir.TableDef:
    element = read_core_valtype(r)
    flags, minimum, maximum = _read_limits(r, _TABLE_LIMITS)
    return ir.TableDef(element, minimum, maximum, bool(flags & 0x04), bool(flags & 0x02))


def read_memory_type(r: Reader) -> ir.MemoryDef:
    flags, minimum, maximum = _read_limits(r, _MEMORY_LIMITS)
    page_size_log2 = 16
    if flags & 0x08:
        page_size_log2 = r.u32("a memory page size")
    return ir.MemoryDef(minimum, maximum, bool(flags & 0x02), bool(flags & 0x04), page_size_log2)


def read_global_type(r: Reader) -> ir.GlobalDef:
    valtype = read_core_valtype(r)
    start = r.pos
    flags = r.u8("global mutability")
    if flags & ~0x03:
        raise BinaryError(f"malformed mutability (0x{flags:02x})", start)
    return ir.GlobalDef(valtype, bool(flags & 0x01), bool(flags & 0x02))


def read_core_extern_desc(r: Reader) -> ir.CoreExternDesc:
    byte = r.u8("an external kind")
    if byte in (0x00, 0x20):
        return ir.CoreExternDesc("func", r.u32("a type index"), exact=byte == 0x20)
    if byte == 0x01:
        return ir.CoreExternDesc("table", table=read_table_type(r))
    if byte == 0x02:
        return ir.CoreExternDesc("memory", memory=read_memory_type(r))
    if byte == 0x03:
        return ir.CoreExternDesc("global", global_=read_global_type(r))
    if byte == 0x04:
        attr = r.u8("a tag attribute")
        if attr != 0:
            raise r.bad_byte(attr, "tag attribute")
        return ir.CoreExternDesc("tag", r.u32("a type index"))
    raise r.bad_byte(byte, "external kind")


def read_core_import(r: Reader) -> ir.CoreImport:
    offset = r.pos
    module = r.name("an import module name")
    name = r.name("an import name")
    return ir.CoreImport(offset, module, name, read_core_extern_desc(r))


def _read_core_imports(r: Reader) -> tuple[ir.CoreImport, ...]:
    """The import section; a hot loop like the exports (a libpython imports hundreds of
    functions), so the common case -- two short ASCII names, a function with a type index
    of up to three LEB bytes -- is decoded inline, anything else by ``read_core_import``."""
    n = r.count(MAX_WASM_IMPORTS, "imports")
    data = r.data
    end = r.end
    out: list[ir.CoreImport] = []
    append = out.append
    make = ir.CoreImport
    desc = ir.CoreExternDesc
    for _ in range(n):
        pos = r.pos
        if pos + 5 < end:
            m_len = data[pos]
            m_end = pos + 1 + m_len
            if m_len < 0x80 and m_end + 4 < end:
                n_len = data[m_end]
                n_end = m_end + 1 + n_len
                if n_len < 0x80 and n_end + 3 < end and data[n_end] == 0x00:
                    module = data[pos + 1 : m_end]
                    name = data[m_end + 1 : n_end]
                    b0 = data[n_end + 1]
                    if b0 < 0x80:
                        index, used = b0, 1
                    else:
                        b1 = data[n_end + 2]
                        if b1 < 0x80:
                            index, used = (b0 & 0x7F) | (b1 << 7), 2
                        else:
                            b2 = data[n_end + 3]
                            index = (b0 & 0x7F) | ((b1 & 0x7F) << 7) | (b2 << 14)
                            used = 3 if b2 < 0x80 else 0
                    if used and module.isascii() and name.isascii():
                        append(
                            make(
                                pos,
                                module.decode("ascii"),
                                name.decode("ascii"),
                                desc("func", index),
                            )
                        )
                        r.pos = n_end + 1 + used
                        continue
        append(read_core_import(r))
    return tuple(out)


_EXPORT_KINDS: dict[int, ir.CoreKind] = {
    0x00: "func",
    0x20: "func",
    0x01: "table",
    0x02: "memory",
    0x03: "global",
    0x04: "tag",
}


def _read_core_exports(r: Reader) -> tuple[ir.CoreExport, ...]:
    """The export section; a hot loop (libpython exports thousands), so the common
    case -- a short ASCII name, a one-byte index -- is decoded inline."""
    n = r.count(MAX_WASM_EXPORTS, "exports")
    data = r.data
    end = r.end
    kinds = _EXPORT_KINDS
    out: list[ir.CoreExport] = []
    append = out.append
    make = ir.CoreExport
    for _ in range(n):
        pos = r.pos
        length = data[pos] if pos < end else 0x80
        name_end = pos + 1 + length
        if length < 0x80 and name_end + 3 < end:
            raw = data[pos + 1 : name_end]
            kind = kinds.get(data[name_end])
            b0 = data[name_end + 1]
            if raw.isascii() and kind is not None:
                # indices of big modules take two or three LEB bytes: decode those inline too
                if b0 < 0x80:
                    index, used = b0, 1
                else:
                    b1 = data[name_end + 2]
                    if b1 < 0x80:
                        index, used = (b0 & 0x7F) | (b1 << 7), 2
                    else:
                        b2 = data[name_end + 3]
                        index, used = (b0 & 0x7F) | ((b1 & 0x7F) << 7) | (b2 << 14), 3
                        if b2 >= 0x80:
                            used = 0
                if used:
                    append(make(pos, raw.decode("ascii"), kind, index))
                    r.pos = name_end + 1 + used
                    continue
        append(_read_core_export(r))
    return tuple(out)


def _read_core_export(r: Reader) -> ir.CoreExport:
    offset = r.pos
    name = r.name("an export name")
    start = r.pos
    byte = r.u8("an external kind")
    kind = _EXPORT_KINDS.get(byte)
    if kind is None:
        raise r.bad_byte(byte, "external kind", start)
    return ir.CoreExport(offset, name, kind, r.u32("an export index"))


# --------------------------------------------------------------------------- constant expressions

#: constant-expression opcodes without immediates (extended-const arithmetic, ref.is_null, ...)
_CONST_SIMPLE = {0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E, 0xD3, 0xD4}


def _skip_const_expr(r: Reader) -> None:
    """Move past a constant expression (a global's initialiser) without interpreting it."""
    while True:
        start = r.pos
        op = r.u8("a constant expression")
        if op == 0x0B:
            return
        if op == 0x41:
            r.s32("an i32.const")
        elif op == 0x42:
            r.s64("an i64.const")
        elif op == 0x43:
            r.skip(4, "an f32.const")
        elif op == 0x44:
            r.skip(8, "an f64.const")
        elif op == 0xD0:
            _read_heap_type(r)
        elif op in (0xD2, 0x23):
            r.u32("an index")
        elif op in _CONST_SIMPLE:
            pass
        elif op == 0xFD:
            sub = r.u32("a SIMD opcode")
            if sub != 12:
                raise BinaryError("constant expression required: non-constant operator", start)
            r.skip(16, "a v128.const")
        elif op == 0xFB:
            sub = r.u32("a GC opcode")
            if sub in (0, 1, 6, 7):
                r.u32("a type index")
            elif sub == 8:
                r.u32("a type index")
                r.u32("an array length")
            elif sub in (26, 27, 28):
                pass
            else:
                raise BinaryError("constant expression required: non-constant operator", start)
        else:
            raise BinaryError("constant expression required: non-constant operator", start)


# --------------------------------------------------------------------------- modules


def read_core_module(r: Reader, what: str = "module") -> ir.CoreModule:
    """A core module occupying all of ``r`` (whose preamble has not been read yet)."""
    from witkit.binary.sections.custom import read_custom_section, skip_custom_section

    offset = r.pos
    magic = r.bytes(4, "the magic header") if r.remaining() >= 4 else None
    if magic != MAGIC:
        raise BinaryError("magic header not detected: bad magic number", offset)
    version_pos = r.pos
    version_bytes = r.bytes(4, "the version")
    version = int.from_bytes(version_bytes, "little")
    if version != 1:
        raise BinaryError(f"unknown binary version: 0x{version:x}", version_pos)

    types: tuple[ir.CoreRecGroup, ...] = ()
    imports: tuple[ir.CoreImport, ...] = ()
    exports: tuple[ir.CoreExport, ...] = ()
    defined_funcs: tuple[int, ...] = ()
    defined_tables: tuple[ir.TableDef, ...] = ()
    defined_memories: tuple[ir.MemoryDef, ...] = ()
    defined_globals: list[ir.GlobalDef] = []
    defined_tags: tuple[int, ...] = ()
    start_func: int | None = None
    customs: list[ir.CustomSection] = []
    sections: list[tuple[int, int, int]] = []
    code_count: int | None = None
    last = 0

    data = r.data
    while not r.eof():
        header = r.pos
        if data.startswith(b"\x00\x01\x00", header, r.end):
            # contentless custom sections (empty name, no payload): skipped in one C loop
            match = _EMPTY_CUSTOM_RUN.match(data, header, r.end)
            assert match is not None
            r.pos = match.end()
            continue
        sid = r.u8("a section id")
        size = r.u32("a section size")
        body = r.sub(size, "section")
        if sid == _CUSTOM:
            if len(customs) < MAX_KEPT_CUSTOM_SECTIONS:
                sections.append((sid, body.pos, size))
                customs.append(read_custom_section(body, header))
            else:
                skip_custom_section(body)
            continue
        sections.append((sid, body.pos, size))
        order = _ORDER.get(sid)
        if order is None:
            raise BinaryError(f"malformed section id: {sid}", header)
        if order <= last:
            raise BinaryError("section out of order", header)
        last = order
        if sid == _TYPE:
            types = body.vec(MAX_WASM_TYPES, "types", read_rec_group)
        elif sid == _IMPORT:
            imports = _read_core_imports(body)
        elif sid == _FUNCTION:
            defined_funcs = body.u32_vec(MAX_WASM_FUNCTIONS, "functions")
        elif sid == _TABLE:
            defined_tables = body.vec(MAX_WASM_TABLES, "tables", _read_table)
        elif sid == _MEMORY:
            defined_memories = body.vec(MAX_WASM_MEMORIES, "memories", read_memory_type)
        elif sid == _GLOBAL:
            n = body.count(MAX_WASM_GLOBALS, "globals")
            for _ in range(n):
                defined_globals.append(read_global_type(body))
                _skip_const_expr(body)
        elif sid == _EXPORT:
            exports = _read_core_exports(body)
        elif sid == _START:
            start_func = body.u32("the start function index")
        elif sid == _TAG:
            defined_tags = body.vec(MAX_WASM_TAGS, "tags", _read_tag)
        elif sid == _CODE:
            code_count = body.u32("the number of function bodies")
            body.pos = body.end
        else:
            # element, data and data count sections: nothing a component needs
            body.pos = body.end
        body.expect_end(f"section {sid}")

    if code_count is None and defined_funcs:
        code_count = 0
    if code_count is not None and code_count != len(defined_funcs):
        raise BinaryError("function and code section have inconsistent lengths", r.pos)

    func_types = [i.desc.type_index for i in imports if i.desc.kind == "func"]
    func_types.extend(defined_funcs)
    tables = [i.desc.table for i in imports if i.desc.table is not None]
    tables.extend(defined_tables)
    memories = [i.desc.memory for i in imports if i.desc.memory is not None]
    memories.extend(defined_memories)
    globals_ = [i.desc.global_ for i in imports if i.desc.global_ is not None]
    globals_.extend(defined_globals)
    tags = [i.desc.type_index for i in imports if i.desc.kind == "tag"]
    tags.extend(defined_tags)
    return ir.CoreModule(
        offset=offset,
        end=r.end,
        source=r.data,
        version=version,
        types=types,
        imports=imports,
        exports=exports,
        funcs=tuple(func_types),
        tables=tuple(tables),
        memories=tuple(memories),
        globals=tuple(globals_),
        tags=tuple(tags),
        start=start_func,
        customs=tuple(customs),
        sections=tuple(sections),
    )


def _read_table(r: Reader) -> ir.TableDef:
    if r.peek("a table") == 0x40:
        r.u8()
        reserved = r.u8("a table's reserved byte")
        if reserved != 0:
            raise r.bad_byte(reserved, "table reserved byte")
        table = read_table_type(r)
        _skip_const_expr(r)
        return table
    return read_table_type(r)


def _read_tag(r: Reader) -> int:
    attr = r.u8("a tag attribute")
    if attr != 0:
        raise r.bad_byte(attr, "tag attribute")
    return r.u32("a tag type index")
