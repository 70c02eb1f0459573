"""Rankings: hot this week (views and downloads, time-decayed) and newest.

Hot = Σ over the last 7 days of (views + DOWNLOAD_WEIGHT × downloads) × ½^(age/HALF_LIFE),
from ``library.DailyStats``: a download says more than a view, and yesterday more
than last week. A category includes its descendants.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, F, FloatField, Sum, Value, When
from django.utils import timezone

from wenku.library.categories import subtree
from wenku.library.models import Category, DailyStats, Document

WINDOW_DAYS = 7
HALF_LIFE_DAYS = 2.0
DOWNLOAD_WEIGHT = 5


def _category_ids(category: Category | int | None) -> frozenset[int] | None:
    if category is None:
        return None
    return subtree(category if isinstance(category, int) else category.pk)


def hot(
    category: Category | int | None = None, limit: int = 10, today: date | None = None
) -> list[Document]:
    """The ready documents most viewed and downloaded this week, hottest first."""
    today = today or timezone.localdate()
    start = today - timedelta(days=WINDOW_DAYS - 1)
    decay = Case(
        *[
            When(day=today - timedelta(days=age), then=Value(0.5 ** (age / HALF_LIFE_DAYS)))
            for age in range(WINDOW_DAYS)
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    rows = DailyStats.objects.filter(day__gte=start, day__lte=today, document__status="ready")
    cats = _category_ids(category)
    if cats is not None:
        rows = rows.filter(document__category_id__in=cats)
    scored = (
        rows.values("document_id")
        .annotate(score=Sum((F("views") + DOWNLOAD_WEIGHT * F("downloads")) * decay))
        .filter(score__gt=0)
        .order_by("-score", "-document_id")[:limit]
    )
    ids = [r["document_id"] for r in scored]
    docs = Document.objects.public().filter(pk__in=ids).select_related("owner", "category")
    by_id = {d.pk: d for d in docs}
    return [by_id[i] for i in ids if i in by_id]


def newest(category: Category | int | None = None, limit: int = 10) -> list[Document]:
    """The most recently published ready documents."""
    docs = Document.objects.public().select_related("owner", "category")
    cats = _category_ids(category)
    if cats is not None:
        docs = docs.filter(category_id__in=cats)
    return list(docs.order_by("-published_at", "-pk")[:limit])
