"""Limits and signals reach a WASI 0.1 guest as they reach a component (SECURITY.md).

The preview1 host functions run inside the same store machinery (fuel, memory and
the ``-W timeout`` deadline are the store's), and ``poll_oneoff`` waits through the 0.2
clocks and ``witkit._signals``, so a guest asleep in the host is woken by the deadline
or by Ctrl-C at once.  (``wasmtime run`` sleeps a lone relative clock with
``thread::sleep`` and only traps when it returns: here witkit is stricter.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.wasi.test_differential import ROOT, TIMEOUT

SLEEP = Path(__file__).resolve().parent / "wat" / "sleep.wat"
ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")}


def test_timeout_ends_a_sleep_in_poll_oneoff() -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "witkit", "run", "-W", "timeout=500ms", str(SLEEP)],
        capture_output=True,
        timeout=TIMEOUT,
        env=ENV,
        check=False,
    )
    assert proc.returncode == 134, proc.stderr
    assert b"timeout" in proc.stderr
    assert time.monotonic() - started < 10


def test_ctrl_c_ends_a_sleep_in_poll_oneoff() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "witkit", "run", str(SLEEP)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    time.sleep(1.5)  # started and asleep
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, err
    assert err.decode().strip().endswith("witkit: interrupted")
