"""Link-time matching of a component's wasi imports (any 0.2.x) against the host."""

from __future__ import annotations

import pytest

from witkit.errors import LinkError
from witkit.types import (
    BorrowType,
    ComponentType,
    EnumType,
    ExternItem,
    FuncType,
    InstanceType,
    ListType,
    OwnType,
    ResourceType,
    ResultType,
    TypeExtern,
    ValType,
)
from witkit.wasi import WasiConfig
from witkit.wasi.host import interfaces
from witkit.wasi.typecheck import check_imports


def streams_import(method: str = "blocking-write-and-flush", params: int = 2) -> InstanceType:
    res = ResourceType("output-stream")
    all_params: tuple[tuple[str, ValType], ...] = (
        ("self", BorrowType(res)),
        ("contents", ListType("u8")),
        ("extra", "u32"),
    )
    return InstanceType(
        {
            "output-stream": ExternItem(TypeExtern(res, res)),
            "stream-error": ExternItem(TypeExtern(EnumType(("closed",)), EnumType(("closed",)))),
            f"[method]output-stream.{method}": ExternItem(
                FuncType(all_params[:params], ResultType(None, None))
            ),
        }
    )


def stdout_import() -> InstanceType:
    res = ResourceType("output-stream")
    return InstanceType(
        {
            "output-stream": ExternItem(TypeExtern(res, res)),
            "get-stdout": ExternItem(FuncType((), OwnType(res))),
        }
    )


HOST = interfaces(WasiConfig().build())


@pytest.mark.parametrize("version", ["0.2.0", "0.2.3", "0.2.12", "0.2.99"])
def test_every_02_version_is_served(version: str) -> None:
    component = ComponentType(
        imports={
            f"wasi:io/streams@{version}": ExternItem(streams_import()),
            f"wasi:cli/stdout@{version}": ExternItem(stdout_import()),
            "my:own/thing@1.0.0": ExternItem(InstanceType()),
        }
    )
    check_imports(component, HOST)


def test_mismatches_are_reported_together() -> None:
    component = ComponentType(
        imports={
            "wasi:io/streams@0.2.0": ExternItem(streams_import("no-such-method")),
            "wasi:cli/stdout@0.3.0": ExternItem(stdout_import()),
            "wasi:http/types@0.2.0": ExternItem(InstanceType()),
            "wasi:cli/stderr@0.2.1": ExternItem(stdout_import()),
        }
    )
    with pytest.raises(LinkError) as info:
        check_imports(component, HOST)
    message = str(info.value)
    assert "no method 'no-such-method'" in message
    assert "wasi:cli/stdout@0.3.0: the host serves WASI 0.2.x only" in message
    assert "wasi:http/types@0.2.0: not provided" in message
    assert "no function 'get-stdout'" in message  # stderr has get-stderr, not get-stdout


def test_parameter_count_is_checked() -> None:
    component = ComponentType(
        imports={"wasi:io/streams@0.2.0": ExternItem(streams_import(params=3))}
    )
    with pytest.raises(LinkError, match="takes 3 parameters, the host's 2"):
        check_imports(component, HOST)
