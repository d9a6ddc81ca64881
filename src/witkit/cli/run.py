"""``witkit run``: run a WASI 0.2 command component, with wasmtime's flags.

A core module importing ``wasi_snapshot_preview1`` (WASI 0.1) runs too, through
:func:`witkit.wasi.preview1.run_module` with the same configuration and limits;
which one a file is, its first bytes tell (the preview1 package is not imported
for a component).

A thin shell over :func:`witkit.wasi.command.run_component`: it turns the
command line into a :class:`~witkit.wasi.WasiConfig` and limits, and the outcome
into an exit status.  It accepts the wasmtime CLI spellings (``--dir``,
``--env``, ``--argv0``, ``-S``, ``-W``) so a ``wasmtime run`` line works
unchanged, plus readable long forms.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TextIO

from witkit.errors import Trap, WitkitError

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "HELP",
    "Progress",
    "add_arguments",
    "initial_environ",
    "parse_duration",
    "parse_size",
    "run",
]

#: the command's line in ``witkit --help``
HELP = "run a WASI 0.2 command component (or a WASI 0.1 module)"
#: the description of ``witkit run --help`` (else the docstring's first line)
DESCRIPTION = (
    "Run a WASI 0.2 command component (.wasm or .wat), or a core module importing "
    "wasi_snapshot_preview1 (WASI 0.1, no adapter needed); the guest's exit status becomes witkit's."
)

#: examples and notes after the options, printed as written
EPILOG = """\
capabilities (nothing is granted unless asked for):
  --dir HOST[::GUEST]       grant directory HOST to the guest as GUEST (default: HOST)
  --dir-ro HOST[::GUEST]    the same, read-only: every mutation is refused
  --env NAME=VAL            set a variable; --env NAME passes the host's value through
  -S inherit-env            pass the whole host environment (also --inherit-env)
  -S inherit-network        let sockets use any address (also --inherit-network)
  -S allow-ip-name-lookup   allow DNS lookups (also --allow-ip-name-lookup)
  -S tcp[=y|n], -S udp[=y|n]  allow or refuse creating TCP/UDP sockets (default: y, as
                            wasmtime; without inherit-network none is created)

limits:
  -W fuel=N                 stop the guest after N units of fuel (also --fuel N)
  -W timeout=DURATION       stop it after DURATION: 500ms, 2s, 1m (also --timeout)
  -W max-memory-size=BYTES  cap each linear memory: 64MiB, 1048576 (also --max-memory-size)
  -W max-copy=BYTES         bytes of strings and lists one call may copy (default 320MiB)

exit status:
  0 when run returns ok, 1 when it returns err, N for exit-with-code(N)
  (a WASI 0.1 module: 0 when _start returns, N for proc_exit(N); 1 for a call
  the guest cannot make: a pointer out of its memory, proc_exit(126 or more));
  134 when the guest traps (its message, and backtrace if any, go to stderr), a
  -W timeout included, also while it waits in a host call (sleep, poll, a read);
  130 on Ctrl-C (SIGINT), 143 on SIGTERM, with "witkit: interrupted": whatever the
  guest is doing, it stops within milliseconds (what a shell reports for wasmtime,
  which the signal kills);
  1 when the component cannot be loaded or instantiated.

compile cache:
  Compiled core modules are kept on disk, so only a component's first run compiles
  (seconds for a big one; a progress line shows on a terminal meanwhile), and so is
  the checked form of each component file, so an unchanged file starts without being
  decoded again (a changed file is noticed by its size, times and inode). Location:
  $WITKIT_CACHE_DIR, else $XDG_CACHE_HOME/witkit, else ~/.cache/witkit (in core/).
  --no-cache compiles afresh and stores nothing; deleting the directory is safe.
  A cache directory that someone else could write (not yours, writable by group or
  others, or under such a directory) is not used: a warning says why, once.

