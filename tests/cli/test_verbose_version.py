"""``witkit --version`` and ``-v``/``WITKIT_LOG``: what witkit does, on stderr, only when asked."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.wat"


def witkit(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={**os.environ, "WITKIT_CACHE_DIR": str(root), "PYTHONPATH": str(ROOT / "src"), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_version_names_the_engine_and_python(tmp_path: Path) -> None:
    done = witkit(tmp_path, "-m", "witkit", "--version")
    assert done.returncode == 0
    engine = metadata.version("wasmtime")
    assert re.fullmatch(
        rf"witkit \S+ \(wasmtime {re.escape(engine)} engine, \w+ {platform.python_version()}\)\n",
        done.stdout,
    ), done.stdout


def test_verbose_logs_cache_compile_link_and_instantiate(tmp_path: Path) -> None:
    cold = witkit(tmp_path, "-m", "witkit", "run", "-vv", str(HELLO))
    assert cold.returncode == 0 and cold.stdout == "Hello, world!\n"
    lines = cold.stderr.splitlines()
    assert "witkit.cache: hello.wat: prepared entry" in lines[0] and lines[0].endswith(" miss")
    assert any(re.fullmatch(r"witkit.compile: module .* compiled in [\d.]+ ms", x) for x in lines)
    assert any(re.fullmatch(r"witkit.cache: module .*: miss [0-9a-f]{12}", x) for x in lines)
    assert "witkit.link: import `wasi:cli/stdout@0.2.0` <- defined" in cold.stderr
    assert re.search(
        r"witkit.instantiate: hello.wat: linked and instantiated in [\d.]+ ms", cold.stderr
    )

    warm = witkit(tmp_path, "-m", "witkit", "-v", "run", str(HELLO))
    assert warm.stderr.splitlines()[0].endswith(" hit"), warm.stderr
    assert "witkit.link" not in warm.stderr  # debug only
    env = witkit(tmp_path, "-m", "witkit", "run", str(HELLO), WITKIT_LOG="debug")
    assert "witkit.link: import" in env.stderr and "witkit.cache: module" in env.stderr
    quiet = witkit(tmp_path, "-m", "witkit", "run", str(HELLO))
    assert (quiet.stdout, quiet.stderr) == ("Hello, world!\n", "")


def test_logging_is_not_imported_unless_asked(tmp_path: Path) -> None:
    probe = (
        f"import sys; sys.argv = ['witkit', 'run', {str(HELLO)!r}]\n"
        "import witkit.cli.main as m\n"
        "status = m.main()\n"
        "print('logging' in sys.modules, status, file=sys.stderr)\n"
    )
    for _ in range(2):  # cold, then warm
        done = witkit(tmp_path, "-c", probe)
        assert done.stderr.strip() == "False 0", done.stderr
    done = witkit(tmp_path, "-c", probe, WITKIT_LOG="info")
    assert done.stderr.strip().endswith("True 0"), done.stderr
