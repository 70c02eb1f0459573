"""A signed-in reader's session and user are read with queries built once
(accounts/sessions.py, the backend's ``get_user``): they keep every rule Django's own
reads keep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client: Client) -> bool:
    return 'action="/accounts/logout/"' in client.get("/").content.decode()


def test_a_session_names_its_user_with_all_their_fields(user):
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    from wenku.accounts.sessions import SessionStore

    client = signed_in(user)
    assert is_signed_in(client)
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)
    found = get_user(request)
    assert found.pk == user.pk
    for field in type(user)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(user, field.attname), field.name


def test_an_expired_session_signs_no_one_in(user):
    client = signed_in(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not is_signed_in(client)


def test_a_deactivated_user_or_a_new_password_signs_them_out(user, other_user):
    first, second = signed_in(user), signed_in(other_user)
    user.is_active = False
    user.save()
    other_user.set_password("another horse battery")
    other_user.save()
    assert not is_signed_in(first) and not is_signed_in(second)


def test_a_session_of_a_deleted_user_signs_no_one_in(db, django_user_model):
    gone = django_user_model.objects.create_user("gone", "gone@example.com", "pw-Gone-12345")
    client = signed_in(gone)
    gone.delete()
    assert not is_signed_in(client)
