"""The public surface of ``witkit.wit``: names, extra dependency paths, world selection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import witkit.wit
from witkit.errors import WitError
from witkit.wit import parse_path, parse_sources, parse_text, select_world
from witkit.wit.json import resolve_to_json

from .support import wasm_tools

LIB = """\
package demo:lib@1.2.0;

interface types {
    type id = u64;
}

world base {
    import types;
}
"""

APP = """\
package demo:app;

interface api {
    use demo:lib/types@1.2.0.{id};
    get: func() -> id;
}

world app {
    include demo:lib/base@1.2.0;
    export api;
}

world other {}
"""


def test_all_lists_the_public_names() -> None:
    for name in witkit.wit.__all__:
        assert getattr(witkit.wit, name) is not None
    assert sorted(witkit.wit.__all__) == witkit.wit.__all__
    with pytest.raises(AttributeError):
        _ = witkit.wit.no_such_name


def test_import_is_lazy() -> None:
    code = (
        "import sys, witkit.wit; print(sorted(m for m in sys.modules if m.startswith('witkit.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['witkit.wit']"


def test_extra_dependency_paths_equal_a_deps_directory(tmp_path: Path) -> None:
    (tmp_path / "app.wit").write_text(APP)
    (tmp_path / "lib.wit").write_text(LIB)
    resolve, package = parse_path(tmp_path / "app.wit", deps=[tmp_path / "lib.wit"])
    assert str(resolve.packages[package].name) == "demo:app"

    project = tmp_path / "project"
    (project / "deps").mkdir(parents=True)
    (project / "app.wit").write_text(APP)
    (project / "deps" / "lib.wit").write_text(LIB)
    expected = wasm_tools("component", "wit", "--json", project)
    assert expected.returncode == 0, expected.stderr.decode()
    assert resolve_to_json(resolve) == expected.stdout.decode().rstrip("\n")
    from_dir, _ = parse_path(project)
    assert resolve_to_json(from_dir) == resolve_to_json(resolve)


def test_sources_need_no_files() -> None:
    resolve, package = parse_sources([("app.wit", APP)], [[("lib.wit", LIB)]])
    assert sorted(resolve.packages[package].worlds) == ["app", "other"]
    with pytest.raises(WitError) as info:
        parse_sources([("app.wit", APP)])
    assert info.value.span is not None and info.value.span.file == "app.wit"


def test_select_world_by_name_and_by_qualified_name_with_or_without_version() -> None:
    resolve, package = parse_sources([("app.wit", APP)], [[("lib.wit", LIB)]])
    app = select_world(resolve, package, "app")
    assert resolve.worlds[app].name == "app"
    base = select_world(resolve, package, "demo:lib/base@1.2.0")
    assert select_world(resolve, package, "demo:lib/base") == base
    with pytest.raises(WitError, match="multiple worlds"):
        select_world(resolve, package)
    with pytest.raises(WitError, match="not found"):
        select_world(resolve, package, "ap")


def test_select_world_needs_a_version_when_two_are_known() -> None:
    newer = LIB.replace("1.2.0", "1.3.0")
    resolve, package = parse_sources(
        [("app.wit", APP)], [[("lib.wit", LIB)], [("lib2.wit", newer)]]
    )
    with pytest.raises(WitError, match="both versions"):
        select_world(resolve, package, "demo:lib/base")
    lone, lone_package = parse_text("package demo:one;\nworld only {}\n", "one.wit")
    assert resolve_worlds(lone, lone_package) == ["only"]


def resolve_worlds(resolve: witkit.wit.model.Resolve, package: int) -> list[str]:
    world = select_world(resolve, witkit.wit.model.PackageId(package))
    return [resolve.worlds[world].name]
