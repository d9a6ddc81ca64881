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
from typing import Literal

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


_NO_WASI = "a WASI proposal witkit does not host; a component importing it fails to link"
_ENGINE = "an engine setting witkit leaves at wasmtime's default"
_POOLING = "witkit does not use wasmtime's pooling allocator"
_PROPOSAL = "witkit's engine enables the proposals wasmtime enables by default"
_DEBUG = "debugging support witkit does not offer"

_TABLE: tuple[tuple[str, str, Shape, bool, str], ...] = (
    # -S: WASI
    ("S", "cli", "bool", True, "WASI CLI, filesystem, clocks, random, sockets: always on"),
    (
        "S",
        "cli-exit-with-code",
        "bool",
        True,
        "wasi:cli/exit.exit-with-code: always available, the code becomes the exit status",
    ),
    ("S", "common", "bool", True, "wasmtime's deprecated alias for cli: always on"),
    ("S", "nn", "bool", False, _NO_WASI),
    ("S", "threads", "bool", False, _NO_WASI),
    ("S", "http", "bool", False, "wasi:http imports are not hosted by witkit yet"),
    ("S", "http-outgoing-body-buffer-chunks", "number", False, "no wasi:http host"),
    ("S", "http-outgoing-body-chunk-size", "size", False, "no wasi:http host"),
    ("S", "config", "bool", False, _NO_WASI),
    ("S", "keyvalue", "bool", False, _NO_WASI),
    ("S", "listenfd", "bool", False, "wasmtime's legacy WASI 0.1 implementation only"),
    ("S", "tcplisten", "text", False, "wasmtime's legacy WASI 0.1 implementation only"),
    ("S", "tls", "bool", False, _NO_WASI),
    ("S", "preview2", "bool", False, "witkit has one WASI implementation"),
    ("S", "nn-graph", "text", False, _NO_WASI),
    (
        "S",
        "inherit-network",
        "bool",
        True,
        "grants sockets any address (WasiConfig.inherit_network); none without it",
    ),
    ("S", "allow-ip-name-lookup", "bool", True, "grants DNS lookups (default: no)"),
    (
        "S",
        "tcp",
        "bool",
        True,
        "allows TCP sockets (default: y, as wasmtime; no address without inherit-network)",
    ),
    (
        "S",
        "udp",
        "bool",
        True,
        "allows UDP sockets (default: y, as wasmtime; no address without inherit-network)",
    ),
    ("S", "network-error-code", "bool", False, "an unstable WASI API witkit does not host"),
    ("S", "preview0", "bool", False, "wasi_unstable modules are not run by witkit"),
    ("S", "inherit-env", "bool", True, "grants the whole host environment (default: none)"),
    ("S", "inherit-stdin", "bool", True, "the guest reads witkit's stdin (default: y; n: empty)"),
    (
        "S",
        "inherit-stdout",
        "bool",
        True,
        "the guest writes witkit's stdout (default: y; n: discarded)",
    ),
    (
        "S",
        "inherit-stderr",
        "bool",
        True,
        "the guest writes witkit's stderr (default: y; n: discarded)",
    ),
    ("S", "cwd", "text", True, "the initial working directory wasi:cli/environment reports"),
    ("S", "config-var", "text", False, _NO_WASI),
    ("S", "keyvalue-in-memory-data", "text", False, _NO_WASI),
    ("S", "p3", "bool", False, "WASI 0.3 is not hosted by witkit"),
    ("S", "max-resources", "number", False, "witkit's handle tables have their own limits"),
    ("S", "hostcall-fuel", "number", False, "witkit bounds host<->guest copies with -W max-copy"),
    ("S", "max-component-handles", "number", False, "witkit's handle tables have their own limits"),
    ("S", "max-random-size", "size", False, "witkit's random bytes are bounded by -W max-copy"),
    ("S", "max-http-fields-size", "size", False, "no wasi:http host"),
    # -W: wasm
    ("W", "nan-canonicalization", "bool", True, "canonicalizes NaNs (an engine setting)"),
    ("W", "fuel", "number", True, "stops the guest after N units of fuel"),
    ("W", "epoch-interruption", "bool", False, "witkit turns it on itself for -W timeout"),
    ("W", "max-wasm-stack", "size", True, "the guest's stack, in bytes (an engine setting)"),
    ("W", "async-stack-size", "size", False, "witkit runs guests synchronously"),
    ("W", "async-stack-zeroing", "bool", False, "witkit runs guests synchronously"),
    ("W", "unknown-exports-allow", "bool", False, "witkit ignores exports it does not need"),
    ("W", "unknown-imports-trap", "bool", False, "WASI 0.1 modules are not run by witkit"),
    ("W", "unknown-imports-default", "bool", False, "WASI 0.1 modules are not run by witkit"),
    ("W", "wmemcheck", "bool", False, _DEBUG),
    ("W", "max-memory-size", "size", True, "caps each linear memory, in bytes"),
    ("W", "max-table-elements", "number", False, "not enforced by witkit"),
    ("W", "max-instances", "number", False, "not enforced by witkit"),
    ("W", "max-tables", "number", False, "not enforced by witkit"),
    ("W", "max-memories", "number", False, "not enforced by witkit"),
    ("W", "trap-on-grow-failure", "bool", False, "memory.grow past a limit returns -1"),
    ("W", "timeout", "duration", True, "stops the guest after the duration (exit status 134)"),
    *(
        ("W", name, "bool", False, _PROPOSAL)
        for name in (
            "all-proposals",
            "bulk-memory",
            "multi-memory",
            "multi-value",
            "reference-types",
            "simd",
            "relaxed-simd",
            "relaxed-simd-deterministic",
            "tail-call",
            "threads",
            "shared-memory",
            "shared-everything-threads",
            "memory64",
            "component-model",
            "component-model-async",
            "component-model-more-async-builtins",
            "component-model-async-stackful",
            "component-model-threading",
            "component-model-error-context",
            "component-model-gc",
            "component-model-map",
            "component-model-memory64",
            "function-references",
            "stack-switching",
            "gc",
            "custom-page-sizes",
            "wide-arithmetic",
            "branch-hinting",
            "extended-const",
            "exceptions",
            "gc-support",
            "component-model-fixed-length-lists",
            "component-model-implements",
            "concurrency-support",
        )
    ),
    ("W", "max-copy", "size", True, "witkit's own: bytes one call may copy (default 320MiB)"),
    # -O: optimize
    ("O", "opt-level", "opt-level", True, "Cranelift's level: 0 none, 1 and 2 speed, s size"),
    ("O", "regalloc-algorithm", "regalloc", False, _ENGINE),
    ("O", "memory-may-move", "bool", False, _ENGINE),
    ("O", "memory-reservation", "size", False, _ENGINE),
    ("O", "memory-reservation-for-growth", "size", False, _ENGINE),
    ("O", "memory-guard-size", "size", False, _ENGINE),
    ("O", "gc-heap-may-move", "bool", False, _ENGINE),
    ("O", "gc-heap-reservation", "size", False, _ENGINE),
    ("O", "gc-heap-reservation-for-growth", "size", False, _ENGINE),
    ("O", "gc-heap-guard-size", "size", False, _ENGINE),
    ("O", "gc-heap-initial-size", "size", False, _ENGINE),
    ("O", "guard-before-linear-memory", "bool", False, _ENGINE),
    ("O", "table-lazy-init", "bool", False, _ENGINE),
    ("O", "pooling-allocator", "bool", False, _POOLING),
    *(
        ("O", f"pooling-{name}", "size", False, _POOLING)
        for name in (
            "decommit-batch-size",
            "memory-keep-resident",
            "table-keep-resident",
        )
    ),
    ("O", "pooling-memory-protection-keys", "bool-auto", False, _POOLING),
    ("O", "pooling-max-memory-protection-keys", "number", False, _POOLING),
    ("O", "memory-init-cow", "bool", False, _ENGINE),
    ("O", "memory-guaranteed-dense-image-size", "size", False, _ENGINE),
    *(
        ("O", f"pooling-{name}", "size", False, _POOLING)
        for name in (
            "total-core-instances",
            "total-component-instances",
            "total-memories",
            "total-tables",
            "total-stacks",
            "max-memory-size",
            "table-elements",
            "max-core-instance-size",
            "max-unused-warm-slots",
            "async-stack-keep-resident",
            "max-component-instance-size",
            "max-core-instances-per-component",
            "max-memories-per-component",
            "max-tables-per-component",
            "max-tables-per-module",
            "max-memories-per-module",
            "total-gc-heaps",
        )
    ),
    ("O", "signals-based-traps", "bool", False, _ENGINE),
    ("O", "dynamic-memory-guard-size", "size", False, "deprecated in wasmtime"),
    ("O", "static-memory-guard-size", "size", False, "deprecated in wasmtime"),
    ("O", "static-memory-forced", "bool", False, "deprecated in wasmtime"),
    ("O", "static-memory-maximum-size", "size", False, "deprecated in wasmtime"),
    ("O", "dynamic-memory-reserved-for-growth", "size", False, "deprecated in wasmtime"),
    ("O", "pooling-pagemap-scan", "bool-auto", False, _POOLING),
    ("O", "gc-zeal-alloc-counter", "number", False, "wasmtime's internal fuzzing aid"),
    # -D: debug
    ("D", "debug-info", "bool", False, _DEBUG),
    ("D", "guest-debug", "bool", False, _DEBUG),
    ("D", "address-map", "bool", False, "traps are mapped to wasm offsets anyway"),
    ("D", "logging", "bool", False, _DEBUG),
    ("D", "log-to-files", "bool", False, _DEBUG),
    ("D", "coredump", "text", False, "witkit writes no core dumps"),
    ("D", "debugger", "text", False, _DEBUG),
    ("D", "arg", "text", False, _DEBUG),
    ("D", "inherit-stdin", "bool", False, _DEBUG),
    ("D", "inherit-stdout", "bool", False, _DEBUG),
    ("D", "inherit-stderr", "bool", False, _DEBUG),
    ("D", "max-backtrace", "number", False, "witkit prints the backtrace the engine gives"),
    ("D", "symbols", "bool", False, "witkit does not read .cwasm files"),
)

#: ``group -> key -> Option``, in wasmtime's order
OPTIONS: dict[str, dict[str, Option]] = {}
for _row in _TABLE:
    OPTIONS.setdefault(_row[0], {})[_row[1]] = Option(*_row)
del _row

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
