"""Ctrl-C, SIGTERM and deadlines: how they reach a guest that runs or waits.

A guest runs in two places a Python exception must not simply appear in: wasm
(C code, GIL released, where Python signal handlers do not run at all) and
witkit's call machinery around it (generated call wrappers and host
trampolines, ``runtime/core/{store,func,traps,_capi}.py``), where an exception
raised at the wrong bytecode escapes a ctypes callback: ctypes then returns
garbage to wasmtime as a trap pointer, which it frees (double free, SIGSEGV).
The rules:

* **Signals are recorded, not raised, inside the machinery.**  ``handler``
  (installed by the ``witkit`` command, :func:`take_over`, and for SIGINT by the core
  runtime when Python's default handler is in place, see
  :func:`guard_sigint`) records the signal (:func:`deliver`) and raises
  :class:`Interrupted` (a ``KeyboardInterrupt``) only when the interrupted frame
  is ordinary Python code: user code, a WASI host function, a wait.  There the
  exception unwinds like any host exception (the trampoline turns it into a
  trap, the guest unwinds, the outermost call re-raises it).  Inside the
  machinery it returns; the recorded signal is picked up at a safe point:
  the next host trampoline entry, or the store's epoch callback.  Under
  ``witkit run`` (once :func:`watch` runs, which ``witkit.cli.main`` does before
  the command's modules import) it raises only in WASI host code
  (``witkit/wasi/``): start-up code may wrap an exception (``__set_name__``
  turns it into a ``RuntimeError`` with a traceback), the import system can
  swallow one, and the run has safe points of its own (before loading, before
  the guest starts).  A signal the process started with ignored stays ignored.
* **Wasm is stopped by epoch interruption where the engine has it.**
  :func:`deliver` increments the epoch of every engine registered here
  (``wasmtime_engine_increment_epoch`` is an atomic add, safe from any thread);
  each store of such an engine has an epoch deadline of one tick and a callback
  that traps when a signal is pending (or its timeout has passed).  A guest in
  a pure CPU loop never gives Python's handler a chance to run, so ``witkit
  run`` also watches the signal wake-up descriptor (``signal.set_wakeup_fd``)
  from a thread that calls ``deliver`` and, if the main thread has not ended
  20 ms later (no epoch checks: ``witkit run`` enables them only for ``-W
  timeout``, they cost ~17% of a CPU-bound guest), ends the process with
  ``os._exit`` (:func:`watch`).
* **Every blocking host wait goes through** :func:`wait`: ``select`` on the
  waited-for descriptors plus a latch that becomes readable when a signal is
  delivered, with a timeout cut at this thread's store deadline
  (:func:`set_deadline`).  It raises :class:`Interrupted`, or the store's
  timeout trap, so a blocked guest ends as a running one does.
* Only the main thread is interrupted (``KeyboardInterrupt`` belongs there);
  guests on other threads keep running unless their own deadline passes.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
import weakref
from collections.abc import Iterable
from types import FrameType
from typing import Any, Protocol

__all__ = [
    "Interrupted",
    "block_signals_here",
    "deliver",
    "flag",
    "guard_sigint",
    "handler",
    "pending",
    "raise_pending",
    "register_engine",
    "set_deadline",
    "take",
    "take_over",
    "taken_over",
    "wait",
    "watch",
]


class Interrupted(KeyboardInterrupt):
    """A guest call stopped by SIGINT or SIGTERM; ``status`` is the shell's 128 + signal."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__()
        self.signum = int(signum)

    @property
    def status(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        return f"interrupted by {signal.Signals(self.signum).name}"


class _Epochs(Protocol):
    def increment_epoch(self) -> None: ...


#: ``[signum]`` of a signal delivered and not yet raised (0: none).  A list so the
#: generated trampolines can hold it and test ``flag[0]`` without a global lookup.
flag: list[int] = [0]
_engines: weakref.WeakSet[Any] = weakref.WeakSet()
_latch: tuple[int, int] | None = None
_latch_lock = threading.RLock()
_local = threading.local()
#: [raise at most once (the witkit command), raised already, raise only in WASI host
#: code (witkit run, once watching), the exit message is out]
_once = [False, False, False, False]
#: [signals only recorded, not raised: ``python -m witkit`` importing the command]
_deferred = [False]
_main = threading.main_thread()
_MACHINERY_PREFIX = "<witkit core "
_core_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime", "core")
_WASI_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wasi") + os.sep
_MACHINERY_FILES = frozenset(
    os.path.join(_core_dir, name) for name in ("store.py", "func.py", "traps.py", "_capi.py")
) | {os.path.abspath(__file__)}


def register_engine(engine: _Epochs) -> None:
    """Let signals interrupt the guests of ``engine`` (one with epoch interruption)."""
    _engines.add(engine)


def _latch_fds() -> tuple[int, int]:
    """The latch pipe, made on first use.

    The signal handler runs on the main thread between any two bytecodes, also
    while the main thread is inside this function: once the pipe exists no lock is
    taken, and the lock is re-entrant, so a handler can never wait for its own
    thread (that deadlock left a run hanging, its signal lost, 1 in ~3000 signals).
    """
    global _latch
    latch = _latch
    if latch is not None:
        return latch
    with _latch_lock:
        if _latch is None:
            r, w = os.pipe()
            os.set_blocking(r, False)
            os.set_blocking(w, False)
            if _latch is None:  # a handler on this thread may have made it meanwhile
                _latch = (r, w)
            else:  # pragma: no cover - needs a signal between two lines
                os.close(r)
                os.close(w)
        return _latch


def deliver(signum: int) -> None:
    """Record ``signum`` and stop the guests: wake every wait, interrupt every engine's wasm.

    Safe from any thread; never raises.
    """
    flag[0] = signum
    with contextlib.suppress(OSError):
        os.write(_latch_fds()[1], b"!")
    try:
        engines = list(_engines)
    except RuntimeError:  # pragma: no cover - the set changed under a collection
        engines = []
    for engine in engines:
        with contextlib.suppress(Exception):
            engine.increment_epoch()


def pending() -> int:
    """The signal delivered and not yet raised on the main thread (0: none)."""
    return flag[0]


def take() -> Interrupted | None:
    """The pending signal as an exception to raise, if this is the main thread; clears it."""
    signum = flag[0]
    if not signum or threading.current_thread() is not _main:
        return None
    flag[0] = 0
    _once[1] = True
    _drain()
    return Interrupted(signum)


def _drain() -> None:
    if _latch is not None:
        with contextlib.suppress(OSError):
            while os.read(_latch[0], 4096):
                pass


def raise_pending() -> None:
    """Raise the pending signal here (a safe point: inside a trampoline's guard)."""
    exc = take()
    if exc is not None:
        raise exc


# --------------------------------------------------------------------------- deadlines


class _Timed(Protocol):
    def timeout_trap(self) -> BaseException: ...


def set_deadline(owner: _Timed, when: float | None) -> None:
    """This thread's store deadline (``time.monotonic()`` seconds); ``owner.timeout_trap()``
    is what a wait that reaches it raises.

    A store sets it with its timeout; the last one set on a thread governs that
    thread's blocking waits while ``owner`` (the store's state, held weakly)
    lives (a store is used by one thread at a time).  ``when=None`` clears it if
    ``owner`` set it.
    """
    current = getattr(_local, "owner", None)
    if when is None:
        if current is not None and current() is owner:
            _local.owner = None
        return
    _local.owner = weakref.ref(owner)
    _local.deadline = when


def _deadline() -> tuple[float | None, _Timed | None]:
    ref = getattr(_local, "owner", None)
    owner: _Timed | None = None if ref is None else ref()
    if owner is None:
        return None, None
    deadline: float = _local.deadline
    return deadline, owner


def wait(
    read_fds: Iterable[int] = (), write_fds: Iterable[int] = (), timeout: float | None = None
) -> bool:
    """Wait until a descriptor is ready (True), ``timeout`` seconds pass (False), or stop.

    Stops by raising :class:`Interrupted` when a signal is delivered (on the
    main thread) and the store's timeout trap when this thread's deadline
    passes.  The one primitive behind every blocking WASI operation.
    """
    r = sorted(set(read_fds))
    w = sorted(set(write_fds))
    latch = _latch_fds()[0]
    deadline, owner = _deadline()
    on_main = threading.current_thread() is _main
    end = None if timeout is None else time.monotonic() + max(timeout, 0.0)
    while True:
        if on_main and flag[0]:
            raise_pending()
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            assert owner is not None
            raise owner.timeout_trap()
        limit = None if end is None else end - now
        if deadline is not None:
            limit = deadline - now if limit is None else min(limit, deadline - now)
        if limit is not None and limit <= 0:
            return False
        try:
            rr, ww, _ = select.select([*r, latch] if on_main else r, w, [], limit)
        except InterruptedError:  # pragma: no cover - PEP 475 retries select itself
            continue
        except (OSError, ValueError):
            return True  # a broken descriptor: the operation itself reports the error
        if ww or any(fd != latch for fd in rr):
            return True
        if rr and not flag[0]:
            _drain()  # a byte written after its signal was taken: nothing pending


# --------------------------------------------------------------------------- handlers


def _in_machinery(frame: FrameType | None) -> bool:
    """Whether raising in ``frame`` could tear a ctypes callback or a call's bookkeeping."""
    if frame is None:
        return False
    name = frame.f_code.co_filename
    return name.startswith(_MACHINERY_PREFIX) or name in _MACHINERY_FILES


def handler(signum: int, frame: FrameType | None) -> None:
    """Record the signal; raise it only where that is safe (see the module docstring)."""
    deliver(signum)
    if _deferred[0] or _in_machinery(frame) or (_once[0] and _once[1]):
        return
    if _once[2] and (frame is None or not frame.f_code.co_filename.startswith(_WASI_DIR)):
        # witkit run: start-up code may wrap an exception (``__set_name__`` does) and
        # print a traceback; the signal is taken at the next safe point instead
        return
    exc = take()
    if exc is not None:
        raise exc


def guard_sigint() -> None:
    """Put ``handler`` in place of Python's default SIGINT handler (main thread only).

    Outside a guest call it behaves as the default does (``KeyboardInterrupt``
    where the program is); during one it keeps the interrupt out of the call
    machinery.  A handler the program installed itself is left alone.
    """
    if threading.current_thread() is not _main:
        return
    with contextlib.suppress(ValueError, TypeError):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, handler)


