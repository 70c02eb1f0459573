"""Avatars: an uploaded image is checked, cropped square and re-encoded; its bytes never served.

Only what Pillow decodes and Wenku encodes again (256×256 WebP, no metadata) is stored,
so a file that is also a script, an SVG or a polyglot cannot reach another reader.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from typing import IO

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

SIZE = 256
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Pixels are what an image costs to decode, not bytes: a 62 KB WebP of 6000×6000 took
# 2.5 s and 700 MB to re-encode. JPEG decodes at a fraction of its size (DCT scaling,
# Image.draft), so a photo of up to 40 megapixels costs little; every other format is
# decoded whole, so it may have at most 9 megapixels (a 4K screenshot, 3000×3000 art).
# Pillow's own bomb guard sits far above both. One avatar is decoded at a time in each
# web process, so parallel uploads cannot add up their memory.
MAX_PIXELS = 40_000_000
MAX_DECODED_PIXELS = 9_000_000
_decoding = threading.BoundedSemaphore(1)
WAIT_SECONDS = 30
WORKING = SIZE * 4  # the image is shrunk to about this before anything else is done
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class AvatarRejected(ValueError):
    """The upload is not an image Wenku accepts; the message says why, for the user."""


def reencode(stream: IO[bytes], max_bytes: int) -> bytes:
    """The avatar as Wenku stores it (WebP bytes), or AvatarRejected."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AvatarRejected(
            _("The image is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not _decoding.acquire(timeout=WAIT_SECONDS):
        raise AvatarRejected(_("Too many pictures are being processed; try again in a minute."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _square_webp(data)
    except AvatarRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarRejected(_too_many_pixels()) from None
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):
        raise AvatarRejected(
            _("The file could not be read as an image. Use a JPEG, PNG, GIF or WebP picture.")
        ) from None
    finally:
        _decoding.release()


def _square_webp(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in FORMATS:
            raise AvatarRejected(_("Use a JPEG, PNG, GIF or WebP picture."))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise AvatarRejected(_too_many_pixels())
        image.seek(0)  # the first frame of an animation
        if image.format == "JPEG":
            image.draft("RGB", (WORKING, WORKING))  # decode at 1/2, 1/4 or 1/8 of the size
        width, height = image.size
        if width * height > MAX_DECODED_PIXELS:
            raise AvatarRejected(_too_many_pixels())
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        alpha = "A" in image.getbands() or "transparency" in image.info
        mode = "RGBA" if alpha else "RGB"
        if image.mode in ("RGB", "RGBA", "L", "LA"):
            image.thumbnail((WORKING, WORKING), Image.Resampling.LANCZOS, reducing_gap=2.0)
            small = image.convert(mode)
        else:  # palette, CMYK…: converted first, so it is resampled in colour
            small = image.convert(mode)
            small.thumbnail((WORKING, WORKING), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if orientation in _TRANSPOSE:
        small = small.transpose(_TRANSPOSE[orientation])
    square = ImageOps.fit(small, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def storage_key(user_id: int, webp: bytes) -> str:
    return f"avatars/{user_id}/{hashlib.sha256(webp).hexdigest()[:20]}.webp"


def _too_many_pixels() -> str:
    return _(
        "The image has too many pixels: use one of at most 9 megapixels (3000×3000), "
        "or a JPEG photo."
    )
