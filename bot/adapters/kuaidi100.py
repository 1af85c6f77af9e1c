"""Kuaidi100 (快递100), the courier-tracking API: a real-time query, a subscription, and the
pushes a subscription brings. Optional and off by default (KUAIDI100_KEY and
KUAIDI100_CUSTOMER turn it on).

Shapes follow Kuaidi100's public documentation (api.kuaidi100.com, "实时快递查询接口" and
"订阅推送"):
- `POST /poll/query.do`, form fields `customer`, `sign`, `param`; `param` is JSON with `com`,
  `num`, `phone` (required for SF and ZTO), `from`, `to`, `resultv2`; `sign` is the upper-case
  MD5 of param + key + customer.
- `POST /poll`, form fields `schema=json` and `param`: JSON with `company`, `number`, `key`
  and `parameters` (`callbackurl`, `salt`, `resultv2`, `autoCom`, `phone`).
- A push is a form POST to the callback URL with `param` (JSON, `lastResult` holding the same
  shape as a query's answer) and `sign`, the upper-case MD5 of param + salt. The receiver
  answers `{"result": true, "returnCode": "200", "message": "成功"}`.

Kuaidi100 asks for at most one query per waybill every 30 minutes (more locks the waybill):
the client refuses sooner queries itself, and backs off further after errors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.clock import Clock
from bot.domain.timezones import BEIJING

DEFAULT_BASE_URL = "https://poll.kuaidi100.com"
QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"
# Kuaidi100's own rule for the real-time query.
MIN_QUERY_INTERVAL = timedelta(minutes=30)
MAX_BACKOFF = timedelta(hours=12)
# Answer "advanced" states, sub-states and the cities (resultv2=4).
RESULT_V2 = "4"
PUSH_OK = {"result": True, "returnCode": "200", "message": "成功"}
PUSH_BAD_SIGNATURE = {"result": False, "returnCode": "500", "message": "签名错误"}

# Kuaidi100's carrier codes for the couriers 1688 sellers use most.
CARRIER_CODES = {
    "中通": "zhongtong",
    "圆通": "yuantong",
    "韵达": "yunda",
    "申通": "shentong",
    "极兔": "jtexpress",
    "顺丰": "shunfeng",
    "德邦": "debangkuaidi",
    "京东": "jd",
    "EMS": "ems",
    "邮政": "youzhengguonei",
}
# Couriers that answer only with the sender's or receiver's phone (its last 4 digits do).
PHONE_REQUIRED = frozenset({"shunfeng", "shunfengkuaiyun", "zhongtong"})

# Top-level states (`state`).
STATE_IN_TRANSIT = 0
STATE_PICKED_UP = 1
STATE_PROBLEM = 2
STATE_SIGNED = 3
STATE_OUT_FOR_DELIVERY = 5
STATE_RETURNING = 6
STATE_REFUSED = 14
# Sub-states (each event's `statusCode` with resultv2=4) that say how a parcel was signed.
SIGNED_IN_PERSON = 301
SIGNED_BY_PROXY = 303
SIGNED_AT_LOCKER_OR_STATION = 304
IN_LOCKER = 501


class Kuaidi100Error(Exception):
    """Kuaidi100 refused or failed; `code` is its returnCode when it gave one."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PhoneNeeded(Kuaidi100Error):  # noqa: N818 - reads as the condition it is
    """SF and ZTO answer only with the last 4 digits of the sender's or receiver's phone."""


class QueriedTooOften(Kuaidi100Error):  # noqa: N818
    """Asked again before Kuaidi100's 30 minutes (or our back-off) were over."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(f"queried too often; next query at {retry_at.isoformat()}")
        self.retry_at = retry_at


class BadSignature(Kuaidi100Error):  # noqa: N818
    """A push whose signature does not match our salt: not from Kuaidi100, or altered."""


@dataclass(frozen=True)
class ParcelEvent:
    at: datetime  # aware, UTC
    text: str
    area: str | None = None
    status_code: int | None = None


@dataclass(frozen=True)
class ParcelStatus:
    """A waybill as Kuaidi100 last saw it; events newest first."""

    carrier: str
    number: str
    state: int | None
    events: tuple[ParcelEvent, ...]

    @property
    def signed(self) -> bool:
        return self.state == STATE_SIGNED or (self.sub_state or 0) // 100 == STATE_SIGNED

    @property
    def sub_state(self) -> int | None:
        return self.events[0].status_code if self.events else None

    def as_trace_text(self) -> str:
        """The events as the lines of a trace, newest first, for the trace reader."""
        lines = []
        for event in self.events:
            local = event.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            area = f"【{event.area}】" if event.area else ""
            lines.append(f"{local} {area}{event.text}{_sub_state_words(event)}")
        return "\n".join(lines)


# What a sub-state says about the signing, in the words a trace would use, for events whose
# own text does not say it (the trace reader reads words, not codes).
_SUB_STATE_WORDS = {
    SIGNED_IN_PERSON: "（本人签收）",
    SIGNED_BY_PROXY: "（他人代签）",
    SIGNED_AT_LOCKER_OR_STATION: "（已放入快递柜或驿站）",
    IN_LOCKER: "（已放入快递柜）",
}
_SIGNING_WORDS = ("签收", "代签", "代收", "快递柜", "驿站", "丰巢")


def _sub_state_words(event: ParcelEvent) -> str:
    words = _SUB_STATE_WORDS.get(event.status_code or 0, "")
    if not words or any(word in event.text for word in _SIGNING_WORDS):
        return ""
    return " " + words


def sign_query(param: str, key: str, customer: str) -> str:
    return hashlib.md5((param + key + customer).encode()).hexdigest().upper()


def sign_push(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()


def carrier_code(carrier: str) -> str:
    """Kuaidi100's code for a carrier named as the trace reader names it (or a code)."""
    return CARRIER_CODES.get(carrier, CARRIER_CODES.get(carrier.upper(), carrier.lower()))


