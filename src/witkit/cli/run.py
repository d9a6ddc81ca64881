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
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from witkit.errors import Trap, WitkitError

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "HELP",
    "Progress",
    "UsageError",
    "add_arguments",
    "initial_environ",
    "parse_duration",
    "parse_size",
    "run",
]

#: the command's line in ``witkit --help``
HELP = "run a WASI 0.2 command component or a WASI 0.1 module, or call an export (--invoke)"
#: the description of ``witkit run --help`` (else the docstring's first line)
DESCRIPTION = (
    "Run a WASI 0.2 command component (.wasm or .wat), or a core module importing "
    "wasi_snapshot_preview1 (WASI 0.1, no adapter needed); the guest's exit status becomes "
    "witkit's. With --invoke, call one export of any component and print its result."
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

calling an export (as wasmtime run --invoke):
  --invoke 'f(ARGS)'        call export f instead of run and print its result in WAVE
                            (the value syntax of wasmtime and wasm-wave: 1, "text", [1, 2],
                            {x: 1}, some(3), ok, err("e"), red, {read, write}); a bare name
                            is searched in the root, then in every exported interface;
                            qualify it as ns:pkg/iface.f or ns:pkg/iface.f@1.0.0; trailing
                            option arguments may be left out. A component without
                            wasi:cli/run (a library) run without --invoke lists its
                            functions and how to call them, before compiling anything.

limits:
  -W fuel=N                 stop the guest after N units of fuel (also --fuel N)
  -W timeout=DURATION       stop it after DURATION: 500ms, 2s, 1m (also --timeout)
  -W max-memory-size=BYTES  cap each linear memory: 64MiB, 1048576 (also --max-memory-size)
  -W max-copy=BYTES         bytes of strings and lists one call may copy (default 320MiB)

wasmtime's other options:
  Every -S, -W, -O and -D key of wasmtime run 49 is accepted: implemented where it
  means something here (-S cli-exit-with-code, -S inherit-stdin=n, -S cwd=DIR,
  -W max-wasm-stack, -W nan-canonicalization, -O opt-level), otherwise accepted with
  a one-line note on stderr. `witkit run -S help` (-W, -O, -D) lists the keys and
  what each does here; none grants anything beyond what is listed above.

exit status:
  0 when run returns ok, 1 when it returns err, N for exit-with-code(N)
  (a WASI 0.1 module: 0 when _start returns, N for proc_exit(N); 1 for a call
  the guest cannot make: a pointer out of its memory, proc_exit(126 or more));
  134 when the guest traps (its message, and backtrace if any, go to stderr), a
  -W timeout included, also while it waits in a host call (sleep, poll, a read);
  130 on Ctrl-C (SIGINT), 143 on SIGTERM, with "witkit: interrupted": whatever the
  guest is doing, it stops within milliseconds (what a shell reports for wasmtime,
  which the signal kills);
  1 when the component cannot be loaded or instantiated;
  with --invoke: 0 once the result is printed (an err result too), 1 when the call
  cannot be made (unknown or ambiguous function, bad argument) or a value breaks the
  Canonical ABI, 134 when core wasm traps, as wasmtime run --invoke;
  2 for a usage error (an unknown option or key, a bad value, no COMPONENT) and for
  a file that cannot be run as asked (a library, an HTTP proxy, a core module).

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
  witkit run --invoke 'add(1, 2)' lib.wasm
  witkit run --invoke 'example:lib/math.echo@1.0.0("hi")' lib.wasm
  witkit run -S help
"""


class UsageError(WitkitError):
    """A command line ``witkit run`` refuses, or a file it cannot run as asked: exit status 2.

    Printed with a pointer to ``witkit run --help``, as argparse's own usage errors
    (``cli.main._Parser``).  Defined here, not in ``cli.options``, so that a run
    without wasmtime options never imports that table.
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
    add(
        "--invoke",
        metavar="CALL",
        help="call this export instead of run, e.g. 'add(1, 2)' (values in WAVE; prints the result)",
    )
    add("-S", dest="wasi", action="append", default=[], metavar="OPT[=VAL]", help="WASI option")
    add("-W", dest="wasm", action="append", default=[], metavar="OPT=VAL", help="wasm limit")
    add("-O", dest="optimize", action="append", default=[], metavar="OPT=VAL", help="optimize")
    add("-D", dest="debug", action="append", default=[], metavar="OPT[=VAL]", help="debug")
    add("--inherit-env", action="store_true", help="pass the host environment")
    add("--inherit-network", action="store_true", help="let sockets use any address")
    add("--allow-ip-name-lookup", action="store_true", help="allow DNS lookups")
    add("--fuel", type=int, metavar="N", help="fuel limit")
    add("--timeout", type=parse_duration, metavar="DURATION", help="wall-clock limit")
    add("--max-memory-size", type=parse_size, metavar="BYTES", help="linear memory limit")
    add("--no-cache", action="store_true", help="do not use the on-disk compile cache")
    # optional for argparse so that `witkit run -S help` needs no file; run() asks for it
    add("component", metavar="COMPONENT", nargs="?", help="the component (.wasm or .wat)")
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


def _split_dir(spec: str) -> tuple[str, str]:
    host, sep, guest = spec.partition("::")
    return host, guest if sep else host


def build(args: argparse.Namespace) -> tuple[Any, Any]:
    """The ``WasiConfig`` and ``Limits`` a command line asks for."""
    from witkit.wasi import WasiConfig
    from witkit.wasi.command import Limits

    config = WasiConfig().inherit_stdio()
    inherit_env = args.inherit_env
    inherit_network = args.inherit_network
    lookup = args.allow_ip_name_lookup
    tcp = udp = True
    fuel, timeout, max_memory = args.fuel, args.timeout, args.max_memory_size
    max_copy = None
    engine: dict[str, Any] = {}
    for option, value in _wasmtime_options(args):
        key = option.key
        if key == "inherit-env":
            inherit_env = bool(value)
        elif key == "inherit-network":
            inherit_network = bool(value)
        elif key == "allow-ip-name-lookup":
            lookup = bool(value)
        elif key == "tcp":
            tcp = bool(value)
        elif key == "udp":
            udp = bool(value)
        elif key in ("inherit-stdin", "inherit-stdout", "inherit-stderr") and not value:
            _keep_stdio_from_guest(config, key.removeprefix("inherit-"))
        elif key == "cwd":
            config.initial_cwd(str(value))
        elif key == "fuel":
            fuel = int(str(value))
        elif key == "timeout":
            timeout = float(str(value))
        elif key == "max-memory-size":
            max_memory = int(str(value))
        elif key == "max-copy":
            max_copy = int(str(value))
        elif key in _ENGINE_KEYS:
            name, convert = _ENGINE_KEYS[key]
            engine[name] = convert(value)
    if inherit_env:
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
    if inherit_network:
        config.inherit_network()
    config.allow_tcp(tcp).allow_udp(udp).allow_ip_name_lookup(lookup)
    # wasmtime's default program name is the file name, not the path given
    argv0 = (
        args.argv0
        if args.argv0 is not None
        else (os.path.basename(args.component) or args.component)
    )
    config.args(argv0, *args.args)
    return config, Limits(
        fuel=fuel,
        timeout=timeout,
        max_memory=max_memory,
        max_copy=max_copy,
        engine=tuple(sorted(engine.items())),
    )


#: ``-W``/``-O`` keys that set the engine: key -> (``Engine`` keyword, value converter)
_ENGINE_KEYS: dict[str, tuple[str, Callable[[object], object]]] = {
    "opt-level": ("opt_level", lambda v: {"0": "none", "s": "speed_and_size"}.get(str(v), "speed")),
    "max-wasm-stack": ("max_wasm_stack", lambda v: v),
    "nan-canonicalization": ("nan_canonicalization", lambda v: v),
}
#: keys that are always on in witkit: turning them off is noted, not obeyed
_ALWAYS_ON = ("cli", "common", "cli-exit-with-code")


def _wasmtime_options(args: argparse.Namespace) -> list[tuple[Any, object]]:
    """The ``-S``/``-W``/``-O``/``-D`` keys given, typed; a note on stderr for each that
    changes nothing in witkit (``witkit.cli.options`` says which and why)."""
    given = [("S", args.wasi), ("W", args.wasm), ("O", args.optimize), ("D", args.debug)]
    chosen: list[tuple[Any, object]] = []
    if not any(texts for _, texts in given):
        return chosen  # the common case: the table is not even imported
    from witkit.cli.options import parse_group

    for group, texts in given:
        for option, value in parse_group(group, texts):
            if not option.implemented:
                print(
                    f"witkit: note: -{group} {option.key} has no effect in witkit: {option.note}",
                    file=sys.stderr,
                )
            elif option.key in _ALWAYS_ON and value is False:
                print(
                    f"witkit: note: -{group} {option.key}=n has no effect in witkit: {option.note}",
                    file=sys.stderr,
                )
            else:
                chosen.append((option, value))
    return chosen


def _keep_stdio_from_guest(config: Any, stream: str) -> None:
    """``-S inherit-stdin=n`` and friends: an empty stdin, or output thrown away, as wasmtime."""
    if stream == "stdin":
        config.stdin_bytes(b"")
    else:
        sink = open(os.devnull, "wb")  # noqa: SIM115 - lives as long as the run
        getattr(config, stream)(sink)


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


def run(args: argparse.Namespace) -> int:
    for group, texts in (
        ("S", args.wasi),
        ("W", args.wasm),
        ("O", args.optimize),
        ("D", args.debug),
    ):
        if "help" in texts or "help-long" in texts:
            return _print_option_help(group, "help-long" in texts)
    try:
        if args.component is None:
            raise UsageError("the following arguments are required: COMPONENT")
        with warnings.catch_warnings():  # puts the caller's showwarning back afterwards
            warnings.showwarning = _cache_warnings_on_one_line(warnings.showwarning)
            return _run(args)
    except UsageError as err:
        # the status and pointer argparse gives its own usage errors (``cli.main._Parser``)
        print(f"witkit run: error: {err}\n(see `witkit run --help`)", file=sys.stderr)
        return 2


def _is_core_trap(trap: Trap) -> bool:
    """Whether core wasm trapped (``unreachable``, bounds, stack, fuel, timeout)."""
    from witkit.runtime.core import CoreTrap

    return isinstance(trap, CoreTrap)


def _print_option_help(group: str, long: bool) -> int:
    """``-S help`` (``-W``, ``-O``, ``-D``): the keys, as ``wasmtime run -S help`` lists them."""
    from witkit.cli.options import help_text

    print(help_text(group, long))
    return 0


def _refuse_what_cannot_run(path: str) -> bool:
    """Before anything is compiled: a file that is not a runnable command says what it is.

    ``witkit.cli.kind`` classifies; a core module that is not WASI 0.1 becomes a
    usage error listing its imports.  True for a WASI 0.1 module, which runs
    through ``witkit.wasi.preview1``; a component binary costs one 8-byte read and
    imports nothing more.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(8)
    except OSError:
        return False  # loading reports the missing or unreadable file, with its name
    if head[:4] == b"\0asm" and head[6:8] == b"\x01\x00":
        return False  # a component binary (layer 1): nothing more to read here
    from witkit.cli.kind import classify_file, core_module_message

    try:
        kind = classify_file(path)
    except OSError:
        return False
    if kind.kind == "core":
        raise UsageError(core_module_message(path, kind))
    return kind.kind == "wasip1"


def _check_command(path: str) -> Callable[[Any], None]:
    """``run_component``'s ``check``: a library or an HTTP proxy is told what it is, at once."""

    def check(component: Any) -> None:
        from witkit.wasi.command import RUN_INTERFACE

        if any(name.partition("@")[0] == RUN_INTERFACE for name in component.exports):
            return  # a command: the common case decides without importing cli.kind
        from witkit.cli.kind import component_kind, http_message

        kind = component_kind(component)
        if kind == "http":
            raise UsageError(http_message(path))
        if kind == "library":
            from witkit.cli.invoke import library_message

            raise UsageError(library_message(path, component))

    return check


def _run(args: argparse.Namespace) -> int:
    from witkit import _signals

    if _signals.taken_over():  # the console script: Ctrl-C must stop any guest
        _signals.watch()  # (``cli.main`` started it already when "run" comes first)
    from witkit.wasi.command import TRAP_STATUS, run_component

    if not args.no_cache:
        _use_code_cache()

    config, limits = build(args)
    invocation = None
    if args.invoke is not None:
        from witkit.cli.invoke import Invocation

        invocation = Invocation(args.invoke)  # a malformed call is refused before loading
    wasip1 = _refuse_what_cannot_run(args.component)
    if wasip1 and invocation is not None:
        raise UsageError(
            f"{args.component}: --invoke calls a component's export; this is a WASI 0.1 module"
        )
    _signals.raise_pending()  # a Ctrl-C while starting: stop before loading anything
    name = os.path.basename(args.component)
    run_wasm: Callable[..., int] = run_component
    extra: dict[str, Any] = {
        "check": _check_command(args.component) if invocation is None else invocation.check,
        "call": invocation,
    }
    if wasip1:  # WASI 0.1: its package only when needed; nothing to check or call
        from witkit.wasi.preview1 import run_module as run_wasm

        extra = {}
    try:
        status = run_wasm(
            args.component,
            config,
            limits,
            cache=not args.no_cache,
            compiling=lambda: Progress(name, sys.stderr),
            starting=_starting,
            **extra,
        )
    except Trap as trap:
        if sys.stdout is not None:
            sys.stdout.flush()
        # render() is the message plus the guest backtrace when the engine gave one.
        print(f"witkit run: error: {trap.render()}", file=sys.stderr)
        if invocation is not None and not _is_core_trap(trap):
            # wasmtime run --invoke: a value that breaks the ABI is an error (1), not a trap
            return 1
        return TRAP_STATUS
    signalled = _signals.take()  # a signal that came as the guest finished
    if signalled is not None:
        raise signalled
    return status
