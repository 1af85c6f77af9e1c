"""Reminder rows: everything that reads or writes the `reminders` table.

Plans are written by one function, `write_plan`, in the transaction of the order change
that caused them. Claims are atomic (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite `BEGIN
IMMEDIATE` and one writer) and every write after a claim is fenced by its token, so a
worker whose lease was taken over cannot overwrite the new owner. A row leaves `pending`
only for a final state written once the outcome is known (`sent`, `failed`,
`cancelled`, `superseded`), or for `paused` while the user blocks the bot; a lease that
runs out puts it back, flagged `in_doubt`.

One warning per change: the escrow warnings of one deadline (`stage_*`, `immediate`,
`passed`) remember what the user was already told. A re-plan moves the rows not yet sent
rather than replacing them, and plans nothing the messages already sent cover; a claim
of several due warnings of one deadline (after a downtime, a clock step, an unblock)
sends only the latest, worded for the present, and marks the others `superseded`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate

from bot.db.models import Order, Reminder, ReminderStatus
from bot.domain.escrow import IMMEDIATE, PASSED, PlannedReminder, stage_offset

LAST_ERROR_LENGTH = 200


@dataclass(frozen=True)
class ReminderRow:
    """What the render callback learns about a claimed reminder.

    `attempts` counts this attempt. `in_doubt` means an earlier send may have reached the
    user: the text should say it is a repeat.
    """

    id: int
    order_id: int
    user_id: int
    chat_id: int
    kind: str
    deadline_at: datetime | None
    due_at: datetime
    attempts: int
    in_doubt: bool


# Status tests are rendered as literals, not bound parameters: both PostgreSQL (generic
# plans of prepared statements) and SQLite use a partial index only when the query's WHERE
# visibly implies the index's `status = 'pending'` / `status = 'sending'`.
_IS_PENDING = Reminder.status == literal_column(f"'{ReminderStatus.PENDING}'")
_IS_SENDING = Reminder.status == literal_column(f"'{ReminderStatus.SENDING}'")
_NO_SYNC = {"synchronize_session": False}
_ROW_COLUMNS = (
    Reminder.id,
    Reminder.order_id,
    Reminder.user_id,
    Reminder.chat_id,
    Reminder.kind,
    Reminder.deadline_at,
    Reminder.due_at,
    Reminder.attempts,
    Reminder.in_doubt,
)


@dataclass(frozen=True)
class Claim:
    """A row this process owns until `lease_until`, proven by `token`."""

    row: ReminderRow
    token: str
    lease_until: datetime
    # When this process stops starting sends of it, on the monotonic clock (set by the
    # engine): a wall-clock step must neither strand a claim nor hand all of them back.
    send_by: float = float("inf")

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.row.due_at, self.row.id)


# -- planning ------------------------------------------------------------------------------

# Rows the user may still receive: a plan that no longer wants them cancels them.
OPEN_STATUSES = (ReminderStatus.PENDING, ReminderStatus.PAUSED)


@dataclass(frozen=True)
class PlanScope:
    """The kinds of an order's reminders a plan stands for.

    A plan cancels the open rows of its kinds that it no longer wants and leaves every
    other row alone, so the escrow stages, the inspection nudge, snoozes and a dispute's
    follow-up can be planned independently.
    """

    kinds: frozenset[str] | None  # None: every kind but `except_kinds`
    except_kinds: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *kinds: str) -> PlanScope:
        return cls(frozenset(kinds))

    @classmethod
    def every_kind_but(cls, *kinds: str) -> PlanScope:
        return cls(None, frozenset(kinds))

    @property
    def cancels_nothing(self) -> bool:
        return self.kinds is not None and not self.kinds

    def covers(self, kind: str) -> bool:
        if self.kinds is None:
            return kind not in self.except_kinds
        return kind in self.kinds


# One-off reminders (a snooze, the inspection nudge) add to what is planned, replace nothing.
ADD_ONLY = PlanScope.of()


async def write_plan(
    session: AsyncSession,
    order: Order,
    planned: Sequence[PlannedReminder],
    *,
    scope: PlanScope,
    deadline: datetime | None,
    now: datetime,
) -> list[datetime]:
    """Make `planned` the order's reminders within `scope`; returns the new rows' due times.

    The only place reminder rows are planned: call it in the transaction that changed the
    order, so the order and its reminders never disagree. Idempotent: a planned reminder
    the order already has a row for, in whatever status, is left as it is (one already
    sent is never planned again). `deadline` is what the reminders warn about, if anything.

    Escrow warnings are remembered per deadline: one the messages already sent for this
    deadline cover is not planned again, and a warning still to come is moved (its row
    keeps its identity) rather than cancelled and planned anew.
    """
    rows = list(await session.scalars(select(Reminder).where(Reminder.order_id == order.id)))
    wanted = _not_yet_told(planned, rows, deadline)
    slots = {(row.kind, row.due_at): row for row in rows}
    kept: set[int] = set()
    added: list[datetime] = []
    for plan in wanted:
        row = _movable(rows, plan, deadline, scope, kept)
        if row is not None:
            kept.add(row.id)
            if row.due_at == plan.due_at:
                continue
            holder = slots.get((plan.kind, plan.due_at))
            if holder is None:
                del slots[(row.kind, row.due_at)]
                row.due_at = plan.due_at
                row.next_attempt_at = None
                slots[(row.kind, row.due_at)] = row
                added.append(plan.due_at)
                continue
            # Another row holds that moment: it stands for this one from now on.
            row.status = ReminderStatus.SUPERSEDED
            row.superseded_by = holder.id
        row = slots.get((plan.kind, plan.due_at))
        if row is not None:
            kept.add(row.id)
            if row.status in _CLOSED_UNSENT:
                # Wanted again (an extension taken back returns the deadline, and so the
                # stages, it had before): the row comes back rather than a copy.
                _reopen(row, deadline)
                added.append(plan.due_at)
            continue
        fresh = Reminder(
            order_id=order.id,
            user_id=order.user_id,
            chat_id=order.chat_id,
            kind=plan.kind,
            deadline_at=deadline,
            due_at=plan.due_at,
            status=ReminderStatus.PENDING,
            created_at=now,
        )
        session.add(fresh)
        slots[(plan.kind, plan.due_at)] = fresh
        added.append(plan.due_at)
    if not scope.cancels_nothing:
        for row in rows:
            if row.id not in kept and row.status in OPEN_STATUSES and scope.covers(row.kind):
                row.status = ReminderStatus.CANCELLED
    await session.flush()
    return added


# Rows closed without a message: a plan that wants them again reopens them.
_CLOSED_UNSENT = (ReminderStatus.CANCELLED, ReminderStatus.SUPERSEDED)
# Rows whose message went, or is going, out.
_TOLD = (ReminderStatus.SENT, ReminderStatus.SENDING)


def is_warning(kind: str) -> bool:
    """An escrow warning (a stage, the immediate one, the passed one): one per change."""
    return kind in (IMMEDIATE, PASSED) or stage_offset(kind) is not None


def _movable(
    rows: Sequence[Reminder],
    plan: PlannedReminder,
    deadline: datetime | None,
    scope: PlanScope,
    kept: set[int],
) -> Reminder | None:
    """The open row of the same warning for the same deadline, to move to `plan.due_at`."""
    if deadline is None or not is_warning(plan.kind) or not scope.covers(plan.kind):
        return None
    for row in rows:
        if (
            row.id not in kept
            and row.kind == plan.kind
            and row.deadline_at == deadline
            and row.status in OPEN_STATUSES
        ):
            return row
    return None


def _not_yet_told(
    planned: Sequence[PlannedReminder], rows: Sequence[Reminder], deadline: datetime | None
) -> list[PlannedReminder]:
    """`planned` without the warnings the messages already sent for `deadline` cover.

    A warning stands for a moment before the deadline (a stage at deadline − offset, the
    immediate one at the latest stage it stands in for, the passed one at the deadline);
    a message sent at `t` told the user how things stood at `t`, so it covers every
    warning whose moment is not later.
    """
    if deadline is None:
        return list(planned)
    told = [
        _moment_told(row, deadline)
        for row in rows
        if row.status in _TOLD and row.deadline_at == deadline and is_warning(row.kind)
    ]
    if not told:
        return list(planned)
    covered = max(told)
    return [
        plan
        for plan in planned
        if not (is_warning(plan.kind) and _moment_planned(plan, deadline) <= covered)
    ]


def _moment_told(row: Reminder, deadline: datetime) -> datetime:
    said_at = row.sent_at or row.due_at
    return min(deadline, max(_moment_of(row.kind, row.due_at, deadline), said_at))


def _moment_planned(plan: PlannedReminder, deadline: datetime) -> datetime:
    if plan.kind == IMMEDIATE and plan.stage is not None:
        return deadline - plan.stage
    return _moment_of(plan.kind, plan.due_at, deadline)


def _moment_of(kind: str, due_at: datetime, deadline: datetime) -> datetime:
    if kind == PASSED:
        return deadline
    offset = stage_offset(kind)
    return due_at if offset is None else deadline - offset


def _reopen(row: Reminder, deadline: datetime | None) -> None:
    row.status = ReminderStatus.PENDING
    row.deadline_at = deadline
    row.attempts = 0
    row.next_attempt_at = None
    row.claim_token = None
    row.lease_until = None
    row.in_doubt = False
    row.last_error = None
    row.superseded_by = None


async def latest_pending_due(session: AsyncSession, order_id: int, kind: str) -> datetime | None:
    """When the order's last pending reminder of `kind` is due; None without one."""
    statement = (
        select(Reminder.due_at)
        .where(Reminder.order_id == order_id, Reminder.kind == kind, _IS_PENDING)
        .order_by(Reminder.due_at.desc())
        .limit(1)
    )
    due: datetime | None = await session.scalar(statement)
    return due


