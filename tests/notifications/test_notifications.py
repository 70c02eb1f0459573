"""In-site notifications: sent by other apps, listed, counted in the header, marked read."""

import pytest

from wenku.notifications.domain import notify, unread_count
from wenku.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_nobody_is_told_about_their_own_actions(user, other_user):
    assert notify(user, Kind.COMMENT, actor=user, text="self") is None
    assert notify(user, Kind.COMMENT, actor=other_user, text="评论了你的文档") is not None
    assert unread_count(user) == 1 and unread_count(other_user) == 0


def test_inbox_lists_counts_and_marks_read(client, user, other_user):
    notify(user, Kind.POINTS, text="获得 5 积分")
    notify(user, Kind.DOWNLOAD, actor=other_user, text="bob 下载了你的文档", url="/d/1/")
    client.force_login(user)
    home = client.get("/").content.decode()
    assert 'class="count-badge"' in home and ">2</span>" in home
    inbox = client.get("/me/notifications/").content.decode()
    assert "获得 5 积分" in inbox and 'href="/d/1/"' in inbox and inbox.count('class="unread"') == 2
    # Opening the inbox reads them: its own header already shows no badge (before: the
    # badge stayed until "mark all as read").
    assert 'class="count-badge"' not in inbox
    assert unread_count(user) == 0
    assert 'class="count-badge"' not in client.get("/").content.decode()
    assert client.get("/me/notifications/").content.decode().count('class="unread"') == 0


def test_the_site_s_messages_are_worded_in_the_reader_s_language(client, user):
    """Given a notification sent while the site spoke Chinese, When its reader reads the
    inbox in English, Then it is in English (codes and parameters are stored, not words)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        notify(user, Kind.DOWNLOAD, code="downloaded_points", params={"title": "年报", "n": 7})
    client.force_login(user)
    client.cookies["django_language"] = "en"
    inbox = client.get("/me/notifications/").content.decode()
    assert "“年报” was downloaded: +7 points." in inbox
    client.cookies["django_language"] = "zh-hans"
    assert "+7" in client.get("/me/notifications/").content.decode()
    with pytest.raises(ValueError):
        notify(user, Kind.POINTS, code="no-such-code")


def test_inbox_is_private(client, user, other_user):
    notify(user, Kind.POINTS, text="秘密")
    client.force_login(other_user)
    assert "秘密" not in client.get("/me/notifications/").content.decode()
    assert Notification.objects.count() == 1
    client.logout()
    assert client.get("/me/notifications/").status_code == 302
