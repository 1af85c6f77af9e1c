"""The declarative base every table derives from, and the column types they share."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Explicit constraint names, so migrations can drop and alter constraints by name on
# every backend (SQLite's batch mode needs them to recreate tables faithfully).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


Member = TypeVar("Member", bound=StrEnum)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores it as `timestamptz`. SQLite has no time zones, so values are
    converted to UTC before they are written and marked UTC again when read. Naive
    datetimes are refused on write: their meaning depends on the machine's clock
    settings, and guessing is how reminders end up an hour (or eight) off.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            # SQLite hands back exactly what was written, which was UTC.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumText(TypeDecorator[Member]):
    """A StrEnum member in Python, its value in a VARCHAR in the database.

    Plain text rather than a database ENUM: adding a member needs no migration, and the
    partial indexes on `status = 'pending'` keep working on both backends. Unknown text
    read back raises ValueError: a status the code does not know must not pass silently.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[Member], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Member | str | None, dialect: Dialect) -> str | None:
        # Plain strings are accepted too (query helpers, tests), if they name a member.
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Member | None:
        return None if value is None else self.enum_class(value)
