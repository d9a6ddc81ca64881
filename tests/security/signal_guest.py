"""The guest the signal and timeout tests stop, and a way to run it under ``witkit run``.

``tests/fixtures/c/signals.c`` (modes: cpu, hostcalls, sleep, read, poll, block,
write; "go" on stderr once the mode starts), built by the fixtures machinery
into the git-ignored cache.  Its WIT adds ``wasi:clocks/monotonic-clock`` and
``wasi:io/poll`` so the guest can call ``subscribe-duration`` and
``pollable.block`` itself, beside what the preview1 adapter imports.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path

from tests.fixtures.build import Fixture, build_fixture

#: the start-up signals' launcher: ``python -m witkit`` (the console script's path)
WITKIT = [sys.executable, "-m", "witkit", "run"]

#: what must never be in witkit's stderr, whatever a signal interrupted
CRASH_MARKS = (
    "Traceback",
    "Exception ignored",
    "double free",
    "free():",
    "corrupted",
    "Fatal Python error",
    "Segmentation fault",
)


@cache
def signals_guest() -> Path:
    return build_fixture(
        Fixture(
            "c_signals",
            "c",
            ("c/signals.c", "c/signals.wit"),
            "command to stop: CPU loop, host-call loop, sleep, stdin read, poll, block, write",
            world="signals",
        )
    )


def scale(default: int) -> int:
    """``default`` times ``WITKIT_SECURITY_SCALE`` (1 unless set): bigger runs on demand."""
    return max(1, int(default * float(os.environ.get("WITKIT_SECURITY_SCALE", "1"))))


def warm(env: dict[str, str]) -> None:
    """One unmeasured run, so the compile cache holds the guest before anything is timed."""
    subprocess.run(
        [*WITKIT, str(signals_guest()), "nosuchmode"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=120,
    )


def default_sigint() -> None:
    """``preexec_fn`` of a child that is sent SIGINT: start it with SIGINT at its default.

    A shell starts a background job (``( pytest ... ) &``) with SIGINT ignored and
    its children inherit that; witkit then leaves SIGINT ignored, as wasmtime and
    Python do (``test_an_inherited_ignored_sigint_stays_ignored``), so a test that
    means to interrupt a child must not depend on how pytest itself was started.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["WITKIT_CACHE_DIR"] = str(cache_dir)
    return env
