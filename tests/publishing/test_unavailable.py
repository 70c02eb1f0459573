"""An upload that cannot be stored (a full disk, object storage not answering) fails with
words for the uploader and leaves nothing behind; the same upload works afterwards."""

from __future__ import annotations

import errno
import io

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories.pdf import make_pdf
from wenku.core.storage import StorageUnavailable, get_storage
from wenku.library.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_storage(monkeypatch):  # type: ignore[no-untyped-def]
    """failing_storage(exc): the next writes to storage raise exc."""
    storage = get_storage()

    def fail_with(exc):  # type: ignore[no-untyped-def]
        def put_file(key, source):  # type: ignore[no-untyped-def]
            raise exc

        monkeypatch.setattr(storage, "put_file", put_file)

    return fail_with


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (StorageUnavailable("connection refused"), "暂时无法保存"),
        (OSError(errno.ENOSPC, "No space left on device"), "没有空间"),
    ],
)
def test_the_api_says_try_again_and_keeps_nothing(client, user, failing_storage, exc, words):
    from wenku.accounts.models import ApiToken

    _, token = ApiToken.issue(user, "t")
    failing_storage(exc)
    response = client.post(
        "/api/v1/documents",
        {"file": io.BytesIO(make_pdf(1))},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 503 and words in response.json()["detail"]
    assert not Document.objects.exists() and not DBTaskResult.objects.exists()
    assert (
        not list((get_storage().root / "originals").rglob("*"))
        if hasattr(get_storage(), "root")
        else True
    )


def test_the_upload_page_says_so_too(client, user, failing_storage):
    failing_storage(OSError(errno.ENOSPC, "No space left on device"))
    client.force_login(user)
    upload = io.BytesIO(make_pdf(1))
    upload.name = "a.pdf"
    response = client.post("/upload/", {"files": upload, "pricing": "free"}, follow=True)
    assert (
        "no room for new files" in response.content.decode() or "空间" in response.content.decode()
    )
    assert not Document.objects.exists()
