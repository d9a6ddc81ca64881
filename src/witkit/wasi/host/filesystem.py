"""The WIT face of ``wasi:filesystem``: descriptors, directory streams, preopens.

``descriptor`` and ``directory-entry-stream`` wrap the cores of
:mod:`witkit.wasi.filesystem`, which check every path against its preopen; here
only the ABI's shapes are converted (flags to ``frozenset`` of WIT names,
``new-timestamp`` variants to :class:`~witkit.wasi.filesystem.NewTimestamp`),
and ``FsError`` becomes the ``error-code`` of a ``result`` (:func:`fallible`).
"""

from __future__ import annotations

from typing import Any

from witkit.wasi.clocks import Datetime
from witkit.wasi.config import WasiContext
from witkit.wasi.errno import fs_code
from witkit.wasi.filesystem import Descriptor, DirectoryEntryStream, NewTimestamp
from witkit.wasi.host.io import (
    STREAMS,
    CoreResource,
    ErrorResource,
    InputStreamResource,
    OutputStreamResource,
    error_code,
    fallible,
)

__all__ = ["DescriptorResource", "DirectoryEntryStreamResource", "interfaces"]


def _flags(value: Any) -> frozenset[str]:
    return frozenset(str(v).replace("_", "-") for v in value)


def _timestamp(value: Any) -> NewTimestamp:
    tag = value if isinstance(value, str) else value.tag
    if tag == "timestamp":
        d = value.value
        return NewTimestamp("timestamp", Datetime(int(d.seconds), int(d.nanoseconds)))
    return NewTimestamp(tag.replace("_", "-"))


class DescriptorResource(CoreResource):
    """``wasi:filesystem/types.descriptor``."""

    core: Descriptor

    @fallible
    def read_via_stream(self, offset: int) -> InputStreamResource:
        return InputStreamResource(self.core.read_via_stream(offset))

    @fallible
    def write_via_stream(self, offset: int) -> OutputStreamResource:
        return OutputStreamResource(self.core.write_via_stream(offset))

    @fallible
    def append_via_stream(self) -> OutputStreamResource:
        return OutputStreamResource(self.core.append_via_stream())

    @fallible
    def advise(self, offset: int, length: int, advice: str) -> None:
        self.core.advise(offset, length, advice)

    @fallible
    def sync_data(self) -> None:
        self.core.sync_data()

    @fallible
    def get_flags(self) -> frozenset[str]:
        return self.core.get_flags()

    @fallible
    def get_type(self) -> str:
        return self.core.get_type()

    @fallible
    def set_size(self, size: int) -> None:
        self.core.set_size(size)

    @fallible
    def set_times(self, atim: Any, mtim: Any) -> None:
        self.core.set_times(_timestamp(atim), _timestamp(mtim))

    @fallible
    def read(self, length: int, offset: int) -> tuple[bytes, bool]:
        return self.core.read(length, offset)

    @fallible
    def write(self, buffer: bytes, offset: int) -> int:
        return self.core.write(buffer, offset)

    @fallible
    def read_directory(self) -> DirectoryEntryStreamResource:
        return DirectoryEntryStreamResource(self.core.read_directory())

    @fallible
    def sync(self) -> None:
        self.core.sync()

    @fallible
    def create_directory_at(self, path: str) -> None:
        self.core.create_directory_at(path)

    @fallible
    def stat(self) -> Any:
        return self.core.stat()

    @fallible
    def stat_at(self, path_flags: Any, path: str) -> Any:
        return self.core.stat_at(_flags(path_flags), path)

    @fallible
    def set_times_at(self, path_flags: Any, path: str, atim: Any, mtim: Any) -> None:
        self.core.set_times_at(_flags(path_flags), path, _timestamp(atim), _timestamp(mtim))

    @fallible
    def link_at(
        self, old_path_flags: Any, old_path: str, new_descriptor: DescriptorResource, new_path: str
    ) -> None:
        self.core.link_at(_flags(old_path_flags), old_path, new_descriptor.core, new_path)

    @fallible
    def open_at(
        self, path_flags: Any, path: str, open_flags: Any, flags: Any
    ) -> DescriptorResource:
        return DescriptorResource(
            self.core.open_at(_flags(path_flags), path, _flags(open_flags), _flags(flags))
        )

    @fallible
    def readlink_at(self, path: str) -> str:
        return self.core.readlink_at(path)

    @fallible
    def remove_directory_at(self, path: str) -> None:
        self.core.remove_directory_at(path)

    @fallible
    def rename_at(self, old_path: str, new_descriptor: DescriptorResource, new_path: str) -> None:
        self.core.rename_at(old_path, new_descriptor.core, new_path)

    @fallible
    def symlink_at(self, old_path: str, new_path: str) -> None:
        self.core.symlink_at(old_path, new_path)

    @fallible
    def unlink_file_at(self, path: str) -> None:
        self.core.unlink_file_at(path)

    def is_same_object(self, other: DescriptorResource) -> bool:
        return self.core.is_same_object(other.core)

    @fallible
    def metadata_hash(self) -> Any:
        return self.core.metadata_hash()

    @fallible
    def metadata_hash_at(self, path_flags: Any, path: str) -> Any:
        return self.core.metadata_hash_at(_flags(path_flags), path)


class DirectoryEntryStreamResource(CoreResource):
    """``wasi:filesystem/types.directory-entry-stream``."""

    core: DirectoryEntryStream

    @fallible
    def read_directory_entry(self) -> Any:
        return self.core.read_directory_entry()


def _filesystem_error_code(err: ErrorResource) -> str | None:
    return error_code(err, fs_code)


def interfaces(ctx: WasiContext) -> dict[str, dict[str, Any]]:
    """``wasi:filesystem``'s interfaces: unversioned name -> {WIT item name -> host function or class}."""

    def get_directories() -> list[tuple[DescriptorResource, str]]:
        return [(DescriptorResource(d), name) for d, name in ctx.preopens]

    return {
        "wasi:filesystem/types": {
            **STREAMS,
            "descriptor": DescriptorResource,
            "directory-entry-stream": DirectoryEntryStreamResource,
            "filesystem-error-code": _filesystem_error_code,
        },
        "wasi:filesystem/preopens": {
            "descriptor": DescriptorResource,
            "get-directories": get_directories,
        },
    }
