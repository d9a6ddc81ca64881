"""The sandbox battery end to end: a real C guest (``tests/fixtures/c/sandbox.c``) tries to leave.

``test_sandbox.py`` checks the host's path rules call by call; here the same rules
are met the way a program meets them, through wasi-libc and the preview1 adapter:
``..``, absolute paths, host symlinks pointing out, symlinks the guest makes, and
every kind of mutation of a read-only preopen.  Each attempt prints its errno
text, so the outcome is compared line by line with two oracles:

* ``wasmtime run`` with the same flags (it has no read-only preopen, so both
  sides grant ``/ro`` writable there), and
* ``wasmtime.component`` in-process with ``preopen_dir(..., fs_mutable=False)``
  for ``witkit run --dir-ro``.

Besides matching, each attempt must fail with the errno a sandbox gives, and the
directory around the preopens (which holds ``outside.txt``) must be unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.wasi.guests import build_guest
from tests.wasi.test_differential import ROOT, TIMEOUT, tree, wasmtime_binary

EPERM = "Operation not permitted"
ENOTCAPABLE = "Capabilities insufficient"
ENOENT = "No such file or directory"

#: what every attempt of sandbox.c must print with /ro granted read-only
EXPECTED_READ_ONLY: dict[str, str] = {
    "read_inside": "ok",
    "read_via_sub_dotdot": "ok",
    "read_ro": "ok",
    "dotdot_read": EPERM,
    "dotdot_sub_read": EPERM,
    "dotdot_create": EPERM,
    "dotdot_mkdir": EPERM,
    "dotdot_stat": EPERM,
    "dotdot_opendir": EPERM,
    "dotdot_rename": EPERM,
    "dotdot_unlink": EPERM,
    # no preopen matches: wasi-libc refuses before asking the host
    "abs_etc_passwd": ENOTCAPABLE,
    "abs_root_dir": ENOTCAPABLE,
    "abs_create": ENOTCAPABLE,
    "symlink_up_read": EPERM,
    "symlink_abs_read": EPERM,
    "symlink_up_write": EPERM,
    "symlink_stat": EPERM,
    # a relative link may be made (wasmtime allows it too); following it out may not
    "make_link_up": "ok",
    "follow_link_up": EPERM,
    "make_link_abs": EPERM,
    "follow_link_abs": ENOENT,
    "ro_write": EPERM,
    "ro_append": EPERM,
    "ro_truncate": EPERM,
    "ro_create": EPERM,
    "ro_mkdir": EPERM,
    "ro_unlink": EPERM,
    "ro_rename": EPERM,
    "ro_rename_out": EPERM,
    "ro_symlink": EPERM,
}


def sandbox_component() -> Path:
    return build_guest("c_sandbox")


def layout(outer: Path) -> None:
    """outer/{outside.txt, sandbox/{inside.txt, sub/, link_up, link_abs}, ro/kept.txt}."""
    (outer / "sandbox" / "sub").mkdir(parents=True)
    (outer / "ro").mkdir()
    (outer / "outside.txt").write_bytes(b"outside\n")
    (outer / "sandbox" / "inside.txt").write_bytes(b"inside\n")
    (outer / "ro" / "kept.txt").write_bytes(b"kept\n")
    (outer / "sandbox" / "link_up").symlink_to("../outside.txt")
    (outer / "sandbox" / "link_abs").symlink_to(outer / "outside.txt")


def outcome(stdout: bytes) -> dict[str, str]:
    pairs = (line.split(" ", 1) for line in stdout.decode().splitlines())
    return {name: result for name, result in pairs}


def normalise(t: dict[str, bytes | str], outer: Path) -> dict[str, bytes | str]:
    """The tree with the absolute symlink's target made relative to ``outer``."""
    return {k: v.replace(str(outer), "<outer>") if isinstance(v, str) else v for k, v in t.items()}


