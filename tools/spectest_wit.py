"""`witkit wit` against `wasm-tools component wit` on every component the spec tests define.

Usage::

    python tools/spectest_wit.py SPEC_TEST_DIR [-v]

``SPEC_TEST_DIR`` is the component-model repository's ``test/`` directory,
extracted from a checkout (the ``.wast`` files are never part of this repository).
``wasm-tools json-from-wast`` writes out the binary of every module of every
``.wast``; each binary that ``wasm-tools component wit`` accepts is decoded and
printed by witkit in the same process, and the texts are compared after stripping
trailing whitespace per line.  Binaries wasm-tools refuses to print are counted
apart: the claim is about what the reference prints.

Exit status: 0 when every printable component prints the same, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from witkit.errors import WitkitError
from witkit.wit.decode import decode_wasm
from witkit.wit.printer import print_resolve


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _binaries(wast: Path, out: Path) -> list[Path]:
    """The component binaries of a wast file (text-form modules and quoted ones are skipped)."""
    listing = out / (wast.stem + ".json")
    done = subprocess.run(
        ["wasm-tools", "json-from-wast", str(wast), "-o", str(listing), "--wasm-dir", str(out)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return []
    found = []
    for command in json.loads(listing.read_text())["commands"]:
        name = command.get("filename")
        if name and name.endswith(".wasm"):
            path = out / name
            data = path.read_bytes()
            if data[4:8] != b"\x01\x00\x00\x00":  # layer 1: a component
                found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("spec_test_dir", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    same = differ = unprintable = 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for wast in sorted(args.spec_test_dir.rglob("*.wast")):
            out = Path(tmp) / wast.relative_to(args.spec_test_dir).with_suffix("")
            out.mkdir(parents=True, exist_ok=True)
            for binary in _binaries(wast, out):
                theirs = subprocess.run(
                    ["wasm-tools", "component", "wit", str(binary)], capture_output=True, text=True
                )
                if theirs.returncode != 0:
                    unprintable += 1
                    continue
                try:
                    decoded = decode_wasm(binary.read_bytes())
                    ours = print_resolve(decoded.resolve, decoded.package)
                except WitkitError as err:
                    ours = f"<witkit error: {err}>"
                if _normalise(ours) == _normalise(theirs.stdout):
                    same += 1
                else:
                    differ += 1
                    failures.append(f"{wast.relative_to(args.spec_test_dir)}: {binary.name}")
                    if args.verbose:
                        print(f"--- {binary}\n{ours}\n+++ wasm-tools\n{theirs.stdout}")
    for failure in failures:
        print(f"DIFFERS {failure}")
    total = same + differ
    print(f"{same} of {total} printable components identical; {differ} differ; ")
    print(f"{unprintable} components wasm-tools itself does not print")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
