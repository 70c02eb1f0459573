from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable


class StorageUnavailable(OSError):
    """The storage did not answer (an object store down or unreachable): try again later.
    A missing key is a FileNotFoundError, never this."""


@runtime_checkable
class Storage(Protocol):
    def put_file(self, key: str, source: Path) -> None:
        """Store a copy of a local file under key (replacing any earlier one)."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store bytes under key (replacing any earlier ones)."""

    def open(self, key: str) -> BinaryIO:
        """Open key for reading; FileNotFoundError if it does not exist."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Remove key; no error if it does not exist."""

    def fetch(self, key: str, destination: Path) -> None:
        """Copy key's bytes into a local file (for tools that need a path)."""

    def local_file(self, key: str) -> AbstractContextManager[Path]:
        """A local path holding key's bytes while the context lasts (read it, never write)."""

    def check(self) -> None:
        """Raise if the storage cannot be used now (readiness checks)."""

    def keys(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        """Every stored key under ``prefix`` with its size (backups)."""
