"""Fuzzing the real bot through the sandbox: whatever arrives, nothing breaks.

Hypothesis generates short sessions (a fresh user each, so one example's conversation state
cannot make the next meaningless) of typed text, commands with junk arguments, edits,
forwards, real and forged button presses, garbage photos and files. After every update
the bot has finished with, the session must leave:

- no record at ERROR or above in the log: the error handler (`handlers/errors.py`) logs
  every exception that reaches it at ERROR before it apologises, and the apology itself
  ("Sorry, something went wrong") must never be sent either;
- no Bot API call the sandbox refused (it validates every call as Telegram would);
- a consistent database: SQLite's own checks, no orphan rows, every open reminder on an
  existing order of the same user and chat, no string longer than its column (SQLite does
  not enforce VARCHAR lengths, PostgreSQL does);
- another user's order and payment check untouched, whatever ids the forged buttons name.

One bot runs per test function; each example waits until the bot has finished with each
of its updates (the application reports every delivery), and until the reminders it made
due were sent, so a failure is pinned on the example that caused it and Hypothesis can
shrink it.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import itertools
import logging
import os
import pkgutil
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import String, text

import handlers
from bot.app import BotApplication
from bot.config import Settings
from bot.db.base import Base
from bot.db.models import ReminderStatus
from bot.render.i18n import available_languages, translate
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from bot.sandbox.state import JsonDict, utf16_length
from handlers.callback_data import MAX_CALLBACK_BYTES, CallbackRoute
from tests.conftest import BOT_TOKEN, ChatUser, HandledUpdates
from tests.db.databases import (
    migrated_postgres_database,
    sqlite_file_url,
)

# Fresh Telegram ids: every example is a new user, also when Hypothesis replays one.
_USER_IDS = itertools.count(3_000_000)
VICTIM_ID = 777
# Long enough for a screenshot through OCR on a busy 2-core machine.
_PROCESS_TIMEOUT = 60.0
# CI runs a modest number of examples; FUZZ_SCALE=20 (say) fuzzes twenty times longer.
_SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def _examples(count: int) -> int:
    return max(1, round(count * _SCALE))


_FUZZ = hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)

# -- the harness ------------------------------------------------------------------------


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """SQLite unless a test asks for "postgres" (indirect parametrization)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield sqlite_file_url(tmp_path, "bot.db")
        return
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def flood_limits() -> FloodLimits:
    # No flood limits: they decide how fast, not whether, replies arrive, and waiting out
    # retry_after would spend the time budget on sleeping instead of on examples.
    return FloodLimits.off()


@pytest.fixture(name="settings")
def fuzz_settings(database_url: str, sandbox: Sandbox) -> Settings:
    """conftest's `bot` is built from this: the fuzz database instead of the default one."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=sandbox.base_url,
        database_url=database_url,
        admin_ids="42",
    )


class ErrorRecords(logging.Handler):
    """Every record at ERROR or above, from any logger, while the test runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@dataclass(repr=False)  # Hypothesis prints the arguments of a failing example: keep it short
