"""Following parcels through Kuaidi100 (optional; KUAIDI100_KEY and KUAIDI100_CUSTOMER).

Open tracked orders with a tracking number are looked at by a periodic round (`follow_due`):
each waybill is queried at most once per 30 minutes (Kuaidi100's rule), held across
restarts and instances by `orders.parcel_checked_at`, which a round claims atomically
before it queries. A newly followed number is also subscribed when the webhook server runs,
and Kuaidi100's pushes arrive through `apply_push`. Either way the status goes through the
same path as a pasted trace (`Parcels.apply_status`), and what is news comes back as
`ParcelNotice`s for the caller to send: a flag once per order (`orders.parcel_flags`), a
signing once with its new deadline, and, for SF and ZTO without the phone's last 4 digits,
one request to set them in /warehouse instead of a query Kuaidi100 would refuse.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.kuaidi100 import (
    CARRIER_CODES,
    MIN_QUERY_INTERVAL,
    PHONE_REQUIRED,
    Kuaidi100Client,
    Kuaidi100Error,
    ParcelStatus,
    QueriedTooOften,
    carrier_code,
)
from bot.clock import Clock
from bot.db.models import Order, User
from bot.domain.escrow import OrderState
from bot.domain.logistics import Flag
from bot.services.parcels import ParcelNews, Parcels

log = logging.getLogger(__name__)

PUSH_PATH = "/kuaidi100/push"
# Kept in orders.parcel_flags with the alerted flag codes: the phone digits were asked for.
PHONE_ASKED = "phone_asked"
ROUND_SIZE = 100


class NoticeKind(enum.StrEnum):
    FLAGS = "flags"
    SIGNED = "signed"
    PHONE_NEEDED = "phone_needed"


@dataclass(frozen=True)
class ParcelNotice:
    """One message for a user about their followed parcel."""

    kind: NoticeKind
    user_id: int
    chat_id: int
    language: str | None
    label: str
    tracking_no: str | None
    flags: tuple[Flag, ...] = ()
    deadline: datetime | None = None
    carrier: str | None = None


@dataclass(frozen=True)
class _Followed:
    order_id: int
    user_id: int
    chat_id: int
    language: str | None
    label: str
    carrier: str | None
    tracking_no: str
    phone4: str | None
    first: bool  # never looked at before: subscribe it
    phone_asked: bool


@dataclass
class ParcelFollowing:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    parcels: Parcels
    client: Kuaidi100Client
    salt: str
    callback_url: str | None = None  # our public push URL, when the webhook server runs
    round_size: int = ROUND_SIZE
    subscribed: set[str] = field(default_factory=set)

    async def follow_due(self) -> list[ParcelNotice]:
        """One round: every followed waybill not looked at for 30 minutes."""
        notices: list[ParcelNotice] = []
        for followed in await self._claim_due():
            try:
                notices += await self._follow(followed)
            except Exception:
                log.exception("kuaidi100: following order %d failed", followed.order_id)
        return notices

    async def apply_push(self, status: ParcelStatus) -> list[ParcelNotice]:
        """A pushed status (signature already checked) for every open order of its number."""
        if not status.number:
            return []
        async with self.sessions.begin() as session:
            query = select(Order.id, Order.carrier).where(
                Order.tracking_no == status.number, Order.state != OrderState.CLOSED
            )
            orders = list((await session.execute(query)).all())
        notices: list[ParcelNotice] = []
        for order_id, carrier in orders:
            news = await self.parcels.apply_status(order_id, _trace_text(status, carrier))
            notices += _notices(news, carrier)
        return notices

    async def _claim_due(self) -> list[_Followed]:
        now = self.clock.now()
        cutoff = now - MIN_QUERY_INTERVAL
        due = or_(Order.parcel_checked_at.is_(None), Order.parcel_checked_at <= cutoff)
        async with self.sessions.begin() as session:
            query = (
                select(Order, User)
                .join(User, User.telegram_id == Order.user_id)
                .where(
                    Order.tracking_no.is_not(None),
                    Order.state != OrderState.CLOSED,
                    User.blocked.is_(False),
                    due,
                )
                .order_by(Order.parcel_checked_at.is_not(None), Order.parcel_checked_at)
                .limit(self.round_size)
            )
            rows = list((await session.execute(query)).all())
            claimed = []
            for order, user in rows:
                # Atomic: another instance claiming the same row in between wins, we skip.
                taken = await session.execute(
                    update(Order)
                    .where(Order.id == order.id, due)
                    .values(parcel_checked_at=now)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                claimed.append(
                    _Followed(
                        order_id=order.id,
                        user_id=order.user_id,
                        chat_id=order.chat_id,
                        language=user.language,
                        label=order.label,
                        carrier=order.carrier,
                        tracking_no=str(order.tracking_no),
                        phone4=user.warehouse_phone4,
                        first=order.parcel_checked_at is None,
                        phone_asked=PHONE_ASKED in (order.parcel_flags or "").split(","),
                    )
                )
        return claimed

    async def _follow(self, followed: _Followed) -> list[ParcelNotice]:
        if followed.first or followed.tracking_no not in self.subscribed:
            await self._subscribe(followed)
        code = carrier_code(followed.carrier) if followed.carrier else None
        if code is None:
            # The real-time query needs the carrier; a subscription (autoCom) finds it.
            return []
        if code in PHONE_REQUIRED and not followed.phone4:
            return await self._ask_phone(followed)
        try:
            status = await self.client.query(
                followed.carrier or code, followed.tracking_no, phone=followed.phone4
            )
        except QueriedTooOften:
            return []
        except Kuaidi100Error as error:
            log.warning(
                "kuaidi100: query for order %d failed (%s, code %s)",
                followed.order_id,
                error,
                error.code,
            )
            return []
        news = await self.parcels.apply_status(
            followed.order_id, _trace_text(status, followed.carrier)
        )
        return _notices(news, followed.carrier)

    async def _subscribe(self, followed: _Followed) -> None:
        if self.callback_url is None:
            return
        try:
            await self.client.subscribe(
                followed.carrier,
                followed.tracking_no,
                callback_url=self.callback_url,
                salt=self.salt,
                phone=followed.phone4,
            )
        except Kuaidi100Error as error:
            log.warning(
                "kuaidi100: subscribing order %d failed (%s)", followed.order_id, error.code
            )
            return
        self.subscribed.add(followed.tracking_no)

    async def _ask_phone(self, followed: _Followed) -> list[ParcelNotice]:
        if followed.phone_asked:
            return []
        async with self.sessions.begin() as session:
            order = await session.get(Order, followed.order_id)
            if order is None:
                return []
            seen = [code for code in (order.parcel_flags or "").split(",") if code]
            order.parcel_flags = ",".join([*seen, PHONE_ASKED])
        return [
            ParcelNotice(
                NoticeKind.PHONE_NEEDED,
                followed.user_id,
                followed.chat_id,
                followed.language,
                followed.label,
                followed.tracking_no,
                carrier=followed.carrier,
            )
        ]


def push_callback_url(webhook_url: str) -> str:
    """Our public push URL: the webhook's scheme and host with PUSH_PATH."""
    parts = urlsplit(webhook_url)
    return f"{parts.scheme}://{parts.netloc}{PUSH_PATH}"


def _trace_text(status: ParcelStatus, carrier: str | None) -> str:
    """The status as a pasted trace: a header naming carrier and number, then the events."""
    name = carrier or _carrier_name(status.carrier)
    header = f"{name}快递 运单号：{status.number}" if name else f"运单号：{status.number}"
    return header + "\n" + status.as_trace_text()


def _carrier_name(code: str) -> str | None:
    return next((name for name, known in CARRIER_CODES.items() if known == code), None)


def _notices(news: ParcelNews | None, carrier: str | None) -> list[ParcelNotice]:
    if news is None:
        return []
    notices = []
    common = (news.user_id, news.chat_id, news.language, news.label, news.tracking_no)
    if news.new_flags:
        notices.append(
            ParcelNotice(
                NoticeKind.FLAGS,
                *common,
                flags=news.new_flags,
                deadline=news.deadline,
                carrier=carrier,
            )
        )
    if news.new_deadline is not None:
        notices.append(
            ParcelNotice(NoticeKind.SIGNED, *common, deadline=news.new_deadline, carrier=carrier)
        )
    return notices


__all__ = [
    "PUSH_PATH",
    "NoticeKind",
    "ParcelFollowing",
    "ParcelNotice",
    "push_callback_url",
]
