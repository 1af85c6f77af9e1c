"""Per-chat spacing counts from when a send is over, not from when it began: Telegram
counts messages as they arrive, and a request slowed on its way must not bring the next
one closer than the interval."""

from __future__ import annotations

from bot.reminders.sending import FloodLimiter, Rate


def test_the_next_message_to_a_chat_waits_a_full_interval_after_the_send_is_over() -> None:
    limits = FloodLimiter(Rate(30, 30), Rate(1, 1), clock=lambda: 0.0)
    limits.take(7, 0.0)
    # The request took 0.3 s to be answered.
    limits.sent(7, 0.3)

    assert limits.chat_wait(7, 0.3) == 1.0
    assert limits.chat_wait(7, 1.3) == 0.0


def test_other_chats_are_not_held_back() -> None:
    limits = FloodLimiter(Rate(30, 30), Rate(1, 1), clock=lambda: 0.0)
    limits.take(7, 0.0)
    limits.sent(7, 0.3)

    assert limits.chat_wait(8, 0.3) == 0.0
