"""Inputs for the differential tests, and the oracle (``wasm-tools``) to compare against.

Every input is built at test time into the git-ignored cache
``.witkit-test-cache/wit_decode/`` (keyed by the sources and the wasm-tools
version), never committed:

* **WIT cases** (``cases/*.wit`` and ``cases/<dir>/`` with ``deps/``): printed
  as text, encoded as WIT-package binaries (``component wit --wasm``), and
  turned into a core module per world with the world embedded
  (``component embed --dummy``) and the component made of it (``component new``).
* **WAT cases** (``cases/*.wat``, and ``cases/fail/*.wat`` which the oracle
  rejects): assembled with ``wasm-tools parse``.
* **WASI worlds** from the WIT jco ships (when jco is installed): dummy
  components of ``wasi:cli/command``, ``wasi:http/proxy`` and friends, and the
  WASI packages as WIT-package binaries.
* **The project corpus** (``tests.fixtures.build.corpus``) when it exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from witkit.wit.printer import escape_name

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
CACHE = ROOT / ".witkit-test-cache" / "wit_decode"

WASM_TOOLS = shutil.which("wasm-tools") or "wasm-tools"


@dataclass(frozen=True)
class Oracle:
    """What ``wasm-tools component wit`` says about an input: text and JSON, or an error."""

    text: str | None
    json: Any
    error: str | None
    json_text: str = ""


def run_wasm_tools(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([WASM_TOOLS, *map(str, args)], capture_output=True, check=False)


def wasm_tools_ok(*args: str | Path) -> bytes:
    result = run_wasm_tools(*args)
    if result.returncode != 0:
        raise RuntimeError(f"wasm-tools {args} failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


@cache
def wasm_tools_version() -> str:
    return wasm_tools_ok("--version").decode().strip()


@cache
def oracle(path: Path, *flags: str) -> Oracle:
    """``wasm-tools component wit`` (text and ``--json``) of ``path``, cached beside it."""
    text = run_wasm_tools("component", "wit", *flags, path)
    if text.returncode != 0:
        return Oracle(None, None, text.stderr.decode(errors="replace"))
    js = wasm_tools_ok("component", "wit", "--json", *flags, path)
    return Oracle(text.stdout.decode(), json.loads(js), None, js.decode())


def strip_lines(text: str) -> str:
    """The comparison rule: trailing whitespace per line does not count."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


# --------------------------------------------------------------------------- cache


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _tree_digest(path: Path) -> str:
    if path.is_file():
        return _digest(path.name, path.read_bytes())
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return _digest(*(f"{p.relative_to(path)}" for p in files), *(p.read_bytes() for p in files))


def _cached(key: str, name: str, build: Any) -> Path:
    """``CACHE/<key>/<name>``, built by ``build(out_path)`` if missing."""
    out = CACHE / key / name
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        build(tmp)
        tmp.replace(out)
    return out


# --------------------------------------------------------------------------- WIT sources


@dataclass(frozen=True)
class WitSource:
    """A WIT file or directory (with ``deps/``) and the flags it needs."""

    name: str
    path: Path
    flags: tuple[str, ...] = ("--all-features",)


def _main_worlds(src: WitSource) -> list[str]:
    """The worlds of the main package (the last one wasm-tools resolves)."""
    doc = json.loads(wasm_tools_ok("component", "wit", "--json", *src.flags, src.path))
    return list(doc["packages"][-1]["worlds"])


def wit_sources() -> list[WitSource]:
    sources = [
        WitSource(p.stem if p.is_file() else p.name, p)
        for p in sorted(CASES.iterdir())
        if p.suffix == ".wit" or (p.is_dir() and p.name != "fail")
    ]
    sources.extend(wasi_sources())
    return sources


def package_binary(src: WitSource) -> Path:
    """``component wit --wasm`` of a WIT source: the WIT-package encoding."""
    key = _digest(wasm_tools_version(), _tree_digest(src.path), *src.flags)
    return _cached(
        key,
        f"{src.name}.pkg.wasm",
        lambda out: wasm_tools_ok("component", "wit", "--wasm", *src.flags, src.path, "-o", out),
    )


def dummy_module(src: WitSource, world: str) -> Path:
    """A core module with dummy bodies and ``world`` embedded in a ``component-type`` section."""
    key = _digest(wasm_tools_version(), _tree_digest(src.path), *src.flags, world)
    embed = ["component", "embed", "--dummy", *src.flags, src.path, "--world", escape_name(world)]
    return _cached(
        key, f"{src.name}.{world}.core.wasm", lambda out: wasm_tools_ok(*embed, "-o", out)
    )


