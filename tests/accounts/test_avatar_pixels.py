"""Avatars are limited in pixels, not only in bytes (issue 10, item 10).

The attack: a picture is small in bytes and huge in pixels — a 62 KB WebP of 6000×6000
passed the 5 MB limit and the 40-megapixel cap, and re-encoding it took 2.5 s and
700 MB (a 116 KB PNG: 1.8 s, 420 MB); a handful at once exhaust a server. Now formats
decoded whole may have at most 9 megapixels, a JPEG is decoded at a fraction of its
size, and one avatar is decoded at a time per process.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.utils import translation
from PIL import Image

from wenku.accounts import avatars

MB = 1024 * 1024


def flat(fmt: str, width: int, height: int, **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_a_small_file_of_too_many_pixels_is_refused(fmt):
    data = flat(fmt, 6000, 6000)
    assert len(data) < 200 * 1024  # far under the byte limit
    with translation.override("en"), pytest.raises(avatars.AvatarRejected, match="too many pixels"):
        avatars.reencode(io.BytesIO(data), 5 * MB)


def test_a_big_jpeg_photo_is_accepted_and_shrunk():
    webp = avatars.reencode(io.BytesIO(flat("JPEG", 6000, 6000)), 5 * MB)
    with Image.open(io.BytesIO(webp)) as image:
        assert image.format == "WEBP" and image.size == (256, 256)


def test_a_screenshot_is_accepted():
    webp = avatars.reencode(io.BytesIO(flat("PNG", 3840, 2160)), 5 * MB)
    with Image.open(io.BytesIO(webp)) as image:
        assert image.size == (256, 256)


def test_a_photo_is_turned_upright():
    """EXIF orientation 6 (the camera was turned): a wide picture whose left half is red
    comes out with the red half on top."""
    image = Image.new("RGB", (800, 400), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    webp = avatars.reencode(io.BytesIO(out.getvalue()), 5 * MB)
    with Image.open(io.BytesIO(webp)) as square:
        top, bottom = square.getpixel((128, 20)), square.getpixel((128, 236))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


MEASURE = r"""
import io, re, sys
import django
django.setup()
def peak():  # this process's own high-water mark (ru_maxrss also counts its parent's)
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read())[1]) / 1024
from wenku.accounts import avatars
data = open(sys.argv[1], "rb").read()
before = peak()
try:
    avatars.reencode(io.BytesIO(data), 5 * 1024 * 1024)
except avatars.AvatarRejected:
    pass
print(peak() - before)
"""


@pytest.mark.live
def test_no_avatar_costs_much_memory(tmp_path):
    """Peak memory of re-encoding, each in a fresh process (Pillow allocates outside
    Python; VmHWM is the child's own high-water mark)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    growth = {}
    for fmt in ("WEBP", "PNG", "JPEG"):
        path = tmp_path / f"6000x6000.{fmt.lower()}"
        path.write_bytes(flat(fmt, 6000, 6000))
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
        growth[fmt] = float(result.stdout.strip().splitlines()[-1])
    assert all(mb < 100 for mb in growth.values()), growth  # they took 420–700 MB
