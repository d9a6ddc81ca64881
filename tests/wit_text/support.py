"""What the WIT-text tests share: the oracle (``wasm-tools``), jco's WASI WIT, layouts.

The oracle is the ``wasm-tools`` CLI on ``PATH``; WASI WIT comes from the jco
package where the fixture builder finds it (``WITKIT_JCO`` or the fixture cache).
Both are test dependencies (``.ci/install``): missing, the tests that need them
fail rather than skip.  The WIT is never copied into the repository:
``wasi_layout`` builds a directory of symlinks (``package.wit`` plus ``deps/``)
in a temporary directory.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from tests.fixtures.build import jco_dir as fixture_jco_dir

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
FAIL = HERE / "fail"
WASM_TOOLS = shutil.which("wasm-tools")


def need_wasm_tools() -> str:
    assert WASM_TOOLS is not None, "wasm-tools is not installed: run `bash .ci/install`"
    return WASM_TOOLS


def wasm_tools(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    tool = need_wasm_tools()
    return subprocess.run([tool, *map(str, args)], input=stdin, capture_output=True, check=False)


@cache
def jco_dir() -> Path:
    """The jco package directory, where the fixture builder finds it (missing, it raises)."""
    return fixture_jco_dir()


def wasi_root() -> Path:
    return jco_dir() / "lib" / "wit" / "builtin"


def wasi_versions() -> list[str]:
    """The WASI versions jco ships (directories like ``0.2.12``), oldest first."""
    root = wasi_root()
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