examples:
  witkit run examples/hello.wat
  witkit run --dir . prog.wasm    (a C program from clang --target=wasm32-wasi)
  witkit run --dir ./data::/data app.wasm --input /data/in.txt
  witkit run --dir-ro .::/src --env LANG=C -S inherit-env tool.wasm
  witkit run -S inherit-network -S allow-ip-name-lookup client.wasm example.com
  witkit run -W fuel=1000000 -W timeout=5s untrusted.wasm
"""

# Patterns as text, compiled by ``re`` (and cached there) only when a limit is given.
_SIZE = r"^\s*(\d+)\s*([kmgt]i?b?|b)?\s*$"
_DURATION = r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$"


def parse_size(text: str) -> int:
    """``1048576``, ``64KiB``, ``64k``, ``2MiB``, ``1G`` -> bytes (binary multiples)."""
    match = re.match(_SIZE, text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    number, unit = int(match.group(1)), (match.group(2) or "b").lower()
    power = {"b": 0, "k": 1, "m": 2, "g": 3, "t": 4}[unit[0]]
    return int(number * 1024**power)


def parse_duration(text: str) -> float:
    """``500ms``, ``2s``, ``1.5m``, ``3`` (seconds) -> seconds."""
    match = re.match(_DURATION, text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r}")
    value = float(match.group(1))
    scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    return value * scale[match.group(2) or "s"]


def _flag(value: str) -> bool:
    if value.lower() in ("", "y", "yes", "true", "1", "on"):
        return True
    if value.lower() in ("n", "no", "false", "0", "off"):
        return False
    raise WitkitError(f"expected y or n, got {value!r}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--dir", action="append", default=[], metavar="HOST[::GUEST]", help="grant a directory")
    add(
        "--dir-ro",
        action="append",
        default=[],
        metavar="HOST[::GUEST]",
        help="grant a directory read-only",
    )
    add("--env", action="append", default=[], metavar="NAME[=VAL]", help="set a variable")
    add(
        "--argv0",
        metavar="NAME",
        help="the program name the guest sees (default: the file name of COMPONENT)",
    )
    add("-S", dest="wasi", action="append", default=[], metavar="OPT[=VAL]", help="WASI option")
    add("-W", dest="wasm", action="append", default=[], metavar="OPT=VAL", help="wasm limit")
    add("--inherit-env", action="store_true", help="pass the host environment")
    add("--inherit-network", action="store_true", help="let sockets use any address")
    add("--allow-ip-name-lookup", action="store_true", help="allow DNS lookups")
    add("--fuel", type=int, metavar="N", help="fuel limit")
    add("--timeout", type=parse_duration, metavar="DURATION", help="wall-clock limit")
    add("--max-memory-size", type=parse_size, metavar="BYTES", help="linear memory limit")
    add("--no-cache", action="store_true", help="do not use the on-disk compile cache")
    add("component", metavar="COMPONENT", help="the component (.wasm or .wat)")
    add("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the guest")


def initial_environ() -> list[tuple[str, str]]:
    """The host environment for ``-S inherit-env``: ``os.environ`` minus Python's own addition.

    Python adds ``LC_CTYPE=C.UTF-8`` to its environment when it starts under the
    C locale (PEP 538); the guest must see what the user's shell gave, as under
    ``wasmtime run``.  Linux keeps the block the process started with in
    ``/proc/self/environ``, which tells whether ``LC_CTYPE`` was really given.
    """
    env = dict(os.environ)
    if "LC_CTYPE" in env:
        try:
            with open("/proc/self/environ", "rb") as f:
                given = f.read().split(b"\0")
        except OSError:
            given = None
        if given is not None and not any(e.startswith(b"LC_CTYPE=") for e in given):
            del env["LC_CTYPE"]
    return list(env.items())


def _fuel(value: str) -> int:
    if not value.strip().isdigit():
        raise ValueError(f"not a whole number of fuel units: {value!r}")
    return int(value)


#: ``-W`` name -> how its value is read
_LIMIT_VALUES: dict[str, Callable[[str], Any]] = {
    "fuel": _fuel,
    "timeout": parse_duration,
    "max-memory-size": parse_size,
    "max-copy": parse_size,
}


def _options(groups: list[str]) -> Iterator[tuple[str, str, str]]:
    """``-S``/``-W`` values, each a comma-separated list: ``(option, name, value)`` each."""
    for group in groups:
        for option in filter(None, group.split(",")):
            name, _, value = option.partition("=")
            yield option, name, value


def _split_dir(spec: str) -> tuple[str, str]:
    host, sep, guest = spec.partition("::")
    return host, guest if sep else host


def build(args: argparse.Namespace) -> tuple[Any, Any]:
    """The ``WasiConfig`` and ``Limits`` a command line asks for."""
    from witkit.wasi import WasiConfig
    from witkit.wasi.command import Limits

    config = WasiConfig().inherit_stdio()
    # -S: wasmtime's WASI switches, each y/n; "cli" and "network" are its interface
    # switches, always on here
    switches = {
        "inherit-env": args.inherit_env,
        "inherit-network": args.inherit_network,
        "allow-ip-name-lookup": args.allow_ip_name_lookup,
        "tcp": True,
        "udp": True,
    }
    for _, name, value in _options(args.wasi):
        if name in switches:
            switches[name] = _flag(value)
        elif name not in ("cli", "network"):
            raise WitkitError(f"unknown -S option {name!r}")
    # -W: the limits, each with its own reading of the value
    limits = {
        "fuel": args.fuel,
        "timeout": args.timeout,
        "max-memory-size": args.max_memory_size,
        "max-copy": None,
    }
    for option, name, value in _options(args.wasm):
        if name not in _LIMIT_VALUES:
            raise WitkitError(f"unknown -W option {name!r}")
        try:
            limits[name] = _LIMIT_VALUES[name](value)
        except (ValueError, argparse.ArgumentTypeError) as err:
            raise WitkitError(f"-W {option}: {err}") from None
    if switches["inherit-env"]:
        config.envs(initial_environ())
    for spec in args.env:
        name, sep, value = spec.partition("=")
        # appended, not replaced: a repeated --env reaches the guest twice, as in wasmtime
        if sep:
            config.env(name, value, replace=False)
        elif name in os.environ:
            config.env(name, os.environ[name], replace=False)
    for spec, read_only in [(d, False) for d in args.dir] + [(d, True) for d in args.dir_ro]:
        host, guest = _split_dir(spec)
        if not os.path.isdir(host):
            raise WitkitError(f"--dir {spec}: {host!r} is not a directory")
        config.preopen_dir(host, guest, read_only=read_only)
    if switches["inherit-network"]:
        config.inherit_network()
    config.allow_tcp(switches["tcp"]).allow_udp(switches["udp"])
    config.allow_ip_name_lookup(switches["allow-ip-name-lookup"])
    # wasmtime's default program name is the file name, not the path given
    argv0 = (
        args.argv0
        if args.argv0 is not None
        else (os.path.basename(args.component) or args.component)
    )
    config.args(argv0, *args.args)
    return config, Limits(
        fuel=limits["fuel"],
        timeout=limits["timeout"],
        max_memory=limits["max-memory-size"],
        max_copy=limits["max-copy"],
    )


class Progress:
    """A one-line spinner on a terminal while a component loads, erased when done.

    A warm cache loads in milliseconds, so nothing shows unless loading takes
    longer than ``delay``; a first run of an 18 MB component compiles for seconds
    and deserves a sign of life.  Never writes to a pipe or file: logs and the
    differential tests must see exactly the guest's output.
    """

    FRAMES = "|/-\\"

    def __init__(self, name: str, stream: TextIO, delay: float = 0.4) -> None:
        self.name = name
        self.stream = stream
        self.delay = delay
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _spin(self) -> None:
        from witkit import _signals

        _signals.block_signals_here()
        if self._done.wait(self.delay):
            return
        started = time.monotonic() - self.delay
        frame = 0
        while not self._done.is_set():
            elapsed = time.monotonic() - started
            mark = self.FRAMES[frame % len(self.FRAMES)]
            self.stream.write(
                f"\rwitkit: compiling {self.name} {mark} {elapsed:.0f}s "
                "(cached for the next run)\x1b[K"
            )
            self.stream.flush()
            self._shown = True
            frame += 1
            self._done.wait(0.2)


def _collect_from_now_on() -> None:
    """Turn the cyclic GC back on for the guest's run, if the console script turned it off.

    ``witkit.cli.main.entry`` starts with the collector off: start-up allocates
    tens of thousands of long-lived objects (modules, classes, the runtime's
    plan) and ran ~30 collections over them, ~3.5 ms of a 55 ms ``witkit run``.
    They are frozen (never scanned again) and collection resumes for whatever
    the guest's host calls allocate.  A caller that kept the GC on is left alone.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _starting() -> None:
    """Just before the guest runs: the collector back on, and a Ctrl-C so far taken."""
    from witkit import _signals

    _collect_from_now_on()
    _signals.raise_pending()


