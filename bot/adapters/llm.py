"""The optional OpenAI-compatible language model: one guarded way to ask it anything.

Every use goes through `LanguageModel.ask`, which gives back a validated pydantic object
or a reason why there is none. Callers always hold a rule-only answer already; the model
can only add to it. What this module guarantees:
- structured output only: the answer is parsed against a pydantic schema, and anything
  else (malformed JSON, a refusal, a cut-off answer, a body of any shape we did not
  expect, HTML included) counts as no answer, with one log line and no exception;
- bounded: one overall deadline per question (retries included), a process-wide
  concurrency limit, a per-user daily budget kept in the database (shared by instances,
  kept across restarts), and a cap on output tokens;
- retried: the openai client retries 429 and 5xx answers with exponential back-off and
  honours Retry-After, within the deadline;
- no agency: the model gets no tools; nothing it says changes data by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

import pydantic
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.adapters.prompts import PromptTemplate, new_nonce, untrusted_block
from bot.clock import Clock, SystemClock
from bot.db.models import LlmUsage

if TYPE_CHECKING:
    import openai
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from bot.config import Settings

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=pydantic.BaseModel)


class Miss(StrEnum):
    """Why the model gave nothing: each is answered by the rules alone."""

    DISABLED = "disabled"  # no OPENAI_API_KEY / OPENAI_BASE_URL
    BUDGET = "budget"  # the user's daily budget is spent
    FAILED = "failed"  # timeout, HTTP error after retries, malformed or refused answer


@dataclass(frozen=True)
class Outcome(Generic[Answer]):
    answer: Answer | None
    miss: Miss | None = None

    @property
    def ok(self) -> bool:
        return self.answer is not None


class UnusableAnswerError(ValueError):
    """A 200 answer without a usable message: no choices, no message, a refusal, no
    content."""


class LanguageModel:
    """The client, its limits and its budget. One per process (see bot.context.Services)."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession] | None,
        clock: Clock | None = None,
    ) -> None:
        # Imported here: the client library takes ~1 s to import, a cost a bot without a
        # model should not pay at every start.
        import openai

        self._settings = settings
        self._sessions = sessions
        # The daily budget is counted per UTC day.
        self._clock = clock or SystemClock()
        self._slots = asyncio.Semaphore(settings.openai_max_concurrency)
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        self._client: openai.AsyncOpenAI = openai.AsyncOpenAI(
            # A local server usually wants no key, but the client insists on one.
            api_key=key or "no-key",
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout_seconds,
            max_retries=settings.openai_max_retries,
        )

    @property
    def model(self) -> str:
        return self._settings.openai_model

    async def close(self) -> None:
        await self._client.close()

    async def ask(
        self,
        prompt: PromptTemplate,
        schema: type[Answer],
        *,
        user_id: int | None,
        values: Mapping[str, str] = {},
        untrusted: Mapping[str, str] = {},
    ) -> Outcome[Answer]:
        """Ask with `prompt`, filled with trusted `values` and fenced `untrusted` texts
        (each slot `{{name}}` of the template gets `untrusted[name]` as a data block; the
        slot `{{nonce}}` tells the system prompt which fence is ours)."""
        if user_id is not None and not await self._spend(user_id):
            return Outcome(None, Miss.BUDGET)
        nonce = new_nonce()
        filled = dict(values)
        for name, text in untrusted.items():
            filled[name] = untrusted_block(name, text, nonce)
        if "nonce" in prompt.slots:
            filled["nonce"] = nonce
        system, user = prompt.render(filled)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._settings.openai_timeout_seconds):
                async with self._slots:
                    answer = await self._parse(system, user, schema)
        except Exception as error:
            # TimeoutError; OpenAIError (HTTP errors after the retries, the "length" and
            # "content filter" finish reasons); pydantic's ValidationError and ValueError
            # (malformed JSON, wrong JSON types, UnusableAnswerError); and any shape we did
            # not expect: a 200 whose body is HTML, `choices` as a string or `message: null`
            # makes the client library raise AttributeError, TypeError or KeyError before
            # we see the body. The caller holds the rules' answer; it must get it.
            self._log_miss(prompt, error)
            return Outcome(None, Miss.FAILED)
        log.info(
            "model %s answered %s in %.1f s",
            self.model,
            prompt.label,
            time.perf_counter() - started,
        )
        return Outcome(answer)

    def _log_miss(self, prompt: PromptTemplate, error: Exception) -> None:
        """The one log line of an answer we could not use: the error's type and, for an
        answer we judged unusable, why; never the model's words."""
        reason = f": {error}" if isinstance(error, UnusableAnswerError) else ""
        log.warning(
            "model %s (%s) gave no answer: %s%s",
            self.model,
            prompt.label,
            type(error).__name__,
            reason,
        )

    async def _parse(self, system: str, user: str, schema: type[Answer]) -> Answer:
        completion = await self._client.chat.completions.parse(
            model=self.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format=schema,
            temperature=0,
            # max_tokens, not max_completion_tokens: local OpenAI-compatible servers know it.
            max_tokens=self._settings.openai_max_output_tokens,
        )
        # The client builds its objects without validating them, so every level is checked
        # here: a server may answer 200 with anything.
        choices = getattr(completion, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise UnusableAnswerError("no choices")
        message = getattr(choices[0], "message", None)
        if message is None:
            raise UnusableAnswerError("no message")
        if getattr(message, "refusal", None):
            raise UnusableAnswerError("refused")
        parsed = getattr(message, "parsed", None)
        if not isinstance(parsed, schema):
            raise UnusableAnswerError("no content")
        return parsed

    async def _spend(self, user_id: int) -> bool:
        """Take one request from today's budget; False when it is spent."""
        limit = self._settings.openai_daily_requests_per_user
        if limit <= 0 or self._sessions is None:
            return limit > 0
        async with self._sessions() as session, session.begin():
            return await spend_one(session, user_id, self._clock.now().date(), limit)


async def spend_one(session: AsyncSession, user_id: int, day: date, limit: int) -> bool:
    """One conditional upsert: counts a request unless `limit` is reached, atomically, so
    two instances serving one user cannot both take the last request."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(LlmUsage)
        .values(user_id=user_id, day=day, requests=1)
        .on_conflict_do_update(
            index_elements=[LlmUsage.user_id, LlmUsage.day],
            set_={"requests": LlmUsage.requests + 1},
            where=LlmUsage.requests < limit,
        )
        .returning(LlmUsage.requests)
    )
    counted = (await session.execute(statement)).scalar_one_or_none()
    return counted is not None


async def requests_today(session: AsyncSession, user_id: int, day: date) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(LlmUsage.requests), 0)).where(
            LlmUsage.user_id == user_id, LlmUsage.day == day
        )
    )
    return int(total or 0)