def dummy_component(src: WitSource, world: str) -> Path:
    """A component of ``world`` with dummy bodies: its imports and exports are the world's."""
    key = _digest(wasm_tools_version(), _tree_digest(src.path), *src.flags, world)
    core = dummy_module(src, world)
    return _cached(
        key,
        f"{src.name}.{world}.wasm",
        lambda out: wasm_tools_ok("component", "new", core, "-o", out),
    )


# --------------------------------------------------------------------------- WASI (from jco)


def jco_wit_dir() -> Path:
    """The WASI WIT jco ships, where the fixture builder finds jco (missing, it raises)."""
    from tests.fixtures.build import jco_dir

    return jco_dir() / "lib" / "wit" / "builtin"


#: worlds assembled from WASI packages: (name, WASI version, world body)
WASI_WORLDS = (
    ("wasi-command", "0.2.12", "include wasi:cli/command@0.2.12;"),
    ("wasi-proxy", "0.2.12", "include wasi:http/proxy@0.2.12;"),
    (
        "wasi-everything",
        "0.2.12",
        "include wasi:cli/command@0.2.12;\n  include wasi:http/proxy@0.2.12;\n"
        "  import wasi:filesystem/preopens@0.2.12;\n  import wasi:sockets/tcp-create-socket@0.2.12;\n"
        "  import wasi:sockets/udp-create-socket@0.2.12;\n"
        "  import wasi:sockets/ip-name-lookup@0.2.12;\n"
        "  export run2: func() -> result;",
    ),
    ("wasi-p3-command", "0.3.0", "include wasi:cli/command@0.3.0;"),
    (
        "wasi-p3-proxy",
        "0.3.0",
        "include wasi:http/service@0.3.0;\n  include wasi:http/middleware@0.3.0;",
    ),
)


def _wasi_dir(version: str, name: str, body: str) -> Path:
    builtin = jco_wit_dir()
    key = _digest(_tree_digest(builtin / version), name, body)
    root = CACHE / key / name
    if not (root / "world.wit").exists():
        deps = root / "deps"
        deps.mkdir(parents=True, exist_ok=True)
        for pkg in sorted((builtin / version).iterdir()):
            if pkg.is_dir() and not (deps / pkg.name).exists():
                shutil.copytree(pkg, deps / pkg.name)
        (root / "world.wit").write_text(
            f"package witkit:{name};\n\nworld {name} {{\n  {body}\n}}\n"
        )
    return root


def wasi_sources() -> list[WitSource]:
    sources = []
    for name, version, body in WASI_WORLDS:
        root = _wasi_dir(version, name, body)
        # the pinned jco carries every world asked for: one it lacks is a failure, not a drop
        checked = run_wasm_tools("component", "wit", root)
        assert checked.returncode == 0, f"{name} (WASI {version}): {checked.stderr}"
        sources.append(WitSource(name, root, ()))
    return sources


# --------------------------------------------------------------------------- all binaries


@cache
def binaries() -> dict[str, Path]:
    """Every binary input built here, by a readable name: WAT cases, dummy components, WIT packages."""
    out: dict[str, Path] = {}
    for wat in sorted(CASES.glob("*.wat")) + sorted((CASES / "fail").glob("*.wat")):
        key = _digest(wasm_tools_version(), wat.read_bytes())
        prefix = "fail-" if wat.parent.name == "fail" else ""
        out[f"wat:{prefix}{wat.stem}"] = _cached(
            key, f"{wat.stem}.wasm", lambda o, w=wat: wasm_tools_ok("parse", w, "-o", o)
        )
    for src in wit_sources():
        out[f"pkg:{src.name}"] = package_binary(src)
        for world in _main_worlds(src):
            out[f"component:{src.name}:{world}"] = dummy_component(src, world)
            out[f"module:{src.name}:{world}"] = dummy_module(src, world)
    return out


def corpus_names() -> list[str]:
    """The project's real-world corpus (C, Python, JS, WAT guests)."""
    from tests.fixtures.build import FIXTURES

    return [f"corpus:{name}" for name in FIXTURES]


def input_names() -> list[str]:
    return sorted(binaries()) + corpus_names()


def input_path(name: str) -> Path:
    """The binary called ``name``; corpus fixtures are built on first use (slow: minutes)."""
    if name.startswith("corpus:"):
        from tests.fixtures.build import build

        return build(name.removeprefix("corpus:"))
    return binaries()[name]
