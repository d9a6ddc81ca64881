"""Random WIT (``generate.wit_packages``) through wasm-tools and back through witkit.

For each drawn package: the dummy component of its world, the core module with
the world embedded, and the package's own binary encoding are each decoded by
witkit and must print byte-identically to ``wasm-tools component wit`` and
give equal ``--json``.  ``WITKIT_GENERATED_EXAMPLES`` raises the number of
draws (default 25, which keeps the suite quick).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings

from tests.wit_decode.generate import wit_packages
from tests.wit_decode.oracle import run_wasm_tools, strip_lines
from witkit.wit.decode import decode_wasm
from witkit.wit.json import resolve_to_dict
from witkit.wit.printer import print_resolve

EXAMPLES = int(os.environ.get("WITKIT_GENERATED_EXAMPLES", "25"))


def _same_as_oracle(path: Path) -> None:
    text = run_wasm_tools("component", "wit", path)
    assert text.returncode == 0, text.stderr.decode()
    expected_json = json.loads(run_wasm_tools("component", "wit", "--json", path).stdout)
    decoded = decode_wasm(path.read_bytes())
    ours = print_resolve(decoded.resolve, decoded.package)
    assert strip_lines(ours) == strip_lines(text.stdout.decode())
    assert resolve_to_dict(decoded.resolve) == expected_json


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(wit_packages())
def test_generated_wit_round_trips(wit: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "gen.wit"
        src.write_text(wit)
        core, component, package = (Path(tmp) / n for n in ("core.wasm", "c.wasm", "pkg.wasm"))
        embedded = run_wasm_tools("component", "embed", "--dummy", src, "--world", "w", "-o", core)
        assume(embedded.returncode == 0)  # the generator can draw WIT wasm-tools refuses
        assert run_wasm_tools("component", "new", core, "-o", component).returncode == 0
        assert run_wasm_tools("component", "wit", "--wasm", src, "-o", package).returncode == 0
        for path in (component, core, package):
            _same_as_oracle(path)
