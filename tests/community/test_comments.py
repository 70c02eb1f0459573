"""Comments: one level of replies, edit and delete by their author, pages, escaping, the count,
notifications to the uploader and to whoever is answered, rate limits, CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from wenku.community.models import Comment
from wenku.library.models import Document
from wenku.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def post(client, doc, body, answering=None, **extra):
    data = {"body": body}
    if answering is not None:
        data["answering"] = str(answering.pk)
    data.update(extra)
    return client.post(reverse("community:comment", args=[doc.pk]), data)


def page(client, doc, cpage=None):
    url = doc.get_absolute_url() + (f"?cpage={cpage}" if cpage else "")
    return client.get(url).content.decode()


def count_shown(html):
    heading = re.search(r'<h2 id="comments-title">([^<]*)</h2>', html)[1]
    return int(re.search(r"\((\d+)\)", heading)[1])


def test_a_comment_is_shown_escaped_and_counted(as_user, doc, other_user):
    client = as_user(other_user)
    response = post(client, doc, "<script>alert('x')</script>\n第二行")
    made = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{made.pk}")
    html = page(client, doc)
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>第二行" in html
    assert count_shown(html) == 1
    assert f'id="comment-{made.pk}"' in html


def test_replies_are_one_level_deep(as_user, doc, user, other_user, carol):
    top = Comment.objects.create(document=doc, author=other_user, body="很有用")
    client = as_user(carol)
    post(client, doc, "同意", answering=top)
    reply = Comment.objects.get(author=carol)
    assert reply.parent == top and reply.reply_to is None  # the thread says whom it answers
    client = as_user(user)
    post(client, doc, "谢谢", answering=reply)  # answering a reply joins the same thread
    answer = Comment.objects.get(author=user)
    assert answer.parent == top and answer.reply_to == carol
    html = page(client, doc)
    thread = html.split(f'id="comment-{top.pk}"')[1].split('<li class="comment" id=')[0]
    assert f'id="comment-{reply.pk}"' in thread and f'id="comment-{answer.pk}"' in thread
    assert count_shown(html) == 3


def test_the_author_edits_and_nobody_else(as_user, doc, other_user, carol):
    made = Comment.objects.create(document=doc, author=other_user, body="初稿")
    client = as_user(carol)
    assert client.get(reverse("community:edit_comment", args=[made.pk])).status_code == 404
    client.post(reverse("community:edit_comment", args=[made.pk]), {"body": "篡改"})
    assert Comment.objects.get().body == "初稿"
    client = as_user(other_user)
    form = client.get(reverse("community:edit_comment", args=[made.pk])).content.decode()
    assert "初稿" in form
    done = client.post(reverse("community:edit_comment", args=[made.pk]), {"body": "改好了"})
    assert done.status_code == 302
    made.refresh_from_db()
    assert made.body == "改好了" and made.edited_at is not None
    empty = client.post(reverse("community:edit_comment", args=[made.pk]), {"body": "  "})
    assert empty.status_code == 400 and Comment.objects.get().body == "改好了"
    html = page(client, doc)
    assert reverse("community:edit_comment", args=[made.pk]) in html
    assert reverse("community:edit_comment", args=[made.pk]) not in page(as_user(carol), doc)


def test_the_author_deletes_and_nobody_else(as_user, doc, other_user, carol):
    top = Comment.objects.create(document=doc, author=other_user, body="将被删除")
    reply = Comment.objects.create(document=doc, author=carol, parent=top, body="回复还在")
    client = as_user(carol)
    assert client.post(reverse("community:delete_comment", args=[top.pk])).status_code == 404
    client = as_user(other_user)
    assert client.post(reverse("community:delete_comment", args=[top.pk])).status_code == 302
    top.refresh_from_db()  # it has a reply: it stays as a marker
    assert top.is_deleted and top.body == ""
    html = page(client, doc)
    assert "将被删除" not in html and "回复还在" in html and count_shown(html) == 1
    assert reverse("community:edit_comment", args=[top.pk]) not in html
    client = as_user(carol)
    client.post(reverse("community:delete_comment", args=[reply.pk]))
    assert not Comment.objects.exists()  # the marker went with its last reply
    assert count_shown(page(client, doc)) == 0


def test_deleting_is_confirmed_first(as_user, doc, other_user, carol):
    made = Comment.objects.create(document=doc, author=other_user, body="想删掉的话")
    url = reverse("community:delete_comment", args=[made.pk])
    assert url in page(as_user(other_user), doc)  # a link to the confirmation, not a button
    confirm = as_user(other_user).get(url)
    assert confirm.status_code == 200 and "想删掉的话" in confirm.content.decode()
    assert 'id="confirm-delete"' in confirm.content.decode() and Comment.objects.exists()
    assert as_user(carol).get(url).status_code == 404  # not theirs


def test_a_comment_without_replies_is_deleted_outright(as_user, doc, other_user):
    made = Comment.objects.create(document=doc, author=other_user, body="x")
    as_user(other_user).post(reverse("community:delete_comment", args=[made.pk]))
    assert not Comment.objects.exists()


def test_comments_are_paginated_newest_first_with_their_replies(as_user, doc, other_user, settings):
    settings.WENKU = settings.WENKU.replace(comments_page_size=3)
    made = [
        Comment.objects.create(document=doc, author=other_user, body=f"评论{i}") for i in range(7)
    ]
    Comment.objects.create(document=doc, author=other_user, parent=made[0], body="最早的回复")
    client = as_user(other_user)
    first, third = page(client, doc), page(client, doc, 3)
    assert "评论6" in first and "评论4" in first and "评论3" not in first
    assert "评论0" in third and "最早的回复" in third and "评论1" not in third
    assert "?cpage=2#comments" in first
    assert count_shown(first) == count_shown(third) == 8
    assert "评论6" in page(client, doc, "nonsense")  # a bad page number is page 1


def test_a_reply_returns_to_the_page_of_its_thread(as_user, doc, other_user):
    top = Comment.objects.create(document=doc, author=other_user, body="x")
    response = post(as_user(other_user), doc, "y", answering=top, cpage="2")
    assert "?cpage=2#comment-" in response["Location"]


def test_notifications_for_comments_and_replies(as_user, doc, user, other_user, carol):
    """Given alice's document, When bob comments and carol answers, Then each is told once."""
    post(as_user(other_user), doc, "bob 的评论")
    told = Notification.objects.get(user=user, kind__in=[Kind.COMMENT, Kind.REPLY])
    assert told.kind == Kind.COMMENT and told.actor == other_user and "bob 的评论" in told.text
    assert told.url.startswith(doc.get_absolute_url()) and "#comment-" in told.url
    top = Comment.objects.get()

    post(as_user(carol), doc, "carol 回复 bob", answering=top)
    assert Notification.objects.filter(user=other_user, kind=Kind.REPLY).count() == 1
    assert Notification.objects.filter(user=user, kind=Kind.COMMENT).count() == 2

    post(as_user(user), doc, "作者回复 carol", answering=Comment.objects.get(author=carol))
    assert Notification.objects.filter(user=carol, kind=Kind.REPLY).count() == 1
    assert Notification.objects.filter(user=other_user, kind=Kind.REPLY).count() == 2  # his thread
    about_comments = Notification.objects.filter(kind__in=[Kind.COMMENT, Kind.REPLY])
    assert about_comments.filter(user=user).count() == 2  # not told of her own reply

    client = as_user(user)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "bob 的评论" in inbox


