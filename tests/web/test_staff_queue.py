"""The staff's queue page: depth and age per queue, workers, failures, and a retry."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories.pdf import make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):  # type: ignore[no-untyped-def]
    person = django_user_model.objects.create_user("op", "op@example.com", "pw", is_staff=True)
    client.force_login(person)
    return client


def test_only_staff_see_the_queue(client, user):
    client.force_login(user)
    response = client.get(reverse("library:staff_queue"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_queue_shows_waiting_jobs_and_their_age(staff, upload):
    upload("a.pdf", make_pdf(1))
    upload("b.pdf", make_pdf(2))
    html = staff.get(reverse("library:staff_queue")).content.decode()
    row = html.split('data-queue="ingest"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="ready">2</td>' in row
    assert 'id="workers"' in html


def test_a_document_failed_for_a_passing_reason_can_be_tried_again(staff, upload, job_context):
    """Given a document whose conversion failed because LibreOffice was unavailable,
    when staff press "try again", then it is queued with a new job and publishes."""
    from wenku.ingest import conversions
    from wenku.library import domain
    from wenku.publishing.jobs import process

    doc = upload("a.pdf", make_pdf(1))
    conversion = doc.conversion
    conversions.fail(conversion, "normalise", "converter_unavailable", {})
    domain.fail_documents(conversion)
    DBTaskResult.objects.all().delete()
    html = staff.get(reverse("library:staff_queue")).content.decode()
    assert reverse("library:staff_retry", args=[doc.pk]) in html
    response = staff.post(reverse("library:staff_retry", args=[doc.pk]))
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == "queued" and DBTaskResult.objects.count() == 1
    assert process(doc.pk) == "ready"


def test_only_failed_documents_are_tried_again(staff, upload):
    doc = upload("a.pdf", make_pdf(1))
    staff.post(reverse("library:staff_retry", args=[doc.pk]))
    assert DBTaskResult.objects.count() == 1  # the upload's own job only
