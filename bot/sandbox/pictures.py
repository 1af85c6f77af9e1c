"""Chat-like screenshots drawn on the fly, so tests and benchmarks need no image files.

The picture imitates a supplier chat in a messaging app: a grey background, a title bar,
white bubbles with an avatar on the left, text in WQY MicroHei (a CJK font from Debian's
`fonts-wqy-microhei`), and optionally a QR code pasted in its own bubble.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_MISSING_REASON = (
    f"CJK font {FONT_PATH} is missing; install it with: apt-get install fonts-wqy-microhei"
)

FONT_SIZE = 28
BACKGROUND = (237, 237, 237)
TITLE_BAR = (247, 247, 247)
BUBBLE = (255, 255, 255)
INK = (25, 25, 25)
AVATAR = (74, 144, 226)
TITLE_HEIGHT = 88
MARGIN = 24
AVATAR_SIZE = 64
BUBBLE_PADDING = 18
LINE_GAP = 8
BUBBLE_GAP = 28
QR_SCALE = 8


def font_available() -> bool:
    return FONT_PATH.is_file()


class FontMissingError(RuntimeError):
    """The CJK font is not installed."""


def render_chat_screenshot(
    lines: Sequence[str], *, qr_payload: str | None = None, width: int = 720
) -> bytes:
    """A PNG of a chat where the supplier sends `lines` (one bubble each) and, when given,
    a QR code encoding `qr_payload`. Raises FontMissingError without the CJK font."""
    if not font_available():
        raise FontMissingError(FONT_MISSING_REASON)
    font = ImageFont.truetype(str(FONT_PATH), FONT_SIZE)
    bubble_text_width = width - 2 * MARGIN - AVATAR_SIZE - 2 * BUBBLE_PADDING - 80
    wrapped = [_wrap(line, font, bubble_text_width) for line in lines]
    qr_image = _qr_image(qr_payload) if qr_payload is not None else None

    line_height = _line_height(font)
    bubble_heights = [len(rows) * (line_height + LINE_GAP) - LINE_GAP for rows in wrapped]
    if qr_image is not None:
        bubble_heights.append(qr_image.height)
    content_height = sum(h + 2 * BUBBLE_PADDING + BUBBLE_GAP for h in bubble_heights)
    height = TITLE_HEIGHT + BUBBLE_GAP + content_height + MARGIN

    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    _draw_title(draw, font, width)
    top = TITLE_HEIGHT + BUBBLE_GAP
    for rows in wrapped:
        top = _draw_text_bubble(draw, font, rows, top, line_height)
    if qr_image is not None:
        _draw_qr_bubble(canvas, draw, qr_image, top)

    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return int(ascent + descent)


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy wrapping by character: Chinese has no spaces to break at, and the tests keep
    lines short enough that English words are rarely split."""
    rows: list[str] = []
    current = ""
    for char in text:
        if current and font.getlength(current + char) > max_width:
            rows.append(current.rstrip())
            current = char.lstrip()
        else:
            current += char
    rows.append(current)
    return rows


def _qr_image(payload: str) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _draw_title(draw: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, width: int) -> None:
    draw.rectangle((0, 0, width, TITLE_HEIGHT), fill=TITLE_BAR)
    draw.line((0, TITLE_HEIGHT, width, TITLE_HEIGHT), fill=(210, 210, 210), width=2)
    draw.text((width // 2, TITLE_HEIGHT // 2), "王经理 (1688)", font=font, fill=INK, anchor="mm")


def _draw_avatar(draw: ImageDraw.ImageDraw, top: int) -> int:
    """Draws the supplier's avatar at `top` and returns where the bubble starts."""
    draw.rounded_rectangle(
        (MARGIN, top, MARGIN + AVATAR_SIZE, top + AVATAR_SIZE), radius=8, fill=AVATAR
    )
    return MARGIN + AVATAR_SIZE + 16


def _draw_text_bubble(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont,
    rows: Sequence[str],
    top: int,
    line_height: int,
) -> int:
    left = _draw_avatar(draw, top)
    text_width = max(int(font.getlength(row)) for row in rows)
    text_height = len(rows) * (line_height + LINE_GAP) - LINE_GAP
    right = left + text_width + 2 * BUBBLE_PADDING
    bottom = top + text_height + 2 * BUBBLE_PADDING
    draw.rounded_rectangle((left, top, right, bottom), radius=10, fill=BUBBLE)
    for index, row in enumerate(rows):
        y = top + BUBBLE_PADDING + index * (line_height + LINE_GAP)
        draw.text((left + BUBBLE_PADDING, y), row, font=font, fill=INK)
    return bottom + BUBBLE_GAP


def _draw_qr_bubble(
    canvas: Image.Image, draw: ImageDraw.ImageDraw, qr_image: Image.Image, top: int
) -> int:
    left = _draw_avatar(draw, top)
    right = left + qr_image.width + 2 * BUBBLE_PADDING
    bottom = top + qr_image.height + 2 * BUBBLE_PADDING
    draw.rounded_rectangle((left, top, right, bottom), radius=10, fill=BUBBLE)
    canvas.paste(qr_image, (left + BUBBLE_PADDING, top + BUBBLE_PADDING))
    return bottom + BUBBLE_GAP
