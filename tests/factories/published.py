"""Published documents for tests that are not about conversion — no LibreOffice.

Two ways, one place:

- ``upload_and_publish``: the real path. A generated PDF (``factories.pdf``: PDFs never
  reach LibreOffice) goes through ``publishing.intake.upload`` and the publishing job —
  every stage, the fingerprint, the index, the upload reward — in this process. For
  tests of anything a published document takes part in (pages, downloads, comments).
- ``document_rows``: only the rows a published document has (a ready conversion, its
  pages' text, the document), with no files and no job. For tests that need hundreds of
  documents with chosen text (search tables, rankings); index them explicitly.

The root ``conftest.py`` binds them to the test's user as the fixtures ``publish`` and
``make_doc``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import random
from typing import Any

from django.utils import timezone

from tests.factories.pdf import make_pdf

WORDS = (
    "river mountain lesson report budget teacher summary contract market planning "
    "science history policy energy harvest factory student museum bridge garden "
    "winter autumn railway harbour council theatre medicine library journal census "
    "orchard valley compass lantern meadow canyon glacier prairie volcano tundra"
).split()
_seeds = itertools.count(1)


def words(seed: int, n: int = 12) -> str:
    """Distinct words per seed, so no two generated documents are near-duplicates."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def upload(owner: Any, name: str, data: bytes, **fields: Any) -> Any:
    """A queued Document: ``data`` uploaded as ``name`` with details ``fields`` (the
    keywords of ``UploadDetails.build``, plus ``upload_ip``)."""
    from wenku.library.details import UploadDetails
    from wenku.publishing import intake

    upload_ip = fields.pop("upload_ip", None)
    return intake.upload(
        owner=owner,
        stream=io.BytesIO(data),
        original_name=name,
        details=UploadDetails.build(staff=True, **fields),
        upload_ip=upload_ip,
    )


def upload_and_publish(
    owner: Any,
    *,
    pages: int = 3,
    text: str | None = None,
    title: str | None = None,
    pricing: str = "free",
    price: int = 0,
    **fields: Any,
) -> Any:
    """A ready Document published by the real job from a generated PDF of ``pages`` pages
    showing ``text`` (distinct words by default). The pricing is set after publishing, so
    the upload reward of a priced document is not the question."""
    from wenku.library.models import Document
    from wenku.publishing.jobs import process

    seed = next(_seeds)
    data = make_pdf(pages, text=text or words(seed))
    name = f"{title or 'doc'}-{seed}.pdf"
    doc = upload(owner, name, data, title=title or f"文档{seed}", **fields)
    process(doc.pk)
    Document.objects.filter(pk=doc.pk).update(pricing=pricing, price=price)
    doc.refresh_from_db()
    assert doc.status == "ready", doc.failure_reason
    return doc


def document_rows(owner: Any, title: str, pages: list[str] | None = None, **fields: Any) -> Any:
    """The rows of a ready Document titled ``title`` whose pages read ``pages`` (default:
    one page reading the title); not indexed, no files."""
    from wenku.ingest.models import Conversion, Page, Status
    from wenku.library.domain import set_tags
    from wenku.library.models import Document

    pages = pages if pages is not None else [title]
    n = next(_seeds)
    sha = hashlib.sha256(f"{n}:{title}:{pages}".encode()).hexdigest()
    conversion = Conversion.objects.create(
        sha256=sha, size=100, format="pdf", status=Status.READY, page_count=len(pages)
    )
    Page.objects.bulk_create(
        Page(conversion=conversion, number=i + 1, width=595, height=842, text=t)
        for i, t in enumerate(pages)
    )
    tags = fields.pop("tags", [])
    defaults: dict[str, Any] = {
        "owner": owner,
        "original_name": f"{title}.pdf",
        "size": 100,
        "format": "pdf",
        "page_count": len(pages),
        "status": Status.READY,
        "published_at": timezone.now(),
    }
    doc = Document.objects.create(title=title, conversion=conversion, **{**defaults, **fields})
    if tags:
        set_tags(doc, list(tags))
    return doc
