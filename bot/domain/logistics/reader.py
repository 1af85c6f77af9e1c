"""Reading a logistics trace (物流详情) pasted from a 1688 order, a carrier app, or OCR.

Layouts understood, in either order (newest first or oldest first):
- a time line, then the event's text (Kuaidi100's `time`/`context`, the 1688 web page);
- time and text on one line (`2026-12-03 14:22:10 【深圳市】已签收`);
- the text, then its time on the line below (the 1688 app's 物流信息);
- the date and the time on separate lines (`12-03` / `14:22` / text), in either order;
- a date header over several `14:22 text` lines (Cainiao), and `今天`/`昨天`/`前天`;
- a Kuaidi100 or Kdniao answer pasted as JSON (see pasted_json).

A date without a year is the latest such date not after `now` in Beijing, so a trace read
on 2 January puts `12-31` in the old year and `01-01` in the new one. Full-width digits,
colons and brackets are folded (NFKC); OCR slips in times (`2O26-l2-O3 l4: 22`) are
mended; lines that OCR or a narrow screen wrapped are joined back to their event.

Which events count as signing: `签收`, `妥投`, `代收`, `投递至/放入/存入` a locker or
station, `领取`; not `未签收`, `拒签`, `请您准备签收` and the like. A parcel left at a
locker or station counts as signed from that moment: 1688's countdown treats it so, and a
deadline may err early, never late.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.domain.escrow.moments import parse_moment
from bot.domain.logistics.carriers import detect_carrier, find_tracking_number
from bot.domain.logistics.model import SignedBy, Trace, TraceEvent
from bot.domain.logistics.pasted_json import json_trace_text
from bot.domain.logistics.places import city_of
from bot.domain.timezones import BEIJING

MAX_INPUT_CHARS = 50_000  # a long trace is a few thousand characters
_MAX_LINES = 2_000

_DIGITISH = "0-9OoIl|"
# A run of digit-like tokens joined by date or time separators: where OCR slips are mended.
_STAMPISH = re.compile(
    rf"(?<![A-Za-z])[{_DIGITISH}]{{1,4}}(?:\s*[-/.:年月日]\s*[{_DIGITISH}]{{1,4}}){{1,5}}(?![A-Za-z])"
)
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})

_DATE = (
    r"(?:(?P<year>\d{4})\s*[-/.年]\s*)?(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})"
    # OCR often glues the time to a two-digit day: `2026-12-0512:22:10`.
    r"(?:(?!\d)|(?<=\d\d)(?=\d{1,2}\s*:\s*\d{2}))\s*[日号]?"
)
_RELATIVE_DAY = r"(?P<relative>今天|昨天|前天)"
_WEEKDAY = r"(?:(?:星期|周)[一二三四五六日天])"
_TIME = r"(?P<hour>\d{1,2})\s*:\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2}))?(?!\d)"
_LEADING = re.compile(
    rf"^\s*(?:(?:{_DATE}|{_RELATIVE_DAY})\s*(?:{_WEEKDAY}\s*)?)?(?:{_TIME})?"
    rf"(?![\d:/.-])\s*[,，]?\s*(?P<rest>.*)$"
)
_TRAILING = re.compile(rf"^(?P<rest>.*?\S)\s*(?<!\d)(?:{_DATE})\s+(?:{_TIME})\s*$")
_RELATIVE_DAYS = {"今天": 0, "昨天": -1, "前天": -2}

# Lines that are the page around a trace, not part of it.
_CHROME = re.compile(
    r"^(?:物流详情|物流信息|物流跟踪|订单跟踪|查看物流|复制|收起|展开|查看更多|更多物流信息|"
    r"已签收|运输中|派送中|派件中|待取件|已揽件|已发货|待揽收|在途中|[<>《》]|返回|"
    r"(?:星期|周)[一二三四五六日天])$"
)
_HEADER = re.compile(r"单号|运单|邮件号|物流公司|快递公司|承运")

_COURIER_WORDS = re.compile(
    r"揽收|揽件|收件|收寄|取件|已发出|发往|到达|转运|分拨|分拣|中转|派件|派送|投递|签收|代收|驿站|"
    r"快递柜|丰巢|网点|营业部|集散|已收入|装车|运输|妥投|快件|快递|下一站"
)
_NOT_SIGNED = re.compile(
    r"未签收|拒签|拒收|待签收|准备签收|请签收|等待签收|签收失败|签收异常|退签|退回|"
    r"代收货款|无人签收|将为您签收|即将签收"
)
_SIGNED = re.compile(r"签收|妥投|领取|投递至|已放入|放入|已存入|存入|入柜|代收")
# People other than the recipient: always a proxy signature.
_PROXY = re.compile(
    r"门卫|前台|家人|同事|物业|保安|邻居|传达室|收发室|门岗|朋友|亲属|亲戚|室友|保姆|"
    r"单位收发|公司收发|值班室"
)
# "Someone else signed": a proxy, unless the line names the locker or station that did.
_SOMEONE_ELSE = re.compile(r"代签|他人")
_LOCKER = re.compile(r"丰巢|快递柜|智能柜|快件柜|自提柜|格格柜|云柜|近邻宝|速递易|入柜")
_STATION = re.compile(
    r"驿站|代收点|快递超市|超市|兔喜|便利店|自提点|服务站|取件码|取货码|菜鸟|门店"
)
_COLLECTED = re.compile(r"代收")  # 代收 alone: a shop or station took it in
_RECIPIENT = re.compile(r"本人|签收人[:：]?[\u4e00-\u9fffA-Za-z]")
# Put into, or arrived at, a locker or station: the parcel has left the courier.
_DELIVERED_TO = re.compile(r"派送至|送至|投递至|放入|存入|放至|暂存|存放|到达|送达|已到")


@dataclass
class _Line:
    """One line of the trace: a time stamp (perhaps partial), its text, or both."""

    day: date | None = None
    month_day: tuple[int, int] | None = None  # a date without a year
    relative: int | None = None  # 今天 = 0, 昨天 = -1
    clock: time | None = None
    text: str = ""

    @property
    def has_date(self) -> bool:
        return self.day is not None or self.month_day is not None or self.relative is not None

    @property
    def is_stamp(self) -> bool:
        return self.has_date or self.clock is not None


@dataclass
class _Stamp:
    line: _Line
    texts: list[str] = field(default_factory=list)


def read_trace(text: str, now: datetime) -> Trace:
    """Everything the trace says. Never raises on odd text: what cannot be read is left out,
    and a text with no trace in it gives a Trace with no events."""
    lines = _clean_lines(json_trace_text(text[:MAX_INPUT_CHARS]) or text)
    header, stamps = _stamps(lines)
    events = _events(stamps, now)
    newest_first = len(events) > 1 and events[0].at > events[-1].at
    # Oldest first; events at the same minute keep the trace's order of happening.
    ordered = tuple(reversed(events)) if newest_first else tuple(events)
    ordered = tuple(sorted(ordered, key=lambda event: event.at))
    joined = "\n".join(lines)
    tracking_no = find_tracking_number("\n".join(header)) or find_tracking_number(joined)
    return Trace(
        carrier=detect_carrier(joined, tracking_no),
        tracking_no=tracking_no,
        events=ordered,
        newest_first=newest_first,
    )


def looks_like_trace(text: str) -> bool:
    """True only with a real trace signal: two dated courier events, or a signing event
    with a date and a time. A chat (times without dates, `14:22 快递到了吗`) is not a trace."""
    if not text or len(text) > MAX_INPUT_CHARS:
        return False
    stamps = _stamps(_clean_lines(json_trace_text(text) or text))[1]
    courier = [
        stamp
        for stamp in stamps
        if stamp.line.has_date and _COURIER_WORDS.search(_joined(stamp.texts))
    ]
    if len(courier) >= 2:
        return True
    return any(
        stamp.line.clock is not None and _signing(_joined(stamp.texts)) for stamp in courier
    )


def _clean_lines(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS])
    folded = re.sub(r"[\u200b-\u200f\u2060\ufeff\x00-\x08\x0b-\x1f\x7f]", "", folded)
    lines = []
    for raw in folded.replace("\r", "\n").split("\n")[:_MAX_LINES]:
        line = _STAMPISH.sub(_mend_digits, raw)
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            lines.append(line)
    return lines


def _mend_digits(match: re.Match[str]) -> str:
    """`2O26-l2-O3`, `l4: 22` → `2026-12-03`, `14:22`, when the run has real digits."""
    run = match[0]
    if sum(char.isdigit() for char in run) < 3:
        return run
    return re.sub(r"\s*([-/.:年月日])\s*", r"\1", run.translate(_OCR_DIGITS))


def _parse_line(line: str) -> _Line:
    match = _LEADING.match(line)
    if match and (match["month"] or match["relative"] or match["hour"]):
        parsed = _stamp_of(match)
        # A month-day with text and no time (`1.5 kg`, `12-03 门店`) is too weak a stamp.
        weak = parsed is not None and parsed.clock is None and parsed.day is None
        if parsed is not None and not (weak and match["rest"].strip()):
            parsed.text = match["rest"].strip()
            return parsed
    trailing = _TRAILING.match(line)
    if trailing:
        parsed = _stamp_of(trailing)
        if parsed is not None and parsed.has_date:
            parsed.text = trailing["rest"].strip()
            return parsed
    return _Line(text=line)


def _stamp_of(match: re.Match[str]) -> _Line | None:
    """The date and time a match found, or None when they are not a real date or time."""
    parsed = _Line()
    groups = match.groupdict()
    if groups.get("month"):
        month, day = int(groups["month"]), int(groups["day"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        if groups.get("year"):
            try:
                parsed.day = date(int(groups["year"]), month, day)
            except ValueError:
                return None
            if not 2000 <= parsed.day.year <= 2100:
                return None
        else:
            parsed.month_day = (month, day)
    elif groups.get("relative"):
        parsed.relative = _RELATIVE_DAYS[groups["relative"]]
    if groups.get("hour"):
        hour, minute = int(groups["hour"]), int(groups["minute"])
        second = int(groups["second"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        parsed.clock = time(hour, minute, second)
    return parsed if parsed.is_stamp else None


def _stamps(lines: list[str]) -> tuple[list[str], list[_Stamp]]:
    """The header lines (before the trace) and the stamps with the text each one owns."""
    parsed = [_parse_line(line) for line in lines]
    items: list[_Stamp | str] = []
    current_day: _Line | None = None
    for index, line in enumerate(parsed):
        if not line.is_stamp:
            items.append(line.text)
            continue
        if line.has_date and line.clock is None and not line.text:
            previous = items[-1] if items else None
            if isinstance(previous, _Stamp) and not previous.line.has_date and not previous.texts:
                _give_date(previous.line, line)  # `14:22` then `12-03`
            current_day = line  # a date line over the times below it
            continue
        if not line.has_date:
            following = parsed[index + 1] if index + 1 < len(parsed) else None
            if (
                not line.text
                and following
                and following.has_date
                and following.clock is None
                and not following.text
            ):
                _give_date(line, following)  # `14:22` above `12-03`
            elif current_day is not None:
                _give_date(line, current_day)
        stamp = _Stamp(line)
        if line.text:
            stamp.texts.append(line.text)
        items.append(stamp)
    return _assign_texts(items)


def _give_date(line: _Line, source: _Line) -> None:
    line.day, line.month_day, line.relative = source.day, source.month_day, source.relative


def _assign_texts(items: list[_Stamp | str]) -> tuple[list[str], list[_Stamp]]:
    stamps = [item for item in items if isinstance(item, _Stamp)]
    if not stamps:
        return [item for item in items if isinstance(item, str)], []
    first = items.index(stamps[0])
    last = max(index for index, item in enumerate(items) if isinstance(item, _Stamp))
    before = [item for item in items[:first] if isinstance(item, str)]
    story_before = [line for line in before if not _is_header(line)]
    text_first = (
        not stamps[0].texts
        and bool(story_before)
        and last == len(items) - 1
        and not any(stamp.texts for stamp in stamps)
    )
    header = [line for line in before if _is_header(line)] if text_first else before
    pending: list[str] = []
    owner: _Stamp | None = None
    for item in items[first:] if not text_first else items:
        if isinstance(item, _Stamp):
            if text_first:
                item.texts.extend(pending)
                pending = []
            owner = item
        elif text_first:
            if not _is_header(item) or pending:
                pending.append(item)
        elif owner is not None:
            owner.texts.append(item)
    return header, stamps


def _is_header(line: str) -> bool:
    """The page around the trace: `物流详情`, `中通快递 运单号：75…`, `圆通速递 YT… 复制`."""
    if _CHROME.match(line) or (_HEADER.search(line) and not _SIGNED.search(line)):
        return True
    return (
        len(line) <= 48
        and "【" not in line
        and not _SIGNED.search(line)
        and find_tracking_number(line) is not None
    )


def _joined(texts: list[str]) -> str:
    """Wrapped lines joined back: no space between Chinese, a space between Latin words."""
    out = ""
    for text in texts:
        if _CHROME.match(text) and out:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and text[0].isascii():
            out += " "
        out += text
    return out


def _events(stamps: list[_Stamp], now: datetime) -> list[TraceEvent]:
    today = now.astimezone(BEIJING).date()
    events = []
    for stamp in stamps:
        text = _joined(stamp.texts).strip()
        at = _moment(stamp.line, today, now)
        if not text or at is None:
            continue
        events.append(_event(at, text))
    return events


def _moment(line: _Line, today: date, now: datetime) -> datetime | None:
    if line.day is not None:
        day = line.day
    elif line.month_day is not None:
        found = _latest_not_after(*line.month_day, today)
        if found is None:
            return None
        day = found
    else:
        day = today + timedelta(days=line.relative or 0)
    clock = line.clock or time(0)
    return parse_moment(f"{day.isoformat()} {clock.isoformat()}", now, BEIJING)


def _latest_not_after(month: int, day: int, today: date) -> date | None:
    """A month-day without a year: the latest such date not after today (29 Feb: the
    latest leap year)."""
    for year in range(today.year, today.year - 8, -1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found <= today:
            return found
    return None


def _event(at: datetime, text: str) -> TraceEvent:
    compact = re.sub(r"\s+", "", text)
    signs = _signing(compact)
    return TraceEvent(
        at=at,
        city=city_of(compact),
        text=text,
        signs=signs,
        signed_by=_signed_by(compact) if signs else None,
    )


def _signing(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    if _NOT_SIGNED.search(compact):
        return False
    if _SIGNED.search(compact):
        return True
    return bool(
        _DELIVERED_TO.search(compact) and (_LOCKER.search(compact) or _STATION.search(compact))
    )


# Who took the parcel, most telling first: a person beats the place named in the same
# line, and a named locker or station beats a bare 代签 or 代收.
_HOW_SIGNED = (
    (_PROXY, SignedBy.PROXY),
    (_LOCKER, SignedBy.LOCKER),
    (_STATION, SignedBy.STATION),
    (_SOMEONE_ELSE, SignedBy.PROXY),
    (_COLLECTED, SignedBy.STATION),
    (_RECIPIENT, SignedBy.RECIPIENT),
)


def _signed_by(compact: str) -> SignedBy | None:
    """How a signing line says the parcel was taken; None for a plain 已签收."""
    return next((how for pattern, how in _HOW_SIGNED if pattern.search(compact)), None)
