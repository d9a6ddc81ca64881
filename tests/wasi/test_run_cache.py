"""``witkit run`` and the compile cache: compile once, load afterwards, show progress on a tty only.

Each test gets its own cache directory (``WITKIT_CACHE_DIR``), so "first run"
means a real compilation.  The big case is the 18 MB componentize-py command,
whose first run compiles for seconds: on a terminal it must show a progress
line on stderr, and a second run must load everything from the cache (no new
files, no progress line).  Through a pipe, stderr must stay exactly the guest's.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

from tests.wasi.test_differential import ROOT, TIMEOUT

COMPILE_TIMEOUT = 600  # the first compile of 18 MB on a loaded 2-core machine


def env_for(cache: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "WITKIT_CACHE_DIR": str(cache),
    }


def cached_files(cache: Path) -> dict[str, int]:
    core = cache / "core"
    return {p.name: p.stat().st_mtime_ns for p in core.iterdir()} if core.is_dir() else {}


def run_with_tty_stderr(argv: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal (read concurrently so the child never blocks)."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            timeout=COMPILE_TIMEOUT,
            check=False,
        )
    finally:
        os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, proc.stdout, b"".join(chunks)


def test_first_run_compiles_with_progress_then_loads_from_cache(tmp_path: Path) -> None:
    from tests.fixtures.build import build

    component = str(build("py_hello"))
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "witkit", "run", component]

    status, out, err = run_with_tty_stderr(argv, env_for(cache))
    assert (status, out) == (0, b"Hello from Python!\nargs: []\n"), err
    assert b"witkit: compiling py_hello" in err
    assert err.endswith(b"\r\x1b[Kto stderr\r\n")  # the line is erased before the guest writes
    first = cached_files(cache)
    assert first, "nothing was stored in the cache"

    status, out, err = run_with_tty_stderr(argv, env_for(cache))
    assert (status, out, err) == (0, b"Hello from Python!\nargs: []\n", b"to stderr\r\n")
    assert cached_files(cache) == first  # everything loaded, nothing recompiled


def test_pipe_gets_no_progress_and_no_cache_stores_nothing(tmp_path: Path) -> None:
    from tests.fixtures.build import build

    component = str(build("c_cpu_loop"))
    cache = tmp_path / "cache"
    base = [sys.executable, "-m", "witkit", "run"]

    proc = subprocess.run(
        [*base, "--no-cache", component, "1000", "1"],
        capture_output=True,
        env=env_for(cache),
        timeout=TIMEOUT,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert cached_files(cache) == {}

    proc = subprocess.run(
        [*base, component, "1000", "1"],
        capture_output=True,
        env=env_for(cache),
        timeout=TIMEOUT,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.startswith(b"primes below 1000: 168\n")
    assert cached_files(cache)


def test_help_names_the_cache_location() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "witkit", "run", "--help"],
        capture_output=True,
        env=env_for(Path("/nonexistent")),
        timeout=TIMEOUT,
        check=True,
    )
    text = proc.stdout.decode()
    assert "--no-cache" in text
    assert "$WITKIT_CACHE_DIR, else $XDG_CACHE_HOME/witkit, else ~/.cache/witkit" in text