class Harness:
    """Plays sessions against the running bot and checks what they left behind."""

    sandbox: Sandbox
    bot: BotApplication
    errors: ErrorRecords
    handled: HandledUpdates

    def new_user(self, first_name: str, language_code: str | None) -> ChatUser:
        user = ChatUser(
            self.sandbox,
            next(_USER_IDS),
            first_name=first_name,
            language_code=language_code,
            handled=self.handled,
        )
        known = self.sandbox.world.upsert_user(
            user.user_id, first_name=first_name, language_code=language_code, username=None
        )
        self.sandbox.world.private_chat(known)
        return user

    async def play(self, session: Session) -> None:
        user = self.new_user(session.first_name, session.language_code)
        calls, records = len(self.sandbox.calls), len(self.errors.records)
        for action in session.actions:
            update = await action.perform(self.sandbox, user)
            if update is not None:
                try:
                    await self.handled.wait(update["update_id"], timeout=_PROCESS_TIMEOUT)
                except TimeoutError:
                    raise AssertionError(f"the bot never finished with {update}") from None
        # Reminders the session made due now are sent by the engine, outside any update.
        await until_no_reminder_is_due(self.bot)
        await self.sandbox.wait_until_settled(timeout=_PROCESS_TIMEOUT)
        self.check_log(records)
        self.check_calls(calls)
        await self.check_database()

    def check_log(self, since: int) -> None:
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        logged = [formatter.format(record) for record in self.errors.records[since:]]
        assert logged == [], "\n\n".join(logged)

    def check_calls(self, since: int) -> None:
        refused = [
            (call.method, call.error_code, call.description, call.params)
            for call in self.sandbox.calls[since:]
            if not call.ok and "message is not modified" not in (call.description or "")
        ]
        assert refused == [], f"the sandbox refused calls as Telegram would: {refused}"
        sent = [
            str(call.params.get("text", ""))
            for call in self.sandbox.calls[since:]
            if call.method == "sendMessage"
        ]
        apologies = [translate(language, "error_apology") for language in available_languages()]
        apologised = [t for t in sent if any(apology in t for apology in apologies)]
        assert apologised == [], "the error handler apologised"

    async def check_database(self) -> None:
        problems = await database_problems(self.bot)
        assert problems == [], problems


@pytest.fixture
def harness(
    sandbox: Sandbox, bot: BotApplication, error_log: ErrorRecords, handled: HandledUpdates
) -> Harness:
    return Harness(sandbox, bot, error_log, handled)


# Due and not waiting for a retry, or claimed and being sent.
_DUE_OR_SENDING = text(
    "SELECT 1 FROM reminders WHERE status = 'sending' OR (status = 'pending' "
    "AND due_at <= :now AND (next_attempt_at IS NULL OR next_attempt_at <= :now)) LIMIT 1"
)


async def until_no_reminder_is_due(bot: BotApplication) -> None:
    """Until the engine has sent (and marked) every reminder due by now. The database is
    where the engine records that; it announces it nowhere else."""
    async with asyncio.timeout(_PROCESS_TIMEOUT):
        while True:
            async with bot.bot_data.sessions() as session:
                due = await session.scalar(_DUE_OR_SENDING, {"now": bot.bot_data.clock.now()})
            if due is None:
                return
            await asyncio.sleep(0.02)


# -- what a consistent database looks like ----------------------------------------------

_OPEN = f"('{ReminderStatus.PENDING}', '{ReminderStatus.PAUSED}')"
_ORPHANS = {
    "orders of unknown users": "SELECT id FROM orders WHERE user_id NOT IN "
    "(SELECT telegram_id FROM users)",
    "payment checks of unknown users": "SELECT id FROM payment_checks WHERE user_id NOT IN "
    "(SELECT telegram_id FROM users)",
    "supplier checks of unknown users": "SELECT id FROM supplier_checks WHERE user_id NOT IN "
    "(SELECT telegram_id FROM users)",
    "model budgets of unknown users": "SELECT user_id FROM llm_usage WHERE user_id NOT IN "
    "(SELECT telegram_id FROM users)",
    "events of unknown orders": "SELECT id FROM order_events WHERE order_id NOT IN "
    "(SELECT id FROM orders)",
    "reminders of unknown orders": "SELECT id FROM reminders WHERE order_id NOT IN "
    "(SELECT id FROM orders)",
    "reminders of unknown users": "SELECT id FROM reminders WHERE user_id NOT IN "
    "(SELECT telegram_id FROM users)",
    "open reminders for another user or chat than their order's": "SELECT r.id FROM "
    "reminders r JOIN orders o ON o.id = r.order_id WHERE r.status IN "
    f"{_OPEN} AND (r.user_id <> o.user_id OR r.chat_id <> o.chat_id)",
    "deadline reminders still open on a finished or paused order": "SELECT r.id FROM "
    f"reminders r JOIN orders o ON o.id = r.order_id WHERE r.status IN {_OPEN} "
    "AND (r.kind LIKE 'stage_%' OR r.kind IN ('immediate', 'passed')) "
    "AND (o.state IN ('inspected_ok', 'closed') OR o.pause_started_at IS NOT NULL)",
    "claimed reminders without a lease": "SELECT id FROM reminders "
    "WHERE status = 'sending' AND lease_until IS NULL",
    "negative order counters": "SELECT id FROM orders "
    "WHERE extension_days < 0 OR paused_seconds < 0",
}


