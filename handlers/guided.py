"""One engine for every question-by-question flow: /register, /spec, the supplier check,
/dispute and the /track steps are declared as data (`GuidedFlow`, `Question`) and run here.

What every flow gets from this module, written once:
- one state shape (`FlowState`), kept in the user's flow state under the flow's name and
  stored in the database with the conversation (bot/runtime/persistence.py), so a restart
  or another bot process carries on at the same question with the same answers;
- the question with its buttons: choices, ticks for several answers and Done, Skip, Back
  to the previous question, the flow's own rows (a copy button);
- typed answers through the question's parser, and text that is not an answer (a link
  pasted in the middle of a question) through the flow's hook, the question asked again
  below it;
- stale and forged buttons refused with the flow's alert; a button whose flow was lost
  (an expired conversation) rebuilt by the flow's `resume`, or refused;
- the way out: /cancel and every global command (handlers/cancel.py), and the idle
  timeout, kept in the database (`StoredConversation`).

A button carries `prefix|<step>|<value>`, or `prefix|<subject>|<step>|<value>` for flows
about one thing (the order a dispute is about).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.context import AnyHandler, BotContext
from handlers.callback_data import CallbackRoute, parse_number
from handlers.conversation import StoredConversation
from handlers.replies import acknowledge, replace_or_reply, reply

ASKING = 1
END = ConversationHandler.END
SKIP, BACK, DONE, NONE = "skip", "back", "done", "none"
NO_SUBJECT = 0
FRESH = ~tg_filters.UpdateType.EDITED
TYPED_TEXT = tg_filters.TEXT & ~tg_filters.COMMAND & FRESH
TYPED_TEXT_OR_CAPTION = (tg_filters.TEXT | tg_filters.CAPTION) & ~tg_filters.COMMAND & FRESH

Json = Any  # what json.dumps takes: the state is stored as JSON


# -- the state ------------------------------------------------------------------------------


@dataclass
class FlowState:
    """Where a user is in one flow: the one shape every flow keeps."""

    step: str | None = None  # the question on screen; None before the first and after the last
    answers: dict[str, Json] = field(default_factory=dict)  # by step; None means skipped
    done: list[str] = field(default_factory=list)  # steps finished in this walk, in order
    history: list[str] = field(default_factory=list)  # steps Back can return to, in order
    ticked: list[str] = field(default_factory=list)  # ticks of a several-answer question
    subject: int | None = None  # what the flow is about (an order), when it is about one
    notes: dict[str, Json] = field(default_factory=dict)  # the flow's own remarks

    def to_json(self) -> dict[str, Json]:
        return {
            "step": self.step,
            "answers": self.answers,
            "done": self.done,
            "history": self.history,
            "ticked": self.ticked,
            "subject": self.subject,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, saved: object) -> FlowState | None:
        """The state as stored, or None for anything that is not one (an older shape)."""
        if not isinstance(saved, dict):
            return None
        try:
            return cls(
                step=_optional_str(saved.get("step")),
                answers=dict(saved.get("answers") or {}),
                done=[str(step) for step in saved.get("done") or []],
                history=[str(step) for step in saved.get("history") or []],
                ticked=[str(value) for value in saved.get("ticked") or []],
                subject=_optional_int(saved.get("subject")),
                notes=dict(saved.get("notes") or {}),
            )
        except (TypeError, ValueError):
            return None

    def answer(self, step: str) -> Json:
        return self.answers.get(step)

    def record(self, step: str, value: Json, *, revisitable: bool = True) -> None:
        self.answers[step] = value
        if step not in self.done:
            self.done.append(step)
        if revisitable:
            self.history = [*(s for s in self.history if s != step), step]

    def preset(self, answers: dict[str, Json]) -> None:
        """Answers known before asking (a pasted profile, an order's saved dispute): their
        questions are not asked."""
        for step, value in answers.items():
            self.answers[step] = value
            if step not in self.done:
                self.done.append(step)


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- one turn of a conversation -------------------------------------------------------------


@dataclass
class Turn:
    """An update being handled inside a flow: what parsers, prompts and hooks are given."""

    update: Update
    context: BotContext
    flow: GuidedFlow
    state: FlowState

    @property
    def language(self) -> str:
        return self.context.language

    def text(self, key: str, /, **values: object) -> str:
        return self.context.text(key, **values)

    @property
    def pressed(self) -> bool:
        """A button was pressed: the answer replaces the question's message in place."""
        return self.update.callback_query is not None

    def save(self) -> None:
        self.context.state.flow[self.flow.name] = self.state.to_json()

    def forget(self) -> None:
        self.context.state.flow.pop(self.flow.name, None)


# -- what a typed answer turned out to be --------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The answer to the question; `also` answers later questions at the same time (a
    countdown typed with the order's name)."""

    value: Json
    lead: str = ""
    also: dict[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """Not an answer: say why, and ask again."""

    text: str


@dataclass(frozen=True)
class Handled:
    """The parser answered the user itself; `ended` when that ended the flow."""

    ended: bool = False


Outcome = Answer | Problem | Handled
Parser = Callable[[Turn, str], Awaitable[Outcome]]
Hook = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


# -- the declarations ---------------------------------------------------------------------


def _always(_state: FlowState) -> bool:
    return True


def _no_choices(_turn: Turn) -> Sequence[Choice]:
    return ()


def _no_rows(_turn: Turn) -> list[list[InlineKeyboardButton]]:
    return []


def _ticks_given(state: FlowState) -> list[str]:
    """The ticks of the last answer to the question on screen: coming Back (or to a saved
    walk) shows what was ticked."""
    given = state.answers.get(state.step) if state.step else None
    return [str(value) for value in given] if isinstance(given, list) else []


@dataclass(frozen=True)
class Question:
    """One question of a flow.

    `choices` are its buttons (computed per turn: labels are in the user's language and
    may depend on earlier answers). With `multi`, choices are ticked and `Done` answers
    with the list of ticks, starting from `preset_ticks`. `typed` reads typed text; without
    it, text goes to the flow's `on_text`. `applies` leaves the question out (a follow-up
    that only matters after some answer). `revisitable` questions can be returned to with
    Back.
    """

    code: str
    prompt: Callable[[Turn], str]
    choices: Callable[[Turn], Sequence[Choice]] = _no_choices
    row_sizes: tuple[int, ...] = ()  # choices per row, in order; the rest one per row
    multi: bool = False
    preset_ticks: Callable[[FlowState], list[str]] = _ticks_given
    none_choice: bool = False  # with `multi`: a "None of these" button next to Done
    typed: Parser | None = None
    skippable: bool = True
    applies: Callable[[FlowState], bool] = _always
    revisitable: bool = True
    top_rows: Callable[[Turn], list[list[InlineKeyboardButton]]] = _no_rows
    extra_rows: Callable[[Turn], list[list[InlineKeyboardButton]]] = _no_rows
    hint: str | None = None  # what to say to a non-answer, if not the flow's `use_buttons`
    repeat_prompt: bool = True  # show the question again under a hint or a problem


@dataclass(frozen=True)
class FlowTexts:
    """Catalogue keys of the words every flow has, in the flow's own voice."""

    stale: str  # alert for a button of an earlier question
    use_buttons: str  # text that answers nothing, or something that is not text
    skip: str | None = None  # needed when a question can be skipped
    expired: str | None = None  # the flow is over or was lost (default: `use_buttons`)
    done: str = "btn_done"
    none: str = "btn_none_of_these"
    back: str = "btn_back"
    progress: str | None = None  # "Question {number} of {total}"


async def _answer_nothing(turn: Turn, question: Question, value: Json) -> str:
    return ""


async def _finish_nothing(turn: Turn, lead: str) -> None:
    """For flows whose last answer is acted on as it comes (a payment request's verdict)."""


@dataclass(frozen=True)
class GuidedFlow:
    """A whole flow, declared. `finish` gets the turn after the last question, with the
    lead the last answer produced. `on_answer` acts on an answer (writes it to the order,
    reacts in a line) and returns that line. `on_text` takes text that answers nothing
    (default: the hint); `on_button` takes buttons of the flow that are not answers
    (a summary's "again"); `resume` rebuilds a state that was lost, for the subject a
    button names."""

    name: str
    route: CallbackRoute | None  # None: a flow of typed answers only
    questions: tuple[Question, ...]
    texts: FlowTexts
    finish: Callable[[Turn, str], Awaitable[None]] = _finish_nothing
    idle: timedelta = timedelta(minutes=60)
    with_subject: bool = False
    keep_after_finish: bool = False
    typed_filter: tg_filters.BaseFilter = TYPED_TEXT
    on_answer: Callable[[Turn, Question, Json], Awaitable[str]] = _answer_nothing
    on_text: Callable[[Turn, str], Awaitable[None]] | None = None
    on_button: Callable[[Turn, str, str], Awaitable[int]] | None = None
    resume: Callable[[Update, BotContext, int, str], Awaitable[FlowState | None]] | None = None
    finish_early: str | None = None  # catalogue key of a "Finish now" button, once answered
    # What stays recorded if the user stops now (/cancel tells them); None: nothing.
    on_cancel: Callable[[Turn], str | None] | None = None

    def question(self, code: str | None) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def data(self, state: FlowState, step: str, value: str | int) -> str:
        if self.route is None:
            raise ValueError(f"{self.name} has no buttons of its own")
        if self.with_subject:
            return self.route.pack(state.subject or NO_SUBJECT, step, value)
        return self.route.pack(step, value)

    def unpack(self, data: str | None) -> tuple[int | None, str, str] | None:
        """(subject, step, value) of a button of this flow; None for stale or forged data."""
        parts = self.route.unpack(data) if self.route is not None else None
        if parts is None:
            return None
        if not self.with_subject:
            return None, parts[0], parts[1]
        subject = parse_number(parts[0])
        if subject is None:
            return None
        return subject or None, parts[1], parts[2]

    # -- the state in the user's flow state -------------------------------------------

    def load(self, context: BotContext) -> FlowState | None:
        return FlowState.from_json(context.state.flow.get(self.name))

    def turn(self, update: Update, context: BotContext, state: FlowState) -> Turn:
        return Turn(update, context, self, state)

    def forget(self, context: BotContext) -> None:
        context.state.flow.pop(self.name, None)

    def recorded(self, turn: Turn) -> str | None:
        return self.on_cancel(turn) if self.on_cancel is not None else None

    # -- running it -------------------------------------------------------------------

    async def begin(
        self, update: Update, context: BotContext, state: FlowState, lead: str = ""
    ) -> int:
        """Start (or restart) the flow with `state`: ask its first open question."""
        return await self.ask_next(self.turn(update, context, state), lead)

    def end(self, turn: Turn) -> int:
        """The flow is over without finishing (the answer came in one go, or never)."""
        turn.forget()
        return END

    def waiting(self, turn: Turn, step: str) -> int:
        """Stay at `step` after an answer handled outside the questions (a model's offer)."""
        turn.state.step = step
        turn.save()
        return ASKING

    async def ask_next(self, turn: Turn, lead: str = "") -> int:
        question = self._next_question(turn.state)
        if question is None:
            turn.state.step = None
            await self.finish(turn, lead)
            if self.keep_after_finish:
                turn.save()
            else:
                turn.forget()
            return END
        turn.state.step = question.code
        turn.state.ticked = list(question.preset_ticks(turn.state)) if question.multi else []
        turn.save()
        await self.show(turn, question, lead)
        return ASKING

    def _next_question(self, state: FlowState) -> Question | None:
        return next(
            (q for q in self.questions if q.code not in state.done and q.applies(state)), None
        )

    async def show(self, turn: Turn, question: Question, lead: str = "") -> None:
        text = "\n\n".join(part for part in (lead, self._question_text(turn, question)) if part)
        keyboard = self.keyboard(turn, question)
        if turn.pressed:
            # A tap turns its question into the next one: one message for the whole flow.
            await replace_or_reply(turn.update, text, keyboard)
        else:
            await reply(turn.update, text, keyboard)

    def _question_text(self, turn: Turn, question: Question) -> str:
        text = question.prompt(turn)
        if self.texts.progress is None:
            return text
        number = self.questions.index(question) + 1
        progress = turn.text(self.texts.progress, number=number, total=len(self.questions))
        return f"{progress}\n{text}"

    def keyboard(self, turn: Turn, question: Question) -> InlineKeyboardMarkup | None:
        state = turn.state

        def button(label: str, value: str) -> InlineKeyboardButton:
            return InlineKeyboardButton(
                label, callback_data=self.data(state, question.code, value)
            )

        choices = question.choices(turn)
        reserved = {choice.value for choice in choices} & self._reserved(question)
        if reserved:
            raise ValueError(f"{self.name}.{question.code}: {reserved} are the engine's")
        rows = question.top_rows(turn)
        rows += _in_rows([button(c.label, c.value) for c in choices], question.row_sizes)
        if question.multi:
            ticks = [button(turn.text(self.texts.done), DONE)]
            if question.none_choice:
                ticks.append(button(turn.text(self.texts.none), NONE))
            rows.append(ticks)
        rows += question.extra_rows(turn)
        last: list[InlineKeyboardButton] = []
        if self._previous(state, question) is not None:
            last.append(button(turn.text(self.texts.back), BACK))
        if question.skippable:
            if self.texts.skip is None:
                raise ValueError(f"{self.name}.{question.code} is skippable: name its Skip text")
            last.append(button(turn.text(self.texts.skip), SKIP))
        if self.finish_early is not None and any(v is not None for v in state.answers.values()):
            last.append(button(turn.text(self.finish_early), DONE))
        if last:
            rows.append(last)
        return InlineKeyboardMarkup(rows) if rows else None

    def _reserved(self, question: Question) -> set[str]:
        """Values this question's own buttons carry, which no choice may take."""
        reserved = {SKIP, BACK}
        if question.multi or self.finish_early is not None:
            reserved.add(DONE)
        if question.multi and question.none_choice:
            reserved.add(NONE)
        return reserved

    def _previous(self, state: FlowState, question: Question) -> str | None:
        earlier = [step for step in state.history if step != question.code]
        return earlier[-1] if earlier else None

    # -- the handlers -----------------------------------------------------------------

    async def on_press(self, update: Update, context: BotContext) -> int:
        query = update.callback_query
        parts = self.unpack(query.data if query else None)
        state = self.load(context)
        if parts is None:
            return await self._stale(update, context, state)
        subject, step, value = parts
        if self.with_subject and (state is None or state.subject != subject):
            # A button of a walk this user no longer has in memory: rebuild it.
            state = await self._resumed(update, context, subject, step)
            if state is None:
                return END
        if state is None:
            return await self._stale(update, context, state)
        turn = self.turn(update, context, state)
        question = self.question(step)
        if question is None or step != state.step:
            if self.on_button is not None and question is None:
                return await self.on_button(turn, step, value)
            return await self._stale(update, context, state)
        return await self._pressed(turn, question, value)

    async def _resumed(
        self, update: Update, context: BotContext, subject: int | None, step: str
    ) -> FlowState | None:
        if self.resume is None or subject is None:
            alert = self.texts.expired or self.texts.stale
            await acknowledge(update, context, context.text(alert), alert=True)
            return None
        # The rebuild answers the press itself when it refuses (someone else's order).
        return await self.resume(update, context, subject, step)

    async def _stale(self, update: Update, context: BotContext, state: FlowState | None) -> int:
        await acknowledge(update, context, context.text(self.texts.stale), alert=True)
        return ASKING if state is not None and state.step is not None else END

    async def _pressed(self, turn: Turn, question: Question, value: str) -> int:
        choices = {choice.value for choice in question.choices(turn)}
        if question.multi and value in choices:
            return await self._toggle(turn, question, value)
        if value == BACK and self._previous(turn.state, question) is not None:
            await acknowledge(turn.update, turn.context)
            return await self.back(turn, question)
        if value == DONE and question.multi:
            answer: Json = [c for c in _ordered(question, turn) if c in set(turn.state.ticked)]
        elif value == NONE and question.multi and question.none_choice:
            answer = []
        elif value == SKIP and question.skippable:
            answer = None
        elif value == DONE and self.finish_early is not None:
            await acknowledge(turn.update, turn.context)
            return await self._finish_now(turn)
        elif value in choices and not question.multi:
            answer = value
        else:
            return await self._stale(turn.update, turn.context, turn.state)
        await acknowledge(turn.update, turn.context)
        return await self.record(turn, question, answer)

    async def _toggle(self, turn: Turn, question: Question, value: str) -> int:
        ticked = set(turn.state.ticked) ^ {value}
        turn.state.ticked = [c for c in _ordered(question, turn) if c in ticked]
        turn.save()
        await acknowledge(turn.update, turn.context)
        query = turn.update.callback_query
        if query is not None and query.message is not None and query.message.is_accessible:
            await query.edit_message_reply_markup(self.keyboard(turn, question))
        return ASKING

    async def back(self, turn: Turn, question: Question) -> int:
        previous = self._previous(turn.state, question)
        state = turn.state
        state.history = state.history[: state.history.index(previous)] if previous else []
        state.done = [step for step in state.done if step not in (previous, question.code)]
        return await self.ask_next(turn)

    async def _finish_now(self, turn: Turn) -> int:
        """Every question left is skipped."""
        for question in self.questions:
            if question.code not in turn.state.done:
                turn.state.done.append(question.code)
        return await self.ask_next(turn)

    async def record(self, turn: Turn, question: Question, value: Json, lead: str = "") -> int:
        """Take `value` as the answer to `question`, act on it, ask what comes next."""
        turn.state.record(question.code, value, revisitable=question.revisitable)
        reaction = await self.on_answer(turn, question, value) if value is not None else ""
        return await self.ask_next(turn, "\n\n".join(p for p in (lead, reaction) if p))

    async def on_typed(self, update: Update, context: BotContext) -> int:
        message = update.effective_message
        text = ((message.text or message.caption or "") if message else "").strip()
        state = self.load(context)
        if state is None or state.step is None:
            # The flow was lost or is over (a restart past its timeout): nothing to answer.
            await reply(update, context.text(self.texts.expired or self.texts.use_buttons))
            return END
        turn = self.turn(update, context, state)
        question = self.question(state.step)
        if question is None:
            # A step of the flow's own outside the questions (a dispute's order picker).
            await reply(update, context.text(self.texts.use_buttons))
            return ASKING
        if question.typed is None:
            return await self._not_an_answer(turn, question, text)
        outcome = await question.typed(turn, text)
        if isinstance(outcome, Handled):
            return self.end(turn) if outcome.ended else ASKING
        if isinstance(outcome, Problem):
            await self.say_again(turn, question, outcome.text)
            return ASKING
        turn.state.preset(outcome.also)
        return await self.record(turn, question, outcome.value, outcome.lead)

    async def _not_an_answer(self, turn: Turn, question: Question, text: str) -> int:
        if self.on_text is not None:
            await self.on_text(turn, text)
            return ASKING
        await self.say_again(turn, question, self._hint(turn, question))
        return ASKING

    async def say_again(self, turn: Turn, question: Question, lead: str) -> None:
        """`lead` (why that was no answer), with the question again below it unless the
        question asks to be spared that (a single prompt the user just read)."""
        if question.repeat_prompt or not lead:
            await self.show(turn, question, lead)
        else:
            await reply(turn.update, lead)

    def _hint(self, turn: Turn, question: Question) -> str:
        key = self.texts.use_buttons if question.hint is None else question.hint
        return turn.text(key) if key else ""

    async def on_other(self, update: Update, context: BotContext) -> int:
        """A photo, a sticker, a voice note: ask again, with the hint."""
        state = self.load(context)
        question = self.question(state.step if state else None)
        if state is None or state.step is None:
            await reply(update, context.text(self.texts.expired or self.texts.use_buttons))
            return END
        if question is None:
            await reply(update, context.text(self.texts.use_buttons))
            return ASKING
        turn = self.turn(update, context, state)
        await self.say_again(turn, question, self._hint(turn, question))
        return ASKING

    # -- wiring -----------------------------------------------------------------------

    def press_handlers(self) -> list[AnyHandler]:
        if self.route is None:
            return []
        return [CallbackQueryHandler(self.on_press, pattern=self.route.pattern)]

    def conversation(
        self,
        *,
        entry_points: Sequence[AnyHandler],
        fallbacks: Sequence[AnyHandler],
        asking: Sequence[BaseHandler[Update, BotContext, Any]] = (),
    ) -> StoredConversation:
        """The flow as a conversation. Its buttons are entry points too, so a question
        shown from elsewhere (or before a restart past the timeout) still answers."""
        return StoredConversation(
            name=self.name,
            entry_points=[*entry_points, *self.press_handlers()],
            states={
                ASKING: [
                    *self.press_handlers(),
                    *asking,
                    MessageHandler(self.typed_filter, self.on_typed),
                    MessageHandler(~tg_filters.COMMAND & FRESH, self.on_other),
                ]
            },
            fallbacks=fallbacks,
            idle_timeout=self.idle,
        )


def _ordered(question: Question, turn: Turn) -> list[str]:
    return [choice.value for choice in question.choices(turn)]


def _in_rows(
    buttons: list[InlineKeyboardButton], sizes: tuple[int, ...]
) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    rest = list(buttons)
    for size in sizes:
        if rest:
            rows.append(rest[:size])
            rest = rest[size:]
    rows += [[button] for button in rest]
    return rows


def catalogue_prompt(key: str) -> Callable[[Turn], str]:
    """A question whose text is one catalogue entry."""

    def prompt(turn: Turn) -> str:
        return turn.text(key)

    return prompt