def run_sandbox(
    tool: str, outer: Path, ro_flag: str, program: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """sandbox.c (the component, or ``program``: the same source built otherwise) under
    ``tool``'s CLI, with ``outer``'s sandbox/ and ro/ (granted by ``ro_flag``) preopened."""
    prefix = (
        [str(wasmtime_binary()), "run"]
        if tool == "wasmtime"
        else [sys.executable, "-m", "witkit", "run"]
    )
    return subprocess.run(
        [
            *prefix,
            *("--argv0", "prog", "--dir", f"{outer / 'sandbox'}::/sandbox"),
            *(ro_flag, f"{outer / 'ro'}::/ro"),
            *(str(program or sandbox_component()), "/sandbox", "/ro"),
        ],
        capture_output=True,
        timeout=TIMEOUT,
        cwd=outer,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )


def test_same_as_wasmtime_cli(tmp_path: Path) -> None:
    """Both CLIs, /ro writable on both: the same verdicts and the same files afterwards."""
    results = []
    for tool in ("wasmtime", "witkit"):
        outer = tmp_path / tool
        outer.mkdir()
        layout(outer)
        proc = run_sandbox(tool, outer, "--dir")
        results.append((proc.returncode, proc.stdout, proc.stderr, normalise(tree(outer), outer)))
    assert results[1] == results[0]
    escapes = {k: v for k, v in outcome(results[1][1]).items() if not k.startswith("ro_")}
    assert escapes == {k: v for k, v in EXPECTED_READ_ONLY.items() if not k.startswith("ro_")}


def run_in_wasmtime_py(
    component: Path, argv: list[str], preopens: list[tuple[Path, str, bool]], out: Path
) -> bytes:
    """A command under wasmtime-py's own WASI host, which can make a preopen read-only
    (``fs_mutable=False``; the CLI has no such flag): its stdout, through the file ``out``.
    ``preopens`` are (host, guest, mutable)."""
    import wasmtime
    from wasmtime import component as wc

    engine = wasmtime.Engine()
    linker = wc.Linker(engine)
    linker.add_wasip2()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = argv
    config.stdout_file = str(out)
    for host, guest, mutable in preopens:
        config.preopen_dir(str(host), guest, fs_mutable=mutable)
    store.set_wasi(config)
    instance = linker.instantiate(store, wc.Component.from_file(engine, str(component)))
    run_iface = instance.get_export_index(store, "wasi:cli/run@0.2.12")
    assert run_iface is not None
    run_index = instance.get_export_index(store, "run", run_iface)
    assert run_index is not None
    run = instance.get_func(store, run_index)
    assert run is not None
    run(store)
    run.post_return(store)
    return out.read_bytes()


def oracle_read_only(outer: Path) -> bytes:
    """sandbox.c under wasmtime's own WASI host with /ro read-only."""
    return run_in_wasmtime_py(
        sandbox_component(),
        ["prog", "/sandbox", "/ro"],
        [(outer / "sandbox", "/sandbox", True), (outer / "ro", "/ro", False)],
        outer.parent / f"{outer.name}.stdout",
    )


def test_read_only_preopen_like_wasmtime(tmp_path: Path) -> None:
    """``--dir-ro``: every escape and every mutation refused, as wasmtime's read-only preopen."""
    oracle_outer = tmp_path / "oracle"
    oracle_outer.mkdir()
    layout(oracle_outer)
    expected = oracle_read_only(oracle_outer)

    outer = tmp_path / "witkit"
    outer.mkdir()
    layout(outer)
    before = normalise(tree(outer), outer)
    proc = run_sandbox("witkit", outer, "--dir-ro")
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout == expected
    assert outcome(proc.stdout) == EXPECTED_READ_ONLY

    after = normalise(tree(outer), outer)
    assert after == normalise(tree(oracle_outer), oracle_outer)
    # the one change: the relative symlink the guest may make inside its own preopen
    assert after == {**before, "sandbox/guest_up": "-> ../outside.txt"}
    assert not Path("/tmp/witkit-sandbox-escape").exists()