def _length_checks() -> Iterator[tuple[str, str]]:
    """A query per String(n) column for values over n characters."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                yield (
                    f"{table.name}.{column.name} longer than {column.type.length}",
                    f"SELECT 1 FROM {table.name} "
                    f"WHERE length({column.name}) > {column.type.length}",
                )


async def database_problems(bot: BotApplication) -> list[str]:
    problems: list[str] = []
    checks = [*_ORPHANS.items(), *_length_checks()]
    async with bot.bot_data.sessions() as session:
        if bot.bot_data.engine.dialect.name == "sqlite":
            integrity = (await session.execute(text("PRAGMA integrity_check"))).scalars().all()
            if list(integrity) != ["ok"]:
                problems.append(f"integrity_check: {integrity}")
            foreign = (await session.execute(text("PRAGMA foreign_key_check"))).all()
            if foreign:
                problems.append(f"foreign_key_check: {foreign}")
        for name, query in checks:
            rows = (await session.execute(text(query))).all()
            if rows:
                problems.append(f"{name}: {rows[:5]}")
    return problems


# -- what users do ----------------------------------------------------------------------


class Action:
    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        """Send one update to the bot (None when the action does not apply right now)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Say(Action):
    text: str

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        return await sandbox.send_text(
            user.user_id, self.text, first_name=user.first_name, language_code=user.language_code
        )


@dataclass(frozen=True)
class Forward(Action):
    text: str
    origin: str

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        return await sandbox.send_forward(user.user_id, self.text, origin_name=self.origin)


@dataclass(frozen=True)
class Edit(Action):
    """The user edits the last thing they typed."""

    text: str

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        typed = [
            m for m in sandbox.messages(user.user_id) if not m.from_bot and m.text is not None
        ]
        if not typed:
            return None
        return await sandbox.edit_text(user.user_id, typed[-1].message_id, self.text)


@dataclass(frozen=True)
class Press(Action):
    """A real tap on button `index` (modulo their number) of the newest keyboard."""

    index: int

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        for message in reversed(sandbox.bot_messages(user.user_id)):
            datas = [b["callback_data"] for b in message.inline_buttons() if "callback_data" in b]
            if datas:
                data = datas[self.index % len(datas)]
                return await sandbox.press_button(user.user_id, message.message_id, data)
        return None


@dataclass(frozen=True)
class Forge(Action):
    """Button data a modified client made up, on the newest bot message or a gone one."""

    data: str
    on_gone_message: bool

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        shown = sandbox.bot_messages(user.user_id)
        message_id = 10_000 if self.on_gone_message or not shown else shown[-1].message_id
        return await sandbox.press_button(user.user_id, message_id, self.data, forged=True)


@dataclass(frozen=True)
class Tamper(Action):
    """A real button of the newest keyboard with one part of its data replaced: what a
    modified client sends to reach somebody else's order, or to break the parser."""

    index: int
    part: int
    junk: str

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        for message in reversed(sandbox.bot_messages(user.user_id)):
            datas = [b["callback_data"] for b in message.inline_buttons() if "callback_data" in b]
            if datas:
                parts = datas[self.index % len(datas)].split("|")
                parts[self.part % len(parts)] = self.junk
                data = "|".join(parts)
                if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
                    return None
                return await sandbox.press_button(
                    user.user_id, message.message_id, data, forged=True
                )
        return None


@dataclass(frozen=True)
class Photo(Action):
    data: bytes
    caption: str | None

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        return await sandbox.send_photo(user.user_id, self.data, caption=self.caption)


@dataclass(frozen=True)
class File(Action):
    data: bytes
    file_name: str
    mime_type: str
    caption: str | None

    async def perform(self, sandbox: Sandbox, user: ChatUser) -> JsonDict | None:
        return await sandbox.send_document(
            user.user_id,
            self.data,
            file_name=self.file_name,
            mime_type=self.mime_type,
            caption=self.caption,
        )


@dataclass(frozen=True)
class Session:
    first_name: str
    language_code: str | None
    actions: Sequence[Action]


