"""wasmtime's ``-S``, ``-W``, ``-O`` and ``-D`` options, as ``witkit run`` takes them.

``witkit run`` promises that a ``wasmtime run`` command line works unchanged, so
every key ``wasmtime run`` 49 accepts in these four groups is accepted here
(``wasmtime run -S help`` and friends list them).  Each key in ``OPTIONS`` says
what it does in witkit:

* **implemented**: the note says what it does (``-S inherit-env`` grants the
  host's environment, ``-W fuel=N`` limits the guest, ``-O opt-level`` sets the
  Cranelift level of the engine witkit runs core code on);
* **accepted**: the key has no meaning for witkit, or asks for something witkit
  does not host (wasi-nn, wasi-http imports, the pooling allocator...); the
  command goes on and one line on stderr says why the key changed nothing.

Deny by default holds whatever is accepted: no key grants anything that the
implemented ones do not name (the network keys map onto ``WasiConfig``'s
grants, see SECURITY.md).  A key wasmtime does not know, or a value of the
wrong shape, is a usage error (exit status 2), as wasmtime's own parser has it.
``-X help`` prints the group as wasmtime does, with witkit's status beside each.

Rules: this module is data and parsing only; ``cli/run.py`` applies the values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, cast

from witkit._record import record
from witkit.cli.run import UsageError

__all__ = [
    "OPTIONS",
    "WITKIT_ONLY",
    "Option",
    "help_text",
    "parse_group",
    "parse_value",
]

Shape = Literal["bool", "number", "size", "duration", "text", "opt-level", "bool-auto", "regalloc"]


@record
class Option:
    """One key of a group: its value's shape, whether witkit implements it, and why."""

    group: str
    key: str
    shape: Shape
    implemented: bool
    note: str


#: notes shared by many keys, named ``@name`` in the table
_NOTES = {
    "@no-wasi": "a WASI proposal witkit does not host; a component importing it fails to link",
    "@engine": "an engine setting witkit leaves at wasmtime's default",
    "@pooling": "witkit does not use wasmtime's pooling allocator",
    "@proposal": "witkit's engine enables the proposals wasmtime enables by default",
    "@debug": "debugging support witkit does not offer",
    "@copy": "witkit bounds what one call copies with -W max-copy",
}

