"""The loopback Telegram Bot API emulator: validates every call as Telegram would.

Used by the terminal chat, the end-to-end tests and the benchmarks; only `bot.cli` (and
`bot.bench`) import it. See README.md in this folder."""
