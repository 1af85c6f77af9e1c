"""Cleaning a pasted or OCR-read order page before it is read.

Copies lose or gain line breaks; phones copy full-width digits (`８天`) and colons; OCR reads
天 as 夭, 已 as 己, 0 as O, 1 as l. The cleaned text keeps one character per character of
the input where it can, so evidence snippets still look like the page.
"""

from __future__ import annotations

import re
import unicodedata

MAX_PAGE_CHARS = 20_000  # a long order page is ~2,000 characters; more is not one page

_CHAR_SLIPS = str.maketrans({"夭": "天", "己": "已", "巳": "已", "吋": "时", "|": "1"})
# Traditional characters of the page's own words (HK and Taiwan phones, some agents).
_TRADITIONAL = str.maketrans(
    "還餘確認貨發訂單編號動時間賣買簽狀態關閉實際後請長處開運費額說條產顯選錢記錄",
    "还余确认货发订单编号动时间卖买签状态关闭实际后请长处开运费额说条产显选钱记录",
)
_DIGIT_SLIPS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
_UNIT_AHEAD = r"(?=\s*(?:天|小时|时|分|秒))"
# A run of digits and look-alike letters that holds a real digit, not inside a word…
_MIXED_RUN = re.compile(r"(?<![A-Za-z])[0-9OolI]*[0-9][0-9OolI]*(?![A-Za-z])")
# …or one look-alike letter alone in front of a time unit (`l 天`).
_LONE_SLIP = re.compile(r"(?<![A-Za-z0-9])[OolI]" + _UNIT_AHEAD)


def clean(text: str) -> str:
    """NFKC (full width to ASCII), OCR slips mended, the page's traditional characters made
    simplified, letters kept as they were."""
    text = unicodedata.normalize("NFKC", text[:MAX_PAGE_CHARS])
    text = text.translate(_CHAR_SLIPS).translate(_TRADITIONAL)
    text = _MIXED_RUN.sub(lambda match: match[0].translate(_DIGIT_SLIPS), text)
    return _LONE_SLIP.sub(lambda match: match[0].translate(_DIGIT_SLIPS), text)


def flat(text: str) -> str:
    """The cleaned text on one line: line breaks lost and inserted read the same."""
    return re.sub(r"\s+", " ", text)


def squeeze_digits(text: str) -> str:
    """`1 0天 2 1小时` → `10天 21小时`: spaces OCR put inside a number, for a span known to
    hold no date (a countdown, an order number)."""
    return re.sub(r"(?<=\d)\s+(?=\d)", "", text)


def snippet(text: str, start: int, end: int, margin: int = 0) -> str:
    """The text from start to end (widened by margin), on one line and trimmed."""
    return flat(text[max(0, start - margin) : end + margin]).strip()