def test_bodies_are_checked(as_user, doc, other_user, settings):
    settings.LANGUAGE_CODE = "en"
    client = as_user(other_user)
    post(client, doc, "   ")
    post(client, doc, "长" * 2001)
    assert not Comment.objects.exists()
    html = client.get(doc.get_absolute_url()).content.decode()
    assert "Write something first." in html and "at most 2000 characters" in html


def test_no_comments_on_unpublished_documents(as_user, doc, user, other_user):
    Document.objects.filter(pk=doc.pk).update(status="failed")
    assert post(as_user(other_user), doc, "x").status_code == 404
    post(as_user(user), doc, "x")  # the uploader sees the page, but it is closed
    assert not Comment.objects.exists()


def test_answering_a_comment_of_another_document_is_refused(as_user, doc, other_user, ingested):
    from tests.factories.pdf import make_pdf

    elsewhere = ingested("别处.pdf", make_pdf(1, text="else"), title="别处")
    foreign = Comment.objects.create(document=elsewhere, author=other_user, body="x")
    post(as_user(other_user), doc, "y", answering=foreign)
    assert Comment.objects.count() == 1


def test_comments_are_rate_limited(as_user, doc, other_user, settings):
    settings.WENKU = settings.WENKU.replace(rate_comment=(2, 600))
    client = as_user(other_user)
    post(client, doc, "一")
    post(client, doc, "二")
    refused = post(client, doc, "三")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "<strong>" in refused.content.decode()
    assert Comment.objects.count() == 2


def test_posting_needs_csrf_and_an_account(doc, other_user, client):
    response = post(client, doc, "guest")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(other_user)
    assert post(strict, doc, "no token").status_code == 403
    assert not Comment.objects.exists()


def test_guests_see_comments_and_a_log_in_prompt(client, doc, other_user):
    Comment.objects.create(document=doc, author=other_user, body="公开可见")
    html = page(client, doc)
    assert "公开可见" in html and 'id="comment-body"' not in html
    assert reverse("accounts:login") + "?next=" in html