# -- strategies -------------------------------------------------------------------------

# Telegram delivers any Unicode but lone surrogates (not valid UTF-8) and NUL.
_CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_PIECES = (
    "请转账到我私人账户 6222 0212 3456 7890 123 省税",
    "https://detail.1688.com/offer/123456789.html",
    "【义乌小商品】https://qr.1688.com/s/7OnLCakq",
    "detail.1688.com.check.top",
    "还剩6天23小时",
    "2h30m",
    "shipped 2026-11-20 14:00",
    "Western Union",
    "支付宝 138 1234 5678",
    "😀🔥🙏",
    "👨‍👩‍👧‍👦🇨🇳",
    "ｈｅｌｌｏ　全角",
    "مرحبا بالعالم",
    "שלום",
    "\u202e\u2067",
    "\u200b\u200d\ufeff",
    "e\u0301\u0327",
    "<b>",
    "</i>&amp;",
    "&",
    "|",
    "/start",
    "@SourcingGuardBot",
    "1688.com@evil.top",
    "xn--1688-abc.com",
    "²",
    "١٢٣",
    "99999999999999999999999",
    "-1",
    "0",
    "23-7",
    "Europe/Moscow",
    "确认",
    "да",
    "\n",
    "   ",
)


def _telegram_text(raw: str) -> str:
    """At most 4096 UTF-16 units, like a Telegram message; never empty."""
    out: list[str] = []
    units = 0
    for character in raw:
        units += utf16_length(character)
        if units > 4096:
            break
        out.append(character)
    return "".join(out) or "."


_MIXED = st.lists(
    st.sampled_from(_PIECES) | st.text(_CHARACTERS, min_size=1, max_size=8), min_size=1, max_size=8
).map(" ".join)
TEXTS = st.one_of(
    st.text(_CHARACTERS, min_size=1, max_size=120),
    _MIXED,
    st.sampled_from(_PIECES).map(lambda piece: piece * (4096 // max(1, len(piece)) + 1)),
).map(_telegram_text)
SHORT_TEXTS = st.text(_CHARACTERS, min_size=1, max_size=20) | st.sampled_from(_PIECES)

UNKNOWN_COMMANDS = st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)
COMMAND_TEXTS = st.builds(
    lambda name, mention, argument: f"/{name}{mention}{argument}",
    st.sampled_from(handlers.COMMANDS) | UNKNOWN_COMMANDS,
    st.sampled_from(["", "", "@SourcingGuardBot", "@OtherBot"]),
    st.just("") | SHORT_TEXTS.map(lambda junk: f" {junk}") | TEXTS.map(lambda junk: f" {junk}"),
).map(_telegram_text)


def _routes() -> list[CallbackRoute]:
    """Every CallbackRoute a handler module declares, found rather than listed."""
    routes: set[CallbackRoute] = set()
    for module_info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"handlers.{module_info.name}")
        routes.update(v for v in vars(module).values() if isinstance(v, CallbackRoute))
    return sorted(routes, key=lambda route: (route.prefix, route.arity))


ROUTES = _routes()
ROUTE_PREFIXES = sorted({route.prefix for route in ROUTES})
# Parts that break naive parsing: digits str.isdigit() accepts and int() refuses, ids past
# PostgreSQL's INTEGER and SQLite's 64-bit range, signs, nothing at all.
_HOSTILE_PARTS = st.sampled_from(
    ["", "0", "00", "-1", "²", "١٢", "1e3", "2147483648", "9223372036854775808", "9" * 40]
)
# Parts that real buttons carry (so forged data reaches deep into the handlers), and junk.
_PARTS = st.one_of(
    _HOSTILE_PARTS,
    st.sampled_from(
        [
            "1",
            "2",
            "skip",
            "finish",
            "none",
            "pick",
            "open",
            "yes",
            "no",
            "ok",
            "sign",
            "problem",
            "refund",
            "escalate",
            "close",
            "del",
            "delyes",
            "card",
            "edit",
            "ext3",
            "ext4",
            "ext99999999999999999999",
            "snz1",
            "snz3",
            "snz2",
            "nolabel",
            "today",
            "d0",
            "d99999999999",
            "d²",
            "ext²",
            "snz²",
            "right",
            "strict",
            "missed",
            "en",
            "ru",
            "Europe/Moscow",
            "Mars/Phobos",
            "../../etc/passwd",
        ]
    ),
    st.integers(min_value=-5, max_value=12).map(str),
    st.text(_CHARACTERS, max_size=10),
)


