"""An update whose handling fails on the database is given back to be retried, not done
(bot/runtime/delivery.py), and which database errors count as passing ones."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.db import processed_updates
from bot.db.engine import is_read_only_error, is_transient_database_error
from bot.db.models import ProcessedUpdate
from bot.runtime.delivery import DATABASE_ATTEMPTS, DatabaseFailure, Deliveries, Outcome

BOT = 7


class FlakyHandler:
    """Fails on the database the first `failures` times it is asked to handle an update."""

    def __init__(self, deliveries: Deliveries, failures: int) -> None:
        self.deliveries = deliveries
        self.failures = failures
        self.told: list[DatabaseFailure] = []
        self.handled = 0

    async def __call__(self, update: object) -> None:
        assert isinstance(update, Update)
        if self.failures > 0:
            self.failures -= 1
            failure = self.deliveries.database_failed(update.update_id)
            assert failure is not None
            if failure.tell_user:
                self.told.append(failure)
            return
        self.handled += 1


async def done_at(sessionmaker: async_sessionmaker[AsyncSession], update_id: int) -> object:
    async with sessionmaker() as session:
        return await session.scalar(
            select(ProcessedUpdate.done_at).where(ProcessedUpdate.update_id == update_id)
        )


async def test_a_database_failure_gives_the_update_back_and_the_retry_handles_it(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    deliveries = Deliveries(sessionmaker, BOT)
    handler = FlakyHandler(deliveries, failures=3)
    update = Update(update_id=100)

    outcomes = [await deliveries.deliver(update, handler) for _ in range(4)]

    assert outcomes == [Outcome.NOT_TAKEN] * 3 + [Outcome.HANDLED]
    assert handler.handled == 1
    assert await done_at(sessionmaker, 100) is not None
    # Told once, that it will be retried; not again on each attempt.
    assert handler.told == [DatabaseFailure(attempt=1, retrying=True)]


async def test_an_update_that_keeps_failing_is_given_up_and_the_user_asked_to_resend(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    deliveries = Deliveries(sessionmaker, BOT)
    handler = FlakyHandler(deliveries, failures=DATABASE_ATTEMPTS + 5)
    update = Update(update_id=101)

    outcomes = [await deliveries.deliver(update, handler) for _ in range(DATABASE_ATTEMPTS)]

    assert outcomes == [Outcome.NOT_TAKEN] * (DATABASE_ATTEMPTS - 1) + [Outcome.HANDLED]
    assert handler.told == [
        DatabaseFailure(attempt=1, retrying=True),
        DatabaseFailure(attempt=DATABASE_ATTEMPTS, retrying=False),
    ]
    assert await deliveries.deliver(update, handler) is Outcome.DUPLICATE


async def test_a_claim_that_cannot_be_given_back_is_still_retried_here(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries = Deliveries(sessionmaker, BOT)
    handler = FlakyHandler(deliveries, failures=1)
    update = Update(update_id=102)

    async def refused(*_: object) -> bool:
        raise OperationalError("DELETE", {}, sqlite3.OperationalError("readonly database"))

    with monkeypatch.context() as patched:
        patched.setattr(processed_updates, "release_update", refused)
        assert await deliveries.deliver(update, handler) is Outcome.NOT_TAKEN

    # The row still looks busy to everyone else; this process knows the claim is its own.
    assert await deliveries.deliver(update, handler) is Outcome.HANDLED
    assert handler.handled == 1


def driver_error(message: str, code: str | None = None) -> Exception:
    error = Exception(message)
    error.pgcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (
            OperationalError(
                "INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")
            ),
            True,
        ),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")), True),
        (OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x")), False),
        (IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), False),
        (ConnectionRefusedError(), True),
        (ValueError("a bug"), False),
    ],
)
def test_which_database_errors_are_worth_a_retry(error: Exception, transient: bool) -> None:
    assert is_transient_database_error(error) is transient


def test_a_postgresql_read_only_transaction_is_recognised() -> None:
    assert is_read_only_error(
        driver_error("cannot execute INSERT in a read-only transaction", "25006")
    )
    assert not is_read_only_error(driver_error("duplicate key", "23505"))


async def test_a_failure_after_the_update_was_let_go_is_not_promised_a_retry(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    deliveries = Deliveries(sessionmaker, BOT)

    async def handled_fine(_: object) -> None:
        return None

    assert await deliveries.deliver(Update(update_id=103), handled_fine) is Outcome.HANDLED
    # A handler that kept running on its own fails later: nothing is left to give back.
    assert deliveries.database_failed(103) is None
