"""``witkit completion``: scripts generated from the parser, checked by the shells themselves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from witkit.cli import completion
from witkit.cli.main import COMMANDS, build_parser

DRIVE = """
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_witkit
printf '%s\\n' "${COMPREPLY[@]}"
"""


def complete(tmp_path: Path, line: str) -> list[str]:
    """What bash offers for the last word of ``line`` (a trailing space: a new word)."""
    script = tmp_path / "witkit.bash"
    script.write_text(completion.script("bash"))
    words = line.split(" ")
    done = subprocess.run(
        ["bash", "-c", DRIVE, "drive", str(script), *words],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    return sorted(filter(None, done.stdout.splitlines()))


def test_bash_parses_it(tmp_path: Path) -> None:
    script = tmp_path / "witkit.bash"
    script.write_text(completion.script("bash"))
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_bash_completes_commands_options_and_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "app.wasm").write_bytes(b"")
    assert complete(tmp_path, "witkit r") == ["run"]
    assert complete(tmp_path, "witkit ") == sorted(COMMANDS)
    assert complete(tmp_path, "witkit cache pr") == ["prune"]
    assert complete(tmp_path, "witkit cache prune --m") == ["--max-size"]
    assert complete(tmp_path, "witkit completion ") == ["bash", "fish", "zsh"]
    assert complete(tmp_path, "witkit run --di") == ["--dir", "--dir-ro"]
    assert complete(tmp_path, "witkit run --dir ") == ["data"]
    assert complete(tmp_path, "witkit run --dir data a") == ["app.wasm"]
    assert complete(tmp_path, "witkit inspect ") == ["app.wasm", "data", "witkit.bash"]
    assert complete(tmp_path, "witkit --v") == ["--verbose", "--version"]


def test_the_tree_has_every_command_and_option() -> None:
    root = completion.tree(build_parser())
    assert set(root.commands) == set(COMMANDS)
    assert set(root.commands["cache"].commands) == {"dir", "size", "clean", "prune"}
    run = root.commands["run"]
    assert run.options["--dir"] == "dir" and run.options["--no-cache"] is None
    assert run.files
    fish = completion.script("fish")
    for option in run.options:
        flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
        assert f"'__fish_seen_subcommand_from run' {flag}" in fish, option


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_parses_and_registers_it(tmp_path: Path) -> None:
    script = tmp_path / "witkit.zsh"
    script.write_text(completion.script("zsh"))
    subprocess.run(["zsh", "-n", str(script)], check=True)
    done = subprocess.run(
        ["zsh", "-f", "-c", f"source {script}; print -r -- $_comps[witkit]"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.strip() == "_bash_complete -o filenames -o bashdefault -F _witkit"


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_parses_and_completes_it(tmp_path: Path) -> None:
    script = tmp_path / "witkit.fish"
    script.write_text(completion.script("fish"))
    subprocess.run(["fish", "--no-config", "-n", str(script)], check=True)

    def offered(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        return sorted(row.split("\t")[0] for row in done.stdout.splitlines())

    assert offered("witkit r") == ["run"]
    assert offered("witkit cache ") == ["clean", "dir", "prune", "size"]
    assert offered("witkit completion ") == ["bash", "fish", "zsh"]