def _fits_telegram(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES


CALLBACK_DATA = st.one_of(
    # At most 4 bytes a character: 16 always fit; long printable ASCII probes the limit.
    st.text(_CHARACTERS, min_size=1, max_size=MAX_CALLBACK_BYTES // 4),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=MAX_CALLBACK_BYTES),
    st.builds(
        lambda prefix, parts: "|".join([prefix, *parts]),
        st.sampled_from(ROUTE_PREFIXES),
        st.lists(_PARTS, max_size=4),
    ),
    # The right number of parts for the route: past the handlers' shape checks.
    st.sampled_from(ROUTES).flatmap(
        lambda route: st.lists(
            (_HOSTILE_PARTS | _PARTS).filter(lambda part: "|" not in part),
            min_size=route.arity,
            max_size=route.arity,
        ).map(lambda parts: "|".join([route.prefix, *parts]))
    ),
).filter(_fits_telegram)

FIRST_NAMES = st.just("Ann") | st.text(_CHARACTERS, min_size=1, max_size=64)
LANGUAGES = st.sampled_from([None, "en", "ru", "en-GB", "ru-RU", "zh-hans", "de", "xx"])


def _png(width: int, height: int, seed: int) -> bytes:
    image = Image.new("RGB", (width, height), ((seed * 37) % 256, (seed * 91) % 256, seed % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_TINY_PNG = _png(4, 4, 0)
IMAGE_BYTES = st.one_of(
    st.binary(min_size=1, max_size=4096),
    # A real header, then garbage: the decoder gets past the first check.
    st.builds(lambda cut, junk: _TINY_PNG[:cut] + junk, st.integers(8, 40), st.binary()),
    st.builds(lambda junk: b"\xff\xd8\xff\xe0" + junk, st.binary(max_size=512)),
    # A header announcing 60000 × 60000 pixels (a decompression bomb) and no pixel data.
    st.just(_TINY_PNG[:16] + (60000).to_bytes(4, "big") * 2 + _TINY_PNG[24:]),
    # Tiny real pictures: they get past decoding into QR detection and OCR.
    st.builds(_png, st.integers(1, 48), st.integers(1, 48), st.integers(0, 255)),
)
CAPTIONS = st.none() | TEXTS.map(lambda caption: caption[:1024])
FILE_NAMES = st.sampled_from(["scan.png", "photo.jpg", "order.pdf", "noext", "😀.png", ".png"])
MIME_TYPES = st.sampled_from(
    ["image/png", "image/jpeg", "image/webp", "application/pdf", "application/octet-stream"]
)

SAY = st.builds(Say, TEXTS)
COMMAND = st.builds(Say, COMMAND_TEXTS)
FORWARD = st.builds(Forward, TEXTS, st.text(_CHARACTERS, min_size=1, max_size=30))
EDIT = st.builds(Edit, TEXTS | COMMAND_TEXTS)
PRESS = st.builds(Press, st.integers(min_value=0, max_value=30))
FORGE = st.builds(Forge, CALLBACK_DATA, st.booleans())
# Mostly hostile: Hypothesis draws uniformly, and this is where parsers break.
TAMPER = st.builds(Tamper, st.integers(0, 30), st.integers(0, 3), _HOSTILE_PARTS | _PARTS)
PHOTO = st.builds(Photo, IMAGE_BYTES, CAPTIONS)
FILE = st.builds(File, IMAGE_BYTES, FILE_NAMES, MIME_TYPES, CAPTIONS)
# A flow to be inside of when the junk arrives.
OPENERS = st.sampled_from(
    [f"/{name}" for name in ("start", "track", "dispute", "pay", "check", "spec", "register")]
    + [f"/{name}" for name in ("ip", "timezone", "quiet", "language", "privacy", "forgetme")]
).map(Say)
# Messages whose answers carry buttons with ids: an order card, a payment verdict (its
# feedback buttons), a link verdict.
ID_OPENERS = st.sampled_from(
    [
        "/track 2h30m mugs",
        "/track 6天23小时 fabric",
        "请转账到我私人账户 6222 0212 3456 7890 123 省税",
        "https://detail.1688.com/offer/123456789.html",
    ]
).map(Say)


def sessions(actions: st.SearchStrategy[Action], max_size: int = 4) -> st.SearchStrategy[Session]:
    return st.builds(
        Session, FIRST_NAMES, LANGUAGES, st.lists(actions, min_size=1, max_size=max_size)
    )


# -- the tests --------------------------------------------------------------------------


@hypothesis_settings(_FUZZ, max_examples=_examples(60))
@given(session=sessions(st.one_of(SAY, COMMAND, FORWARD, EDIT, PRESS)))
async def test_fuzzed_text_commands_and_edits_break_nothing(
    harness: Harness, session: Session
) -> None:
    await harness.play(session)


@dataclass(frozen=True)
class Snapshot:
    order: tuple[Any, ...]
    events: int
    reminders: tuple[tuple[Any, ...], ...]
    checks: tuple[tuple[Any, ...], ...]


async def _victim_snapshot(bot: BotApplication) -> Snapshot:
    async with bot.bot_data.sessions() as session:
        order = (
            await session.execute(
                text(
                    "SELECT id, state, label, deadline_at, extension_days, paused_seconds, "
                    "signed_at, pause_started_at FROM orders WHERE user_id = :user"
                ),
                {"user": VICTIM_ID},
            )
        ).one()
        events = (
            await session.execute(
                text("SELECT count(*) FROM order_events WHERE order_id = :order"),
                {"order": order[0]},
            )
        ).scalar_one()
        reminders = (
            await session.execute(
                text("SELECT id, kind, due_at, status FROM reminders WHERE user_id = :user"),
                {"user": VICTIM_ID},
            )
        ).all()
        checks = (
            await session.execute(
                text("SELECT id, verdict, feedback FROM payment_checks WHERE user_id = :user"),
                {"user": VICTIM_ID},
            )
        ).all()
    return Snapshot(tuple(order), events, tuple(map(tuple, reminders)), tuple(map(tuple, checks)))


@pytest.fixture
async def victim(harness: Harness, bot: BotApplication) -> Snapshot:
    """Another user with an order and a payment check: ids 1 in the fresh database, which
    forged buttons name often."""
    owner = ChatUser(harness.sandbox, VICTIM_ID, first_name="Vic", handled=harness.handled)
    await owner.says("/track 2h30m mugs")
    await owner.says("请转账到我私人账户 6222 0212 3456 7890 123 省税")
    # The order's immediate warning goes out on its own; wait until it has been marked.
    await until_no_reminder_is_due(bot)
    snapshot = await _victim_snapshot(bot)
    assert snapshot.order[0] == 1
    assert [check[0] for check in snapshot.checks] == [1]
    return snapshot


@hypothesis_settings(_FUZZ, max_examples=_examples(50))
@given(
    session=st.builds(
        lambda opener, rest: Session("Eve", "en", [*opener, *rest]),
        st.lists(OPENERS | ID_OPENERS | ID_OPENERS, max_size=2),
        st.lists(st.one_of(FORGE, FORGE, TAMPER, TAMPER, PRESS, SAY), min_size=1, max_size=4),
    )
)
@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_fuzzed_buttons_break_nothing_and_touch_nobody_elses_data(
    harness: Harness, victim: Snapshot, bot: BotApplication, session: Session
) -> None:
    await harness.play(session)

    assert await _victim_snapshot(bot) == victim


@hypothesis_settings(_FUZZ, max_examples=_examples(30))
@given(session=sessions(st.one_of(PHOTO, FILE, OPENERS), max_size=3))
async def test_fuzzed_pictures_and_files_break_nothing(harness: Harness, session: Session) -> None:
    await harness.play(session)


# Mostly real taps, with a little typing in between: deep into the question-by-question
# flows (supplier check, dispute, spec, registration), which short sessions rarely reach.
_WALK_STEPS = st.one_of(PRESS, PRESS, PRESS, st.builds(Say, SHORT_TEXTS), FORGE, TAMPER)


@hypothesis_settings(_FUZZ, max_examples=_examples(20))
@given(
    session=st.builds(
        lambda opener, steps: Session("Walt", "en", [opener, *steps]),
        OPENERS | ID_OPENERS,
        st.lists(_WALK_STEPS, min_size=4, max_size=14),
    )
)
async def test_fuzzed_long_walks_through_the_flows_break_nothing(
    harness: Harness, session: Session
) -> None:
    await harness.play(session)


# -- the checks can fail ---------------------------------------------------------------


async def test_the_harness_notices_what_reaches_the_error_handler(
    harness: Harness, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("sendMessage", 400, description="Bad Request: chat not found")

    with pytest.raises(AssertionError, match="error while handling an update"):
        await harness.play(Session("Ann", "en", [Say("/help")]))


async def test_the_harness_notices_a_value_postgresql_would_refuse(
    harness: Harness, bot: BotApplication
) -> None:
    await harness.play(Session("Ann", "en", [Say("/track 2h30m mugs")]))
    async with bot.bot_data.sessions() as session, session.begin():
        await session.execute(text("UPDATE orders SET label = :label"), {"label": "x" * 101})

    assert await database_problems(bot) == ["orders.label longer than 100: [(1,)]"]


# -- what the fuzzers found, kept as plain tests ------------------------------------------


async def test_a_link_of_thousands_of_characters_gets_a_verdict_telegram_accepts(
    ann: ChatUser,
) -> None:
    # As long as a Telegram message may be; the verdict around it must still fit in one.
    link = "https://s.1688.com/selloffer/offer_search.htm?keywords=" + "a" * 4000

    replies = await ann.says(link)

    assert "1688" in replies[0].text
    assert "a" * 900 + "…" in replies[0].text


@pytest.mark.parametrize("flow", ["/spec", "/register"])
@pytest.mark.parametrize("item", ["Is this payment safe", "Track an order", "Check a supplier"])
async def test_a_menu_button_pressed_inside_another_flow_is_answered_once(
    ann: ChatUser, sandbox: Sandbox, flow: str, item: str
) -> None:
    await ann.says(flow)
    await ann.says("/menu")
    before = len(sandbox.calls)

    replies = await ann.taps(item)

    answers = [c for c in sandbox.calls[before:] if c.method == "answerCallbackQuery"]
    assert [c.ok for c in answers] == [True]
    assert "something went wrong" not in "".join(m.text or "" for m in replies)


async def test_a_button_on_a_message_telegram_no_longer_shows_gets_a_new_message(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    await ann.says("/start")
    before = len(sandbox.calls)

    # A press on a deleted or very old message: Telegram sends an InaccessibleMessage.
    press = await sandbox.press_button(ann.user_id, 9999, "menu|help", forged=True)
    replies = await ann.replies(press)

    assert "How I can help" in replies[-1].text
    assert [c.method for c in sandbox.calls[before:] if not c.ok] == []


@pytest.mark.parametrize(
    "data",
    [
        "ord|²|ok",
        "ord|²|card",
        "ord|2147483648|ok",
        "ord|99999999999999999999|del",
        "ord|1|ext²",
        "ord|1|snz²",
        "payfb|²|right",
        "supl|²",
        "dsp|²|pick|none",
        "dsp|0|pick|²",
        "kbpage|x|²",
    ],
)
@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_forged_number_on_a_button_is_refused_politely(
    harness: Harness, data: str
) -> None:
    # "²" passes str.isdigit() and made int() raise; ids past 2**31 overflowed PostgreSQL's
    # INTEGER columns, past 2**63 SQLite's.
    await harness.play(Session("Ann", "en", [Say("/track 2h30m mugs"), Forge(data, False)]))


def test_every_route_prefix_is_fuzzed() -> None:
    # The discovery above must keep finding the routes (a refactor could hide them).
    assert {"menu", "ord", "dsp", "payfb", "supl", "trk", "tz"} <= set(ROUTE_PREFIXES)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", prefix) for prefix in ROUTE_PREFIXES)
