"""The fixture corpus itself: every component builds, validates and decodes to WIT, and the
command fixtures run under the wasmtime CLI with the output their sources promise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import build as fixtures

KINDS = {"c", "py", "js", "wat"}


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    assert found is not None, f"{name} not installed (run `bash .ci/install`)"
    return found


def _run(
    *args: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), input=stdin, capture_output=True, check=False, cwd=cwd)


def test_corpus_is_large_and_uses_every_toolchain(corpus: dict[str, Path]) -> None:
    assert len(corpus) >= 30
    assert set(corpus) == set(fixtures.CORPUS_KINDS)
    assert set(fixtures.CORPUS_KINDS.values()) == KINDS
    for kind in KINDS:
        assert sum(1 for k in fixtures.CORPUS_KINDS.values() if k == kind) >= 3, kind
    for name, path in corpus.items():
        assert path.is_file() and path.suffix == ".wasm", name
        assert path.read_bytes()[:8] == b"\0asm\x0d\0\x01\0", f"{name} is not a component"


@pytest.mark.parametrize("name", sorted(fixtures.CORPUS_KINDS))
def test_component_validates_and_has_wit(corpus: dict[str, Path], name: str) -> None:
    path = str(corpus[name])
    validated = _run(_tool("wasm-tools"), "validate", path)
    assert validated.returncode == 0, validated.stderr.decode()
    wit = _run(_tool("wasm-tools"), "component", "wit", path)
    assert wit.returncode == 0, wit.stderr.decode()
    assert b"world root {" in wit.stdout


def test_cache_is_reused(corpus: dict[str, Path]) -> None:
    path = corpus["wat_add"]
    before = path.stat().st_mtime_ns
    assert fixtures.build("wat_add") == path
    assert path.stat().st_mtime_ns == before


def test_cache_key_follows_sources(tmp_path: Path) -> None:
    fixture = fixtures.FIXTURES["wat_add"]
    key = fixtures.cache_key(fixture)
    assert fixtures.cache_key(fixture) == key
    changed = fixtures.Fixture("wat_add", "wat", ("wat/empty.wat",), fixture.covers)
    assert fixtures.cache_key(changed) != key


def test_unknown_fixture_is_an_error() -> None:
    with pytest.raises(KeyError, match="no fixture"):
        fixtures.build("no_such_fixture")


# --- the command fixtures really run ---------------------------------------------------------


def _wasmtime(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return _run(_tool("wasmtime"), "run", *args, stdin=stdin)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("c_hello", (), b"Hello, world!\n"),
        ("py_hello", ("a", "b"), b"Hello from Python!\nargs: ['a', 'b']\n"),
        ("js_hello", ("x",), b'Hello from JavaScript!\nargs: ["x"]\n'),
        (
            "wat_wasi_hello_020",
            ("one", "two"),
            b"Hello from a WASI 0.2.0 component!\nargs: one two\n",
        ),
        ("c_cpu_loop", ("100000", "10"), b"primes below 100000: 9592\n"),
        ("c_cpu_loop", (), b"primes below 2000000: 148933\n"),
    ],
)
def test_command_prints(
    corpus: dict[str, Path], name: str, args: tuple[str, ...], expected: bytes
) -> None:
    done = _wasmtime(str(corpus[name]), *args)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(expected)


def test_args_env(corpus: dict[str, Path]) -> None:
    done = _wasmtime("--env", "WITKIT_A=1", str(corpus["c_args_env"]), "x y", "z")
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    # The wasmtime CLI passes the file name as argv[0].
    program = corpus["c_args_env"].name
    assert lines[:4] == ["argc=3", f"argv[0]={program}", "argv[1]=x y", "argv[2]=z"]
    assert "env WITKIT_A=1" in lines
    assert lines[-1] == "envc=1"


def test_stdin_echo_and_big_output(corpus: dict[str, Path]) -> None:
    data = bytes(range(256)) * 300
    done = _wasmtime(str(corpus["c_stdin_echo"]), stdin=data)
    assert done.returncode == 0
    assert done.stdout == data
    assert done.stderr == f"read {len(data)} bytes\n".encode()
    big = _wasmtime(str(corpus["c_big_output"]), "100000")
    assert big.returncode == 0
    assert big.stdout == bytes(ord("a") + i % 26 for i in range(100000))


def test_files_in_a_preopen(corpus: dict[str, Path], tmp_path: Path) -> None:
    done = _wasmtime("--dir", f"{tmp_path}::/sandbox", str(corpus["c_files"]), "/sandbox")
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert done.stdout.decode().splitlines() == [
        "mkdir work",
        "wrote work/a.txt",
        "read 11 bytes: alpha",
        "beta",
        "size 11 regular 1",
        "renamed to work/b.txt",
        "list: b.txt c.txt",
        "cleaned up",
        "escape denied",
    ]
    assert list(tmp_path.iterdir()) == []


def test_clocks_random(corpus: dict[str, Path]) -> None:
    done = _wasmtime(str(corpus["c_clocks_random"]))
    assert done.returncode == 0, done.stdout.decode()
    assert done.stdout == b"realtime ok\nmonotonic sleep ok\nresolution ok\nrandom ok\n"


@pytest.mark.parametrize(
    ("args", "status"),
    [((), 0), (("code", "42"), 42), (("exit", "7"), 1), (("return", "3"), 1), (("trap",), 134)],
)
def test_exit_codes(corpus: dict[str, Path], args: tuple[str, ...], status: int) -> None:
    done = _wasmtime(str(corpus["c_exit_code"]), *args)
    assert done.returncode == status
    assert done.stdout.startswith(b"mode=")


@pytest.mark.parametrize(
    ("invoke", "expected"),
    [
        ("add(2, 40)", "42"),
        ("init-count()", "1"),
        ('greet("ada")', '"Hello, ada!"'),
        ("mean([1.0, 2.0, 6.0])", "some(3)"),
        ("mean([])", "none"),
    ],
)
def test_reactor_exports(corpus: dict[str, Path], invoke: str, expected: str) -> None:
    done = _wasmtime("--invoke", invoke, str(corpus["c_calculator"]))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == expected


def test_wat_exports(corpus: dict[str, Path]) -> None:
    assert _wasmtime("--invoke", "add(40, 2)", str(corpus["wat_add"])).stdout == b"42\n"
    assert _wasmtime("--invoke", "marker()", str(corpus["wat_core_instances"])).stdout == b"49\n"
    assert _wasmtime("--invoke", "wide-s8()", str(corpus["wat_values"])).stdout == b"-128\n"
    trapped = _wasmtime("--invoke", "bad-char()", str(corpus["wat_traps"]))
    assert trapped.returncode != 0


def test_environment_points_at_cache() -> None:
    assert fixtures.cache_dir().is_absolute()
    if "WITKIT_TEST_CACHE" in os.environ:
        assert fixtures.cache_dir() == Path(os.environ["WITKIT_TEST_CACHE"]).resolve()
