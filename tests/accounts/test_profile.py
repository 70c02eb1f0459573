"""Profile: name and bio (escaped), an avatar re-encoded, bad images refused clearly."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wenku.core.storage import get_storage

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(600, 400), color=(200, 30, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def huge_png_header(width=30000, height=30000) -> bytes:
    """A tiny PNG that declares a giant canvas (a decompression bomb's opening)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def save_profile(client, **fields):
    data = {"first_name": "", "bio": "", **fields}
    return client.post(reverse("accounts:profile"), data)


def test_name_and_bio_are_saved_and_shown_escaped(client, user):
    client.force_login(user)
    response = save_profile(client, first_name="爱丽丝", bio="<script>alert(1)</script> 爱读书")
    assert response.status_code == 302
    hub = client.get(reverse("accounts:me")).content.decode()
    assert "爱丽丝" in hub
    assert "<script>alert(1)</script>" not in hub and "&lt;script&gt;" in hub


def test_an_avatar_is_stored_re_encoded_square_and_served(client, user):
    client.force_login(user)
    original = image_bytes("JPEG")
    response = save_profile(client, avatar_file=SimpleUploadedFile("me.jpg", original))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.startswith(f"avatars/{user.pk}/") and user.avatar.endswith(".webp")
    served = client.get(user.avatar_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert "immutable" in served["Cache-Control"]
    assert served.content != original
    with Image.open(io.BytesIO(served.content)) as stored:
        assert stored.format == "WEBP" and stored.size == (256, 256)
    assert user.avatar_url in client.get(reverse("accounts:me")).content.decode()


def test_a_new_avatar_replaces_the_old_file_and_removal_clears_it(client, user):
    client.force_login(user)
    save_profile(client, avatar_file=SimpleUploadedFile("a.png", image_bytes(color=(1, 2, 3))))
    user.refresh_from_db()
    first = user.avatar
    save_profile(client, avatar_file=SimpleUploadedFile("b.png", image_bytes(color=(9, 9, 9))))
    user.refresh_from_db()
    assert user.avatar != first and not get_storage().exists(first)
    assert get_storage().exists(user.avatar)
    second = user.avatar
    save_profile(client, remove_avatar="on")
    user.refresh_from_db()
    assert user.avatar == "" and not get_storage().exists(second)


def test_transparent_and_animated_images_are_accepted(client, user):
    client.force_login(user)
    png = image_bytes(mode="RGBA", color=(0, 0, 0, 0))
    assert save_profile(client, avatar_file=SimpleUploadedFile("t.png", png)).status_code == 302
    gif = image_bytes("GIF", mode="P", color=1)
    assert save_profile(client, avatar_file=SimpleUploadedFile("g.gif", gif)).status_code == 302


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("fake.png", b"<?php echo 'hi'; ?>", "could not be read as an image"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "could not"),
        ("bomb.png", huge_png_header(), "too many pixels"),  # Pillow's own bomb guard
        ("wide.png", huge_png_header(8000, 8000), "too many pixels"),  # Wenku's lower cap
        ("doc.pdf", b"%PDF-1.4\n", "could not"),
    ],
)
def test_bad_images_are_refused_clearly(client, user, name, data, words, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(user)
    response = save_profile(client, avatar_file=SimpleUploadedFile(name, data))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["avatar_file"])
    assert words in errors.lower()
    user.refresh_from_db()
    assert user.avatar == ""


def test_an_oversized_image_is_refused(client, user, settings):
    settings.WENKU = settings.WENKU.replace(avatar_max_mb=1)
    client.force_login(user)
    noisy = Image.frombytes("RGB", (1200, 1200), bytes(range(256)) * (1200 * 1200 * 3 // 256))
    out = io.BytesIO()
    noisy.save(out, "PNG", compress_level=0)
    assert len(out.getvalue()) > 1024 * 1024
    response = save_profile(client, avatar_file=SimpleUploadedFile("big.png", out.getvalue()))
    assert response.status_code == 200 and response.context["form"].errors["avatar_file"]


def test_an_avatar_url_must_name_the_current_file(client, user):
    client.force_login(user)
    save_profile(client, avatar_file=SimpleUploadedFile("a.png", image_bytes()))
    user.refresh_from_db()
    assert client.get(reverse("accounts:avatar", args=[user.pk, "0" * 20])).status_code == 404
    assert client.get(reverse("accounts:avatar", args=[user.pk + 1, "0" * 20])).status_code == 404


def test_the_profile_page_needs_an_account(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
