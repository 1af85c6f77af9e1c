"""Free questions answered by the model from the guide sections the search found.

The model sees only our own guides (trusted) and the question (fenced). Its answer counts
only when it cites at least one of the sections it was given: an answer that names no
source, or a source it was not shown, is not grounded and not shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pydantic

from bot.adapters.llm import LanguageModel, Miss
from bot.adapters.prompts import template
from bot.assist.guides import Section

# Enough context for a follow-up question, little enough to keep each request cheap.
MAX_SECTION_CHARS = 1800


class GuideAnswer(pydantic.BaseModel):
    status: Literal["answered", "not_in_guides", "off_topic"]
    answer: str
    sources: list[str]


@dataclass(frozen=True)
class GroundedAnswer:
    text: str  # the model's words, still raw: escape before showing
    sources: tuple[Section, ...]  # the cited sections, best first


@dataclass(frozen=True)
class AnswerResult:
    answer: GroundedAnswer | None = None
    not_covered: bool = False  # the model read the sections and found no answer
    miss: Miss | None = None


def section_id(section: Section) -> str:
    return f"{section.guide}#{section.anchor}"


def sections_block(sections: Sequence[Section]) -> str:
    return "\n\n".join(
        f"[{section_id(section)}] {section.title}\n{section.text[:MAX_SECTION_CHARS]}"
        for section in sections
    )


async def answer_from_guides(
    model: LanguageModel,
    question: str,
    sections: Sequence[Section],
    *,
    language: str,
    user_id: int | None,
) -> AnswerResult:
    outcome = await model.ask(
        template("answer_question"),
        GuideAnswer,
        user_id=user_id,
        values={"language": language, "sections": sections_block(sections)},
        untrusted={"question": question},
    )
    if outcome.answer is None:
        return AnswerResult(miss=outcome.miss)
    reply = outcome.answer
    if reply.status != "answered":
        return AnswerResult(not_covered=True)
    by_id = {section_id(section): section for section in sections}
    cited = tuple(dict.fromkeys(by_id[s] for s in reply.sources if s in by_id))
    if not cited or not reply.answer.strip():
        # Words without a source we gave it: not grounded, so not shown.
        return AnswerResult(miss=Miss.FAILED)
    return AnswerResult(answer=GroundedAnswer(reply.answer.strip(), cited))
