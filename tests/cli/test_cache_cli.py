"""``witkit cache``: the shell over ``witkit.runtime.pruning`` (the rules are tested there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.wat"


def witkit(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "witkit", *args],
        env={**os.environ, "WITKIT_CACHE_DIR": str(root), "PYTHONPATH": str(ROOT / "src"), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_dir_size_prune_clean(tmp_path: Path) -> None:
    root = tmp_path / "witkit"
    assert witkit(root, "cache", "dir").stdout == f"{root}\n"
    empty = witkit(root, "cache", "size")
    assert empty.returncode == 0 and "0 entries" in empty.stdout
    assert witkit(root, "run", str(HELLO)).returncode == 0

    size = witkit(root, "cache", "size").stdout.splitlines()
    assert size[0] == str(root / "core")
    rows = {line.split("  ")[1].strip(): line for line in size[1:-1]}
    assert set(rows) == {"compiled modules", "generated code", "prepared components", "total"}
    for row in rows.values():
        assert " 0 entries" not in row, size
    assert size[-1] == "automatic pruning keeps it under 512.0 MiB, least recently used first"
    off = witkit(root, "cache", "size", WITKIT_CACHE_MAX_SIZE="off").stdout
    assert off.endswith("automatic pruning is off (WITKIT_CACHE_MAX_SIZE=off)\n")

    pruned = witkit(root, "cache", "prune", "--max-size", "1G")
    assert pruned.stdout.startswith("removed 0 entries, 0 B; the cache takes "), pruned
    pruned = witkit(root, "cache", "prune", "--max-size", "0")
    assert pruned.returncode == 0 and pruned.stdout.endswith("takes 0 B (at most 0 B)\n"), pruned
    assert witkit(root, "run", str(HELLO)).returncode == 0
    cleaned = witkit(root, "cache", "clean")
    assert cleaned.returncode == 0 and cleaned.stdout.startswith("removed "), cleaned
    assert "0 B" not in cleaned.stdout
    assert witkit(root, "cache", "clean").stdout == "removed 0 entries, 0 B\n"


def test_errors(tmp_path: Path) -> None:
    root = tmp_path / "witkit"
    bad = witkit(root, "cache", "prune", "--max-size", "lots")
    assert (bad.returncode, bad.stderr) == (
        1,
        "witkit cache: error: --max-size: not a size: 'lots' (e.g. 200MiB, 1G, 0)\n",
    )
    (root / "core").mkdir(parents=True)
    (root / "core").chmod(0o777)
    refused = witkit(root, "cache", "clean")
    assert refused.returncode == 1
    assert refused.stderr.startswith("witkit cache: error: cache directory not used: ")
    assert "writable by group and others" in refused.stderr
    usage = witkit(root, "cache")
    assert usage.returncode == 2 and "ACTION" in usage.stderr
    off = witkit(root, "cache", "prune", WITKIT_CACHE_MAX_SIZE="off")
    assert off.returncode == 1 and "give --max-size" in off.stderr