def parse_status(payload: Mapping[str, Any]) -> ParcelStatus:
    """A query's answer, or a push's `lastResult`."""
    events = tuple(_event(item) for item in payload.get("data") or () if isinstance(item, dict))
    return ParcelStatus(
        carrier=str(payload.get("com") or ""),
        number=str(payload.get("nu") or ""),
        state=_int(payload.get("state")),
        events=tuple(sorted(events, key=lambda event: event.at, reverse=True)),
    )


def _event(item: Mapping[str, Any]) -> ParcelEvent:
    moment = str(item.get("ftime") or item.get("time") or "")
    at = datetime.strptime(moment, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    area = item.get("areaName")
    return ParcelEvent(
        at=at.astimezone(UTC),
        text=str(item.get("context") or ""),
        area=str(area) if area else None,
        status_code=_int(item.get("statusCode")),
    )


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@dataclass
class Kuaidi100Client:
    key: str
    customer: str
    clock: Clock
    base_url: str = DEFAULT_BASE_URL
    http: httpx.AsyncClient | None = None
    timeout: float = 10.0
    # Per waybill: when it may be queried next, and how many errors in a row it has had.
    _next_query: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _failures: dict[tuple[str, str], int] = field(default_factory=dict)

    async def query(
        self,
        carrier: str,
        number: str,
        *,
        phone: str | None = None,
        origin: str | None = None,
        destination: str | None = None,
    ) -> ParcelStatus:
        """The waybill's trace now; PhoneNeeded, QueriedTooOften or Kuaidi100Error."""
        code = carrier_code(carrier)
        if code in PHONE_REQUIRED and not (phone and phone.strip()):
            raise PhoneNeeded(f"{carrier} answers only with the phone's last 4 digits")
        waybill = (code, number)
        now = self.clock.now()
        retry_at = self._next_query.get(waybill)
        if retry_at is not None and now < retry_at:
            raise QueriedTooOften(retry_at)
        self._next_query[waybill] = now + MIN_QUERY_INTERVAL
        param = {"com": code, "num": number, "resultv2": RESULT_V2, "order": "desc"}
        param |= dict(_optional(phone, origin, destination))
        body = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        form = {"customer": self.customer, "sign": sign_query(body, self.key, self.customer)}
        try:
            answer = await self._post(QUERY_PATH, form | {"param": body})
            if answer.get("result") is False or "data" not in answer:
                raise Kuaidi100Error(
                    str(answer.get("message") or "no result"), str(answer.get("returnCode"))
                )
        except Kuaidi100Error:
            self._back_off(waybill, now)
            raise
        self._failures.pop(waybill, None)
        return parse_status(answer)

    async def subscribe(
        self, carrier: str | None, number: str, *, callback_url: str, salt: str, phone: str | None
    ) -> None:
        """Ask Kuaidi100 to push every change of the waybill to `callback_url`."""
        parameters = {"callbackurl": callback_url, "salt": salt, "resultv2": RESULT_V2}
        if carrier is None:
            parameters["autoCom"] = "1"
        if phone:
            parameters["phone"] = phone
        param = {
            "company": carrier_code(carrier) if carrier else "",
            "number": number,
            "key": self.key,
            "parameters": parameters,
        }
        body = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        answer = await self._post(SUBSCRIBE_PATH, {"schema": "json", "param": body})
        # 501: already subscribed, which is what we wanted.
        if answer.get("result") is not True and str(answer.get("returnCode")) != "501":
            raise Kuaidi100Error(str(answer.get("message")), str(answer.get("returnCode")))

    async def _post(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        client = self.http or httpx.AsyncClient(timeout=self.timeout)
        try:
            response = await client.post(self.base_url.rstrip("/") + path, data=dict(form))
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise Kuaidi100Error(f"Kuaidi100 did not answer: {type(error).__name__}") from error
        finally:
            if self.http is None:
                await client.aclose()
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise Kuaidi100Error(f"Kuaidi100 answered HTTP {response.status_code}")
        return answer

    def _back_off(self, waybill: tuple[str, str], now: datetime) -> None:
        failures = self._failures.get(waybill, 0) + 1
        self._failures[waybill] = failures
        delay = min(MIN_QUERY_INTERVAL * 2**failures, MAX_BACKOFF)
        self._next_query[waybill] = now + delay


def read_push(form: Mapping[str, str], salt: str) -> ParcelStatus:
    """A push's waybill status; BadSignature unless its sign matches our salt."""
    param, sign = form.get("param", ""), form.get("sign", "")
    if not param or not hmac.compare_digest(
        sign.upper().encode(), sign_push(param, salt).encode()
    ):
        raise BadSignature("push signature does not match")
    try:
        body = json.loads(param)
    except ValueError as error:
        raise Kuaidi100Error("push param is not JSON") from error
    last = body.get("lastResult") if isinstance(body, dict) else None
    if not isinstance(last, dict):
        raise Kuaidi100Error("push has no lastResult")
    return parse_status(last)


def _optional(
    phone: str | None, origin: str | None, destination: str | None
) -> list[tuple[str, str]]:
    pairs = [("phone", phone), ("from", origin), ("to", destination)]
    return [(name, value.strip()) for name, value in pairs if value and value.strip()]
