"""What the WIT-text tests share: the oracle (``wasm-tools``), jco's WASI WIT, layouts.

The oracle is the ``wasm-tools`` CLI on ``PATH``; tests that need it are skipped
when it is missing.  WASI WIT comes from the jco package (``WITKIT_JCO``, the
fixture cache, or the ``/tmp/npmtest`` install used during development); it is
never copied into the repository: ``wasi_layout`` builds a directory of symlinks
(``package.wit`` plus ``deps/``) in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
FAIL = HERE / "fail"
WASM_TOOLS = shutil.which("wasm-tools")
_DEV_JCO = Path("/tmp/npmtest/node_modules/@bytecodealliance/jco")


def need_wasm_tools() -> str:
    if WASM_TOOLS is None:
        pytest.skip("wasm-tools is not installed")
    return WASM_TOOLS


def wasm_tools(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    tool = need_wasm_tools()
    return subprocess.run([tool, *map(str, args)], input=stdin, capture_output=True, check=False)


@cache
def jco_dir() -> Path | None:
    """The jco package directory, or None if it is not installed anywhere we know."""
    try:
        from tests.fixtures.build import FixtureBuildError
        from tests.fixtures.build import jco_dir as fixture_jco_dir

        try:
            return fixture_jco_dir()
        except FixtureBuildError:
            pass
    except ImportError:  # pragma: no cover - the fixture module is optional here
        pass
    env = os.environ.get("WITKIT_JCO")
    for candidate in [Path(env)] if env else [_DEV_JCO]:
        if (candidate / "package.json").is_file():
            return candidate
    return None


def wasi_root() -> Path:
    jco = jco_dir()
    if jco is None:
        pytest.skip("jco (and so WASI WIT) is not installed")
    return jco / "lib" / "wit" / "builtin"


def wasi_versions() -> list[str]:
    """The WASI versions jco ships (directories like ``0.2.12``), oldest first."""
    jco = jco_dir()
    if jco is None:
        return []
    root = jco / "lib" / "wit" / "builtin"
    versions = [p.name for p in root.iterdir() if p.is_dir() and p.name[0].isdigit()]
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def wasi_packages(version: str) -> list[Path]:
    root = wasi_root() / version
    return sorted(p for p in root.iterdir() if (p / "package.wit").is_file())


def wasi_layout(tmp: Path, version: str, package: str) -> Path:
    """A directory resolving ``package`` of WASI ``version`` with the others in ``deps/``.

    Every other package of the same version is a dependency (as wasm-tools would
    see them in a real project), so the resolve holds the whole version.
    """
    top = tmp / f"{version}-{package}"
    deps = top / "deps"
    deps.mkdir(parents=True)
    for pkg in wasi_packages(version):
        if pkg.name == package:
            (top / "package.wit").symlink_to(pkg / "package.wit")
        else:
            (deps / pkg.name).symlink_to(pkg, target_is_directory=True)
    return top


def normalise(text: str) -> str:
    """The text comparison rule: trailing whitespace of lines and of the text do not count."""
    return "\n".join(line.rstrip() for line in text.rstrip().split("\n"))
