"""Payment checks as the user's history keeps them: the verdict and the codes of what was
found, the text only when the user opted in (masked), and their feedback on the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db import payment_checks
from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import PaymentCheck, Verdict

FEEDBACK_LABELS = payment_checks.FEEDBACK_LABELS


@dataclass(frozen=True)
class PaymentChecks:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    async def record(
        self, user_id: int, check: PaymentCheck, text: str, *, source: str, keep_text: bool
    ) -> int:
        """Store a verdict; returns the check's id, for the feedback buttons."""
        async with self.sessions.begin() as session:
            return await payment_checks.record_check(
                session,
                user_id,
                source=source,
                verdict=check.verdict.value,
                signal_codes=[signal.code for signal in check.signals],
                now=self.clock.now(),
                masked_text=mask_numbers(text) if keep_text else None,
            )

    async def feedback(self, user_id: int, check_id: int, label: str) -> bool:
        """The user's label on their own check; False when no such check is theirs."""
        async with self.sessions.begin() as session:
            return await payment_checks.set_feedback(
                session, user_id, check_id, label, self.clock.now()
            )

    async def recorded(self, user_id: int, check_id: int) -> tuple[Verdict, list[str]] | None:
        """The verdict and signal codes of the user's own check; None when it is not theirs
        or no longer kept."""
        async with self.sessions.begin() as session:
            found = await payment_checks.verdict_and_codes(session, user_id, check_id)
        if found is None or found[0] not in {verdict.value for verdict in Verdict}:
            return None
        return Verdict(found[0]), found[1]
