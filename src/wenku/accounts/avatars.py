"""Avatars: an uploaded image is checked, cropped square and re-encoded; its bytes never served.

Only what Pillow decodes and Wenku encodes again (256×256 WebP, no metadata) is stored,
so a file that is also a script, an SVG or a polyglot cannot reach another reader.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = 256
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; a bigger canvas is a decompression bomb


class AvatarRejected(ValueError):
    """The upload is not an image Wenku accepts; the message says why, for the user."""


def reencode(stream: IO[bytes], max_bytes: int) -> bytes:
    """The avatar as Wenku stores it (WebP bytes), or AvatarRejected."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AvatarRejected(
            _("The image is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
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


def _square_webp(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in FORMATS:
            raise AvatarRejected(_("Use a JPEG, PNG, GIF or WebP picture."))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise AvatarRejected(_too_many_pixels())
        image.seek(0)  # the first frame of an animation
        image.load()
        upright = ImageOps.exif_transpose(image)
        alpha = "A" in upright.getbands() or "transparency" in upright.info
        square = ImageOps.fit(
            upright.convert("RGBA" if alpha else "RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS
        )
    out = io.BytesIO()
    square.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def storage_key(user_id: int, webp: bytes) -> str:
    return f"avatars/{user_id}/{hashlib.sha256(webp).hexdigest()[:20]}.webp"


def _too_many_pixels() -> str:
    return _("The image has too many pixels; use one under %(mp)s megapixels.") % {
        "mp": MAX_PIXELS // 1_000_000
    }
