"""``WasiConfig``: the builder that grants a guest its capabilities.

Deny by default: a fresh config gives no arguments, no environment, no
directories, an empty stdin, discarding stdout/stderr and no network; clocks and
randomness are the real ones (they grant nothing).  Each method grants one thing
and returns the builder, so configs read as a list of grants::

    config = (
        WasiConfig()
        .args("app", "--verbose")
        .env("LANG", "C")
        .preopen_dir("./data", "/data", read_only=True)
        .inherit_stdout()
    )

:meth:`WasiConfig.build` turns the grants into a :class:`WasiContext`, the live
state one instance uses (open preopens, stream factories, clocks...).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from witkit._record import field, record
from witkit.wasi.cli import Cli
from witkit.wasi.clocks import (
    FixedWallClock,
    MonotonicClock,
    SystemMonotonicClock,
    SystemWallClock,
    VirtualMonotonicClock,
    WallClock,
)
from witkit.wasi.filesystem import Descriptor, open_preopen
from witkit.wasi.grants import NetworkGrant
from witkit.wasi.io import (
    BytesInputStream,
    ClosedInputStream,
    FdInputStream,
    FdOutputStream,
    InputStream,
    OutputStream,
    ReaderInputStream,
    SinkOutputStream,
    WriterOutputStream,
)
from witkit.wasi.random import OsRandom, RandomSource, SeededRandom

__all__ = ["WasiConfig", "WasiContext"]


@record(frozen=False)
class WasiContext:
    """Everything one instance's WASI host reads: built from a :class:`WasiConfig`."""

    cli: Cli
    preopens: list[tuple[Descriptor, str]]
    monotonic: MonotonicClock
    wall: WallClock
    random: RandomSource
    insecure_random: RandomSource
    insecure_seed: tuple[int, int]
    network: NetworkGrant


@record(frozen=False)
class _Preopen:
    host: str
    guest: str
    read_only: bool


def _fd_of(obj: object) -> int | None:
    fileno = getattr(obj, "fileno", None)
    if fileno is None:
        return None
    try:
        fd = fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd if isinstance(fd, int) else None


def _isatty(fd: int | None) -> bool:
    return fd is not None and os.isatty(fd)


