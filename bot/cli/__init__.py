"""The command line: `python -m bot [command]`, also installed as `sourcing-guard`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.cli.logistics import add_arguments as add_logistics_arguments
from bot.cli.order_page import add_arguments as add_order_arguments
from bot.config import Settings
from bot.runtime.instance_lock import InstanceAlreadyRunningError
from bot.runtime.logs import configure_logging, protect_process_output


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
    run.add_argument("--listen", help="webhook: address to listen on (default WEBHOOK_LISTEN)")
    run.add_argument("--port", type=int, help="webhook: port to listen on (default WEBHOOK_PORT)")
    chat = commands.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument(
        "--name", help="your first name in the chat (default: the system user's, else Buyer)"
    )
    sandbox = commands.add_parser("sandbox", help="serve the local Bot API emulator alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    commands.add_parser("migrate", help="apply database migrations")
    pay = commands.add_parser("check-payment", help="classify a supplier's payment request")
    _add_checker_arguments(pay, "the supplier's message")
    link = commands.add_parser("check-link", help="classify a link or a share text")
    _add_checker_arguments(link, "the link or share text")
    order = commands.add_parser(
        "read-order", help="read a 1688 order page: status, order number, auto-confirm deadline"
    )
    add_order_arguments(order)
    logistics = commands.add_parser(
        "read-logistics", help="read a logistics trace (text or screenshot) and flag fake tracking"
    )
    add_logistics_arguments(logistics)
    bench = commands.add_parser("bench", help="measure speed (results go to BENCHMARKS.md)")
    bench.add_argument(
        "names",
        nargs="*",
        default=["classifier", "ocr", "reminders", "e2e", "fairness", "order-page", "links"],
        help="classifier, ocr, reminders, e2e, fairness, order-page, links (default: all)",
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
    # Token-shaped text and URL passwords are hidden even if reading the settings fails.
    protect_process_output(stdout=False)
    args = _parser().parse_args(argv)
    settings = Settings()
    command = args.command or ("run" if settings.token else "chat")
    # The terminal chat's stdout is the user's own screen, drawn with terminal controls.
    protect_process_output(_secrets(settings), stdout=command != "chat")
    # Commands whose output is read by people or scripts keep the log to warnings.
    quiet = command in (
        "chat",
        "bench",
        "check-payment",
        "check-link",
        "read-order",
        "read-logistics",
        "migrate",
    )
    configure_logging(
        "WARNING" if quiet else settings.log_level,
        _secrets(settings),
        log_user_text=settings.log_user_text,
    )
    try:
        status = _dispatch(command, args, settings)
    except InstanceAlreadyRunningError as running:
        print(running, file=sys.stderr)
        status = 3
    sys.exit(status)


def _secrets(settings: Settings) -> list[str]:
    """Every configured secret, whatever its length."""
    values = [
        settings.telegram_bot_token,
        settings.openai_api_key,
        settings.webhook_secret,
        settings.kuaidi100_key,
        settings.kuaidi100_salt,
    ]
    secrets = [value.get_secret_value() for value in values if value is not None]
    if settings.kuaidi100_key is not None:
        secrets.append(settings.kuaidi100_push_salt())
    database_password = urlsplit(settings.database_url).password
    if database_password:
        secrets.append(database_password)
    return secrets


def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "chat":
        from bot.cli.chat import chat

        # No command at all means the chat too, without its options.
        return asyncio.run(chat(settings, name=getattr(args, "name", None)))
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
        from bot.cli.checkers import CHECKERS, run_checker

        return run_checker(CHECKERS[command], args, sys.stdin, sys.stdout)
    if command == "read-order":
        from bot.cli.order_page import run_read_order

        return run_read_order(args, sys.stdin.buffer, sys.stdout, sys.stderr)
    if command == "read-logistics":
        from bot.cli.logistics import run as read_logistics

        return read_logistics(args, sys.stdin.buffer, sys.stdout, sys.stderr)
    if command == "bench":
        from bot.bench import BENCHMARKS
        from bot.bench import run as run_benchmarks

        unknown = sorted(set(args.names) - set(BENCHMARKS))
        if unknown:
            print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
            return 2
        return run_benchmarks(args.names, args.seconds)
    if command == "run":
        listen, port = getattr(args, "listen", None), getattr(args, "port", None)
        webhook = bool(getattr(args, "webhook", False))
        if (listen is not None or port is not None) and not webhook:
            print("--listen and --port apply to webhook mode: add --webhook", file=sys.stderr)
            return 2
        if listen is not None:
            settings = settings.model_copy(update={"webhook_listen": listen})
        if port is not None:
            settings = settings.model_copy(update={"webhook_port": port})
        return _run(settings, webhook=webhook)
    raise AssertionError(command)


def _run(settings: Settings, *, webhook: bool) -> int:
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set. Get one from @BotFather (see README), or try "
            "the bot locally with: python -m bot chat",
            file=sys.stderr,
        )
        return 2
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.runtime.lifecycle import ALLOWED_UPDATES

    try:
        if not webhook:
            from bot.runtime.polling import run_polling

            return run_polling(build_application(settings), allowed_updates=ALLOWED_UPDATES)
        from bot.runtime.webhook import WebhookSetupError, run_webhook, webhook_settings_problem

        problem = webhook_settings_problem(settings)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
        try:
            run_webhook(build_application(settings), settings)
        except WebhookSetupError as error:
            print(error, file=sys.stderr)
            return 2
        return 0
    # Start-up asks Telegram who the bot is (getMe) before anything else: what it answers
    # is an operator's problem to fix, said in one line rather than a traceback that
    # quotes the token.
    except InvalidToken:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 2
    except NetworkError as error:
        print(unreachable(settings.telegram_api_base_url, error.message), file=sys.stderr)
        return 1


TOKEN_REFUSED = "Telegram refused the bot token (401). Check TELEGRAM_BOT_TOKEN."


def unreachable(base_url: str, reason: str) -> str:
    # PTB appends the whole answer it could not read (a proxy's HTML page): left out.
    reason = reason.split(". Parsing the server response", 1)[0][:200]
    return (
        f"Telegram could not be reached at {base_url} ({reason}). Check "
        "TELEGRAM_API_BASE_URL and the network; start again when it answers."
    )
