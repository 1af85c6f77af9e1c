"""Query functions for the `users` table.

Every function takes an open AsyncSession and leaves committing to the caller, so a
handler can group several calls in one transaction:

    async with sessionmaker.begin() as session:
        user = await touch_user(session, telegram_id, language=code, now=now)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.compiled import Precompiled
from bot.db.models import User
from bot.domain.warehouses import Warehouse


async def touch_user(
    session: AsyncSession, telegram_id: int, *, language: str | None = None, now: datetime
) -> User:
    """Record that the user just reached the bot; create them on first contact.

    - `last_seen_at` becomes `now`; `created_at` is set only on creation.
    - `language` is the hint Telegram sends with every update. It fills an empty
      language but never replaces a stored one: that may be the user's own choice
      (`set_language`), and a phone's locale must not undo it. None changes nothing.
    - The user is marked not blocked: someone who writes to the bot can receive from it.

    One INSERT … ON CONFLICT statement, so concurrent first messages cannot collide.
    """
    insert = _insert_for(session).values(
        telegram_id=telegram_id,
        language=language,
        created_at=now,
        last_seen_at=now,
        blocked=False,
        blocked_at=None,
    )
    upsert = insert.on_conflict_do_update(
        index_elements=[User.telegram_id],
        set_={
            "last_seen_at": insert.excluded.last_seen_at,
            "language": func.coalesce(User.language, insert.excluded.language),
            "blocked": False,
            "blocked_at": None,
        },
    ).returning(User)
    result = await session.scalars(upsert, execution_options={"populate_existing": True})
    return result.one()


@dataclass(frozen=True)
class Arrival:
    """What every update needs to know about its user, as `arrive` found them."""

    language: str | None
    timezone: str | None
    keep_texts: bool
    was_blocked: bool  # they had blocked the bot; they are not blocked any more


def _build_arrival(dialect: str) -> Any:
    insert = _insert_for_dialect(dialect).values(
        telegram_id=bindparam("telegram_id"),
        language=bindparam("language"),
        created_at=bindparam("now"),
        last_seen_at=bindparam("now"),
        blocked=False,
        blocked_at=None,
    )
    # `blocked` is left as it was, to be returned: the rare unblocking is a second statement.
    return insert.on_conflict_do_update(
        index_elements=[User.telegram_id],
        set_={
            "last_seen_at": insert.excluded.last_seen_at,
            "language": func.coalesce(User.language, insert.excluded.language),
        },
    ).returning(User.language, User.timezone, User.keep_texts, User.blocked)


_ARRIVAL = Precompiled(_build_arrival)


async def arrive(
    session: AsyncSession, telegram_id: int, *, language: str | None = None, now: datetime
) -> Arrival:
    """`touch_user` in one statement for an update's way in (bot/runtime/users.py), also
    telling whether the user had blocked the bot, without loading a `User` object."""
    row = (
        await _ARRIVAL.execute(
            session, {"telegram_id": telegram_id, "language": language, "now": now}
        )
    ).one()
    stored_language, timezone, keep_texts, was_blocked = row
    if was_blocked:
        await session.execute(
            update(User)
            .where(User.telegram_id == telegram_id)
            .values(blocked=False, blocked_at=None)
            .execution_options(synchronize_session=False)
        )
    return Arrival(stored_language, timezone, bool(keep_texts), bool(was_blocked))


def _insert_for(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    return _insert_for_dialect(session.get_bind().dialect.name)


def _insert_for_dialect(dialect: str) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(User)
    if dialect == "sqlite":
        return sqlite.insert(User)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.get(User, telegram_id)


async def set_language(
    session: AsyncSession, telegram_id: int, language: str | None
) -> User | None:
    """Store the user's chosen language (None: follow Telegram's hint again).

    Returns the updated user, or None when there is no such user.
    """
    user = await session.get(User, telegram_id)
    if user is not None:
        user.language = language
        await session.flush()
    return user


async def set_quiet_hours(
    session: AsyncSession, telegram_id: int, hours: tuple[int, int] | None
) -> User | None:
    """Quiet hours (from, to) in the user's zone, or None for none."""
    if hours is not None and not all(0 <= hour <= 23 for hour in hours):
        raise ValueError(f"quiet hours out of range: {hours}")
    user = await session.get(User, telegram_id)
    if user is not None:
        user.quiet_from_hour, user.quiet_to_hour = hours if hours else (None, None)
        await session.flush()
    return user


async def set_keep_texts(session: AsyncSession, telegram_id: int, keep: bool) -> User | None:
    """Opt in or out of keeping the (masked) texts of checked messages."""
    user = await session.get(User, telegram_id)
    if user is not None:
        user.keep_texts = keep
        await session.flush()
    return user


async def set_warehouse(
    session: AsyncSession, telegram_id: int, warehouse: Warehouse | None
) -> User | None:
    """Store where the user's goods should be signed for, or forget it with None."""
    user = await session.get(User, telegram_id)
    if user is not None:
        user.warehouse_city = warehouse.city if warehouse else None
        user.warehouse_district = warehouse.district if warehouse else None
        user.warehouse_phone4 = warehouse.phone4 if warehouse else None
        await session.flush()
    return user


def warehouse_of(user: User | None) -> Warehouse | None:
    if user is None or not user.warehouse_city:
        return None
    return Warehouse(user.warehouse_city, user.warehouse_district, user.warehouse_phone4)


async def set_timezone(
    session: AsyncSession, telegram_id: int, timezone: str | None
) -> User | None:
    """Store the user's IANA time zone (e.g. "Europe/Berlin"), or clear it with None.

    Raises ValueError for a name the zone database does not know, so a typo can never
    reach the reminder engine. Returns None when there is no such user.
    """
    if timezone is not None:
        _check_timezone(timezone)
    user = await session.get(User, telegram_id)
    if user is not None:
        user.timezone = timezone
        await session.flush()
    return user


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


async def set_blocked(
    session: AsyncSession, telegram_id: int, blocked: bool, now: datetime
) -> User | None:
    """Mark whether the user has blocked the bot (Telegram answered 403, or they unblocked).

    `blocked_at` keeps the moment of the first block and is cleared on unblock.
    Returns None when there is no such user.
    """
    user = await session.get(User, telegram_id)
    if user is None:
        return None
    if blocked and not user.blocked:
        user.blocked_at = now
    if not blocked:
        user.blocked_at = None
    user.blocked = blocked
    await session.flush()
    return user


async def delete_user(session: AsyncSession, telegram_id: int) -> bool:
    """Delete the user and, through ON DELETE CASCADE, every row that references them.

    This is `/forgetme`. Tables added later must reference `users.telegram_id` with
    `ondelete="CASCADE"` for it to stay complete (SQLite enforces it because the engine
    turns foreign keys on). Returns False when there was no such user.
    """
    statement = delete(User).where(User.telegram_id == telegram_id).returning(User.telegram_id)
    deleted = await session.scalars(statement)
    return deleted.one_or_none() is not None


async def count_users(session: AsyncSession, *, include_blocked: bool = True) -> int:
    statement = select(func.count()).select_from(User)
    if not include_blocked:
        statement = statement.where(User.blocked.is_(False))
    return (await session.scalars(statement)).one()
