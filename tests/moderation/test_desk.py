"""The notice-and-takedown desk: a copyright notice, the takedown, the uploader's
counter-notice, the restoration — earnings held meanwhile — and the append-only log."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.economy.conftest import give
from wenku.economy import downloads, queries
from wenku.economy.models import HeldEarning
from wenku.library.models import Document
from wenku.moderation.models import AuditEntry, Notice
from wenku.notifications.models import Notification

pytestmark = pytest.mark.django_db


def notice_form(**changes):
    form = {
        "claimant_name": "某某出版社",
        "claimant_identity": "91110000MA01234567",
        "contact": "rights@example.com",
        "work": "《高中物理习题集》2023年版",
        "proof_links": "",
        "good_faith": "1",
    }
    form.update(changes)
    return form


def notice_fields():
    """The notice's fields as ``decisions.file_notice`` takes them."""
    form = notice_form(proof_links="https://e.com/x")
    return {k: v for k, v in form.items() if k != "good_faith"}


def test_a_copyright_notice_needs_identity_contact_work_and_proof(client, publish, other_user):
    doc = publish()
    client.force_login(other_user)
    url = reverse("moderation:notice", args=[doc.pk])
    missing = client.post(url, notice_form(claimant_identity=""))
    assert missing.status_code == 400 and not Notice.objects.exists()
    no_proof = client.post(url, notice_form())
    assert no_proof.status_code == 400 and "权属证明" in no_proof.content.decode()
    proof = io.BytesIO(b"%PDF-1.4 certificate")
    proof.name = "certificate.pdf"
    sent = client.post(url, {**notice_form(), "proof": proof})
    assert sent.status_code == 302
    notice = Notice.objects.get()
    assert notice.proof_name == "certificate.pdf" and notice.state == "received"
    assert Document.objects.get(pk=doc.pk).disputed  # earnings held from now on


