"""Every button the bot draws belongs to one route of handlers/routes.py: declared once,
answered by a handler, and never longer than Telegram's 64 bytes."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.app import build_application
from bot.config import PROJECT_ROOT, Settings
from handlers.callback_data import MAX_CALLBACK_BYTES, CallbackRoute
from handlers.routes import ROUTES
from tests.conftest import BOT_TOKEN


def test_each_prefix_is_declared_once() -> None:
    prefixes = Counter(route.prefix for route in ROUTES)
    assert [prefix for prefix, count in prefixes.items() if count > 1] == []


def test_no_route_is_declared_outside_the_table() -> None:
    declared = re.compile(r"\bCallbackRoute\(")
    outside = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("bot", "handlers")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path.name not in ("routes.py", "callback_data.py") and declared.search(path.read_text())
    ]
    assert outside == []


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.prefix)
def test_the_longest_data_of_every_route_fits_telegram(route: CallbackRoute) -> None:
    assert route.longest <= MAX_CALLBACK_BYTES
    widest = route.pack(*("9" * width for width in route.widths))
    assert len(widest.encode()) == route.longest


def _callback_patterns(handlers: list[BaseHandler]) -> list[re.Pattern[str]]:  # type: ignore[type-arg]
    found: list[re.Pattern[str]] = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            inner += [h for state in handler.states.values() for h in state]
            found += _callback_patterns(inner)
        elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
            # (The one without a pattern is handlers/fallback.py's answer to stale buttons.)
            assert isinstance(handler.pattern, re.Pattern), handler.callback
            found.append(handler.pattern)
    return found


@pytest.fixture(scope="module")
def patterns(tmp_path_factory: pytest.TempPathFactory) -> list[re.Pattern[str]]:
    folder = tmp_path_factory.mktemp("routes")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        # With a model configured the AI helper's buttons are wired too.
        openai_base_url="http://127.0.0.1:9/v1",
    )
    application = build_application(settings, migrate=False)
    return _callback_patterns([h for group in application.handlers.values() for h in group])


def _starts_with(pattern: re.Pattern[str], route: CallbackRoute) -> bool:
    return pattern.pattern.startswith(f"^{re.escape(route.prefix)}")


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.prefix)
def test_every_route_has_a_handler(route: CallbackRoute, patterns: list[re.Pattern[str]]) -> None:
    assert any(_starts_with(pattern, route) for pattern in patterns)


def test_every_button_handler_answers_a_declared_route(
    patterns: list[re.Pattern[str]],
) -> None:
    strays = [p.pattern for p in patterns if not any(_starts_with(p, r) for r in ROUTES)]
    assert strays == []


def test_prefixes_are_not_prefixes_of_each_other_in_patterns() -> None:
    """`trk` and `trkpage` share letters: a route's pattern must stop at its separator."""
    for route in ROUTES:
        for other in ROUTES:
            if other is not route:
                assert not route.pattern.match(other.pack(*("x" * w for w in other.widths)))