# -- claiming and settling -----------------------------------------------------------------


def _is_due(now: datetime, max_wait: timedelta | None = None) -> ColumnElement[bool]:
    retry_now = or_(Reminder.next_attempt_at.is_(None), Reminder.next_attempt_at <= now)
    if max_wait is not None:
        # A retry set further ahead than any wait we set was set before the wall clock was
        # stepped back: it is due now, not hours later.
        retry_now = or_(retry_now, Reminder.next_attempt_at > now + max_wait)
    return and_(_IS_PENDING, Reminder.due_at <= now, retry_now)


async def claims_held(session: AsyncSession) -> list[tuple[int, str]]:
    """(id, claim token) of every `sending` row: the engine times their leases itself."""
    statement = select(Reminder.id, Reminder.claim_token).where(_IS_SENDING)
    return [(row_id, token) for row_id, token in (await session.execute(statement)).all() if token]


async def reclaim_expired(
    session: AsyncSession,
    now: datetime,
    keep_tokens: Collection[str] = (),
    overdue: Collection[tuple[int, str]] = (),
) -> list[int]:
    """Put `sending` rows whose lease ran out back to `pending`, flagged in doubt.

    Their owner died (or stalled) somewhere between claim and mark: the message may or
    may not have gone out. A lease runs out by the wall clock (`lease_until < now`) or,
    whatever the wall clock says, once the engine has watched the same claim for a whole
    lease on the monotonic clock (`overdue` (id, token) pairs): a wall clock set back
    hours must not strand a dead process's rows. `keep_tokens` are claims this process
    still holds (a clock that jumped forward must not make us take our own rows twice).
    """
    expired: ColumnElement[bool] = Reminder.lease_until < now
    if overdue:
        watched = [and_(Reminder.id == i, Reminder.claim_token == t) for i, t in overdue]
        expired = or_(expired, *watched)
    condition = and_(_IS_SENDING, expired)
    if keep_tokens:
        condition = and_(condition, Reminder.claim_token.not_in(list(keep_tokens)))
    statement = (
        update(Reminder)
        .where(condition)
        .values(status=ReminderStatus.PENDING, in_doubt=True, claim_token=None, lease_until=None)
        .values(next_attempt_at=None)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )
    return list((await session.scalars(statement)).all())


