"""witkit and ``wasm-tools validate`` must agree on every component we can make.

Sources: the fixture corpus (C, componentize-py, jco and WAT components), the
hand-written texts of ``corpus_wat`` (every one must assemble), the WIT-package
binaries ``wasm-tools`` writes for the WIT decoding cases, and seeded
single-byte mutations of the texts and the small corpus components.  The
component-model spec's own tests are compared by ``tools/spectest_validate.py``
(the spec is not in this repository or in CI).  Core function bodies are
validated through wasmtime's core validator hook, since witkit does not parse code.
"""

from __future__ import annotations

import concurrent.futures
import random
import subprocess
import tempfile
from pathlib import Path

import wasmtime

from tests.binary.corpus_wat import TEXTS
from tests.binary.helpers import wasm_tools, wat
from witkit.binary import ir, read, validate
from witkit.errors import BinaryError

TOOL = wasm_tools()
MUTANTS = 400

_ENGINE = wasmtime.Engine()
WIT_CASES = Path(__file__).resolve().parents[1] / "wit_decode" / "cases"


def _core(module: memoryview) -> None:
    wasmtime.Module.validate(_ENGINE, bytes(module))


def reference(data: bytes) -> tuple[bool, str]:
    assert TOOL is not None
    with tempfile.NamedTemporaryFile(suffix=".wasm") as f:
        f.write(data)
        f.flush()
        proc = subprocess.run(
            [TOOL, "validate", f.name], capture_output=True, text=True, check=False
        )
    return proc.returncode == 0, proc.stderr.strip()


def ours(data: bytes) -> tuple[bool, str]:
    try:
        decoded = read(data)
        if isinstance(decoded, ir.Component):
            validate(decoded, core_validator=_core)
    except BinaryError as exc:
        return False, str(exc)
    return True, ""


def _compare(cases: list[tuple[str, bytes]]) -> list[str]:
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        refs = list(pool.map(lambda c: reference(c[1]), cases))
    problems = []
    for (label, data), (ok, message) in zip(cases, refs, strict=True):
        mine, my_message = ours(data)
        if mine != ok:
            problems.append(
                f"{label}: wasm-tools {'accepts' if ok else 'rejects: ' + message}; "
                f"witkit {'accepts' if mine else 'rejects: ' + my_message}"
            )
    return problems


def _text_cases() -> list[tuple[str, bytes]]:
    """Every hand-written text, assembled.  A text the pinned ``wasm-tools`` cannot
    parse fails the test that asked for it, so a syntax change in the oracle shows up
    as a failure rather than as a silently smaller corpus."""
    cases, unassembled = [], []
    for i, text in enumerate(TEXTS):
        try:
            cases.append((f"text {i}", wat(text)))
        except ValueError as exc:
            unassembled.append(f"text {i}: {exc}")
    assert unassembled == [], "\n".join(unassembled)
    return cases


def test_hand_written_components() -> None:
    cases = _text_cases()
    assert len(cases) == len(TEXTS) > 200
    assert _compare(cases) == []


def test_corpus(corpus: dict[str, Path]) -> None:
    cases = [(name, path.read_bytes()) for name, path in sorted(corpus.items())]
    assert _compare(cases) == []


def test_wasm_tools_is_installed() -> None:
    """The oracle is a test dependency (.ci/install installs it): missing, the tests fail."""
    assert TOOL is not None


def test_wit_package_binaries(tmp_path: Path) -> None:
    """WIT package binaries, as `wasm-tools component wit --wasm` writes them for the WIT cases
    (with every feature gate open, as the WIT oracle reads them; a case it cannot write fails)."""
    cases = []
    for wit in sorted(WIT_CASES.glob("*.wit")):
        out = tmp_path / (wit.stem + ".wasm")
        command = [TOOL or "wasm-tools", "component", "wit", "--all-features", "--wasm"]
        made = subprocess.run(
            [*command, "-o", str(out), str(wit)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, f"{wit.name}: {made.stderr}"
        cases.append((wit.name, out.read_bytes()))
    assert len(cases) >= 7
    assert _compare(cases) == []


def test_mutations(corpus: dict[str, Path]) -> None:
    seeds = [data for _, data in _text_cases()]
    seeds += [p.read_bytes() for p in corpus.values() if p.stat().st_size < 200_000]
    rng = random.Random(20260821)
    cases: list[tuple[str, bytes]] = []
    for i in range(MUTANTS):
        data = bytearray(rng.choice(seeds))
        pos = rng.randrange(8, max(9, len(data)))
        if pos >= len(data):
            data.append(rng.randrange(256))
        elif rng.random() < 0.5:
            data[pos] = (data[pos] + rng.choice((-1, 1, 2))) % 256
        elif rng.random() < 0.5:
            data[pos] = rng.randrange(256)
        else:
            del data[pos]
        cases.append((f"mutant {i}", bytes(data)))
    assert _compare(cases) == []
