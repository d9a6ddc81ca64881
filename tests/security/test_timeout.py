"""``-W timeout`` holds while the guest waits in a host call, not only while it computes.

Observed before, with ``timeout=1s``: ``sleep(30)`` ran 30.2 s, a blocking stdin
read 40 s, a 15 s ``subscribe-duration().block()`` 20 s (wasmtime: ~1.1 s each).
Each guest here must end in about a second with the same timeout trap a
CPU-bound guest gets (status 134, ``timeout after 1.0s (wasm trap: interrupt)``).
The bound is ``WITKIT_TIMEOUT_SLACK`` seconds past the timeout (default 1.5, for
a loaded CI machine; about 0.15 s is typical).
"""

from __future__ import annotations

import gc
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.signal_guest import CRASH_MARKS, WITKIT, child_env, signals_guest, warm
from witkit.errors import Trap
from witkit.runtime.core import CoreFuncType, Engine, Store
from witkit.wasi.clocks import SystemMonotonicClock, subscribe_duration
from witkit.wat import assemble

SLACK = float(os.environ.get("WITKIT_TIMEOUT_SLACK", "1.5"))
TIMEOUT_LINE = "witkit run: error: timeout after 1.0s (wasm trap: interrupt)\n"

#: (mode and arguments) -> what the guest would do without the timeout
BLOCKED = {
    ("sleep", "30"): "sleep(30)",
    ("read",): "read(0) on a pipe nobody writes to",
    ("poll", "15"): "poll() on stdin and a 15 s clock",
    ("block", "15"): "subscribe-duration(15 s).block()",
    ("cpu",): "a CPU loop (the reference)",
}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    environment = child_env(tmp_path_factory.mktemp("timeout-cache"))
    warm(environment)
    return environment


def _timed(env: dict[str, str], timeout: str, *mode: str) -> tuple[int, float, str, str]:
    stdin_r, stdin_w = os.pipe()
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [*WITKIT, "-W", f"timeout={timeout}", str(signals_guest()), *mode],
            env=env,
            stdin=stdin_r,
            capture_output=True,
            timeout=60,
            check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        os.close(stdin_r)
        os.close(stdin_w)
    return proc.returncode, elapsed, proc.stdout.decode(), proc.stderr.decode()


def test_timeout_ends_a_blocked_guest(env: dict[str, str]) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(
            zip(BLOCKED, pool.map(lambda m: _timed(env, "1s", *m), BLOCKED), strict=True)
        )
    failures = []
    for mode, (status, elapsed, _out, err) in results.items():
        if (
            status != 134
            or not err.startswith("go\n" + TIMEOUT_LINE)
            or any(mark in err for mark in CRASH_MARKS)
            or not 1.0 <= elapsed <= 1.0 + SLACK
        ):
            failures.append((BLOCKED[mode], status, round(elapsed, 2), err[-300:]))
    times = ", ".join(f"{BLOCKED[m]}: {r[1]:.2f} s" for m, r in results.items())
    print(times)
    assert not failures, f"{failures} ({times})"


def test_waits_shorter_than_the_timeout_finish(env: dict[str, str]) -> None:
    """The deadline only cuts waits that outlast it: sleep(1) under 5 s completes."""
    status, elapsed, out, err = _timed(env, "5s", "sleep", "1")
    assert (status, out, err) == (0, "done\n", "go\n")
    assert 1.0 <= elapsed < 5.0


# --------------------------------------------------------------------------- the Python API

BLOCK_WAT = """
(module
  (import "host" "wait" (func $wait))
  (func (export "go") (call $wait)))
"""


def _store_with_waiting_host(timeout: float, seconds: float) -> tuple[Store, object]:
    engine = Engine(epoch_interruption=True, cache=False)
    store = Store(engine, timeout=timeout)
    clock = SystemMonotonicClock()

    def wait() -> None:
        subscribe_duration(clock, int(seconds * 1e9)).block()

    func = store.host_func(CoreFuncType((), ()), wait, name="wait")
    instance = store.instantiate(engine.compile(assemble(BLOCK_WAT)), [func])
    return store, instance.func("go")


def test_a_host_wait_ends_at_the_store_deadline() -> None:
    store, go = _store_with_waiting_host(0.3, 15)
    store.set_timeout(0.3)  # from now
    started = time.monotonic()
    with pytest.raises(Trap) as info:
        go()  # type: ignore[operator]
    elapsed = time.monotonic() - started
    assert info.value.rule == "timeout"
    assert str(info.value).startswith("timeout after 0.3s (wasm trap: interrupt)")
    assert 0.3 <= elapsed < 0.3 + SLACK
    # a new deadline makes the store usable again; a short wait then completes
    store.set_timeout(5)
    _, short = _store_with_waiting_host(5, 0.05)
    short()  # type: ignore[operator]


def test_a_dead_stores_deadline_does_not_cut_other_waits() -> None:
    """The deadline belongs to its store: once that store is gone, waits are unbounded again."""
    store, _go = _store_with_waiting_host(0.05, 0)
    del store, _go
    gc.collect()
    time.sleep(0.1)  # past the dead store's deadline
    engine = Engine(cache=False)
    plain = Store(engine)
    clock = SystemMonotonicClock()
    hits = []

    def wait() -> None:
        subscribe_duration(clock, 50_000_000).block()
        hits.append(1)

    func = plain.host_func(CoreFuncType((), ()), wait, name="wait")
    plain.instantiate(engine.compile(assemble(BLOCK_WAT)), [func]).func("go")()
    assert hits == [1]