async def claim_due(
    session: AsyncSession,
    now: datetime,
    *,
    limit: int,
    token: str,
    lease: timedelta,
    max_wait: timedelta | None = None,
) -> list[Claim]:
    """Atomically take up to `limit` due rows, earliest first.

    PostgreSQL: the inner SELECT locks with SKIP LOCKED, so concurrent sweepers take
    disjoint rows without waiting. SQLite renders no FOR UPDATE; the transaction is
    BEGIN IMMEDIATE (bot.db.engine), so sweeps are serialised by the write lock.
    """
    # The chosen ids are a materialised CTE joined by UPDATE … FROM. Written as
    # `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may run the subquery
    # again for outer rows, and with SKIP LOCKED each run picks other rows: one sweep then
    # claimed 900 rows with LIMIT 50 in our tests.
    due = (
        select(Reminder.id)
        .where(_is_due(now, max_wait))
        .order_by(Reminder.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    lease_until = now + lease
    statement = (
        update(Reminder)
        .where(Reminder.id == due.c.id)
        .values(
            status=ReminderStatus.SENDING,
            claim_token=token,
            lease_until=lease_until,
            attempts=Reminder.attempts + 1,
        )
        .returning(*_ROW_COLUMNS)
        .execution_options(**_NO_SYNC)
    )
    # Every RETURNING row is read before the transaction commits.
    rows = (await session.execute(statement)).all()
    claims = [Claim(ReminderRow(*row), token, lease_until) for row in rows]
    warnings = [claim for claim in claims if is_warning(claim.row.kind)]
    stale, doubtful = await _supersede_stale(session, warnings, now, token)
    claims = [
        replace(claim, row=replace(claim.row, in_doubt=True))
        if claim.row.id in doubtful
        else claim
        for claim in claims
        if claim.row.id not in stale
    ]
    return sorted(claims, key=lambda claim: claim.sort_key)


def _is_warning_column(kind: Any) -> ColumnElement[bool]:
    return or_(kind.in_([IMMEDIATE, PASSED]), kind.like("stage\\_%", escape="\\"))


async def _supersede_stale(
    session: AsyncSession, claims: Sequence[Claim], now: datetime, token: str
) -> tuple[set[int], set[int]]:
    """Claimed warnings another message of the same deadline stands for: `superseded`.

    A warning is stale when a later one of its order and deadline is due as well (pending,
    being sent, or sent), or when the deadline has passed and a message sent after it
    already said so. The latest due warning goes out, worded for the present: after a
    downtime, a clock step or an unblock the user gets one message, not one per stage.
    Returns the ids taken out of the claim, and the ids that took on a doubt: a stale row
    in doubt (a killed process may have sent it) passes the doubt on to the row standing
    for it, if that one is still to be sent (pending, or in this very claim), so its
    message says it may be a repeat.
    """
    if not claims:
        return set(), set()
    sibling = aliased(Reminder, name="sibling")
    later_due = and_(
        sibling.status.in_([ReminderStatus.PENDING, *_TOLD]),
        or_(
            sibling.due_at > Reminder.due_at,
            and_(sibling.due_at == Reminder.due_at, sibling.id > Reminder.id),
        ),
    )
    passed_told = and_(
        Reminder.deadline_at <= now,
        sibling.status == ReminderStatus.SENT,
        sibling.sent_at >= Reminder.deadline_at,
    )
    standing_for = (
        select(sibling.id)
        .where(
            sibling.order_id == Reminder.order_id,
            sibling.id != Reminder.id,
            sibling.deadline_at == Reminder.deadline_at,
            _is_warning_column(sibling.kind),
            sibling.due_at <= now,
            or_(later_due, passed_told),
        )
        .order_by(sibling.due_at.desc(), sibling.id.desc())
        .limit(1)
        .correlate(Reminder)
        .scalar_subquery()
    )
    found = await session.execute(
        select(Reminder.id, standing_for).where(
            Reminder.id.in_([claim.row.id for claim in claims]), standing_for.is_not(None)
        )
    )
    by_id = {claim.row.id: claim for claim in claims}
    stale: set[int] = set()
    doubtful: set[int] = set()
    for reminder_id, standing in found.all():
        claim = by_id[reminder_id]
        statement = _settle(
            claim,
            status=ReminderStatus.SUPERSEDED,
            superseded_by=standing,
            attempts=Reminder.attempts - 1,
        )
        if (await session.scalars(statement)).all():
            stale.add(reminder_id)
            if claim.row.in_doubt:
                doubtful.add(standing)
    if doubtful:
        # Their messages may have gone out before their sender died: the ones standing for
        # them say they may repeat what the user has already read.
        ours = and_(_IS_SENDING, Reminder.claim_token == token)
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(doubtful), or_(_IS_PENDING, ours))
            .values(in_doubt=True)
            .execution_options(**_NO_SYNC)
        )
    return stale, doubtful - stale


