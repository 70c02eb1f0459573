"""Storage keys, all derived from the SHA-256 of the uploaded bytes (content addressing)."""


def _prefix(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def original(sha256: str) -> str:
    return f"originals/{_prefix(sha256)}"


def pdf(sha256: str) -> str:
    return f"renditions/{_prefix(sha256)}/document.pdf"


def cover(sha256: str) -> str:
    return f"renditions/{_prefix(sha256)}/cover.webp"


def page_image(sha256: str, number: int, scale: int = 1) -> str:
    """A page's image; ``scale`` 2 is its sharper rendition (HiDPI screens, zoom)."""
    suffix = "" if scale == 1 else f"@{scale}x"
    return f"renditions/{_prefix(sha256)}/pages/{number:05d}{suffix}.webp"
