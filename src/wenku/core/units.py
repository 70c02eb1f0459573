"""Quantities in words people read."""

from __future__ import annotations


def human_size(num_bytes: int) -> str:
    """1536 → '1.5 KB'; used in failure messages and listings."""
    size = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
