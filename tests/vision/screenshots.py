"""Screenshots for tests: the sandbox's renderer, skipping the test when the font is missing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.sandbox import pictures
from bot.sandbox.pictures import FONT_MISSING_REASON, FONT_PATH, font_available

__all__ = ["FONT_PATH", "needs_cjk_font", "render_chat_screenshot"]

needs_cjk_font = pytest.mark.skipif(not font_available(), reason=FONT_MISSING_REASON)


def render_chat_screenshot(
    lines: Sequence[str], *, qr_payload: str | None = None, width: int = 720
) -> bytes:
    try:
        return pictures.render_chat_screenshot(lines, qr_payload=qr_payload, width=width)
    except pictures.FontMissingError as missing:
        pytest.skip(str(missing))
