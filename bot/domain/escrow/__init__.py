"""Escrow deadlines on 1688: when the money is released, and how to remind the buyer in time.

One import for the rest of the bot; the rules live in this package's modules:

- deadline: the auto-confirm rule (EscrowRules, Timeline, auto_confirm_deadline) and
  the countdown model (a countdown read from the order page wins; see that module's doc);
- countdown: `还剩6天23小时` and friends (parse_countdown), and format_left;
- moments: absolute times in Beijing or a named zone (parse_moment);
- reminders: which reminders a deadline needs (plan_reminders, inspection_nudge);
- states: the order state machine (next_state, reminders_stop).

Pure: the current time is always passed in as `now`, and every datetime must be aware.
"""

from __future__ import annotations

from bot.domain.escrow.countdown import (
    MAX_COUNTDOWN,
    countdown_duration,
    format_left,
    parse_countdown,
)
from bot.domain.escrow.deadline import (
    EscrowRules,
    Timeline,
    auto_confirm_deadline,
    with_countdown,
    with_pause_closed,
    with_pause_opened,
)
from bot.domain.escrow.moments import parse_moment
from bot.domain.escrow.reminders import (
    DEFAULT_OFFSETS,
    IMMEDIATE,
    INSPECT,
    PASSED,
    PlannedReminder,
    QuietHours,
    inspection_nudge,
    plan_reminders,
    stage_kind,
    stage_offset,
)
from bot.domain.escrow.states import (
    InvalidTransition,
    OrderAction,
    OrderState,
    allowed_actions,
    next_state,
    reminders_stop,
)

__all__ = [
    "DEFAULT_OFFSETS",
    "IMMEDIATE",
    "INSPECT",
    "MAX_COUNTDOWN",
    "PASSED",
    "EscrowRules",
    "InvalidTransition",
    "OrderAction",
    "OrderState",
    "PlannedReminder",
    "QuietHours",
    "Timeline",
    "allowed_actions",
    "auto_confirm_deadline",
    "countdown_duration",
    "format_left",
    "inspection_nudge",
    "next_state",
    "parse_countdown",
    "parse_moment",
    "plan_reminders",
    "reminders_stop",
    "stage_kind",
    "stage_offset",
    "with_countdown",
    "with_pause_closed",
    "with_pause_opened",
]
