"""Economy fixtures: published documents made by the real pipeline, readers with points.

PDFs (tests/factories/pdf.py) never reach LibreOffice, so ``publish`` runs the real
ingest job (preflight … fingerprint, publish and its upload-reward hook) without one;
each document gets its own words, so none is a near-duplicate of another unless a
test makes it so.
"""

from __future__ import annotations

import io
import itertools
import random

import pytest

from tests.factories.pdf import make_pdf

WORDS = (
    "river mountain lesson report budget teacher summary contract market planning "
    "science history policy energy harvest factory student museum bridge garden "
    "winter autumn railway harbour council theatre medicine library journal census "
    "orchard valley compass lantern meadow canyon glacier prairie volcano tundra"
).split()
_seeds = itertools.count(1)


def words(seed: int, n: int = 12) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


@pytest.fixture
def pdf_pipeline(monkeypatch, data_dir):  # type: ignore[no-untyped-def]
    """Ingest jobs run here; PDFs need no LibreOffice, so none is started."""
    from wenku.ingest import jobs
    from wenku.ingest.pipeline import Context

    context = Context.from_django(None)  # type: ignore[arg-type]
    monkeypatch.setattr(jobs, "get_context", lambda: context)
    return context


@pytest.fixture
def publish(user, pdf_pipeline):  # type: ignore[no-untyped-def]
    """publish(owner=user, pricing="free", price=0, pages=3, **fields) → a ready Document."""
    from wenku.ingest.jobs import process_document
    from wenku.library.domain import create_document
    from wenku.library.models import Document

    def _publish(  # type: ignore[no-untyped-def]
        owner=None, pricing="free", price=0, pages=3, text=None, title=None, **fields
    ):
        seed = next(_seeds)
        text = text or words(seed)
        doc = create_document(
            owner=owner or user,
            stream=io.BytesIO(make_pdf(pages, text=text)),
            original_name=f"{title or 'doc'}-{seed}.pdf",
            title=title or f"文档{seed}",
            **fields,
        )
        process_document(doc.pk)
        Document.objects.filter(pk=doc.pk).update(pricing=pricing, price=price)
        doc.refresh_from_db()
        assert doc.status == "ready", doc.failure_reason
        return doc

    return _publish


@pytest.fixture
def rules(db):  # type: ignore[no-untyped-def]
    """The site's rules row, quiet by default: no rewards, no caps; tests switch on what
    they test."""
    from wenku.economy.models import Rules

    rules = Rules.current()
    for field in (
        "signup_bonus",
        "sign_in_reward",
        "upload_reward",
        "free_download_reward",
        "user_daily_downloads",
        "ip_daily_downloads",
    ):
        setattr(rules, field, 0)
    rules.save()
    return rules


@pytest.fixture
def reader(db):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user("reader", "reader@example.com", "correct horse battery")


def give(user, points: int) -> None:  # type: ignore[no-untyped-def]
    from wenku.economy.domain import adjust

    adjust(user, points, note="test")
