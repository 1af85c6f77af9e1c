"""Reminders: every planned message is a database row; APScheduler is only the clock.

- store: the `reminders` rows: plans (`write_plan`, the one writer, called in the
  transaction of the order change that caused them), claims, marks and counts;
- sending: what a failed send means, Telegram's flood limits, and the outbox of claimed
  rows waiting for their turn;
- alerts: the admins hear of reminders that failed for good;
- engine: ReminderEngine, which sweeps, sends and marks, and the render callback's types.
"""
