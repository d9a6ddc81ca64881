"""``witkit._startup``: names and modules imported on first use, then kept; the shortcuts
past ``hashlib``, ``pickle`` and ``inspect`` give what the front doors give."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest

from witkit._startup import Deferred, arity, attribute, blake2b, c_pickle


def test_attribute_imports_the_home_once_and_keeps_the_value() -> None:
    package = ModuleType("pkg")
    package.__dict__["_HOMES"] = {"dumps": "json"}
    sys.modules["pkg"] = package
    try:
        value = attribute("pkg", "dumps")
        assert value is sys.modules["json"].dumps
        assert package.__dict__["dumps"] is value
        with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'loads'"):
            attribute("pkg", "loads")
    finally:
        del sys.modules["pkg"]


def test_deferred_rebinds_its_name_to_the_module_on_first_use() -> None:
    loaded: list[str] = []

    def load(name: str) -> ModuleType:
        loaded.append(name)
        return sys.modules[name] if name in sys.modules else __import__(name)

    namespace: dict[str, Any] = {}
    namespace["string"] = Deferred("string", namespace, load)
    assert "deferred" in repr(namespace["string"])
    assert namespace["string"].ascii_lowercase == "abcdefghijklmnopqrstuvwxyz"
    assert namespace["string"] is sys.modules["string"]
    assert loaded == ["string"]


def test_packages_resolve_their_lazy_names() -> None:
    import witkit
    import witkit.abi
    import witkit.runtime
    import witkit.wit

    for package in (witkit, witkit.abi, witkit.runtime, witkit.wit):
        for name in package.__all__:
            assert getattr(package, name) is not None
        with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute"):
            package.no_such_name  # noqa: B018


def testarity_is_what_inspect_would_count() -> None:
    """``arity`` reads code objects instead of importing ``inspect``: same answers."""
    import functools
    import inspect

    from witkit.wasi.host.io import OutputStreamResource

    class WithInit:
        def __init__(self, a: int, b: int = 0, *, c: int = 1) -> None: ...

        def method(self, x: int) -> None: ...

    class Bare:
        pass

    def plain(a: int, b: int) -> None: ...

    def variadic(*args: int) -> None: ...

    @functools.wraps(plain)
    def wrapper(*args: int) -> None: ...

    cases: list[object] = [
        WithInit,
        Bare,
        plain,
        wrapper,
        WithInit(1).method,
        WithInit.method,
        lambda: None,
        OutputStreamResource.blocking_write_and_flush,
    ]
    for fn in cases:
        assert arity(fn, method=False) == len(inspect.signature(fn).parameters), fn  # type: ignore[arg-type]
    assert arity(variadic, method=False) is None
    assert arity(len, method=False) is None  # a builtin: not checked
    assert arity(plain, method=True) == 3


def test_blake2b_and_the_c_pickler_are_the_standard_ones() -> None:
    import hashlib
    import pickle

    data = b"witkit"
    assert (
        blake2b(data, digest_size=20).hexdigest()
        == hashlib.blake2b(data, digest_size=20).hexdigest()
    )
    digest = blake2b(digest_size=32)
    digest.update(data)
    assert digest.digest() == hashlib.blake2b(data, digest_size=32).digest()
    module = c_pickle()
    assert pickle.loads(module.dumps({"a": (1, 2)}, protocol=5)) == {"a": (1, 2)}
    assert issubclass(module.UnpicklingError, pickle.UnpicklingError)