async def next_due_at(session: AsyncSession, now: datetime) -> datetime | None:
    """The earliest future due_at (one step down the partial index)."""
    statement = select(func.min(Reminder.due_at)).where(_IS_PENDING, Reminder.due_at > now)
    return (await session.scalars(statement)).one()


def _owned(claim: Claim) -> ColumnElement[bool]:
    """The fence: only the holder of the current claim may settle the row."""
    return and_(Reminder.id == claim.row.id, Reminder.claim_token == claim.token, _IS_SENDING)


Settle = ReturningUpdate[tuple[int]]


def _settle(claim: Claim, **values: Any) -> Settle:
    return (
        update(Reminder)
        .where(_owned(claim))
        .values(claim_token=None, lease_until=None, **values)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )


def mark_sent(claim: Claim, message_id: int, now: datetime) -> Settle:
    return _settle(
        claim, status=ReminderStatus.SENT, sent_at=now, tg_message_id=message_id, last_error=None
    )


def mark_cancelled(claim: Claim) -> Settle:
    return _settle(claim, status=ReminderStatus.CANCELLED)


def mark_failed(claim: Claim, error: str) -> Settle:
    return _settle(claim, status=ReminderStatus.FAILED, last_error=error[:LAST_ERROR_LENGTH])


def reschedule(
    claim: Claim,
    at: datetime | None,
    *,
    error: str | None,
    in_doubt: bool,
    count_attempt: bool = True,
) -> Settle:
    """Back to pending, to be claimed again from `at` on (None: at once).

    `count_attempt=False` gives back the attempt the claim counted: the send did not
    happen (flood wait, rows handed back unsent).
    """
    attempts = Reminder.attempts if count_attempt else Reminder.attempts - 1
    return _settle(
        claim,
        status=ReminderStatus.PENDING,
        next_attempt_at=at,
        last_error=error,
        in_doubt=in_doubt,
        attempts=attempts,
    )


