"""Pure rules, one area per module or package: text and `now` in, dataclasses out.

No Telegram, SQLAlchemy, openai, network or wall clock: every rule is tested without I/O."""
