"""The compile cache's entries are tied to their keys and checked before use.

Each test plays an attack or an accident on a real cache that ``witkit run``
filled, then runs the component again through ``witkit run`` (a subprocess,
as a user would) and asserts the component's own output, exit status 0 and a
clean stderr:

* one component's compiled module copied over another's (same size), on the
  warm (prepared) path and the cold one: the other's code must not run;
* one component's prepared entry copied over another's;
* one generated-code entry copied over every other one (this used to end every
  later run with ``NameError: _Struct``);
* the machine code of a cached module overwritten (traps on the old code), or
  a byte of its data changed (silently wrong output on the old code);
* truncated entries of every kind;
* single flipped bits anywhere in any entry, at random (``WITKIT_SECURITY_SCALE``
  multiplies the default 6 rounds; the seed is in the failure message);
* the machine code of a C component's biggest module overwritten on the warm
  path; with ``WITKIT_SECURITY_SCALE=2`` or more, the same for an 18 MB
  componentize-py component (its big modules are checked on two threads).

The components are two hand-written WASI commands that differ only in the
greeting they print, so their compiled modules have the same size.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
import wasmtime

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
#: ``WITKIT_SECURITY_SCALE``: more random rounds, and the slow big-component case from 2 on
SCALE = max(int(os.environ.get("WITKIT_SECURITY_SCALE", "1") or "1"), 1)

#: a WASI 0.2 command that prints one line (``GREETING`` is replaced)
COMMAND = """
(component $root
  (import "wasi:io/error@0.2.0" (instance $error (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error_t))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer $root $error_t (type $e))
    (export "error" (type $error (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $error)) (case "closed")))
    (export "stream-error" (type $stream_error (eq $se)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8))
            (result (result (error $stream_error)))))))
  (alias export $streams "output-stream" (type $os_t))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer $root $os_t (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (alias export $stdout "get-stdout" (func $get_stdout))
  (core module $libc
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 4096))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (core func $get_stdout_low (canon lower (func $get_stdout)))
  (core func $write_low (canon lower (func $write) (memory $mem) (realloc $realloc)))
  (core func $drop_stream (canon resource.drop $os_t))
  (core module $main
    (import "libc" "mem" (memory 1))
    (import "wasi" "get-stdout" (func $get_stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "drop-stream" (func $drop_stream (param i32)))
    (data (i32.const 0) "GREETING\\0a")
    (func (export "run") (result i32)
      (local $stream i32)
      (local.set $stream (call $get_stdout))
      (call $write (local.get $stream) (i32.const 0) (i32.const LENGTH) (i32.const 64))
      (call $drop_stream (local.get $stream))
      (i32.load8_u (i32.const 64))))
  (core instance $main
    (instantiate $main
      (with "libc" (instance $libc))
      (with "wasi" (instance
        (export "get-stdout" (func $get_stdout_low))
        (export "write" (func $write_low))
        (export "drop-stream" (func $drop_stream))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance)))
"""

GREETINGS = {"a": "component A says hello", "b": "component B says hello"}


def make_command(directory: Path, name: str) -> Path:
    """The command that prints ``GREETINGS[name]``, written where ``witkit run`` may prepare it."""
    text = GREETINGS[name]
    wat = COMMAND.replace("GREETING", text).replace("LENGTH", str(len(text) + 1))
    path = directory / f"{name}.wasm"
    path.write_bytes(bytes(wasmtime.wat2wasm(wat)))
    return path


def expected(name: str) -> bytes:
    return GREETINGS[name].encode() + b"\n"


def witkit_run(cache: Path, component: Path) -> subprocess.CompletedProcess[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "WITKIT_CACHE_DIR": str(cache),
        "HOME": str(cache.parent),
    }
    return subprocess.run(
        [sys.executable, "-m", "witkit", "run", str(component)],
        capture_output=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )


def assert_runs_as(cache: Path, component: Path, name: str) -> None:
    """``witkit run`` prints ``name``'s greeting, exits 0 and writes nothing to stderr."""
    proc = witkit_run(cache, component)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, expected(name), b""), proc


def core(cache: Path) -> Path:
    return cache / "core"


def compiled(cache: Path) -> set[str]:
    return {p.name for p in core(cache).glob("*.cwasm")}


def prepared_entries(cache: Path) -> list[Path]:
    directory = core(cache) / "components"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def code_entries(cache: Path) -> list[Path]:
    return sorted(p for d in core(cache).glob("code-*") for p in d.iterdir())


class Template:
    """Two commands and a cache in which ``witkit run`` has run (and prepared) both,
    made once per module; each test works on a copy of the cache."""

    def __init__(self, directory: Path) -> None:
        self.cache = directory / "cache"
        self.a = make_command(directory, "a")
        self.b = make_command(directory, "b")
        time.sleep(0.1)  # older than the window in which a file is too fresh to prepare
        assert_runs_as(self.cache, self.a, "a")
        after_a = compiled(self.cache)
        prepared_a = {p.name for p in prepared_entries(self.cache)}
        assert_runs_as(self.cache, self.b, "b")
        (self.b_main,) = compiled(self.cache) - after_a
        # b alone, elsewhere: what a and b share is not a's own module
        other = directory / "other"
        assert_runs_as(other, self.b, "b")
        (self.a_main,) = after_a - compiled(other)
        (self.prepared_b,) = {p.name for p in prepared_entries(self.cache)} - prepared_a
        (self.prepared_a,) = prepared_a


class Setup:
    """A copy of the template's cache, and which entry in it is whose."""

    def __init__(self, template: Template, directory: Path) -> None:
        self.cache = directory / "cache"
        shutil.copytree(template.cache, self.cache, symlinks=True)
        self.a, self.b = template.a, template.b
        self.a_main = core(self.cache) / template.a_main
        self.b_main = core(self.cache) / template.b_main
        self.prepared_a_path = core(self.cache) / "components" / template.prepared_a
        self.prepared_b = core(self.cache) / "components" / template.prepared_b

    def drop_prepared(self) -> None:
        shutil.rmtree(core(self.cache) / "components")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def setup(template: Template, tmp_path: Path) -> Setup:
    return Setup(template, tmp_path)


def test_modules_are_the_same_size(setup: Setup) -> None:
    """The swap below is the observed one: same-size artifacts, so no length check can tell."""
    assert setup.a_main.stat().st_size == setup.b_main.stat().st_size


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_compiled_module_swapped_for_another(setup: Setup, path: str) -> None:
    if path == "cold":
        setup.drop_prepared()
    shutil.copyfile(setup.b_main, setup.a_main)
    assert_runs_as(setup.cache, setup.a, "a")
    assert setup.a_main.read_bytes() != setup.b_main.read_bytes()  # recompiled, overwritten
    assert_runs_as(setup.cache, setup.a, "a")
    assert_runs_as(setup.cache, setup.b, "b")


def test_prepared_entry_swapped_for_another(setup: Setup) -> None:
    shutil.copyfile(setup.prepared_b, setup.prepared_a_path)
    assert_runs_as(setup.cache, setup.a, "a")
    assert_runs_as(setup.cache, setup.a, "a")
    assert_runs_as(setup.cache, setup.b, "b")


def test_code_entry_copied_over_all_others(setup: Setup) -> None:
    entries = code_entries(setup.cache)
    assert len(entries) > 10
    for source in (entries[0], entries[len(entries) // 2]):
        data = source.read_bytes()
        for entry in entries:
            entry.write_bytes(data)
        for _ in range(2):  # the first run repairs what it used; none may fail
            assert_runs_as(setup.cache, setup.a, "a")
            assert_runs_as(setup.cache, setup.b, "b")


def _text_section(data: bytes) -> tuple[int, int]:
    """(offset, size) of the ELF ``.text`` section of a compiled module."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1  # 64-bit little-endian
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_at = sections[shstrndx][4]
    for name, _, _, _, offset, size in sections:
        end = data.index(b"\0", names_at + name)
        if data[names_at + name : end] == b".text":
            return offset, size
    raise AssertionError("no .text section")


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_machine_code_overwritten(setup: Setup, path: str) -> None:
    """Every instruction of a's code becomes a breakpoint: running it would trap."""
    if path == "cold":
        setup.drop_prepared()
    data = bytearray(setup.a_main.read_bytes())
    offset, size = _text_section(bytes(data))
    assert size > 0
    data[offset : offset + size] = b"\xcc" * size
    setup.a_main.write_bytes(bytes(data))
    assert_runs_as(setup.cache, setup.a, "a")
    assert_runs_as(setup.cache, setup.a, "a")


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_flipped_bits_in_machine_code(setup: Setup, path: str) -> None:
    """A few flipped bits, spread over the code, as a failing disk leaves them."""
    if path == "cold":
        setup.drop_prepared()
    data = bytearray(setup.a_main.read_bytes())
    offset, size = _text_section(bytes(data))
    for at in range(offset, offset + size, max(size // 16, 1)):
        data[at] ^= 0x10
    setup.a_main.write_bytes(bytes(data))
    assert_runs_as(setup.cache, setup.a, "a")


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_changed_data_byte(setup: Setup, path: str) -> None:
    """A change that would not crash, only print something else."""
    if path == "cold":
        setup.drop_prepared()
    data = setup.a_main.read_bytes()
    at = data.index(b"component A")
    setup.a_main.write_bytes(data[:at] + b"component Z" + data[at + 11 :])
    assert_runs_as(setup.cache, setup.a, "a")


@pytest.mark.parametrize("kind", ["module", "prepared", "code"])
def test_truncated_entries(setup: Setup, kind: str) -> None:
    if kind == "module":
        victims = [setup.a_main]
    elif kind == "prepared":
        victims = [setup.prepared_a_path]
    else:
        victims = code_entries(setup.cache)
    for victim in victims:
        data = victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
    assert_runs_as(setup.cache, setup.a, "a")
    assert_runs_as(setup.cache, setup.a, "a")


#: random corruptions per run of the test below (``WITKIT_SECURITY_SCALE`` multiplies it)
CORRUPTIONS = 6 * SCALE


def test_random_corruption_never_runs(setup: Setup) -> None:
    """Any entry, any byte, any bit: the run still prints a's greeting, since a damaged
    entry is a miss and is made again (the old code ran flipped machine code)."""
    import random

    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    for round_ in range(CORRUPTIONS):
        candidates = [
            setup.a_main,
            *(p for p in core(setup.cache).glob("*.cwasm") if p != setup.a_main),
            *prepared_entries(setup.cache),
            *code_entries(setup.cache),
        ]
        # every other round hits the machine code a runs, the others any byte of any entry
        victim = candidates[0] if round_ % 2 == 0 else rng.choice(candidates)
        data = bytearray(victim.read_bytes())
        if victim == setup.a_main:
            offset, size = _text_section(bytes(data))
            at = offset + rng.randrange(size)
        else:
            at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
        victim.write_bytes(bytes(data))
        proc = witkit_run(setup.cache, setup.a)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, expected("a"), b""), (
            f"seed {seed}, round {round_}: bit flipped at {at} of {victim.name}",
            proc,
        )


#: real toolchain components for the warm-path case: a C command (its module and the
#: preview1 adapter's) always; the 18 MB componentize-py one, whose big modules are checked
#: on two threads, from ``WITKIT_SECURITY_SCALE=2`` (it compiles for 10-20 s)
WARM_PATH_COMPONENTS = {
    "c_hello": (0, b"Hello, world!\n", b""),
    **({"py_hello": (0, b"Hello from Python!\nargs: []\n", b"to stderr\n")} if SCALE >= 2 else {}),
}


@pytest.mark.parametrize("name", sorted(WARM_PATH_COMPONENTS))
def test_biggest_module_overwritten_on_the_warm_path(tmp_path: Path, name: str) -> None:
    """A component built by a real toolchain starts prepared, its biggest compiled module
    (for py_hello the one libpython runs in, checked on the helper thread) is overwritten
    with int3: the damage is caught and the module recompiled.  (The thread split itself
    is tested in-process: tests/runtime_core/test_cache.py.)"""
    from tests.fixtures.build import build

    component = build(name)
    cache = tmp_path / "cache"
    expected_run = WARM_PATH_COMPONENTS[name]
    for _ in range(2):  # compile, then start prepared
        proc = witkit_run(cache, component)
        assert (proc.returncode, proc.stdout, proc.stderr) == expected_run, proc
    assert prepared_entries(cache)
    modules = sorted(core(cache).glob("*.cwasm"), key=lambda p: p.stat().st_size)
    victim = modules[-1]
    if name == "py_hello":  # two big ones: the helper thread checks the biggest
        assert modules[-2].stat().st_size > 4 << 20
    data = bytearray(victim.read_bytes())
    offset, size = _text_section(bytes(data))
    data[offset : offset + size] = b"\xcc" * size
    victim.write_bytes(bytes(data))
    proc = witkit_run(cache, component)
    assert (proc.returncode, proc.stdout, proc.stderr) == expected_run, proc
