"""Real image files of a chosen size, for the sandbox's photo checks."""

from __future__ import annotations

import io

from PIL import Image


def png(width: int, height: int, *, pad_to: int = 0) -> bytes:
    """A one-bit PNG of that size, followed by zeros up to pad_to bytes (decoders ignore them)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    data = buffer.getvalue()
    return data + b"\0" * max(0, pad_to - len(data))