@record(frozen=False)
class WasiConfig:
    """A builder of grants (see the module docstring); every method returns ``self``."""

    _args: list[str] = field(default_factory=list)
    _env: list[tuple[str, str]] = field(default_factory=list)
    _cwd: str | None = None
    _preopens: list[_Preopen] = field(default_factory=list)
    _stdin: Callable[[], InputStream] = ClosedInputStream
    _stdout: Callable[[], OutputStream] = SinkOutputStream
    _stderr: Callable[[], OutputStream] = SinkOutputStream
    _ttys: tuple[bool, bool, bool] = (False, False, False)
    _monotonic: Callable[[], MonotonicClock] = SystemMonotonicClock
    _wall: Callable[[], WallClock] = SystemWallClock
    _random: Callable[[], RandomSource] = OsRandom
    _insecure: Callable[[], RandomSource] = OsRandom
    _seed: tuple[int, int] | None = None
    _network: NetworkGrant = field(default_factory=NetworkGrant)

    # -- arguments and environment

    def args(self, *args: str) -> WasiConfig:
        """Set the guest's arguments (the first is its program name, ``argv[0]``)."""
        self._args = list(args)
        return self

    def arg(self, arg: str) -> WasiConfig:
        self._args.append(arg)
        return self

    def env(self, name: str, value: str, *, replace: bool = True) -> WasiConfig:
        """Set a variable; an earlier value of ``name`` is replaced in place.

        ``replace=False`` appends another entry even if ``name`` is set, which is
        what the wasmtime CLI does with a repeated ``--env`` (the guest then sees
        both, and libc's ``getenv`` finds the first).
        """
        if replace:
            for index, (existing, _) in enumerate(self._env):
                if existing == name:
                    self._env[index] = (name, value)
                    self._env[index + 1 :] = [e for e in self._env[index + 1 :] if e[0] != name]
                    return self
        self._env.append((name, value))
        return self

    def envs(self, env: Mapping[str, str] | Iterable[tuple[str, str]]) -> WasiConfig:
        items = env.items() if isinstance(env, Mapping) else env
        for name, value in items:
            self.env(name, value)
        return self

    def inherit_env(self) -> WasiConfig:
        """Grant the host's whole environment (variables set before or after override it)."""
        given = self._env
        self._env = list(os.environ.items())
        for name, value in given:
            self.env(name, value)
        return self

    def initial_cwd(self, cwd: str | None) -> WasiConfig:
        """What ``wasi:cli/environment.initial-cwd`` reports (a guest path, or none)."""
        self._cwd = cwd
        return self

    # -- filesystem

    def preopen_dir(
        self, host: str | os.PathLike[str], guest: str, *, read_only: bool = False
    ) -> WasiConfig:
        """Grant the host directory ``host`` to the guest as ``guest``."""
        path = os.fspath(host)
        if not os.path.isdir(path):
            raise ValueError(f"preopen {path!r} is not a directory")
        self._preopens.append(_Preopen(path, guest, read_only))
        return self

    # -- standard streams

    def stdin_bytes(self, data: bytes) -> WasiConfig:
        self._stdin = lambda: BytesInputStream(data)
        self._ttys = (False, self._ttys[1], self._ttys[2])
        return self

    def stdin_file(self, path: str | os.PathLike[str]) -> WasiConfig:
        data_path = os.fspath(path)
        self._stdin = lambda: FdInputStream(os.open(data_path, os.O_RDONLY), owned=True)
        return self

    def stdin(self, reader: IO[bytes] | bytes) -> WasiConfig:
        """Stdin from bytes or any readable (a real descriptor is read without threads)."""
        if isinstance(reader, (bytes, bytearray, memoryview)):
            return self.stdin_bytes(bytes(reader))
        fd = _fd_of(reader)
        if fd is not None:
            self._stdin = lambda: FdInputStream(fd)
        else:
            stream = ReaderInputStream(reader)
            self._stdin = lambda: stream
        self._ttys = (_isatty(fd), self._ttys[1], self._ttys[2])
        return self

    def inherit_stdin(self) -> WasiConfig:
        """The host's stdin; a host without one (closed, daemon) gives an empty stdin."""
        host_stdin: Any = sys.stdin
        if host_stdin is None:
            self._stdin = ClosedInputStream
            return self
        return self.stdin(getattr(host_stdin, "buffer", host_stdin))

    def _output(
        self, writer: IO[bytes] | IO[str] | bytearray
    ) -> tuple[Callable[[], OutputStream], bool]:
        if isinstance(writer, bytearray):
            return (lambda: WriterOutputStream(writer)), False
        fd = _fd_of(writer)
        if fd is not None:
            flush = getattr(writer, "flush", None)
            if flush is not None:
                flush()  # what Python buffered must come before what the guest writes
            return (lambda: FdOutputStream(fd)), _isatty(fd)
        target: IO[bytes] = getattr(writer, "buffer", writer)  # type: ignore[arg-type]
        return (lambda: WriterOutputStream(target)), False

    def stdout(self, writer: IO[bytes] | IO[str] | bytearray) -> WasiConfig:
        """Stdout to a ``bytearray`` (appended to), any writable, or a real file."""
        self._stdout, tty = self._output(writer)
        self._ttys = (self._ttys[0], tty, self._ttys[2])
        return self

    def stderr(self, writer: IO[bytes] | IO[str] | bytearray) -> WasiConfig:
        self._stderr, tty = self._output(writer)
        self._ttys = (self._ttys[0], self._ttys[1], tty)
        return self

    def inherit_stdout(self) -> WasiConfig:
        return self.stdout(sys.stdout) if sys.stdout is not None else self

    def inherit_stderr(self) -> WasiConfig:
        return self.stderr(sys.stderr) if sys.stderr is not None else self

    def inherit_stdio(self) -> WasiConfig:
        return self.inherit_stdin().inherit_stdout().inherit_stderr()

    # -- network

    def allow_tcp(self, allowed: bool = True) -> WasiConfig:
        """Let the guest create TCP sockets, once some address is granted too
        (``inherit_network`` or ``socket_address_check``); without one, none is created."""
        self._network.tcp = allowed
        return self

    def allow_udp(self, allowed: bool = True) -> WasiConfig:
        """UDP as ``allow_tcp``: sockets exist only with an address granted as well."""
        self._network.udp = allowed
        return self

    def allow_ip_name_lookup(self, allowed: bool = True) -> WasiConfig:
        self._network.ip_name_lookup = allowed
        return self

    def inherit_network(self) -> WasiConfig:
        """Let sockets use any address (the protocols still need ``allow_tcp``/``allow_udp``)."""
        self._network.address_check = lambda addr, purpose: True
        return self

    def socket_address_check(self, check: Callable[[tuple[str, int], str], bool]) -> WasiConfig:
        """Decide per address: ``check((host, port), purpose)`` with purpose
        ``tcp-bind``, ``tcp-connect``, ``udp-bind``, ``udp-connect`` or ``udp-outgoing``."""
        self._network.address_check = check
        return self

    # -- clocks and randomness

    def clocks(
        self, monotonic: MonotonicClock | None = None, wall: WallClock | None = None
    ) -> WasiConfig:
        if monotonic is not None:
            self._monotonic = lambda: monotonic
        if wall is not None:
            self._wall = lambda: wall
        return self

    def random(
        self, secure: RandomSource | None = None, insecure: RandomSource | None = None
    ) -> WasiConfig:
        if secure is not None:
            self._random = lambda: secure
        if insecure is not None:
            self._insecure = lambda: insecure
        return self

    def insecure_seed(self, seed: tuple[int, int]) -> WasiConfig:
        self._seed = seed
        return self

    def deterministic(self, seed: int = 0, *, wall_ns: int = 0) -> WasiConfig:
        """Reproducible runs: a virtual monotonic clock, a fixed wall clock, seeded random."""
        self._monotonic = VirtualMonotonicClock
        self._wall = lambda: FixedWallClock(wall_ns)
        self._random = lambda: SeededRandom(seed)
        self._insecure = lambda: SeededRandom(seed + 1)
        self._seed = (seed, seed + 1)
        return self

    # -- the result

    def build(self) -> WasiContext:
        """Open the granted directories and make the state one instance runs with."""
        preopens = [(open_preopen(p.host, read_only=p.read_only), p.guest) for p in self._preopens]
        cli = Cli(
            args=list(self._args),
            env=list(self._env),
            cwd=self._cwd,
            stdin=self._stdin,
            stdout=self._stdout,
            stderr=self._stderr,
            stdin_tty=self._ttys[0],
            stdout_tty=self._ttys[1],
            stderr_tty=self._ttys[2],
        )
        insecure = self._insecure()
        seed = self._seed
        if seed is None:
            raw = os.urandom(16)
            seed = (int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little"))
        return WasiContext(
            cli=cli,
            preopens=preopens,
            monotonic=self._monotonic(),
            wall=self._wall(),
            random=self._random(),
            insecure_random=insecure,
            insecure_seed=seed,
            network=self._network.copy(),
        )