def _use_code_cache() -> None:
    """The compiled-code cache from the start, not only once the component is loaded.

    Generated code compiles through it (``witkit.abi._codecache``), and so do the
    records' ``__init__`` methods: the first ``compile`` of a process costs ~1 ms
    (WasiConfig's, while the options are turned into a configuration).  It is
    the engine's own code cache, the same object (``disk_code_cache``): the
    command asks for it process-wide; a library engine never does.
    """
    from witkit.runtime._codecache import use_disk_code_cache
    from witkit.runtime.cache import default_location

    use_disk_code_cache(default_location())


def _cache_warnings_on_one_line(shown: Callable[..., None]) -> Callable[..., None]:
    """``warnings.showwarning`` for a run: a refused cache directory is one line of
    stderr (``witkit.runtime.cache`` says it once per process); others go to ``shown``."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        from witkit.runtime.cache import CacheWarning

        if issubclass(category, CacheWarning):
            print(f"witkit: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    return show


def _is_core_module(path: str) -> bool:
    """A core module (``wasi_snapshot_preview1``) rather than a component? From its first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return False  # the component loader reports the file
    if head.startswith(b"\0asm"):  # binary: decided here, so a component imports nothing more
        return head[4:8] == b"\x01\0\0\0"
    from witkit.wasi.preview1 import is_core_module  # text: a light module, the rest is lazy

    return is_core_module(head)


def run(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():  # puts the caller's showwarning back afterwards
        warnings.showwarning = _cache_warnings_on_one_line(warnings.showwarning)
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from witkit import _signals
    from witkit.wasi.command import TRAP_STATUS, run_component

    if _signals.taken_over():  # the console script: Ctrl-C must stop any guest
        _signals.watch()
    if not args.no_cache:
        _use_code_cache()

    config, limits = build(args)
    _signals.raise_pending()  # a Ctrl-C while starting: stop before loading anything
    name = os.path.basename(args.component)
    run_wasm = run_component
    if _is_core_module(args.component):  # WASI 0.1: its package only when needed
        from witkit.wasi.preview1 import run_module as run_wasm
    try:
        status = run_wasm(
            args.component,
            config,
            limits,
            cache=not args.no_cache,
            compiling=lambda: Progress(name, sys.stderr),
            starting=_starting,
        )
    except Trap as trap:
        if sys.stdout is not None:
            sys.stdout.flush()
        # render() is the message plus the guest backtrace when the engine gave one.
        print(f"witkit: error: {trap.render()}", file=sys.stderr)
        return TRAP_STATUS
    signalled = _signals.take()  # a signal that came as the guest finished
    if signalled is not None:
        raise signalled
    return status
