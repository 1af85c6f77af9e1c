"""Which reminders an escrow deadline needs, and when.

A reminder is planned per stage (an offset before the deadline: 72 h, 24 h, 6 h, 1 h by
default). The principles, in order: never late (a reminder may move earlier, never later);
never a burst (a deadline learned late gets one "immediate" warning, not one per missed
stage); never in the past (what cannot be earlier is due now).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.domain.escrow.deadline import require_aware

DEFAULT_OFFSETS: tuple[timedelta, ...] = tuple(timedelta(hours=h) for h in (72, 24, 6, 1))
# A reminder moved out of the quiet hours is due this long before they start, so a sweep
# that runs a little late still delivers it before the user's night begins.
QUIET_MARGIN = timedelta(minutes=15)
# Two reminders closer than this would read as one message sent twice.
SAME_MOMENT = timedelta(minutes=1)

IMMEDIATE = "immediate"
PASSED = "passed"
INSPECT = "inspect"
_STAGE_PREFIX = "stage_"


@dataclass(frozen=True)
class QuietHours:
    """Hours of the user's day with no reminders: [start, end) local, may wrap midnight."""

    start_hour: int
    end_hour: int

    def __post_init__(self) -> None:
        for hour in (self.start_hour, self.end_hour):
            if not 0 <= hour <= 23:
                raise ValueError(f"quiet hours are 0-23, got {hour}")

    def contains(self, local_hour: int) -> bool:
        if self.start_hour <= self.end_hour:  # equal hours: no quiet time at all
            return self.start_hour <= local_hour < self.end_hour
        return local_hour >= self.start_hour or local_hour < self.end_hour

    def start_before(self, moment: datetime, zone: tzinfo) -> datetime | None:
        """When the quiet period `moment` falls in began; None if it is not quiet then."""
        local = moment.astimezone(zone)
        if not self.contains(local.hour):
            return None
        day = local.date()
        if local.hour < self.start_hour:  # the small hours of a period that began yesterday
            day -= timedelta(days=1)
        return datetime.combine(day, time(self.start_hour), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class PlannedReminder:
    """One message to send: `stage_<seconds>`, `immediate`, `inspect` or `passed`.

    `stage` is the offset a stage stands for; for `immediate`, the latest stage it stands in
    for."""

    kind: str
    due_at: datetime
    stage: timedelta | None = None


def stage_kind(offset: timedelta) -> str:
    """`stage_259200` for the 72 h stage: the offset is in the kind, so rows are stable."""
    return f"{_STAGE_PREFIX}{int(offset.total_seconds())}"


def stage_offset(kind: str) -> timedelta | None:
    """The offset a `stage_<seconds>` kind stands for; None for any other kind."""
    seconds = kind.removeprefix(_STAGE_PREFIX)
    if seconds == kind or not seconds.isdigit():
        return None
    return timedelta(seconds=int(seconds))


def plan_reminders(
    deadline: datetime,
    now: datetime,
    offsets: Sequence[timedelta],
    *,
    quiet: QuietHours | None = None,
    zone: tzinfo = UTC,
) -> list[PlannedReminder]:
    """The reminders for a deadline as seen at `now`, sorted by due time.

    Non-positive offsets are ignored (a reminder at or after the deadline is too late).
    """
    require_aware(deadline, "deadline")
    require_aware(now, "now")
    if deadline <= now:
        return [PlannedReminder(PASSED, now)]
    stages = sorted({offset for offset in offsets if offset > timedelta(0)}, reverse=True)
    if not stages:
        return []
    planned = []
    if deadline - stages[0] <= now:
        # Learned late: one warning now stands for every stage already missed; its `stage`
        # is the latest of them (what a warning already sent must cover to make it moot).
        missed = [offset for offset in stages if deadline - offset <= now]
        planned.append(PlannedReminder(IMMEDIATE, now, missed[-1]))
    for offset in stages:
        due = deadline - offset
        if due <= now:
            continue
        # The last stage is the final call: moving it hours earlier would make it useless.
        if quiet is not None and offset != stages[-1]:
            due = _out_of_quiet(due, now, quiet, zone)
        planned.append(PlannedReminder(stage_kind(offset), due, offset))
    # Stages set closer together than a minute (tests, demos) stay separate reminders.
    window = min(SAME_MOMENT, stages[-1] / 2)
    return _without_repeats(sorted(planned, key=lambda reminder: reminder.due_at), window)


def _out_of_quiet(due: datetime, now: datetime, quiet: QuietHours, zone: tzinfo) -> datetime:
    quiet_start = quiet.start_before(due, zone)
    if quiet_start is None:
        return due
    return max(now, quiet_start - QUIET_MARGIN)


def _without_repeats(planned: list[PlannedReminder], window: timedelta) -> list[PlannedReminder]:
    kept: list[PlannedReminder] = []
    for reminder in planned:
        if kept and reminder.due_at - kept[-1].due_at < window:
            continue
        kept.append(reminder)
    return kept


def inspection_nudge(signed_at: datetime, now: datetime) -> PlannedReminder:
    """Signed for at the forwarder: ask for inspection now, while the 48 h still run."""
    require_aware(signed_at, "signed_at")
    require_aware(now, "now")
    return PlannedReminder(INSPECT, max(signed_at, now))