def test_notice_takedown_counter_notice_and_restoration(
    client,
    publish,
    user,
    other_user,
    rules,
    django_user_model,
):
    """Given a priced document and a notice about it, When a reader buys it, staff take it
    down, its uploader answers and staff restore it, Then the sale's share was held and is
    paid at the end, the document left every reader's view meanwhile, each side heard of
    each step, and every step is in the audit log, in order."""
    rules.uploader_share_percent = 50
    rules.save()
    doc = publish(pricing="points", price=10)
    reader = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    staff = django_user_model.objects.create_user("mod", "m@example.com", "pw", is_staff=True)
    client.force_login(other_user)
    client.post(
        reverse("moderation:notice", args=[doc.pk]),
        notice_form(proof_links="https://example.com/registration/123"),
    )
    notice = Notice.objects.get()

    give(reader, 10)
    downloads.download(reader, Document.objects.get(pk=doc.pk))
    assert queries.balance(user) == 0  # the uploader's 5 points are held
    assert HeldEarning.objects.get().amount == 5

    client.force_login(staff)
    desk = reverse("desk:notice_detail", args=[notice.pk])
    assert client.post(desk, {"action": "take_down", "note": "证据充分"}).status_code == 302
    doc.refresh_from_db()
    assert doc.status == "taken_down"
    assert not Document.objects.public().filter(pk=doc.pk).exists()
    client.logout()
    assert client.get(doc.get_absolute_url()).status_code == 404
    told = Notification.objects.get(user=user, kind="taken_down")
    assert told.url == reverse("desk:counter_notice", args=[notice.pk])
    assert "某某出版社" in told.message and told.code == "doc_taken_down_notice"

    client.force_login(user)
    mine = client.get(reverse("library:my_uploads")).content.decode()
    assert reverse("desk:counter_notice", args=[notice.pk]) in mine
    answered = client.post(
        told.url, {"statement": "该文档是我本人原创，有手稿为证。", "contact": "alice@example.com"}
    )
    assert answered.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "countered"
    forwarded = Notification.objects.get(user=other_user, code="notice_countered")
    assert "手稿" in forwarded.message

    client.force_login(staff)
    client.post(desk, {"action": "restore"})
    doc.refresh_from_db()
    assert doc.status == "ready" and not doc.disputed
    assert queries.balance(user) == 5  # the held share, paid
    assert HeldEarning.objects.get().released_at is not None
    actions = list(
        AuditEntry.objects.filter(notice=notice)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["notice_received", "take_down", "counter_notice", "restore"]


def test_a_rejected_notice_pays_what_was_held_and_an_upheld_takedown_cancels_it(
    publish,
    user,
    other_user,
    rules,
    django_user_model,
):
    from wenku.publishing import decisions

    rules.uploader_share_percent = 50
    rules.save()
    staff = django_user_model.objects.create_user("mod", "m@example.com", "pw", is_staff=True)
    reader = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    give(reader, 40)
    kept, gone = publish(pricing="points", price=10), publish(pricing="points", price=10)
    notices = {}
    for doc in (kept, gone):
        notices[doc.pk], _created = decisions.file_notice(
            other_user,
            doc,
            **{
                k: v
                for k, v in notice_form(proof_links="https://e.com/x").items()
                if k != "good_faith"
            },
        )
        downloads.download(reader, Document.objects.get(pk=doc.pk))
    assert queries.balance(user) == 0
    decisions.reject_notice(notices[kept.pk], staff, "不是同一作品")
    assert queries.balance(user) == 5
    decisions.take_down(notices[gone.pk], staff)
    decisions.uphold(Notice.objects.get(pk=notices[gone.pk].pk), staff)
    assert queries.balance(user) == 5
    assert HeldEarning.objects.get(document=gone).forfeited_at is not None
    assert not Document.objects.get(pk=gone.pk).disputed


def test_the_audit_log_is_append_only(db, staff):
    from wenku.moderation.domain import audit

    entry = audit(staff, "approve", note="ok")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().note == "ok"


def test_the_desk_is_for_staff_only(client, user):
    client.force_login(user)
    for name in ("overview", "review_queue", "reports", "notices", "penalties", "audit"):
        assert client.get(reverse(f"desk:{name}")).status_code == 404


def test_the_policy_and_banned_words_are_edited_in_the_admin_and_the_log_is_not(client, staff, db):
    from wenku.moderation.domain import audit
    from wenku.moderation.models import BannedWord, Policy

    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get("/admin/moderation/policy/1/change/")
    assert page.status_code == 200
    form = {
        "review": "everyone",
        "trusted_after": 3,
        "refuse_exact_copies": "on",
        "hold_similarity": 0.6,
        "flag_similarity": 0.3,
        "min_chars_per_page": 5,
        "tiny_file_bytes": 200,
    }
    assert client.post("/admin/moderation/policy/1/change/", form).status_code == 302
    assert (Policy.current().review, Policy.current().hold_similarity) == ("everyone", 0.6)
    client.post("/admin/moderation/bannedword/add/", {"word": "刷单", "action": "hold"})
    assert BannedWord.objects.get().action == "hold"
    logged = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.actor_id) for e in logged] == [
        ("policy", staff.pk),
        ("banned_word_add", staff.pk),
    ]
    assert logged[0].data == {"review": "everyone", "hold_similarity": 0.6}
    entry = audit(staff, "approve")
    assert client.get(f"/admin/moderation/auditentry/{entry.pk}/change/").status_code == 200
    deleted = client.post(f"/admin/moderation/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403 and AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_takedown_leaves_every_view_of_the_document_at_once(
    client, publish, user, other_user, staff, rules, django_user_model
):
    """Given a published document that a reader has downloaded, which shows on the home
    page (latest and recent downloads, kept in the page cache), its category, tag and
    uploader pages, search (site and API), a neighbour's related list, the sitemap and its
    own page, page images and download link, When staff take it down from the desk, Then
    the very next request to each of them leaves it out — nothing cleared by the test."""
    from wenku.accounts.models import ApiToken
    from wenku.library import signing
    from wenku.library.models import Category
    from wenku.publishing import decisions
    from wenku.publishing.steps import relate

    category = Category.objects.create(name="地理", slug="geo")
    river = "river harbour bridge railway valley canyon glacier meadow".split()
    text = " ".join(river[(i * 5) % 8] for i in range(60))
    doc = publish(title="Harbour survey", text=text, category=category, tags="港口")
    neighbour = publish(title="Valley notes", text=" ".join(river[(i * 3) % 8] for i in range(60)))
    relate(neighbour.conversion_id, [neighbour.pk])
    reader = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    grant = downloads.download(reader, Document.objects.get(pk=doc.pk))
    _t, secret = ApiToken.issue(reader, "script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    pages = {
        "home": "/",
        "category": "/c/geo/",
        "tag": "/t/港口/",
        "uploader": f"/u/{user.username}/",
        "search": "/search?q=harbour+survey",
        "neighbour": neighbour.get_absolute_url(),
        "sitemap": "/sitemap-documents.xml",
    }
    mark = {name: doc.title if name != "sitemap" else doc.get_absolute_url() for name in pages}

    def seen() -> dict[str, bool]:
        client.logout()
        found = {
            name: mark[name] in client.get(url).content.decode() for name, url in pages.items()
        }
        api = client.get("/api/v1/search", {"q": "harbour survey"}).json()
        found["api search"] = doc.pk in [hit["document"]["id"] for hit in api["results"]]
        found["api document"] = client.get(f"/api/v1/documents/{doc.pk}").status_code == 200
        found["page"] = client.get(doc.get_absolute_url()).status_code == 200
        found["page image"] = client.get(signing.page_url(doc.pk, 1)).status_code == 200
        file = client.get(grant.link.url)
        found["download link"] = b"".join(getattr(file, "streaming_content", [b""]))[:4] == b"%PDF"
        again = client.post(f"/api/v1/documents/{doc.pk}/download", **bearer)
        found["api download"] = again.status_code == 200 and "url" in again.json()
        return found

    before = seen()
    assert client.get("/")["X-Page-Cache"] == "hit"  # the home page is served from the cache
    assert all(before.values()), before
    notice, _created = decisions.file_notice(
        other_user,
        doc,
        **notice_fields(),
    )
    client.force_login(staff)
    desk = reverse("desk:notice_detail", args=[notice.pk])
    assert client.post(desk, {"action": "take_down", "note": "侵权"}).status_code == 302
    after = seen()
    assert not any(after.values()), after


