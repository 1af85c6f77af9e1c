"""The command line: `python -m bot [command]`, also installed as `sourcing-guard`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.config import Settings
from bot.logs import configure_logging

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sourcing-guard",
        description="Sourcing Guard: a Telegram bot that keeps 1688 buyers' money safe. "
        "With no command: Telegram polling when TELEGRAM_BOT_TOKEN is set, else the "
        "terminal chat.",
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the Telegram bot")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    commands.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    sandbox = commands.add_parser("sandbox", help="serve the local Bot API emulator alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    commands.add_parser("migrate", help="apply database migrations")
    pay = commands.add_parser("check-payment", help="classify a supplier's payment request")
    _add_checker_arguments(pay, "the supplier's message")
    link = commands.add_parser("check-link", help="classify a link or a share text")
    _add_checker_arguments(link, "the link or share text")
    bench = commands.add_parser("bench", help="measure speed (results go to BENCHMARKS.md)")
    bench.add_argument(
        "names",
        nargs="*",
        default=["classifier", "ocr", "reminders"],
        help="classifier, ocr, reminders (default: all)",
    )
    bench.add_argument("--seconds", type=float, default=3.0, help="time per benchmark")
    return parser


def _add_checker_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the result as JSON")
    mode.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"id": …, "text": …} lines from stdin, write one JSON result per line',
    )
    parser.add_argument("text", nargs="?", default="-", help=f"{what}, or - for stdin")


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = Settings()
    command = args.command or ("run" if settings.token else "chat")
    # Commands whose output is read by people or scripts keep the log to warnings.
    quiet = command in ("chat", "bench", "check-payment", "check-link", "migrate")
    configure_logging("WARNING" if quiet else settings.log_level, _secrets(settings))
    from bot.reminders import InstanceAlreadyRunningError

    try:
        status = _dispatch(command, args, settings)
    except InstanceAlreadyRunningError as running:
        print(running, file=sys.stderr)
        status = 3
    sys.exit(status)


def _secrets(settings: Settings) -> list[str]:
    values = [settings.telegram_bot_token, settings.openai_api_key, settings.webhook_secret]
    return [value.get_secret_value() for value in values if value is not None]


def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "chat":
        from bot.sandbox.terminal import chat

        return asyncio.run(chat(settings))
    if command == "sandbox":
        from bot.sandbox.server import serve

        asyncio.run(serve(args.host, args.port))
        return 0
    if command == "migrate":
        from bot.db.migrations import upgrade_to_head

        asyncio.run(upgrade_to_head(settings.database_url))
        print("database is up to date")
        return 0
    if command in ("check-payment", "check-link"):
        from bot.checker_cli import CHECKERS, run_checker

        return run_checker(CHECKERS[command], args, sys.stdin, sys.stdout)
    if command == "bench":
        from bot.bench import BENCHMARKS
        from bot.bench import run as run_benchmarks

        unknown = sorted(set(args.names) - set(BENCHMARKS))
        if unknown:
            print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
            return 2
        return run_benchmarks(args.names, args.seconds)
    if command == "run":
        return _run(settings, webhook=bool(getattr(args, "webhook", False)))
    raise AssertionError(command)


def _run(settings: Settings, *, webhook: bool) -> int:
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set. Get one from @BotFather (see README), or try "
            "the bot locally with: python -m bot chat",
            file=sys.stderr,
        )
        return 2
    from bot.app import build_application

    if webhook and not (settings.webhook_url and settings.webhook_secret):
        print(
            "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET: without a secret anyone who "
            "finds the URL could send the bot fake updates.",
            file=sys.stderr,
        )
        return 2
    application = build_application(settings)
    if webhook:
        assert settings.webhook_url
        assert settings.webhook_secret
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