def block_signals_here() -> None:
    """Keep SIGINT/SIGTERM off this (helper) thread, so the kernel interrupts the main one.

    A process-directed signal goes to any thread that does not block it; only
    the main thread's blocked system calls must see ``EINTR``.
    """
    with contextlib.suppress(AttributeError, OSError, ValueError):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def take_over(signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Make ``handler`` the process's handler for ``signals`` (the ``witkit`` command).

    From then on one signal raises :class:`Interrupted` at most once: a second
    Ctrl-C while the first unwinds must not interrupt the way out.
    """
    _once[0] = True
    for signum in signals:
        _install(signum)
    if _deferred[0]:
        _deferred[0] = False
        raise_pending()


def take_over_while_importing() -> None:
    """``python -m witkit``: be the handler before the command's modules import.

    A ``KeyboardInterrupt`` raised inside the import system can be swallowed
    (``Exception ignored in ... _get_module_lock``) or wrapped, and the command
    would run on as if no signal came.  Until :func:`take_over` the signal is
    only recorded; ``take_over`` then raises it at a safe point.
    """
    _deferred[0] = True
    for signum in (signal.SIGINT, signal.SIGTERM):
        _install(signum)


def _install(signum: int) -> None:
    """``handler`` for ``signum``, unless the process was started with it ignored.

    A shell starts a background job (``witkit run ... &`` in a script) with SIGINT
    ignored; wasmtime and Python leave it so, and so does witkit: a signal ignored
    while the interpreter starts must not count from the moment witkit's code runs.
    """
    if signal.getsignal(signum) is not signal.SIG_IGN:
        signal.signal(signum, handler)


def taken_over() -> bool:
    """Whether the process's signals are witkit's (see :func:`take_over`)."""
    return _once[0]


def announce(patience: float = -1) -> None:
    """Print ``witkit: interrupted`` once (the main thread or the watcher, whichever is first).

    ``patience``: seconds to wait for a thread that is printing it (-1: as long as
    it takes); the watcher does not wait forever before it ends the process.
    """
    # The message is written under the lock: the watcher's ``os._exit`` waits for a
    # main thread that has begun announcing (it used to find the message marked as
    # out, exit at once, and the run ended 143 with nothing on stderr).
    if not _latch_lock.acquire(timeout=patience):
        return  # the main thread is stuck writing it (a stderr nobody reads)
    try:
        if _once[3]:
            return
        _once[3] = True
        with contextlib.suppress(OSError):
            # on a terminal, over the "compiling" progress line if one is showing
            os.write(2, (b"\r\x1b[K" if os.isatty(2) else b"") + b"witkit: interrupted\n")
    finally:
        _latch_lock.release()


def watch(grace: float = 0.02) -> None:
    """Stop the guest at a signal whatever it does (``witkit run``).

    Python runs signal handlers only when the main thread runs Python code; a
    guest in a pure CPU loop never lets it.  A watcher thread reads the signal
    wake-up descriptor (written by the C-level handler at once) and calls
    :func:`deliver`: waits wake, the next host call raises, and an engine with
    epoch interruption traps at its next epoch check; the main thread then
    unwinds and prints ``witkit: interrupted``.  Should it not have done so
    ``grace`` seconds after the signal (a guest computing in wasm without epoch
    checks, which cost ~17% of a CPU-bound guest's time; a long compilation in
    C), the watcher ends the process itself, with the same message and status,
    by ``os._exit``: no Python code, no destructor and no wasmtime code runs
    after it, so nothing can be torn; the guest's output went out through file
    descriptors already.  (``wasmtime run`` is simply killed by the signal.)
    """
    if _once[2]:
        return  # watching already
    _once[2] = True
    r, w = os.pipe()
    os.set_blocking(w, False)
    signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    if flag[0]:  # recorded before the wake-up descriptor was set: the watcher sees it too
        with contextlib.suppress(OSError):
            os.write(w, bytes([flag[0]]))
    threading.Thread(target=_watch, args=(r, grace), name="witkit-signals", daemon=True).start()


def _watch(fd: int, grace: float) -> None:
    block_signals_here()
    first: float | None = None
    signum = 0
    while True:
        timeout = None if first is None else max(0.0, first + grace - time.monotonic())
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            announce(patience=1.0)
            os._exit(128 + signum)
        data = os.read(fd, 64)
        if not data:  # pragma: no cover - the write end is never closed
            return
        signum = data[-1]
        if first is None:
            first = time.monotonic()
        deliver(signum)