def test_a_bulk_delete_of_banned_words_in_the_admin_reaches_every_matcher(client, staff, db):
    """The admin's "delete selected" is a queryset delete (no ``BannedWord.delete``):
    the words still stop matching at once, and the deletion is in the audit log."""
    from wenku.moderation import words
    from wenku.moderation.models import BannedWord

    staff.is_superuser = True
    staff.save()
    first = BannedWord.objects.create(word="刷单", action="block")
    BannedWord.objects.create(word="返利", action="hold")
    assert words.find("刷单返利").action == "block"  # this process's matcher is built
    client.force_login(staff)
    chosen = {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"}
    assert client.post("/admin/moderation/bannedword/", chosen).status_code == 302
    assert words.find("刷单返利").words == {"返利": "hold"}
    assert AuditEntry.objects.get().action == "banned_word_delete"


def test_every_step_taken_on_the_desk_is_in_the_audit_log(
    client, publish, upload, user, other_user, staff
):
    """Given reports on a document and on a comment, a flagged upload and a failed one,
    When a moderator dismisses, removes a comment, takes a reported document down, clears
    a flag, retries a conversion, penalises and lifts the penalty on the desk's pages,
    Then each step is an audit entry naming the moderator — and the log page lists them."""
    from wenku.community.domain import add_comment
    from wenku.moderation import domain
    from wenku.moderation.models import Penalty, Report, Review
    from wenku.publishing.jobs import process

    doc, flagged = publish(), publish()
    Review.objects.filter(document=flagged).update(flagged=True)
    comment = add_comment(other_user, doc, "加微信领资料")
    spam, _c = domain.file_report(other_user, doc, "spam")
    low, _c = domain.file_report(user, flagged, "low_quality")
    on_comment, _c = domain.file_report(
        user, doc, "spam", comment_id=comment.pk, comment_excerpt=comment.body
    )
    broken = upload("broken.pdf", b"%PDF-1.4 not really")
    process(broken.pk)
    client.force_login(staff)
    reports, queue = reverse("desk:reports"), reverse("desk:review_queue")
    client.post(reports, {"id": low.pk, "action": "dismiss", "note": "正常文档"})
    client.post(reports, {"id": on_comment.pk, "action": "remove_comment"})
    client.post(reports, {"id": spam.pk, "action": "take_down", "note": "广告"})
    client.post(queue + "?tab=flagged", {"action": "clear", "ids": [flagged.pk]})
    client.post(queue + "?tab=failed", {"action": "retry", "ids": [broken.pk]})
    penalise = reverse("desk:penalise", args=[other_user.pk])
    client.post(penalise, {"kind": "comment", "hours": "24", "reason": "广告"})
    client.post(reverse("desk:penalties"), {"id": Penalty.objects.get().pk})

    assert Document.objects.get(pk=doc.pk).status == "taken_down"
    assert not Report.objects.filter(state="open").exists()
    entries = AuditEntry.objects.order_by("pk")
    assert [e.action for e in entries] == [
        "dismiss_report",
        "remove_comment",
        "resolve_report",
        "take_down",
        "resolve_report",
        "clear_flag",
        "retry",
        "penalise",
        "lift_penalty",
    ]
    assert {e.actor_id for e in entries} == {staff.pk}
    log = client.get(reverse("desk:audit")).content.decode()
    assert all(action in log for action in ("dismiss_report", "penalise", "lift_penalty"))


def test_a_notice_rejected_on_the_desk_ends_the_dispute_and_tells_the_claimant(
    client, publish, other_user, staff
):
    from wenku.publishing import decisions

    doc = publish()
    notice, _created = decisions.file_notice(other_user, doc, **notice_fields())
    client.force_login(staff)
    page = client.get(reverse("desk:notice_detail", args=[notice.pk])).content.decode()
    assert 'id="reject-notice"' in page and "91110000MA01234567" in page
    desk = reverse("desk:notice_detail", args=[notice.pk])
    client.post(desk, {"action": "reject", "note": "不是同一作品"})
    notice.refresh_from_db()
    doc.refresh_from_db()
    assert notice.state == "rejected" and doc.status == "ready" and not doc.disputed
    told = Notification.objects.get(user=other_user, code="notice_rejected")
    assert doc.title in told.message
    again = client.post(desk, {"action": "take_down"}, follow=True).content.decode()
    assert "该通知已被他人处理" in again and Document.objects.get(pk=doc.pk).status == "ready"
    entries = AuditEntry.objects.filter(notice=notice).order_by("pk")
    assert [(e.action, e.note) for e in entries] == [
        ("notice_received", ""),
        ("reject_notice", "不是同一作品"),
    ]


def test_free_download_rewards_are_held_during_a_dispute_too(
    publish, user, other_user, staff, rules, django_user_model
):
    """Given a site that rewards the uploader per free download, When readers download a
    document under a notice, Then nothing is paid until the notice is rejected — then all
    of it — and a second dispute that ends in an upheld takedown pays nothing."""
    from wenku.publishing import decisions

    rules.free_download_reward = 2
    rules.save()
    kept, gone = publish(), publish()
    readers = [django_user_model.objects.create_user(f"r{n}", f"r{n}@e.com", "pw") for n in (1, 2)]
    notices = {
        doc.pk: decisions.file_notice(other_user, doc, **notice_fields())[0] for doc in (kept, gone)
    }
    for doc in (kept, gone):
        for reader in readers:
            downloads.download(reader, Document.objects.get(pk=doc.pk))
    assert queries.balance(user) == 0
    assert HeldEarning.objects.filter(reason="free_download_reward").count() == 4
    decisions.reject_notice(notices[kept.pk], staff)
    assert queries.balance(user) == 4
    decisions.take_down(notices[gone.pk], staff)
    decisions.uphold(Notice.objects.get(pk=notices[gone.pk].pk), staff)
    assert queries.balance(user) == 4
    assert HeldEarning.objects.filter(document=gone, forfeited_at__isnull=False).count() == 2


def test_the_admin_shows_a_documents_moderation_state_but_leaves_changing_it_to_the_desk(
    client, staff, make_doc, other_user
):
    """Given a published document, When a superuser posts its admin change form with a new
    status, the disputed mark and another document's conversion, Then the title change is
    saved and the moderation state is not (the page points to the desk instead); documents
    cannot be added or deleted in the admin either."""
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    doc = make_doc("Harbour survey", ["港口 航运 桥梁"])
    other = make_doc("Valley notes", ["山谷 草地"], owner=other_user)
    content = doc.conversion_id
    assert other.conversion_id != content
    url = f"/admin/library/document/{doc.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("desk:review_detail", args=[doc.pk]) in html
    assert "内容安全工作台" in html
    form = {
        "title": "Harbour survey, revised",
        "description": "",
        "owner": doc.owner_id,
        "original_name": doc.original_name,
        "size": doc.size,
        "format": doc.format,
        "page_count": doc.page_count or "",
        "char_count": doc.char_count or "",
        "preview_pages": "",
        "pricing": "free",
        "price": 0,
        "view_count": 0,
        "download_count": 0,
        "status": "taken_down",
        "disputed": "on",
        "conversion": other.conversion_id,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    doc.refresh_from_db()
    assert doc.title == "Harbour survey, revised"
    assert (doc.status, doc.disputed, doc.conversion_id) == ("ready", False, content)
    assert client.get("/admin/library/document/add/").status_code == 403
    deleted = client.post(f"/admin/library/document/{doc.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403 and Document.objects.filter(pk=doc.pk).exists()
