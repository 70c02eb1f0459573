"""Copies fold under their original across the whole result list, not page by page: a
family appears once, at the best rank of any of its members; later pages neither repeat
it nor come up short; an original the search's filters exclude gives way to its copy.

Sorted by newest, so the order is the same in every backend: a copy (published after its
original) ranks above it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.published import words
from wenku.search import fingerprint
from wenku.search.originality import MAX_LISTED
from wenku.search.service import SearchParams, run_search


@pytest.fixture
def small_pages(settings):  # type: ignore[no-untyped-def]
    settings.WENKU = settings.WENKU.replace(search_page_size=2)


@pytest.fixture
def doc(indexed):  # type: ignore[no-untyped-def]
    """doc(title, text, days_ago, **fields) → an indexed document whose text is
    fingerprinted (copies share ``text``), published ``days_ago`` days ago."""

    def _doc(title: str, text: str, days_ago: int, **fields: object):  # type: ignore[no-untyped-def]
        published = timezone.now() - timedelta(days=days_ago)
        made = indexed(f"{title} 考核", [text], published_at=published, **fields)
        fingerprint.store(made.conversion, fingerprint.fingerprint_text(text))
        return made

    return _doc


def shown(page: int, **params: object) -> list[tuple[int, list[int]]]:
    found = run_search(SearchParams(q="考核", sort="newest", page=page, **params), None)  # type: ignore[arg-type]
    return [(h.document.pk, [c.pk for c in h.similar]) for h in found.hits]


def test_an_original_pulled_up_by_its_copy_is_not_repeated_on_a_later_page(doc, small_pages):
    """Given a copy on page 1 and its original natively on page 2, the original is shown
    once, on page 1 with the copy under it, and page 2 goes on with the next document."""
    text = words(9101, 40)
    original = doc("original", text, days_ago=10)
    older = doc("older", words(9102, 40), days_ago=5)
    newer = doc("newer", words(9103, 40), days_ago=4)
    copy = doc("copy", text, days_ago=1)  # newest first: copy, newer | older, original
    assert shown(1) == [(original.pk, [copy.pk]), (newer.pk, [])]
    assert shown(2) == [(older.pk, [])]


def test_a_page_stays_full_when_copies_fold_away(doc, small_pages):
    """Four copies ahead of everything fold into one result: page 1 is still full (the
    engine is asked again for what the slack did not cover), and the count is of the
    results as shown, so there is no empty last page."""
    text = words(9201, 40)
    original = doc("original", text, days_ago=30)
    a = doc("a", words(9202, 40), days_ago=20)
    b = doc("b", words(9203, 40), days_ago=10)
    copies = [doc(f"copy{i}", text, days_ago=5 - i) for i in range(4)]
    assert shown(1) == [(original.pk, [c.pk for c in copies]), (b.pk, [])]
    assert shown(2) == [(a.pk, [])]
    last = run_search(SearchParams(q="考核", sort="newest", page=2), None)
    assert last.total == 3 and last.pages == 2 and not last.has_next


def test_an_original_outside_the_filters_gives_way_to_its_copy(doc):
    """Filtered to free documents, a priced original is not pulled in by its free copies:
    the earliest free copy stands for the family, the later one under it. Unfiltered, the
    original stands, with both copies under it."""
    text = words(9301, 40)
    original = doc("original", text, days_ago=10, pricing="points", price=5)
    first = doc("first", text, days_ago=5)
    second = doc("second", text, days_ago=1)
    assert shown(1, price="free") == [(first.pk, [second.pk])]
    assert shown(1) == [(original.pk, [first.pk, second.pk])]


def test_a_large_family_lists_its_first_copies_and_counts_them_all(doc, client):
    """A document uploaded many times folds into one result that names the earliest
    copies and counts the rest; the page and the API say how many."""
    text = words(9401, 40)
    original = doc("original", text, days_ago=30)
    copies = [doc(f"copy{i}", text, days_ago=20 - i) for i in range(MAX_LISTED + 3)]
    [hit] = run_search(SearchParams(q="考核", sort="newest"), None).hits
    assert hit.document == original
    assert [c.pk for c in hit.similar] == [c.pk for c in copies[:MAX_LISTED]]
    assert (hit.similar_count, hit.similar_unlisted) == (MAX_LISTED + 3, 3)
    [out] = client.get("/api/v1/search", {"q": "考核"}).json()["results"]
    assert out["similar"] == [c.pk for c in copies[:MAX_LISTED]]
    assert out["similar_count"] == MAX_LISTED + 3
    page = client.get("/search", {"q": "考核"}).content.decode()
    assert page.count('class="similar-copies"') == 1
    assert "另有 3 份未列出" in page or "and 3 more, not listed" in page


def test_uploads_of_one_file_fold_by_date_however_many(doc, backend):
    """Thirteen more uploads of the original's very file (one conversion: the database
    reads only its first documents) and a converted copy (its own conversion) fold
    under the original, the earliest ten listed in date order, all fourteen counted."""
    from wenku.library.models import Document
    from wenku.search.indexing import index_documents

    text = words(9501, 40)
    original = doc("original", text, days_ago=30)
    uploads = []
    for i in range(MAX_LISTED + 3):
        upload = Document.objects.get(pk=original.pk)
        upload.pk = None
        upload.title = f"upload{i} 考核"
        upload.published_at = timezone.now() - timedelta(days=20 - i, hours=12)
        upload.save()
        uploads.append(upload)
    index_documents([u.pk for u in uploads], backend)
    converted = doc("converted", text, days_ago=19)  # between uploads 1 and 2
    expected = [u.pk for u in uploads[:2]] + [converted.pk]
    expected += [u.pk for u in uploads[2 : MAX_LISTED - 1]]
    [hit] = run_search(SearchParams(q="考核", sort="newest"), None).hits
    assert hit.document == original
    assert [c.pk for c in hit.similar] == expected
    assert hit.similar_count == MAX_LISTED + 4
    # Filtered to free documents, the priced original gives way to the earliest free
    # upload (the filters hold inside each conversion's range too).
    Document.objects.filter(pk=original.pk).update(pricing="points", price=5)
    [hit] = run_search(SearchParams(q="考核", sort="newest", price="free"), None).hits
    assert hit.document == uploads[0]
    assert [c.pk for c in hit.similar] == [*expected[1:], uploads[MAX_LISTED - 1].pk]
    assert hit.similar_count == MAX_LISTED + 3


def test_further_results_for_the_fold_are_not_counted_again(doc, small_pages, monkeypatch):
    """When copies fold away more than the slack, the engine is asked for further results:
    the first request gave the total, so those do not count the matches again (on
    PostgreSQL a count reads up to 1,001 matches: 35 ms each, three times over for one
    search of a library of many copies)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenku.search.backends import get_backend

    text = words(9501, 40)
    doc("original", text, days_ago=30)
    doc("a", words(9502, 40), days_ago=20)
    doc("b", words(9503, 40), days_ago=10)
    for i in range(6):
        doc(f"copy{i}", text, days_ago=5 - i)
    backend = get_backend()
    asked = []
    search = backend.search

    def recorded(request):  # type: ignore[no-untyped-def]
        asked.append(request)
        return search(request)

    monkeypatch.setattr(backend, "search", recorded)
    with CaptureQueriesContext(connection) as sql:
        found = run_search(SearchParams(q="考核", sort="newest"), None)
    assert len(found.hits) == 2 and found.total == 9  # matches, not all seen
    assert len(asked) > 1, "the fold asked for further results"
    assert [r.count for r in asked] == [True] + [False] * (len(asked) - 1)
    counts = [
        q["sql"] for q in sql.captured_queries if "SELECT count(*) FROM (SELECT 1" in q["sql"]
    ]
    assert len(counts) <= 1, counts  # PostgreSQL: the first request's count at most
