"""Files in an S3-compatible object store (scale mode), through django-storages.

``WENKU_STORAGE_URL=s3://[ACCESS_KEY:SECRET@]bucket[/prefix]?endpoint=URL&region=R``
(``addressing=path`` for stores that want path-style requests, such as MinIO). Without
keys in the URL, boto3's usual chain applies (``AWS_ACCESS_KEY_ID``… or an instance
role). Objects are written whole (an S3 PUT is atomic: a reader sees the old object,
the new one or none), never made public: readers get short-lived signed URLs.

A store that does not answer (connection refused, timeouts, 5xx) raises
``StorageUnavailable``, which workers retry later and pages answer with 503; a missing
key raises ``FileNotFoundError`` as the local folder does.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from wenku.core.storage.base import StorageUnavailable

T = TypeVar("T")
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 30.0
CACHE_BYTES = 512 * 1024 * 1024


def _prune(folder: Path, limit: int) -> None:
    """Delete the least recently used copies until the folder holds at most ``limit``."""
    files = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.rglob("*") if p.is_file()]
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    addressing: str | None = None

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError(f"expected s3://bucket[/prefix]?endpoint=…, got {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region", "addressing"}
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)} in WENKU_STORAGE_URL")
        addressing = query.get("addressing")
        if addressing not in (None, "path", "virtual"):
            raise ValueError("addressing must be 'path' or 'virtual'")
        return cls(
            bucket=parts.hostname,
            prefix=parts.path.strip("/"),
            endpoint=query.get("endpoint"),
            region=query.get("region"),
            access_key=unquote(parts.username) if parts.username else None,
            secret_key=unquote(parts.password) if parts.password else None,
            addressing=addressing,
        )


def _is_missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def _unavailable(exc: Exception) -> bool:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectionError,
        EndpointConnectionError,
    )

    if isinstance(exc, EndpointConnectionError | ConnectionError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return int(status or 0) >= 500
    return isinstance(exc, BotoCoreError)


class S3Storage:
    """Files in a bucket (an S3-compatible store), keyed as in the local folder."""

    def __init__(self, location: S3Location, cache_dir: Path | None = None) -> None:
        from botocore.config import Config as BotoConfig
        from storages.backends.s3 import S3Storage as DjangoS3Storage

        self.location = location
        self.cache_dir = cache_dir
        self._storage = DjangoS3Storage(
            bucket_name=location.bucket,
            location=location.prefix,
            endpoint_url=location.endpoint,
            region_name=location.region,
            access_key=location.access_key,
            secret_key=location.secret_key,
            addressing_style=location.addressing,
            file_overwrite=True,
            default_acl=None,
            querystring_auth=True,
            client_config=BotoConfig(
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": location.addressing or "auto"},
            ),
        )

    # --- helpers

    def _name(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad storage key {key!r}")
        return key

    def _object(self, key: str) -> Any:
        return self._storage.bucket.Object(self._storage._normalize_name(self._name(key)))

    def _call(self, key: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as exc:
            if _is_missing(exc):
                raise FileNotFoundError(key) from exc
            if _unavailable(exc):
                raise StorageUnavailable(f"object storage: {exc}") from exc
            raise

    # --- the Storage interface

    def put_file(self, key: str, source: Path) -> None:
        self._call(key, lambda: self._object(key).upload_file(str(source)))

    def put_bytes(self, key: str, data: bytes) -> None:
        self._call(key, lambda: self._object(key).put(Body=data))

    def open(self, key: str) -> BinaryIO:
        body = self._call(key, lambda: self._object(key).get()["Body"])
        return body

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._call(key, lambda: self._object(key).content_length))

    def delete(self, key: str) -> None:
        self._call(key, lambda: self._object(key).delete())

    def fetch(self, key: str, destination: Path) -> None:
        self._call(key, lambda: self._object(key).download_file(str(destination)))

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        """A local copy of the object. Keys name their content (a hash), so copies are kept
        in ``cache_dir`` (at most CACHE_BYTES, least recently used first out): a PDF whose
        pages are rendered on demand one by one is downloaded once, not once per page."""
        if self.cache_dir is None:
            with tempfile.TemporaryDirectory(prefix="wenku-s3-") as folder:
                path = Path(folder) / "object"
                self.fetch(key, path)
                yield path
            return
        path = self.cache_dir / self._name(key)
        if path.is_file():
            path.touch()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            os.close(fd)
            try:
                self.fetch(key, Path(tmp))
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            _prune(self.cache_dir, CACHE_BYTES)
        yield path

    def keys(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        start = self._storage._normalize_name(prefix) if prefix else self.location.prefix
        cut = len(self.location.prefix) + 1 if self.location.prefix else 0
        objects = self._call(prefix, lambda: self._storage.bucket.objects.filter(Prefix=start))
        for item in objects:
            yield item.key[cut:], int(item.size)

    def check(self) -> None:
        self._call("", lambda: self._storage.connection.meta.client.head_bucket(
            Bucket=self.location.bucket
        ))  # fmt: skip

    def temporary_url(self, key: str, seconds: int, content_type: str = "") -> str:
        """A signed GET URL for ``key`` valid for ``seconds`` (made locally, no request)."""
        params = {"ResponseContentType": content_type} if content_type else None
        return str(
            self._storage.url(self._name(key), parameters=params, expire=seconds, http_method="GET")
        )