#: ``-GROUP`` lines, then ``key shape implemented -- note``, in ``wasmtime run -X help``'s order
_TABLE = """
-S
cli bool yes -- WASI CLI, filesystem, clocks, random, sockets: always on
cli-exit-with-code bool yes -- exit-with-code: always there, N is the exit status
common bool yes -- wasmtime's deprecated alias for cli: always on
nn bool no -- @no-wasi
threads bool no -- @no-wasi
http bool no -- wasi:http imports are not hosted by witkit yet
http-outgoing-body-buffer-chunks number no -- no wasi:http host
http-outgoing-body-chunk-size size no -- no wasi:http host
config bool no -- @no-wasi
keyvalue bool no -- @no-wasi
listenfd bool no -- wasmtime's legacy WASI 0.1 implementation only
tcplisten text no -- wasmtime's legacy WASI 0.1 implementation only
tls bool no -- @no-wasi
preview2 bool no -- witkit has one WASI implementation
nn-graph text no -- @no-wasi
inherit-network bool yes -- grants sockets any address; none without it
allow-ip-name-lookup bool yes -- grants DNS lookups (default: no)
tcp bool yes -- TCP sockets (default y; no address without inherit-network)
udp bool yes -- UDP sockets (default y; no address without inherit-network)
network-error-code bool no -- an unstable WASI API witkit does not host
preview0 bool no -- wasi_unstable modules are not run by witkit
inherit-env bool yes -- grants the whole host environment (default: none)
inherit-stdin bool yes -- the guest reads witkit's stdin (default: y; n: empty)
inherit-stdout bool yes -- guest stdout is witkit's (default y; n: discarded)
inherit-stderr bool yes -- guest stderr is witkit's (default y; n: discarded)
cwd text yes -- the initial working directory wasi:cli/environment reports
config-var text no -- @no-wasi
keyvalue-in-memory-data text no -- @no-wasi
p3 bool no -- WASI 0.3 is not hosted by witkit
max-resources number no -- witkit's handle tables have their own limits
hostcall-fuel number no -- @copy
max-component-handles number no -- witkit's handle tables have their own limits
max-random-size size no -- @copy
max-http-fields-size size no -- no wasi:http host
-W
nan-canonicalization bool yes -- canonicalizes NaNs (an engine setting)
fuel number yes -- stops the guest after N units of fuel
epoch-interruption bool no -- witkit turns it on itself for -W timeout
max-wasm-stack size yes -- the guest's stack, in bytes (an engine setting)
async-stack-size size no -- witkit runs guests synchronously
async-stack-zeroing bool no -- witkit runs guests synchronously
unknown-exports-allow bool no -- witkit ignores exports it does not need
unknown-imports-trap bool no -- WASI 0.1 modules are not run by witkit
unknown-imports-default bool no -- WASI 0.1 modules are not run by witkit
wmemcheck bool no -- @debug
max-memory-size size yes -- caps each linear memory, in bytes
max-table-elements number no -- not enforced by witkit
max-instances number no -- not enforced by witkit
max-tables number no -- not enforced by witkit
max-memories number no -- not enforced by witkit
trap-on-grow-failure bool no -- memory.grow past a limit returns -1
timeout duration yes -- stops the guest after the duration (exit status 134)
all-proposals bool no -- @proposal
bulk-memory bool no -- @proposal
multi-memory bool no -- @proposal
multi-value bool no -- @proposal
reference-types bool no -- @proposal
simd bool no -- @proposal
relaxed-simd bool no -- @proposal
relaxed-simd-deterministic bool no -- @proposal
tail-call bool no -- @proposal
threads bool no -- @proposal
shared-memory bool no -- @proposal
shared-everything-threads bool no -- @proposal
memory64 bool no -- @proposal
component-model bool no -- @proposal
component-model-async bool no -- @proposal
component-model-more-async-builtins bool no -- @proposal
component-model-async-stackful bool no -- @proposal
component-model-threading bool no -- @proposal
component-model-error-context bool no -- @proposal
component-model-gc bool no -- @proposal
component-model-map bool no -- @proposal
component-model-memory64 bool no -- @proposal
function-references bool no -- @proposal
stack-switching bool no -- @proposal
gc bool no -- @proposal
custom-page-sizes bool no -- @proposal
wide-arithmetic bool no -- @proposal
branch-hinting bool no -- @proposal
extended-const bool no -- @proposal
exceptions bool no -- @proposal
gc-support bool no -- @proposal
component-model-fixed-length-lists bool no -- @proposal
component-model-implements bool no -- @proposal
concurrency-support bool no -- @proposal
max-copy size yes -- witkit's own: bytes one call may copy (default 320MiB)
-O
opt-level opt-level yes -- Cranelift's level: 0 none, 1 and 2 speed, s size
regalloc-algorithm regalloc no -- @engine
memory-may-move bool no -- @engine
memory-reservation size no -- @engine
memory-reservation-for-growth size no -- @engine
memory-guard-size size no -- @engine
gc-heap-may-move bool no -- @engine
gc-heap-reservation size no -- @engine
gc-heap-reservation-for-growth size no -- @engine
gc-heap-guard-size size no -- @engine
gc-heap-initial-size size no -- @engine
guard-before-linear-memory bool no -- @engine
table-lazy-init bool no -- @engine
pooling-allocator bool no -- @pooling
pooling-decommit-batch-size size no -- @pooling
pooling-memory-keep-resident size no -- @pooling
pooling-table-keep-resident size no -- @pooling
pooling-memory-protection-keys bool-auto no -- @pooling
pooling-max-memory-protection-keys number no -- @pooling
memory-init-cow bool no -- @engine
memory-guaranteed-dense-image-size size no -- @engine
pooling-total-core-instances size no -- @pooling
pooling-total-component-instances size no -- @pooling
pooling-total-memories size no -- @pooling
pooling-total-tables size no -- @pooling
pooling-total-stacks size no -- @pooling
pooling-max-memory-size size no -- @pooling
pooling-table-elements size no -- @pooling
pooling-max-core-instance-size size no -- @pooling
pooling-max-unused-warm-slots size no -- @pooling
pooling-async-stack-keep-resident size no -- @pooling
pooling-max-component-instance-size size no -- @pooling
pooling-max-core-instances-per-component size no -- @pooling
pooling-max-memories-per-component size no -- @pooling
pooling-max-tables-per-component size no -- @pooling
pooling-max-tables-per-module size no -- @pooling
pooling-max-memories-per-module size no -- @pooling
pooling-total-gc-heaps size no -- @pooling
signals-based-traps bool no -- @engine
dynamic-memory-guard-size size no -- deprecated in wasmtime
static-memory-guard-size size no -- deprecated in wasmtime
static-memory-forced bool no -- deprecated in wasmtime
static-memory-maximum-size size no -- deprecated in wasmtime
dynamic-memory-reserved-for-growth size no -- deprecated in wasmtime
pooling-pagemap-scan bool-auto no -- @pooling
gc-zeal-alloc-counter number no -- wasmtime's internal fuzzing aid
-D
debug-info bool no -- @debug
guest-debug bool no -- @debug
address-map bool no -- traps are mapped to wasm offsets anyway
logging bool no -- @debug
log-to-files bool no -- @debug
coredump text no -- witkit writes no core dumps
debugger text no -- @debug
arg text no -- @debug
inherit-stdin bool no -- @debug
inherit-stdout bool no -- @debug
inherit-stderr bool no -- @debug
max-backtrace number no -- witkit prints the backtrace the engine gives
symbols bool no -- witkit does not read .cwasm files
"""


