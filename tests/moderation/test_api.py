"""Trust and safety through the API, end to end, with bearer tokens: 举报 (deduplicated,
rate-limited), a copyright notice, the takedown, the uploader's counter-notice and the
restoration; the review queue and a bulk rejection; a penalty that the API then holds
the user to — every staff step in the audit log."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.pdf import make_pdf
from tests.factories.published import words
from wenku.library.models import Document
from wenku.moderation.models import AuditEntry, Notice, Policy, Report
from wenku.notifications.models import Notification
from wenku.publishing.jobs import process

pytestmark = pytest.mark.django_db


NOTICE = {
    "claimant_name": "某某出版社",
    "claimant_identity": "91110000MA01234567",
    "contact": "rights@example.com",
    "work": "《高中物理习题集》2023年版",
}


def test_reports_through_the_api_are_deduplicated_and_rate_limited(
    client, publish, other_user, bearer, settings
):
    from wenku.community.domain import add_comment

    doc = publish()
    comment = add_comment(doc.owner, doc, "加我领资料")
    auth = bearer(other_user)
    url = f"/api/v1/documents/{doc.pk}/reports"
    first = client.post(url, {"reason": "spam", "details": "广告"}, **auth)
    again = client.post(url, {"reason": "spam"}, **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["created"] is False
    copyright_ = client.post(url, {"reason": "copyright"}, **auth)
    assert copyright_.status_code == 400 and copyright_.json()["field"] == "reason"
    on_comment = client.post(f"/api/v1/comments/{comment.pk}/reports", {"reason": "spam"}, **auth)
    assert on_comment.status_code == 201
    assert Report.objects.get(pk=on_comment.json()["id"]).comment_excerpt == "加我领资料"
    settings.WENKU = settings.WENKU.replace(rate_report=(3, 3600))
    assert client.post(url, {"reason": "fraud"}, **auth).status_code == 201
    assert client.post(url, {"reason": "illegal"}, **auth).status_code == 429
    assert Report.objects.count() == 3


def test_notice_takedown_counter_notice_and_restoration_through_the_api(
    client, publish, user, other_user, staff, bearer
):
    """Given a published document, When a rights holder sends a notice with a proof file,
    staff take it down, the uploader answers and staff restore it — all with API tokens —
    Then each step is refused to whoever may not take it, the document leaves and comes
    back, and the audit log has every step in order."""
    doc = publish()
    claimant, uploader, moderator = bearer(other_user), bearer(user), bearer(staff)
    url = f"/api/v1/documents/{doc.pk}/notices"
    no_proof = client.post(url, NOTICE, **claimant)
    assert no_proof.status_code == 400 and no_proof.json()["field"] == "proof"
    proof = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 certificate", "application/pdf")
    sent = client.post(url, {**NOTICE, "proof": proof}, **claimant)
    assert sent.status_code == 201, sent.content
    assert sent.json()["state"] == "received"
    notice_id = sent.json()["id"]
    assert Notice.objects.get(pk=notice_id).proof_name == "证书.pdf"
    assert Document.objects.get(pk=doc.pk).disputed

    take_down = f"/api/v1/moderation/notices/{notice_id}/take_down"
    assert client.post(take_down, {"note": "x"}, **claimant).status_code == 404  # not staff
    done = client.post(take_down, {"note": "权属证明充分"}, **moderator)
    assert done.status_code == 200 and done.json()["state"] == "taken_down"
    assert client.get(f"/api/v1/documents/{doc.pk}", **claimant).status_code == 404
    assert client.post(take_down, **moderator).status_code == 409  # handled already
    assert Notification.objects.filter(user=user, code="doc_taken_down_notice").exists()

    counter = f"/api/v1/notices/{notice_id}/counter"
    answer = {"statement": "该文档是我本人原创，有手稿为证。", "contact": "alice@example.com"}
    assert client.post(counter, answer, **claimant).status_code == 404  # not the uploader
    short = client.post(counter, {**answer, "statement": "不是"}, **uploader)
    assert short.status_code == 400 and short.json()["field"] == "statement"
    countered = client.post(counter, answer, **uploader)
    assert countered.status_code == 200 and countered.json()["state"] == "countered"

    restored = client.post(f"/api/v1/moderation/notices/{notice_id}/restore", **moderator)
    assert restored.status_code == 200 and restored.json()["state"] == "restored"
    doc.refresh_from_db()
    assert doc.status == "ready" and not doc.disputed
    assert client.get(f"/api/v1/documents/{doc.pk}", **claimant).status_code == 200
    actions = list(
        AuditEntry.objects.filter(notice_id=notice_id)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["notice_received", "take_down", "counter_notice", "restore"]


def test_the_review_queue_and_bulk_decisions_through_the_api(
    client, upload, job_context, user, staff, bearer
):
    Policy.objects.filter(pk=1).update(review="everyone")
    held = []
    for n in range(3):
        doc = upload(f"h{n}.pdf", make_pdf(3, text=words(8700 + n)))
        process(doc.pk)
        held.append(doc.pk)
    moderator, uploader = bearer(staff), bearer(user)
    assert client.get("/api/v1/moderation/queue", **uploader).status_code == 404
    queue = client.get("/api/v1/moderation/queue", **moderator).json()
    assert [item["id"] for item in queue] == held
    assert all("审核" in item["reason"] for item in queue)
    rejected = client.post("/api/v1/moderation/reject", {"ids": held[1:]}, **moderator)
    assert rejected.status_code == 400 and rejected.json()["field"] == "reason"
    rejected = client.post(
        "/api/v1/moderation/reject", {"ids": held[1:], "reason": "只有目录"}, **moderator
    )
    assert rejected.json() == {"done": held[1:]}
    approved = client.post("/api/v1/moderation/approve", {"ids": held}, **moderator)
    assert approved.json() == {"done": held[:1]}  # the rejected ones are not held any more
    statuses = dict(Document.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in held] == ["ready", "rejected", "rejected"]
    seen = client.get(f"/api/v1/documents/{held[1]}", **uploader).json()
    assert seen["status"] == "rejected" and seen["review_reason"] == "只有目录"
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "approve",
        "reject",
        "reject",
    ]


def test_a_penalty_applied_through_the_api_holds_the_users_token(
    client, publish, other_user, staff, bearer
):
    doc = publish()
    moderator, theirs = bearer(staff), bearer(other_user)
    url = f"/api/v1/moderation/users/{other_user.pk}/penalties"
    assert client.post(url, {"kind": "upload", "hours": 2}, **theirs).status_code == 404
    bad = client.post(url, {"kind": "talking", "hours": 2}, **moderator)
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    for kind in ("upload", "download"):
        given = client.post(url, {"kind": kind, "hours": 2, "reason": "刷屏"}, **moderator)
        assert given.status_code == 201 and given.json()["kind"] == kind
    data = SimpleUploadedFile("a.pdf", make_pdf(2), content_type="application/pdf")
    sent = client.post("/api/v1/documents", {"file": data}, **theirs)
    assert sent.status_code == 403 and "刷屏" in sent.json()["detail"]
    taken = client.post(f"/api/v1/documents/{doc.pk}/download", **theirs)
    assert taken.status_code == 403 and taken.json()["code"] == "penalised"
    entries = AuditEntry.objects.filter(action="penalise", subject=other_user)
    assert sorted(e.data["kind"] for e in entries) == ["download", "upload"]
    assert {e.actor_id for e in entries} == {staff.pk}


def test_reports_are_handled_through_the_api(client, publish, user, other_user, staff, bearer):
    """Given open reports on a document, on a comment and on another document, When staff
    list them and dismiss one, remove the comment and take the other document down, Then
    each report is closed, the comment's words are gone, the document is taken down, a
    second answer is refused (409), and the log names each step."""
    from wenku.community.domain import add_comment

    doc, junk = publish(), publish()
    comment = add_comment(other_user, doc, "代开发票")
    reporter = bearer(user)
    ids = [
        client.post(f"/api/v1/documents/{doc.pk}/reports", {"reason": "low_quality"}, **reporter),
        client.post(f"/api/v1/comments/{comment.pk}/reports", {"reason": "spam"}, **reporter),
        client.post(f"/api/v1/documents/{junk.pk}/reports", {"reason": "spam"}, **reporter),
    ]
    ids = [response.json()["id"] for response in ids]
    moderator = bearer(staff)
    assert client.get("/api/v1/moderation/reports", **reporter).status_code == 404
    listed = client.get("/api/v1/moderation/reports", **moderator).json()
    assert [(r["id"], r["comment_excerpt"]) for r in listed] == [
        (ids[0], ""),
        (ids[1], "代开发票"),
        (ids[2], ""),
    ]

    def act(report_id: int, action: str, note: str = ""):  # type: ignore[no-untyped-def]
        url = f"/api/v1/moderation/reports/{report_id}/{action}"
        return client.post(url, {"note": note}, **moderator)

    assert act(ids[0], "remove_comment").status_code == 400  # a document's report: no comment
    assert act(ids[0], "dismiss", "内容完整").json() == {"id": ids[0], "state": "dismissed"}
    assert act(ids[1], "remove_comment").json()["state"] == "resolved"
    assert act(ids[2], "take_down", "广告").json()["state"] == "resolved"
    assert act(ids[0], "take_down").status_code == 409
    assert act(ids[0], "burn").status_code == 404
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    statuses = dict(Document.objects.values_list("pk", "status"))
    assert (statuses[doc.pk], statuses[junk.pk]) == ("ready", "taken_down")
    assert client.get("/api/v1/moderation/reports", **moderator).json() == []
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "dismiss_report",
        "remove_comment",
        "resolve_report",
        "take_down",
        "resolve_report",
    ]


def test_failed_conversions_are_retried_and_penalties_lifted_through_the_api(
    client, publish, upload, job_context, other_user, staff, bearer
):
    from django_tasks_db.models import DBTaskResult

    broken = upload("broken.pdf", b"%PDF-1.4 not really")
    process(broken.pk)
    fine = publish()
    DBTaskResult.objects.all().delete()
    moderator = bearer(staff)
    failed = client.get("/api/v1/moderation/queue", {"tab": "failed"}, **moderator).json()
    assert [item["id"] for item in failed] == [broken.pk] and failed[0]["reason"]
    assert client.post("/api/v1/moderation/retry", {"ids": [broken.pk]}).status_code == 401
    retried = client.post("/api/v1/moderation/retry", {"ids": [broken.pk, fine.pk]}, **moderator)
    assert retried.json() == {"done": [broken.pk]}  # only what had failed
    assert Document.objects.get(pk=broken.pk).status == "queued"
    assert DBTaskResult.objects.count() == 1

    theirs = bearer(other_user)
    given = client.post(
        f"/api/v1/moderation/users/{other_user.pk}/penalties",
        {"kind": "download", "hours": 5},
        **moderator,
    ).json()
    refused = client.post(f"/api/v1/documents/{fine.pk}/download", **theirs)
    assert refused.status_code == 403
    lift = f"/api/v1/moderation/penalties/{given['id']}/lift"
    assert client.post(lift, **theirs).status_code == 404
    assert client.post(lift, **moderator).json()["lifted_at"]
    assert client.post(f"/api/v1/documents/{fine.pk}/download", **theirs).status_code == 200
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["retry", "penalise", "lift_penalty"]


def test_the_uploader_lists_their_own_documents_with_state_and_reason_page_by_page(
    client, make_doc, user, other_user, bearer
):
    """Given alice's published, held (with a reason) and deleted documents and bob's
    document, When each lists /me/documents, Then alice sees her two live ones newest
    first with state, reason and counts, a page at a time, and bob sees only his."""
    from wenku.moderation.models import Review

    published = make_doc("港口调查报告", ["港口 航运 桥梁"], view_count=7, download_count=2)
    held = make_doc("港口调查报告（修订）", ["港口 航运 桥梁"], status="held", published_at=None)
    reason = "与他人文档相似"
    Review.objects.create(
        document=held, state="pending", flags=["tiny_file"], similarity=0.62, reason=reason
    )
    make_doc("已删除的文档", status="deleted")
    theirs = make_doc("山谷笔记", owner=other_user)
    url = "/api/v1/me/documents"
    assert client.get(url).status_code == 401
    first = client.get(url, {"per_page": 1}, **bearer(user)).json()
    assert (first["count"], first["page"], first["pages"]) == (2, 1, 2)
    [row] = first["results"]
    assert (row["id"], row["status"], row["review_state"]) == (held.pk, "held", "pending")
    assert (row["reason"], row["flags"], row["similarity"]) == (reason, ["tiny_file"], 0.62)
    second = client.get(url, {"per_page": 1, "page": 2}, **bearer(user)).json()
    [row] = second["results"]
    assert (row["id"], row["status"], row["reason"], row["review_state"]) == (
        published.pk,
        "ready",
        "",
        None,
    )
    assert (row["views"], row["downloads"], row["earned"], row["pages"]) == (7, 2, 0, 1)
    assert row["url"] == published.get_absolute_url()
    bobs = client.get(url, **bearer(other_user)).json()
    assert [r["id"] for r in bobs["results"]] == [theirs.pk] and bobs["count"] == 1


def test_staff_read_the_audit_log_newest_first_by_document_and_others_may_not(
    client, make_doc, user, staff, bearer
):
    from wenku.moderation.domain import audit

    doc = make_doc("港口调查报告")
    other = make_doc("山谷笔记")
    first = audit(staff, "approve", document=doc, note="ok")
    audit(None, "hold", document=other)
    penalty = audit(staff, "penalise", subject=user, kind="upload")
    url = "/api/v1/moderation/audit"
    assert client.get(url, **bearer(user)).status_code == 404  # staff routes hide, as the desk
    everything = client.get(url, **bearer(staff)).json()
    assert everything["count"] == 3
    assert [e["action"] for e in everything["results"]] == ["penalise", "hold", "approve"]
    assert everything["results"][0]["subject"] == user.username
    assert everything["results"][0]["id"] == penalty.pk
    assert everything["results"][1]["actor"] is None
    one = client.get(url, {"document": doc.pk}, **bearer(staff)).json()
    assert [(e["id"], e["actor"], e["note"]) for e in one["results"]] == [
        (first.pk, staff.username, "ok")
    ]
    paged = client.get(url, {"per_page": 2, "page": 2}, **bearer(staff)).json()
    assert (paged["pages"], [e["action"] for e in paged["results"]]) == (2, ["approve"])