# -- users who block the bot ----------------------------------------------------------------


async def pause_user_reminders(
    session: AsyncSession, user_id: int, claims: Iterable[Claim], error: str
) -> int:
    """The user blocked the bot: hold their pending rows and the given claims.

    The claims' attempts are given back: a block says nothing about the reminder, and a
    user who blocks and unblocks a few times must not use up its attempts.
    """
    paused = 0
    for claim in claims:
        pause = _settle(
            claim, status=ReminderStatus.PAUSED, last_error=error, attempts=Reminder.attempts - 1
        )
        result = await session.scalars(pause)
        paused += len(result.all())
    statement = (
        update(Reminder)
        .where(Reminder.user_id == user_id, _IS_PENDING)
        .values(status=ReminderStatus.PAUSED)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )
    paused += len((await session.scalars(statement)).all())
    return paused


async def resume_user_reminders(session: AsyncSession, user_id: int) -> list[datetime]:
    """Paused rows of the user back to pending; returns their due times."""
    statement = (
        update(Reminder)
        .where(Reminder.user_id == user_id, Reminder.status == ReminderStatus.PAUSED)
        .values(status=ReminderStatus.PENDING, next_attempt_at=None)
        .returning(Reminder.due_at)
        .execution_options(**_NO_SYNC)
    )
    return list((await session.scalars(statement)).all())


async def upcoming_for_user(
    session: AsyncSession, user_id: int, now: datetime, *, limit: int = 5
) -> list[tuple[str, datetime, datetime | None]]:
    """The user's next reminders still to come: (order label, due time, deadline)."""
    statement = (
        select(Order.label, Reminder.due_at, Reminder.deadline_at)
        .join(Order, Order.id == Reminder.order_id)
        .where(Reminder.user_id == user_id, _IS_PENDING, Reminder.due_at > now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return [(label, due, deadline) for label, due, deadline in (await session.execute(statement))]


# -- figures for /stats ----------------------------------------------------------------------


async def count_by_status(session: AsyncSession) -> dict[ReminderStatus, int]:
    """How many reminders are in each state (every state present, zeros included)."""
    statement = select(Reminder.status, func.count()).group_by(Reminder.status)
    counts = dict.fromkeys(ReminderStatus, 0)
    for status, count in (await session.execute(statement)).all():
        counts[status] = count
    return counts


async def deadlines_missed(session: AsyncSession, now: datetime) -> int:
    """Orders whose deadline passed without any reminder reaching the user in time.

    The product's failure count: an order counts when a reminder for a deadline that is
    already over is still unsent (pending, sending, paused, failed) or went out late, and
    no reminder of that order was sent before its deadline. Cancelled rows (the user acted,
    the deadline moved) do not count.
    """
    late = aliased(Reminder, name="late")
    on_time = aliased(Reminder, name="on_time")
    sent_in_time = (
        select(on_time.id)
        .where(
            on_time.order_id == late.order_id,
            on_time.status == ReminderStatus.SENT,
            on_time.sent_at <= on_time.deadline_at,
        )
        .exists()
    )
    unsent = late.status.in_(
        [
            ReminderStatus.PENDING,
            ReminderStatus.SENDING,
            ReminderStatus.PAUSED,
            ReminderStatus.FAILED,
        ]
    )
    sent_late = and_(late.status == ReminderStatus.SENT, late.sent_at > late.deadline_at)
    statement = select(func.count(func.distinct(late.order_id))).where(
        late.deadline_at <= now, or_(unsent, sent_late), ~sent_in_time
    )
    return (await session.scalars(statement)).one()