def _read_table(text: str) -> dict[str, dict[str, Option]]:
    """``_TABLE`` as ``OPTIONS``: text, so the table reads like ``wasmtime run -S help``."""
    table: dict[str, dict[str, Option]] = {}
    group = ""
    for line in filter(None, text.splitlines()):
        if line.startswith("-"):
            group = line[1:]
            table[group] = {}
            continue
        spec, _, note = line.partition(" -- ")
        key, shape, implemented = spec.split()
        note = _NOTES.get(note, note)
        table[group][key] = Option(group, key, cast(Shape, shape), implemented == "yes", note)
    return table


#: ``group -> key -> Option``, in wasmtime's order
OPTIONS: dict[str, dict[str, Option]] = _read_table(_TABLE)

#: keys witkit adds to wasmtime's (listed last in their group)
WITKIT_ONLY = frozenset({("W", "max-copy")})

_GROUP_NAMES = {"S": "wasi", "W": "wasm", "O": "optimize", "D": "debug"}
_SHAPE_TEXT = {
    "bool": "[=y|n]",
    "number": "=N",
    "size": "=N",
    "duration": "=N|Ns|Nms|..",
    "text": "=val",
    "opt-level": "=0|1|2|s",
    "bool-auto": "[=y|n|auto]",
    "regalloc": "=backtracking|single-pass",
}
_TRUE = ("", "y", "yes", "true", "on", "1")
_FALSE = ("n", "no", "false", "off", "0")
_SIZE = re.compile(r"\s*(\d+)\s*([kmgt]i?b?|b)?\s*", re.IGNORECASE)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*")


def parse_value(option: Option, value: str, given: bool) -> object:
    """The value of ``key=value`` (``given``: an ``=`` was written); ``ValueError`` says why not."""
    shape = option.shape
    if shape in ("bool", "bool-auto"):
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        if shape == "bool-auto" and low == "auto":
            return None
        raise ValueError(
            f"expected y or n{', auto' if shape == 'bool-auto' else ''}, got {value!r}"
        )
    if not given:
        raise ValueError(f"a value is required ({option.key}=...)")
    if shape == "number":
        if not value.strip().isdigit():
            units = " of fuel units" if option.key == "fuel" else ""
            raise ValueError(f"not a whole number{units}: {value!r}")
        return int(value)
    if shape == "size":
        found = _SIZE.fullmatch(value)
        if found is None:
            raise ValueError(f"not a size: {value!r} (1048576, 64KiB, 2MiB)")
        power = {"b": 0, "k": 1, "m": 2, "g": 3, "t": 4}[(found.group(2) or "b")[0].lower()]
        return int(found.group(1)) * 1024**power
    if shape == "duration":
        found = _DURATION.fullmatch(value)
        if found is None:
            raise ValueError(f"not a duration: {value!r} (500ms, 2s, 1m)")
        scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
        return float(found.group(1)) * scale[found.group(2) or "s"]
    choices = {"opt-level": ("0", "1", "2", "s"), "regalloc": ("backtracking", "single-pass")}
    if shape in choices and value not in choices[shape]:
        raise ValueError(f"expected one of {', '.join(choices[shape])}, got {value!r}")
    return value


def parse_group(group: str, texts: Iterable[str]) -> list[tuple[Option, object]]:
    """Each ``key[=value]`` of the ``-X`` arguments ``texts`` (comma-separated), typed.

    ``help`` and ``help-long`` are not keys: ``cli/run.py`` answers them first.
    Raises ``UsageError`` naming the option and what is wrong with it.
    """
    known = OPTIONS[group]
    found: list[tuple[Option, object]] = []
    for text in texts:
        for item in filter(None, text.split(",")):
            key, eq, value = item.partition("=")
            option = known.get(key.strip())
            if option is None:
                raise UsageError(
                    f"unknown -{group} option {key!r} (`witkit run -{group} help` lists them)"
                )
            try:
                found.append((option, parse_value(option, value, bool(eq))))
            except ValueError as err:
                raise UsageError(f"-{group} {item}: {err}") from None
    return found


def help_text(group: str, long: bool = False) -> str:
    """``-X help``: the keys as ``wasmtime run -X help`` lists them, with witkit's status."""
    rows = list(OPTIONS[group].values())
    specs = [f"{o.key}{_SHAPE_TEXT[o.shape]}" for o in rows]
    width = max(len(s) for s in specs)
    lines = [f"Available {_GROUP_NAMES[group]} options (wasmtime run's, as witkit takes them):", ""]
    for option, spec in zip(rows, specs, strict=True):
        status = "yes" if option.implemented else "accepted, no effect"
        text = f"  -{group} {spec:>{width}} -- {status}: {option.note}"
        lines.append(text)
    lines += [
        "",
        "yes: implemented by witkit. accepted, no effect: the command line works as it does for "
        "wasmtime, and a note on stderr says the key changed nothing.",
    ]
    if long:
        lines.append("Nothing is granted unless a key above says it grants it (see SECURITY.md).")
    return "\n".join(lines)
