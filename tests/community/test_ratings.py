"""Ratings: one per user per document, 1–5, changeable; average and count on the page."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from wenku.community.models import Rating

pytestmark = pytest.mark.django_db


def rate(client, doc, stars):
    return client.post(reverse("community:rate", args=[doc.pk]), {"stars": str(stars)})


def shown(client, doc):
    html = client.get(doc.get_absolute_url()).content.decode()
    average = re.search(r'class="rating-average">([\d.]+)<', html)
    count = re.search(r'class="muted rating-count">\D*(\d+)', html)
    return (average[1] if average else None, int(count[1]) if count else 0, html)


def test_rate_change_and_see_the_average(as_user, doc, other_user, carol):
    client = as_user(other_user)
    assert rate(client, doc, 4).status_code == 302
    assert shown(client, doc)[:2] == ("4.0", 1)
    rate(client, doc, 2)  # a second rating changes the first
    assert Rating.objects.filter(document=doc).count() == 1
    assert shown(client, doc)[:2] == ("2.0", 1)
    rate(as_user(carol), doc, 5)
    average, count, html = shown(client, doc)
    assert (average, count) == ("3.5", 2)
    assert 'class="fact-rating"' in html and "★ 3.5" in html  # in the facts under the title
    assert 'value="5" id="star-5" required checked' in shown(as_user(carol), doc)[2]


def test_no_ratings_yet(client, doc):
    average, count, html = shown(client, doc)
    assert average is None and count == 0 and 'class="fact-rating"' not in html


@pytest.mark.parametrize("stars", ["0", "6", "x", "-1", ""])
def test_only_one_to_five(as_user, doc, other_user, stars):
    client = as_user(other_user)
    client.post(reverse("community:rate", args=[doc.pk]), {"stars": stars})
    assert not Rating.objects.exists()


def test_the_database_holds_the_rules_too(doc, other_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=other_user, document=doc, stars=6)
    Rating.objects.create(user=other_user, document=doc, stars=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=other_user, document=doc, stars=4)


def test_uploaders_do_not_rate_their_own_documents(as_user, doc, user):
    client = as_user(user)
    rate(client, doc, 5)
    assert not Rating.objects.exists()
    form = f'action="{reverse("community:rate", args=[doc.pk])}"'
    assert form not in client.get(doc.get_absolute_url()).content.decode()


def test_guests_are_sent_to_log_in(client, doc):
    response = rate(client, doc, 5)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Rating.objects.exists()


def test_ratings_are_rate_limited(as_user, doc, other_user, settings):
    settings.WENKU = settings.WENKU.replace(rate_rating=(2, 3600))
    client = as_user(other_user)
    rate(client, doc, 1)
    rate(client, doc, 2)
    refused = rate(client, doc, 5)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Rating.objects.get().stars == 2
