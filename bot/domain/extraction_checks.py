"""What a language model says it read from a pasted text counts only when the text says it.

The model is advisory (OWASP LLM01): pasted order pages and shop profiles may carry
instructions written by a seller, and the model may follow them or simply misread. So
every value it reads is checked here by rules before the bot shows it:

- it must be found in the pasted text, after the same normalisation on both sides
  (full-width → ASCII, invisible characters dropped, spacing ignored except between
  digits, where "1 2" must not become "12");
- it must mean something to our own parsers: a countdown is read by `parse_countdown`,
  an auto-confirm time by `parse_moment` in Beijing time, within the same window a typed
  one has; an order number is digits; a credit code passes its check character;
- it must sit where such a value sits: a countdown or deadline next to the words the
  order page puts around it (还剩, 确认收货 …), a repeat rate next to 回头率, 诚信通 years
  next to 诚信通;
- on a supplier, it may only add a warning: a value that would turn any factor of the
  scorecard green (a manufacturing scope, an established shop, a matching name) is left
  for the user to confirm through the usual question.

Deadlines are still computed by our parsers from the quoted words, never taken from the
model, and the order flow has the user confirm them before anything is tracked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain.escrow.countdown import MAX_COUNTDOWN, parse_countdown
from bot.domain.escrow.moments import parse_moment
from bot.domain.suppliers.registry import check_uscc
from bot.domain.suppliers.scorecard import (
    Category,
    Rating,
    SupplierFacts,
    reads_as_registry,
    score_supplier,
)
from bot.domain.timezones import BEIJING

# A countdown or a date is a few words; a long "quote" is the model pasting back the page.
MAX_TIME_QUOTE = 60
MAX_COMPANY_NAME = 80
MAX_SCOPE = 2000
# 1688 order numbers are 16–19 digits; the column holds 32.
ORDER_NUMBER = re.compile(r"\d{6,32}")
# How far (in normalised characters) the words that label a value may be from it.
_LABEL_REACH = 24

# ---------------------------------------------------------------------------------------
# Finding a quote in the pasted text
# ---------------------------------------------------------------------------------------

# Variation selectors are not "format" characters but hide text just as well.
_VARIATION_SELECTORS = range(0xFE00, 0xFE10)
_SPACES = re.compile(r"\s+")
_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")


def searchable(text: str) -> str:
    """The form in which quotes are compared: NFKC (full-width digits, letters and colons
    become ASCII), lower case, invisible characters dropped, and whitespace dropped except
    a single space between two digits."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(
        char
        for char in normal
        if unicodedata.category(char) != "Cf" and ord(char) not in _VARIATION_SELECTORS
    )
    return _SPACE_NOT_BETWEEN_DIGITS.sub("", _SPACES.sub(" ", visible)).strip()


def find_quotes(quote: str, text: str) -> list[tuple[int, int]]:
    """Where `quote` is in `searchable(text)`, as (start, end) spans; none for an empty
    quote. A quote that starts or ends with a digit must not be part of a longer number
    ("23小时" is not in "123小时")."""
    needle = searchable(quote)
    if not needle:
        return []
    pattern = re.escape(needle)
    if needle[0].isdigit():
        pattern = r"(?<![\d.])" + pattern
    if needle[-1].isdigit():
        pattern += r"(?!\d)"
    return [found.span() for found in re.finditer(pattern, searchable(text))]


def is_quoted(quote: str, text: str) -> bool:
    return bool(find_quotes(quote, text))


def _labelled(quote: str, text: str, labels: re.Pattern[str]) -> bool:
    """The quote is in the text with one of `labels` inside it or close before or after
    (at one of the places it occurs)."""
    haystack = searchable(text)
    for start, end in find_quotes(quote, text):
        window = haystack[max(0, start - _LABEL_REACH) : end + _LABEL_REACH]
        if labels.search(window):
            return True
    return False


# ---------------------------------------------------------------------------------------
# Order pages
# ---------------------------------------------------------------------------------------

# Words 1688's order page (and buyers' own translations of it) put around the time left
# and the auto-confirm time, in `searchable` form (no spaces).
_DEADLINE_LABELS = re.compile(
    r"还剩|剩余|剩下|倒计时|自动确认|确认收货|超时|"
    r"left|remain|auto-?confirm|confirmreceipt|confirmationofreceipt|осталось|автоподтвержд"
)
# The kinds of words an order page has: its number, the time left, the confirm button,
# the shipment and the trade itself. Checked on the raw text (spaces kept).
_PAGE_MARKS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"订单号|订单编号|order\s*(?:no\.?|number|id)\b|номер\s+заказа", re.I),
    # "left" alone is too common ("it left the warehouse"): only after a time.
    "left": re.compile(
        r"还剩|剩余|倒计时|осталось|\bremaining\b|\btime\s+left\b"
        r"|\d\s*(?:d|h|m|days?|hours?|hrs?|min(?:ute)?s?)\.?\s+left\b",
        re.I,
    ),
    "confirm": re.compile(r"确认收货|自动确认|confirm\s+receipt|auto-?confirm", re.I),
    "shipped": re.compile(r"已发货|发货时间|物流|运单号|\bshipped\b|tracking\s+n", re.I),
    "trade": re.compile(r"交易状态|实付款|下单时间|付款时间|成交时间|total\s+paid", re.I),
}
# A page, not a line: a countdown typed on its own is the rules' job.
_PAGE_MIN_LINES = 3
_PAGE_MIN_CHARACTERS = 120


