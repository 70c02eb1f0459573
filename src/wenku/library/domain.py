"""Writes to the library that users and the pipeline cause (Zulip's ``do_*`` actions)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now

from wenku.accounts.models import User
from wenku.config import conf
from wenku.core.storage import get_storage
from wenku.ingest.errors import human_size
from wenku.ingest.models import Conversion, Status
from wenku.library.models import Category, Document, Pricing, Tag

MAX_TAGS = 10
MAX_PRICE = 100_000
RETRYABLE_FAILURES = frozenset(
    {"convert_timeout", "convert_crashed", "converter_unavailable", "worker_lost", "internal"}
)
_SPACES = re.compile(r"\s+")
_TAG_SPLIT = re.compile(r"[,，、;；#\s]+")


class UploadRejected(ValueError):
    """An upload refused before anything was stored (too large, bad metadata)."""


@dataclass(frozen=True)
class StoredUpload:
    sha256: str
    size: int


def store_upload(stream: IO[bytes], max_bytes: int) -> StoredUpload:
    """Stream an upload into content-addressed storage, hashing as it goes."""
    tmp_dir = settings.DATA_DIR / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(f"file larger than {human_size(max_bytes)}")
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        storage = get_storage()
        key = Conversion(sha256=sha).original_key
        if not storage.exists(key):
            storage.put_file(key, tmp)
        return StoredUpload(sha, size)
    finally:
        tmp.unlink(missing_ok=True)


def clean_title(title: str, original_name: str) -> str:
    title = _SPACES.sub(" ", title or "").strip()
    if not title:
        title = _SPACES.sub(" ", Path(original_name).stem).strip() or original_name
    return title[:200]


def parse_tags(raw: str | Iterable[str]) -> list[str]:
    parts = _TAG_SPLIT.split(raw) if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for part in parts:
        name = part.strip()[:40]
        if name and name not in seen:
            seen.append(name)
    return seen[:MAX_TAGS]


def create_document(
    *,
    owner: User,
    stream: IO[bytes],
    original_name: str,
    title: str = "",
    description: str = "",
    category: Category | None = None,
    tags: str | Iterable[str] = (),
    upload_ip: str | None = None,
    preview_pages: int | None = None,
    pricing: str = Pricing.FREE,
    price: int = 0,
) -> Document:
    """Store an upload and queue it for ingest; the document starts ``queued``.

    An identical file (same SHA-256) shares the earlier conversion, so its
    results are reused instead of computed again. ``pricing`` and ``price`` are the
    download rules (see ``economy.downloads``), checked before anything is stored.
    """
    from wenku.ingest.tasks import ingest_document

    pricing, price = check_pricing(pricing, price)
    max_bytes = conf().max_upload_mb * 1024 * 1024
    stored = store_upload(stream, max_bytes)
    original_name = Path(original_name or "document").name[:255]
    with transaction.atomic():
        conversion, _ = Conversion.objects.get_or_create(
            sha256=stored.sha256, defaults={"size": stored.size}
        )
        _requeue_if_stale(conversion)
        document = Document.objects.create(
            title=clean_title(title, original_name),
            description=(description or "").strip()[:5000],
            owner=owner,
            category=category,
            conversion=conversion,
            original_name=original_name,
            size=stored.size,
            upload_ip=upload_ip,
            preview_pages=preview_pages,
            pricing=pricing,
            price=price,
        )
        set_tags(document, parse_tags(tags))
        # Enqueued in the same transaction: the job exists if and only if the document does.
        ingest_document.enqueue(document.pk)
    return document


def check_pricing(pricing: str, price: int | None) -> tuple[str, int]:
    """Valid download rules, or UploadRejected. A points price of 0 is simply free."""
    if pricing not in Pricing.values:
        raise UploadRejected(f"unknown pricing {pricing!r}")
    price = int(price or 0)
    if not 0 <= price <= MAX_PRICE:
        raise UploadRejected(f"price must be between 0 and {MAX_PRICE} points")
    if pricing == Pricing.FREE or (pricing == Pricing.POINTS and price == 0):
        return Pricing.FREE, 0
    return pricing, price


def _requeue_if_stale(conversion: Conversion) -> None:
    from wenku.ingest.pipeline import PIPELINE_VERSION

    stale = conversion.status in (Status.READY, Status.FAILED) and (
        conversion.pipeline_version < PIPELINE_VERSION
        or conversion.failure_code in RETRYABLE_FAILURES
    )
    if stale:
        Conversion.objects.filter(pk=conversion.pk).update(
            status=Status.QUEUED, attempts=0, worker_id=""
        )


def set_tags(document: Document, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    document.tags.set(tags)


def publish_documents(conversion: Conversion) -> int:
    """Every document waiting on a ready conversion becomes ready (publish stage)."""
    return Document.objects.filter(
        conversion=conversion, status__in=(Status.QUEUED, Status.PROCESSING)
    ).update(
        status=Status.READY,
        format=conversion.format,
        page_count=conversion.page_count,
        char_count=conversion.char_count,
        failure_stage="",
        failure_code="",
        failure_params={},
        published_at=Now(),
    )


def fail_documents(conversion: Conversion) -> int:
    """Every unfinished document of a failed conversion fails with its reason."""
    return Document.objects.filter(
        conversion=conversion, status__in=(Status.QUEUED, Status.PROCESSING)
    ).update(
        status=Status.FAILED,
        format=conversion.format,
        failure_stage=conversion.failure_stage,
        failure_code=conversion.failure_code,
        failure_params=conversion.failure_params,
    )


def mark_processing(conversion: Conversion) -> None:
    Document.objects.filter(conversion=conversion, status=Status.QUEUED).update(
        status=Status.PROCESSING
    )


def mark_queued(conversion: Conversion) -> None:
    Document.objects.filter(conversion=conversion, status=Status.PROCESSING).update(
        status=Status.QUEUED
    )
