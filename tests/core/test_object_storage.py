"""Object storage (WENKU_STORAGE_URL=s3://…) against a real S3-compatible server process
(moto's standalone server, started by the session): the Storage contract, page images by
short-lived signed redirect with the preview limit still enforced, CDN URLs, and a store
that does not answer."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from wenku.core.storage import StorageUnavailable
from wenku.core.storage.s3 import S3Location, S3Storage
from wenku.core.storage.urls import cdn_url
from wenku.library import signing

pytestmark = [pytest.mark.live, pytest.mark.django_db]


def test_the_storage_contract_on_a_bucket(s3_site, tmp_path):
    storage = s3_site
    storage.check()
    storage.put_bytes("renditions/ab/cd/x/cover.webp", b"RIFF-cover")
    source = tmp_path / "original"
    source.write_bytes(b"%PDF-1.7 " + b"x" * 100_000)
    storage.put_file("originals/ab/cd/abcdef", source)
    assert storage.exists("originals/ab/cd/abcdef")
    assert storage.size("originals/ab/cd/abcdef") == source.stat().st_size
    with storage.open("renditions/ab/cd/x/cover.webp") as fh:
        assert fh.read() == b"RIFF-cover"
    storage.fetch("originals/ab/cd/abcdef", tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == source.read_bytes()
    with storage.local_file("originals/ab/cd/abcdef") as path:
        assert path.read_bytes() == source.read_bytes()
    storage.delete("renditions/ab/cd/x/cover.webp")
    assert not storage.exists("renditions/ab/cd/x/cover.webp")
    with pytest.raises(FileNotFoundError):
        storage.open("renditions/ab/cd/x/cover.webp")
    storage.put_bytes("renditions/ab/cd/x/cover.webp", b"again")  # replacing is allowed
    storage.put_bytes("renditions/ab/cd/x/cover.webp", b"replaced")
    with storage.open("renditions/ab/cd/x/cover.webp") as fh:
        assert fh.read() == b"replaced"


def test_keys_live_under_the_url_prefix_and_never_escape_it(s3_site):
    s3_site.put_bytes("a/b", b"1")
    objects = s3_site._storage.bucket.objects.all()
    assert [o.key for o in objects] == ["site/a/b"]
    for bad in ("", "/etc/passwd", "a/../../b"):
        with pytest.raises(ValueError):
            s3_site.put_bytes(bad, b"x")


def test_a_store_that_does_not_answer_is_unavailable_not_missing():
    storage = S3Storage(S3Location.parse("s3://k:s@bucket?endpoint=http://127.0.0.1:9&region=x"))
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        storage.put_bytes("a/b", b"x")
    with pytest.raises(StorageUnavailable):
        storage.open("a/b")
    assert time.monotonic() - started < 30


def _signed(doc, number):  # type: ignore[no-untyped-def]
    return signing.page_url(doc.pk, number)


def test_page_images_redirect_to_a_short_lived_signed_url_of_that_page(s3_site, publish):
    """Given a 6-page document in object storage with a 2-page free preview, an anonymous
    reader's page 1 redirects to a signed URL of page 1 that works and expires; page 4
    (past the preview) is refused, with no URL at all."""
    doc = publish(pages=6, preview_pages=2)
    client = Client()
    response = client.get(_signed(doc, 1))
    assert response.status_code == 302
    location = response["Location"]
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=" in location
    image = requests.get(location, timeout=10)
    assert image.status_code == 200 and image.content[:4] == b"RIFF"
    assert image.headers["Content-Type"] == "image/webp"
    expires = int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0])
    assert expires == s3_site_seconds()
    refused = client.get(_signed(doc, 4))
    assert refused.status_code == 403 and "Location" not in refused


def s3_site_seconds() -> int:
    from wenku.config import conf

    return conf().storage_url_seconds


@pytest.fixture
def one_eager_page(settings):  # type: ignore[no-untyped-def]
    """Only page 1 is rendered while publishing (request it before ``publish``)."""
    settings.WENKU = settings.WENKU.replace(eager_pages=1)


def test_a_page_never_rendered_is_rendered_into_the_bucket_then_redirected(
    one_eager_page, s3_site, publish
):
    doc = publish(pages=3, preview_pages=3)
    key = f"{doc.conversion.sha256}/pages/00003.webp"
    assert not any(o.key.endswith(key) for o in s3_site._storage.bucket.objects.all())
    response = Client().get(_signed(doc, 3))
    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content[:4] == b"RIFF"


def test_a_cdn_gets_nginx_secure_link_urls(s3_site, publish, settings):
    settings.WENKU = settings.WENKU.replace(
        cdn_url="https://cdn.example.com/wenku", cdn_secret="cdn-secret"
    )
    doc = publish(pages=2, preview_pages=1)
    response = Client().get(_signed(doc, 1))
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("https", "cdn.example.com")
    assert location.path.startswith("/wenku/renditions/") and location.path.endswith("00001.webp")
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    # What nginx computes: secure_link_md5 "$secure_link_expires$uri cdn-secret";
    raw = hashlib.md5(f"{query['expires']}{location.path} cdn-secret".encode()).digest()
    assert query["md5"] == base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert 0 < int(query["expires"]) - time.time() <= settings.WENKU.storage_url_seconds
    assert Client().get(_signed(doc, 2)).status_code == 403


def test_type_a_cdn_urls():
    url = cdn_url("https://cdn.example.com", "key", "type-a", "a/b.webp", 60, now=1_700_000_000)
    path, query = url.split("?", 1)
    timestamp, rand, uid, digest = query.removeprefix("auth_key=").split("-")
    expected = hashlib.md5(f"/a/b.webp-{timestamp}-{rand}-{uid}-key".encode()).hexdigest()
    assert (path, timestamp, uid, digest) == (
        "https://cdn.example.com/a/b.webp",
        "1700000000",
        "0",
        expected,
    )


def test_a_cdn_without_a_secret_is_refused_at_start():
    from wenku import config

    with pytest.raises(config.ConfigError, match="WENKU_CDN_SECRET"):
        config.load({"WENKU_CDN_URL": "https://cdn.example.com"})


def test_downloads_stream_the_original_from_the_bucket(s3_site, publish):
    from wenku.economy.files import attachment

    doc = publish(pages=2)
    response = attachment(doc)
    body = b"".join(response.streaming_content)
    with s3_site.open(doc.conversion.original_key) as fh:
        assert body == fh.read() and body.startswith(b"%PDF")


def test_page_images_say_so_when_the_store_does_not_answer(
    one_eager_page, s3_site, publish, settings
):
    """Given a page never rendered and a store that stops answering, the page image is a
    503 with Retry-After, not an error page."""
    from wenku.core.storage import reset_storage

    doc = publish(pages=3, preview_pages=3)
    settings.WENKU = settings.WENKU.replace(
        storage_url="s3://k:s@nothing?endpoint=http://127.0.0.1:9&region=x"
    )
    reset_storage()
    response = Client().get(_signed(doc, 3))
    assert response.status_code == 503 and response["Retry-After"]


@pytest.mark.django_db(transaction=True)
def test_a_served_site_converts_into_the_bucket_and_readers_get_signed_urls(
    wenku_server, s3_url, s3_site, user
):
    """`wenku serve` (web and worker) with WENKU_STORAGE_URL: an upload through the API is
    stored, converted and published with every file in the bucket; its page 1 redirects
    to the bucket; nothing is written to the data folder's files/."""
    from tests.factories import documents as f
    from wenku.accounts.models import ApiToken
    from wenku.library.models import Document

    server = wenku_server(worker=True, WENKU_STORAGE_URL=s3_url)
    _, token = ApiToken.issue(user, "s3")
    response = requests.post(
        server.url + "/api/v1/documents",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("总结.docx", f.make_docx(2))},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    doc_id = response.json()["id"]
    server.wait_until(
        lambda: Document.objects.filter(pk=doc_id, status="ready").exists(), 90, "ready"
    )
    doc = Document.objects.select_related("conversion").get(pk=doc_id)
    keys = {o.key for o in s3_site._storage.bucket.objects.all()}
    sha = doc.conversion.sha256
    assert f"site/originals/{sha[:2]}/{sha[2:4]}/{sha}" in keys
    assert any(k.endswith(f"{sha}/document.pdf") for k in keys)
    assert any(k.endswith(f"{sha}/pages/00001.webp") for k in keys)
    urls = requests.get(f"{server.url}/d/{doc_id}/pages.json", timeout=30).json()["pages"]
    page = requests.get(server.url + urls["1"], allow_redirects=False, timeout=30)
    assert page.status_code == 302
    assert requests.get(page.headers["Location"], timeout=10).content[:4] == b"RIFF"
    files = wenku_server_files(server)
    assert not [p for p in files if p.is_file()], files


def wenku_server_files(server):  # type: ignore[no-untyped-def]
    return list((server.data_dir / "files").rglob("*"))