def looks_like_order_page(text: str, *, asked_for_time: bool = False) -> bool:
    """Text copied from a 1688 order page, rather than a countdown typed on its own.

    Unprompted it must name an order number and the time left or the confirm button, and
    be page-sized; when the user was just asked for the time (`asked_for_time`), one of
    those words on a page-sized text is enough."""
    stripped = text.strip()
    lines = [line for line in stripped.splitlines() if line.strip()]
    if len(lines) < _PAGE_MIN_LINES and len(stripped) < _PAGE_MIN_CHARACTERS:
        return False
    marks = {kind for kind, pattern in _PAGE_MARKS.items() if pattern.search(stripped)}
    if asked_for_time:
        return bool(marks & {"number", "left", "confirm"})
    return "number" in marks and bool(marks & {"left", "confirm"})


@dataclass(frozen=True)
class OrderReading:
    """An order page as our rules understood the words the model pointed at."""

    deadline: datetime  # computed by parse_countdown / parse_moment, never by the model
    quote: str  # the page's words it was computed from
    from_countdown: bool  # True: a time left; False: an auto-confirm date and time
    order_number: str | None


def checked_countdown(quote: str | None, text: str, now: datetime) -> datetime | None:
    """The deadline a countdown quoted from `text` points to, read at `now`."""
    if quote is None or not quote.strip() or len(quote) > MAX_TIME_QUOTE:
        return None
    if not _labelled(quote, text, _DEADLINE_LABELS):
        return None
    return parse_countdown(quote, now)


def checked_deadline(quote: str | None, text: str, now: datetime) -> datetime | None:
    """An auto-confirm time quoted from `text`, in Beijing time unless it names a zone;
    only in the future and no further than the longest countdown we accept."""
    if quote is None or not quote.strip() or len(quote) > MAX_TIME_QUOTE:
        return None
    if not _labelled(quote, text, _DEADLINE_LABELS):
        return None
    moment = parse_moment(quote, now, BEIJING)
    if moment is None or not now < moment <= now + MAX_COUNTDOWN:
        return None
    return moment


def checked_order_number(value: str | None, text: str) -> str | None:
    """Digits only, as a whole number of the text (not the tail of a longer one)."""
    if value is None:
        return None
    digits = value.strip()
    if not ORDER_NUMBER.fullmatch(digits) or not is_quoted(digits, text):
        return None
    return digits


def check_order_reading(
    *,
    countdown: str | None,
    deadline: str | None,
    order_number: str | None,
    text: str,
    now: datetime,
) -> OrderReading | None:
    """What the model read from an order page, kept only where our rules agree; None when
    neither the countdown nor the deadline survives (nothing then to offer). The countdown
    wins over a stated deadline, as a typed countdown does."""
    number = checked_order_number(order_number, text)
    from_countdown = checked_countdown(countdown, text, now)
    if from_countdown is not None and countdown is not None:
        return OrderReading(from_countdown, countdown.strip(), True, number)
    stated = checked_deadline(deadline, text, now)
    if stated is not None and deadline is not None:
        return OrderReading(stated, deadline.strip(), False, number)
    return None


# ---------------------------------------------------------------------------------------
# Shop profiles
# ---------------------------------------------------------------------------------------

_PROFILE_WORDS = re.compile(
    r"公司|厂|经营范围|经营|信用代码|法定代表人|注册资本|成立|主营|回头率|复购率|诚信通|工商|营业执照|档案|"
    r"\b(?:company|co\.|ltd|limited|factory|business\s+scope|credit\s+code|repeat|"
    r"main\s+products?|trust\s*pass|established)\b",
    re.IGNORECASE,
)
_PROFILE_MIN_CHARACTERS = 20


def looks_like_profile(text: str) -> bool:
    """Enough of a shop profile to be worth reading: a few words about the company."""
    stripped = text.strip()
    return len(stripped) >= _PROFILE_MIN_CHARACTERS and bool(_PROFILE_WORDS.search(stripped))


