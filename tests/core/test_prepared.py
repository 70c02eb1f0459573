"""Queries built once and run with new values (core/prepared.py) answer as the ORM does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count, Value
from django.utils import timezone

from wenku.core.prepared import DATETIME, INT, NATURAL, STR, Prepared

pytestmark = pytest.mark.django_db


def test_values_go_where_the_stand_ins_were_and_rows_are_converted(user, other_user):
    from wenku.moderation.models import Penalty

    now = timezone.now()
    for who, kind, hours in (
        (user, "download", 2),
        (user, "comment", 5),
        (other_user, "download", 9),
    ):
        Penalty.objects.create(
            user=who, kind=kind, until=now + timedelta(hours=hours), reason="test", created_by=who
        )
    active = Prepared(
        lambda user_id, kind, at: (
            Penalty.objects.filter(user_id=user_id, kind=kind, until__gt=at)
            .order_by("-until")
            .values_list("kind", "until")
        ),
        INT,
        STR,
        DATETIME,
    )
    for who, kind in ((user, "download"), (user, "comment"), (other_user, "download")):
        expected = list(
            Penalty.objects.filter(user=who, kind=kind, until__gt=now).values_list("kind", "until")
        )
        found = [tuple(row) for row in active.rows(who.pk, kind, now)]
        assert found == expected and timezone.is_aware(found[0][1])
    assert active.rows(user.pk, "download", now + timedelta(hours=3)) == []
    assert active.row(other_user.pk, "upload", now) is None


def test_a_count_without_grouping(user):
    from wenku.notifications.models import Notification

    unread = Prepared(
        lambda user_id: (
            Notification.objects.filter(user_id=user_id, read_at=None)
            .order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(n=Count("pk"))
            .values_list("n")
        ),
        INT,
    )
    assert list(unread.row(user.pk) or []) == [0]
    for _ in range(3):
        Notification.objects.create(user=user, kind="points", text="x")
    assert list(unread.row(user.pk)) == [3]


def test_a_stand_in_the_query_lost_is_refused(user):
    from wenku.accounts.models import User

    lost = Prepared(lambda user_id: User.objects.filter(pk=user_id * 0 + 1).values_list("pk"), INT)
    with pytest.raises(ValueError, match="stand-in"):
        lost.rows(user.pk)


def test_a_field_that_holds_no_negative_number_takes_a_natural_stand_in(make_doc):
    """The ORM folds ``number <= -987654321`` on a positive field into "nothing matches":
    a negative stand-in is lost there (refused when built), a natural one is not."""
    from django.core.exceptions import EmptyResultSet

    from wenku.ingest.models import Page

    doc = make_doc("三页", pages=["一", "二", "三"])

    def upto(kind: str) -> Prepared:
        return Prepared(
            lambda conversion_id, last: Page.objects.filter(
                conversion=conversion_id, number__lte=last
            ).values_list("number", "text"),
            INT,
            kind,
        )

    with pytest.raises((ValueError, EmptyResultSet)):
        upto(INT).rows(doc.conversion_id, 2)
    prepared = upto(NATURAL)
    for last in (0, 2, 5):
        expected = list(
            Page.objects.filter(conversion=doc.conversion_id, number__lte=last).values_list(
                "number", "text"
            )
        )
        assert [tuple(r) for r in prepared.rows(doc.conversion_id, last)] == expected
