"""When 1688's escrow auto-confirms receipt and releases the buyer's money to the seller.

The 2023 rule (research/domain-1688.md §1.3): the clock starts when the seller clicks
"ship"; release at max(shipped + 10 d, signed + 48 h); with no "signed" scan by day 28,
release at shipped + 30 d. 延长收货 adds days (§1.5) and an open refund pauses the clock
(§1.4). Every number is a setting (EscrowRules), because the rule may change again.

The countdown model. A countdown the user copies from the order page is the platform's own
answer, so it wins over the computed deadline. It is a snapshot: everything that happened
before it was read (extensions, closed refunds) is already inside it. So while
`countdown_deadline` is set, `extension_days` and `paused` count only what happened after
the countdown was read. `with_countdown` records a reading that way; the order service
stores its result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


def require_aware(moment: datetime, name: str) -> datetime:
    """A naive datetime is a bug in the caller: there is no safe zone to guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    return moment


@dataclass(frozen=True)
class EscrowRules:
    """1688's auto-confirm durations; the defaults are the rule in force since 2023-06-26."""

    after_shipped: timedelta = timedelta(days=10)
    after_signed: timedelta = timedelta(hours=48)
    # Not signed by shipped + never_signed_cutoff → release at shipped + never_signed_release.
    never_signed_cutoff: timedelta = timedelta(days=28)
    never_signed_release: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Timeline:
    """What is known about one order's escrow clock (see the module doc for countdowns)."""

    shipped_at: datetime | None = None
    signed_at: datetime | None = None
    extension_days: int = 0  # sum of 延长收货 extensions (after the countdown, if any)
    paused: timedelta = timedelta(0)  # closed refunds (after the countdown, if any)
    pause_started_at: datetime | None = None  # a refund is open right now
    countdown_deadline: datetime | None = None  # from the order page: wins when set

    def __post_init__(self) -> None:
        for name in ("shipped_at", "signed_at", "pause_started_at", "countdown_deadline"):
            moment = getattr(self, name)
            if moment is not None:
                require_aware(moment, name)


def auto_confirm_deadline(
    timeline: Timeline, rules: EscrowRules, now: datetime
) -> datetime | None:
    """The moment the money is released, or None when nothing is known yet.

    Without a shipped time or a countdown, a signed time alone gives signed + after_signed:
    the earliest the rule can release, so reminders err on the early side.
    """
    require_aware(now, "now")
    base = _base_deadline(timeline, rules, now)
    if base is None:
        return None
    return base + timedelta(days=timeline.extension_days) + _time_paused(timeline, now)


def _base_deadline(timeline: Timeline, rules: EscrowRules, now: datetime) -> datetime | None:
    if timeline.countdown_deadline is not None:
        return timeline.countdown_deadline
    if timeline.shipped_at is None:
        return timeline.signed_at + rules.after_signed if timeline.signed_at else None
    shipped, signed = timeline.shipped_at, timeline.signed_at
    cutoff = shipped + rules.never_signed_cutoff
    if signed is not None and signed <= cutoff:
        return max(shipped + rules.after_shipped, signed + rules.after_signed)
    if now >= cutoff:
        return shipped + rules.never_signed_release
    # Not signed yet, and a scan may still come: assume the earliest release it allows.
    return shipped + rules.after_shipped


def _time_paused(timeline: Timeline, now: datetime) -> timedelta:
    open_pause = timedelta(0)
    if timeline.pause_started_at is not None:
        # The clock stopped at the pause start, so the deadline slides along with `now`.
        open_pause = max(timedelta(0), now - timeline.pause_started_at)
    return timeline.paused + open_pause


def with_countdown(timeline: Timeline, deadline: datetime, now: datetime) -> Timeline:
    """The timeline after the user read a countdown ending at `deadline` at `now`.

    Earlier extensions and closed pauses are inside the reading, so they reset. A refund open
    while reading froze the page's countdown, so the open pause restarts at the reading.
    """
    require_aware(deadline, "deadline")
    require_aware(now, "now")
    restarted = now if timeline.pause_started_at is not None else None
    return replace(
        timeline,
        countdown_deadline=deadline,
        extension_days=0,
        paused=timedelta(0),
        pause_started_at=restarted,
    )


def with_pause_opened(timeline: Timeline, now: datetime) -> Timeline:
    """A refund was applied for: the clock stops (an already open pause keeps its start)."""
    require_aware(now, "now")
    if timeline.pause_started_at is not None:
        return timeline
    return replace(timeline, pause_started_at=now)


def with_pause_closed(timeline: Timeline, now: datetime) -> Timeline:
    """The refund was closed or cancelled: the clock runs again, the pause is banked."""
    require_aware(now, "now")
    if timeline.pause_started_at is None:
        return timeline
    return replace(timeline, paused=_time_paused(timeline, now), pause_started_at=None)