@dataclass(frozen=True)
class ProposedProfile:
    """Supplier facts as the model read them, before any check."""

    company_name: str | None = None
    business_scope: str | None = None
    uscc: str | None = None
    repeat_rate: float | None = None
    chengxintong_years: int | None = None


_LEGAL_FORM_END = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|公司|厂|商行|经营部|工作室|"
    r"\b(?:co\.?,?\s*ltd\.?|limited|company|corp\.?|corporation|inc\.?|llc))$",
    re.IGNORECASE,
)
_RATE_LABELS = re.compile(r"回头率|复购率|repeat|repurchase|re-?order")
_TRUSTPASS_LABELS = re.compile(r"诚信通|trustpass|chengxintong")


def check_profile_reading(
    proposed: ProposedProfile, text: str, known: SupplierFacts
) -> tuple[SupplierFacts, tuple[str, ...]]:
    """`known` (what the rules read) plus the proposed values that pass every check, and
    the names of the `SupplierFacts` fields they filled.

    Only fields the rules left empty are filled. A company name fills the shop company or
    the licence name, as the rules would place it, and only when the rules found neither:
    one paste never fills both, which would make them match by construction. No value may
    turn a factor of the scorecard green, whatever category the user picks later."""
    # Tried one at a time, in a fixed order, each against the facts accepted before it.
    candidates = _candidate_values(proposed, text, known)
    facts = known
    added: list[str] = []
    for field, value in candidates:
        # Each candidate was parsed into the type of the field it fills.
        change: dict[str, Any] = {field: value}
        trial = replace(facts, **change)
        if _raises_any_factor(facts, trial):
            continue
        facts = trial
        added.append(field)
    return facts, tuple(added)


def _candidate_values(
    proposed: ProposedProfile, text: str, known: SupplierFacts
) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    name = _checked_company(proposed.company_name, text)
    if name is not None and known.shop_company is None and known.licence_name is None:
        found.append(("licence_name" if reads_as_registry(text) else "shop_company", name))
    scope = _checked_scope(proposed.business_scope, text)
    if scope is not None and known.licence_scope is None:
        found.append(("licence_scope", scope))
    uscc = _checked_uscc(proposed.uscc, text)
    if uscc is not None and known.uscc is None:
        found.append(("uscc", uscc))
    years = _checked_years(proposed.chengxintong_years, text)
    if years is not None and known.chengxintong_years is None:
        found.append(("chengxintong_years", years))
    rate = _checked_rate(proposed.repeat_rate, text)
    if rate is not None and known.repeat_rate is None:
        found.append(("repeat_rate", rate))
    return found


def _checked_company(value: str | None, text: str) -> str | None:
    name = _SPACES.sub(" ", value or "").strip()
    if not 2 <= len(name) <= MAX_COMPANY_NAME or not _LEGAL_FORM_END.search(name):
        return None
    return name if is_quoted(name, text) else None


def _checked_scope(value: str | None, text: str) -> str | None:
    scope = (value or "").strip()
    if not 2 <= len(scope) <= MAX_SCOPE:
        return None
    return scope if is_quoted(scope, text) else None


def _checked_uscc(value: str | None, text: str) -> str | None:
    if not value:
        return None
    check = check_uscc(value)
    if not check.valid:
        return None
    # Codes are written with spaces or dashes now and then: compare without them.
    compact = re.sub(r"[\s\-]", "", searchable(text))
    return check.normalized if check.normalized.casefold() in compact else None


def _checked_years(value: int | None, text: str) -> int | None:
    if value is None or not 1 <= value <= 30:
        return None
    return value if _labelled(str(value), text, _TRUSTPASS_LABELS) else None


def _checked_rate(value: float | None, text: str) -> float | None:
    if value is None or not 0 <= value <= 100:
        return None
    haystack = searchable(text)
    number = re.escape(f"{value:g}")
    # The number as a percentage ("35%", "35.0 %"), labelled as a repeat rate before it.
    for found in re.finditer(rf"(?<![\d.]){number}(?:\.0+)?\s?%", haystack):
        if _RATE_LABELS.search(haystack[max(0, found.start() - _LABEL_REACH) : found.start()]):
            return float(value)
    return None


_CATEGORIES: tuple[Category | None, ...] = (None, *Category)


def _raises_any_factor(before: SupplierFacts, after: SupplierFacts) -> bool:
    """Would `after` make a factor green that `before` does not, or the overall rating
    green, for any category the user may still choose?"""
    for category in _CATEGORIES:
        old = score_supplier(replace(before, category=before.category or category))
        new = score_supplier(replace(after, category=after.category or category))
        if new.overall is Rating.GREEN and old.overall is not Rating.GREEN:
            return True
        for old_factor, new_factor in zip(old.factors, new.factors, strict=True):
            if new_factor.rating is Rating.GREEN and old_factor.rating is not Rating.GREEN:
                return True
    return False
