"""Differential test of witkit's reader+validator against ``wasm-tools validate`` on the spec tests.

Usage::

    python tools/spectest_validate.py SPEC_TEST_DIR [--features default|spec|all] [-v]

``SPEC_TEST_DIR`` is the component-model repository's ``test/`` directory (extract
it from a checkout; the ``.wast`` files are never part of this repository).  For
every ``.wast`` under it, ``wasm-tools json-from-wast`` writes out the binary of
every module; each binary is then given to both ``wasm-tools validate`` and
witkit (``read`` + ``validate``) with the same features, and the verdicts are
compared.  The summary counts, per kind of wast command, how often the two
agree, and lists every disagreement with both messages.

Also reported: whether wasm-tools' verdict is what the wast expects (a
``module`` is valid, an ``assert_invalid``/``assert_malformed`` is not), so a
disagreement can be told apart from a wast test that wasm-tools itself fails.
Exit status: 0 if there is no disagreement, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from witkit.binary import CoreValidator, Features, ir, read, validate
from witkit.errors import BinaryError

#: witkit feature field -> wasm-tools feature name
_FEATURE_NAMES = {
    "cm_async": "cm-async",
    "cm_async_stackful": "cm-async-stackful",
    "cm_more_async_builtins": "cm-more-async-builtins",
    "cm_threading": "cm-threading",
    "cm_error_context": "cm-error-context",
    "cm_fixed_length_lists": "cm-fixed-length-lists",
    "cm_map": "cm-map",
    "cm_values": "cm-values",
    "cm_nested_names": "cm-nested-names",
    "cm_gc": "cm-gc",
    "cm64": "cm64",
    "cm_implements": "cm-implements",
    "cm_canon_names": "cm-canon-names",
    "exceptions": "exceptions",
    "shared_everything_threads": "shared-everything-threads",
}

#: wast commands whose module must be valid / must be rejected
_VALID = {"module", "module_definition", "assert_unlinkable", "assert_uninstantiable"}
_INVALID = {"assert_invalid", "assert_malformed"}


@dataclass
class Case:
    wast: str
    line: int
    command: str
    path: Path
    expected_text: str


@dataclass
class Verdict:
    ok: bool
    message: str


def features_for(mode: str) -> tuple[Features, list[str]]:
    """witkit ``Features`` and the matching ``wasm-tools --features`` argument."""
    if mode == "default":
        return Features(), []
    features = Features.spec_tests() if mode == "spec" else Features.all()
    # the rule-book switches (name uniqueness, the `cancel?` byte) have no wasm-tools
    # flag: the comparison is with wasm-tools, so they keep wasm-tools' setting
    features = replace(
        features,
        hyphen_insensitive_names=Features().hyphen_insensitive_names,
        legacy_cancellable=Features().legacy_cancellable,
    )
    default = Features()
    flags = []
    for f in fields(Features):
        value = getattr(features, f.name)
        if value != getattr(default, f.name):
            flags.append(("" if value else "-") + _FEATURE_NAMES[f.name])
    return features, ["--features", ",".join(flags)] if flags else []


def collect(spec_dir: Path, work: Path) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    skipped: list[str] = []
    for n, wast in enumerate(sorted(spec_dir.rglob("*.wast"))):
        out = work / f"w{n}"
        out.mkdir()
        rel = str(wast.relative_to(spec_dir))
        proc = subprocess.run(
            [
                "wasm-tools",
                "json-from-wast",
                str(wast),
                "-o",
                str(out / "x.json"),
                "--wasm-dir",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            skipped.append(f"{rel}: json-from-wast failed: {proc.stderr.strip().splitlines()[0]}")
            continue
        data = json.loads((out / "x.json").read_text())
        for cmd in data["commands"]:
            filename = cmd.get("filename")
            if not filename or cmd.get("module_type", "binary") != "binary":
                continue
            cases.append(Case(rel, cmd["line"], cmd["type"], out / filename, cmd.get("text", "")))
    return cases, skipped


def wasm_tools_verdict(path: Path, flags: list[str]) -> Verdict:
    proc = subprocess.run(
        ["wasm-tools", "validate", *flags, str(path)], capture_output=True, text=True, check=False
    )
    return Verdict(proc.returncode == 0, proc.stderr.strip())


def core_validator() -> CoreValidator | None:
    """wasmtime's core validator, if the package is installed (it validates function bodies)."""
    try:
        import wasmtime
    except ImportError:
        return None
    config = wasmtime.Config()
    engine = wasmtime.Engine(config)

    def check(module: memoryview) -> None:
        wasmtime.Module.validate(engine, bytes(module))

    return check


def witkit_verdict(path: Path, features: Features, core: CoreValidator | None) -> Verdict:
    data = path.read_bytes()
    try:
        decoded = read(data)
        if isinstance(decoded, ir.Component):
            validate(decoded, features, core_validator=core)
    except BinaryError as exc:
        return Verdict(False, str(exc))
    except Exception as exc:  # a crash is a bug, and a disagreement
        return Verdict(False, f"CRASH {type(exc).__name__}: {exc}")
    return Verdict(True, "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec_dir", type=Path, help="the component-model repository's test/ dir")
    parser.add_argument("--features", choices=("default", "spec", "all"), default="spec")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case")
    parser.add_argument(
        "--no-core-validator",
        action="store_true",
        help="do not validate core function bodies with wasmtime (witkit alone does not)",
    )
    args = parser.parse_args(argv)
    features, flags = features_for(args.features)
    core = None if args.no_core_validator else core_validator()

    with tempfile.TemporaryDirectory() as tmp:
        cases, skipped = collect(args.spec_dir, Path(tmp))
        agree = 0
        disagreements: list[tuple[Case, Verdict, Verdict]] = []
        crashes = 0
        unexpected = 0
        by_kind: dict[str, list[int]] = {}
        for case in cases:
            reference = wasm_tools_verdict(case.path, flags)
            ours = witkit_verdict(case.path, features, core)
            if ours.message.startswith("CRASH"):
                crashes += 1
            expected_ok = case.command in _VALID
            if case.command in _VALID | _INVALID and reference.ok != expected_ok:
                unexpected += 1
            counts = by_kind.setdefault(case.command, [0, 0])
            if reference.ok == ours.ok:
                agree += 1
                counts[0] += 1
            else:
                counts[1] += 1
                disagreements.append((case, reference, ours))
            if args.verbose:
                mark = "agree" if reference.ok == ours.ok else "DISAGREE"
                print(f"{mark}: {case.wast}:{case.line} {case.command}")

    print(f"features: {args.features} (wasm-tools {' '.join(flags) or '(defaults)'})")
    print(f"core function bodies: {'wasmtime' if core else 'not validated'}")
    for line in skipped:
        print(f"skipped {line}")
    print(
        f"{len(cases)} binaries: {agree} agree, {len(disagreements)} disagree ({crashes} crashes)"
    )
    for kind, (ok, bad) in sorted(by_kind.items()):
        print(f"  {kind:22} agree {ok:4}  disagree {bad:4}")
    print(f"  (wasm-tools itself differs from the wast's expectation on {unexpected})")
    for case, reference, ours in disagreements:
        print(f"\nDISAGREE {case.wast}:{case.line} ({case.command})")
        print(f"  wasm-tools: {'valid' if reference.ok else 'invalid: ' + reference.message}")
        print(f"  witkit:     {'valid' if ours.ok else 'invalid: ' + ours.message}")
    return 0 if not disagreements else 1


if __name__ == "__main__":
    sys.exit(main())
