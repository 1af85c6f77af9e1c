"""Typed access to what handlers need: settings, database sessions, the user's preferences.

Follows python-telegram-bot's contexttypesbot example: no string-keyed `bot_data` lookups.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.clock import Clock, SystemClock
from bot.render.i18n import DEFAULT_LANGUAGE, translate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.adapters.llm import LanguageModel
    from bot.adapters.ocr import ImageReader
    from bot.config import Settings
    from bot.reminders.engine import ReminderEngine
    from bot.services.disputes import Disputes
    from bot.services.following import ParcelFollowing
    from bot.services.orders import ReminderPolicy
    from bot.services.parcels import Parcels
    from bot.services.payments import PaymentChecks
    from bot.services.stats import Reporting
    from bot.services.suppliers import SupplierChecks
    from bot.services.tracking import Tracking
    from bot.services.users import Users


class Services:
    """Process-wide services, filled in once by `bot.app.build_application`."""

    def __init__(self) -> None:
        self.clock: Clock = SystemClock()
        self._settings: Settings | None = None
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._vision: ImageReader | None = None
        self._reminder_policy: ReminderPolicy | None = None
        self.reminders: ReminderEngine | None = None
        # The optional language model; None means rules alone (no key or base URL set).
        self.llm: LanguageModel | None = None
        # Parcels followed through Kuaidi100; None unless KUAIDI100_KEY/CUSTOMER are set.
        self.following: ParcelFollowing | None = None
        self.migrate_on_start = True
        # Button presses this application has answered (handlers/replies.py).
        self.answered_presses = RecentIds()

    def attach(
        self, settings: Settings, engine: AsyncEngine, clock: Clock, *, migrate_on_start: bool
    ) -> None:
        from bot.db.engine import create_sessionmaker
        from bot.services.disputes import Disputes
        from bot.services.parcels import Parcels
        from bot.services.payments import PaymentChecks
        from bot.services.stats import Reporting
        from bot.services.suppliers import SupplierChecks
        from bot.services.tracking import Tracking
        from bot.services.users import Users

        self.clock = clock
        self._settings = settings
        self._engine = engine
        self._sessions = create_sessionmaker(engine)
        self.migrate_on_start = migrate_on_start
        self.suppliers: SupplierChecks = SupplierChecks(self._sessions, clock)
        self.tracking: Tracking = Tracking(
            self._sessions, clock, lambda: self.reminder_policy, self.note_new_reminders
        )
        self.users: Users = Users(
            self._sessions, clock, lambda: self.reminder_policy, self.note_new_reminders
        )
        self.payments: PaymentChecks = PaymentChecks(self._sessions, clock)
        self.reporting: Reporting = Reporting(self._sessions, clock)
        self.disputes: Disputes = Disputes(
            self._sessions, clock, lambda: self.reminder_policy, self.note_new_reminders
        )
        self.parcels: Parcels = Parcels(
            self._sessions,
            clock,
            lambda: self.reminder_policy,
            self.note_new_reminders,
            self.tracking,
        )

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("services used before build_application attached them")
        return self._engine

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("services used before build_application attached them")
        return self._settings

    @property
    def reminder_policy(self) -> ReminderPolicy:
        if self._reminder_policy is None:
            from bot.services.orders import ReminderPolicy

            self._reminder_policy = ReminderPolicy.from_settings(self.settings)
        return self._reminder_policy

    def note_new_reminders(self, due: Sequence[datetime]) -> None:
        """After a commit that planned reminders: wake the engine if one is due soon."""
        if self.reminders is not None and due:
            self.reminders.note_new_due(min(due))

    @property
    def vision(self) -> ImageReader:
        """The screenshot reader; built on first use, since its OCR models take memory."""
        if self._vision is None:
            from bot.adapters.ocr import ImageReader

            self._vision = ImageReader()
        return self._vision

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            raise RuntimeError("services used before build_application attached them")
        return self._sessions


class RecentIds:
    """Ids seen lately, the oldest forgotten first: enough to tell a repeat within seconds."""

    def __init__(self, remembered: int = 1024) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered

    def first(self, key: str) -> bool:
        """True the first time `key` is given, False after that (while remembered)."""
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        return True


@dataclass
class UserState:
    """What the bot remembers about a user between updates, refreshed from the database."""

    language: str = DEFAULT_LANGUAGE
    timezone: str | None = None
    keep_texts: bool = False
    # The answers given so far in the chat of the update being handled (`flow_chat`; None
    # before any was loaded): flows are per chat and user, so a /spec in one group and
    # one in another, or in the private chat, never mix (bot/runtime/persistence.py).
    flow: dict[str, object] = field(default_factory=dict)
    flow_chat: int | None = None


class BotContext(CallbackContext[ExtBot[None], UserState, dict[object, object], Services]):
    """The context every handler receives."""

    @property
    def services(self) -> Services:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def clock(self) -> Clock:
        return self.bot_data.clock

    @property
    def state(self) -> UserState:
        if self.user_data is None:  # channel posts and polls have no user
            return UserState()
        return self.user_data

    @property
    def language(self) -> str:
        return self.state.language

    def text(self, key: str, /, **values: object) -> str:
        """A catalogue text in this user's language."""
        return translate(self.language, key, **values)


CONTEXT_TYPES = ContextTypes(
    context=BotContext,
    bot_data=Services,
    chat_data=dict,
    user_data=UserState,
)

BotApplication = Application[
    ExtBot[None], BotContext, UserState, dict[object, object], Services, JobQueue[BotContext]
]
AnyHandler = BaseHandler[Update, BotContext, Any]
