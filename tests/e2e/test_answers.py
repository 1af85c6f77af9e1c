"""A buyer asks a free question and gets the matching guide section, with buttons to read
the next matches and to page through the whole guide; in Russian for a Russian user."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message
from telegram.constants import ChatType

from bot.assist.guides import knowledge_base
from bot.sandbox.flood import FloodLimits
from bot.sandbox.html_parser import parse_html
from bot.sandbox.server import Sandbox, StoredMessage
from handlers import answers
from tests.conftest import ChatUser, texts
from tests.one_screen import assert_fits_one_screen


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


def shown(message: StoredMessage) -> str:
    return message.text or ""


def button_labels(user: ChatUser, message_id: int) -> list[str]:
    message = next(
        m for m in user.sandbox.bot_messages(user.user_id) if m.message_id == message_id
    )
    return [button["text"] for button in message.inline_buttons()]


def related(labels: list[str]) -> list[str]:
    """The related-section buttons of an answer (not its own "Read on")."""
    return [label.removeprefix("📖 ") for label in labels if label.startswith("📖 ")][1:]


async def test_a_question_gets_the_guide_section_and_more_to_read(ann: ChatUser) -> None:
    replies = await ann.says("How do I use 延长收货?")

    assert len(replies) == 1
    answer = shown(replies[0])
    assert "延长收货 (Delay Receiving)" in answer
    assert "From my guide “Escrow and the auto-confirm clock”" in answer
    assert_fits_one_screen(replies[0])
    labels = ann.buttons()
    # The topic's action first, then the rest of the section, related ones, the guide.
    assert labels[0] == "📦 Track an order"
    assert labels[1] == "📖 Read on"
    # Only sections about the same thing: not the passport check that shares a word.
    assert related(labels) == ["How 1688's escrow works"]
    assert labels[-1] == "📚 Whole guide: Escrow and the auto-confirm clock"
    rest = await ann.taps("Read on")
    assert rest[0].message_id == replies[0].message_id, "the section opens in place"
    assert "press it in good time" in shown(rest[0])
    back = await ann.taps("Back")
    assert back[0].message_id == replies[0].message_id
    assert "From my guide “Escrow and the auto-confirm clock”" in shown(back[0])
    assert ann.buttons()[:2] == ["📦 Track an order", "📖 Read on"]


async def test_read_more_opens_the_other_section_below_the_answer(ann: ChatUser) -> None:
    await ann.says("How does the auto-confirm countdown work?")
    answer = ann.sandbox.bot_messages(ann.user_id)[-1]
    first_more = related(ann.buttons())[0]

    opened = await ann.taps(first_more)

    assert len(opened) == 1
    assert opened[0].message_id != answer.message_id, "the answer must stay on screen"
    assert first_more in shown(opened[0])
    assert shown(opened[0]).startswith("📚 ")  # a page of its guide, with the page number
    # The answer keeps its buttons, so the second "read more" still works.
    second_more = related(button_labels(ann, answer.message_id))[1]
    again = await ann.taps(second_more)
    assert second_more in shown(again[0])


async def test_the_whole_guide_pages_section_by_section(ann: ChatUser) -> None:
    guide = knowledge_base().guide("escrow-and-auto-confirm", "en")
    assert guide is not None
    total = len(guide.sections)
    await ann.says("How do I use 延长收货?")

    first = await ann.taps("Whole guide")

    assert f"Escrow and the auto-confirm clock · 1/{total}" in shown(first[0])
    assert guide.sections[0].title in shown(first[0])
    assert ann.buttons() == ["Next ▶", "☰ Menu"]
    second = await ann.taps("Next")
    assert second[0].message_id == first[0].message_id, "pages turn in place"
    assert f"· 2/{total}" in shown(second[0])
    assert guide.sections[1].title in shown(second[0])
    assert ann.buttons() == ["◀ Previous", "Next ▶", "☰ Menu"]
    back = await ann.taps("Previous")
    assert f"· 1/{total}" in shown(back[0])


async def test_a_russian_user_gets_the_russian_guide(boris: ChatUser) -> None:
    replies = await boris.says("Как продлить срок получения?")

    assert "Кнопка 延长收货" in shown(replies[0])
    assert "Из моего гайда «Гарантия сделки и таймер автоподтверждения»" in shown(replies[0])
    assert_fits_one_screen(replies[0])
    labels = boris.buttons()
    assert labels[0] == "📦 Отследить заказ"
    # The related sections are about the countdown too, not the passport check.
    assert related(labels) == ["Как работает гарантия сделки 1688", "Полезные привычки с таймером"]
    assert labels[-1] == "📚 Весь гайд: Гарантия сделки и таймер автоподтверждения"
    page = await boris.taps("Весь гайд")
    assert "Как работает гарантия сделки 1688" in shown(page[0])
    assert boris.buttons()[0] == "Дальше ▶"


async def test_an_account_question_is_answered_not_checked_as_a_payment(ann: ChatUser) -> None:
    # "account" is payment talk to the payment checker; a question about one is ours.
    replies = await ann.says("How do I register an account on 1688?")

    assert "Register your own account" in shown(replies[0])
    assert "From my guide" in shown(replies[0])


async def test_a_question_without_a_guide_gets_an_honest_answer_and_the_menu(
    ann: ChatUser,
) -> None:
    replies = await ann.says("Who won the football match?")

    assert "I don't have a guide for that yet" in shown(replies[0])
    assert "💳 Is this payment safe?" in ann.buttons()


async def test_statements_still_reach_the_fallback(ann: ChatUser) -> None:
    replies = await ann.says("thanks")

    assert "From my guide" not in texts(replies)
    assert "I'm not sure what to do with that yet" in texts(replies)


async def test_a_risky_payment_question_is_left_to_the_payment_checker(ann: ChatUser) -> None:
    replies = await ann.says("The supplier wants me to pay his personal bank account, is it ok?")

    assert replies
    assert "From my guide" not in texts(replies)
    assert "I don't have a guide" not in texts(replies)


async def test_a_question_with_a_link_is_left_to_the_link_checker(ann: ChatUser) -> None:
    replies = await ann.says("Is https://detail.1688.com/offer/876240928352.html real?")

    assert replies
    assert "From my guide" not in texts(replies)
    assert "I don't have a guide" not in texts(replies)


@pytest.mark.parametrize(
    "data",
    [
        "kb|nowhere|0",
        "kb|disputes|99",
        "kbpage|disputes|x",
        "kb",
        "kbpage|disputes|r99",
        "kbpage|disputes|a",
    ],
)
async def test_stale_or_forged_guide_buttons_are_refused(
    ann: ChatUser, sandbox: Sandbox, data: str
) -> None:
    await ann.says("How do I use 延长收货?")
    sent = len(sandbox.bot_messages(ann.user_id))

    await ann.taps_forged(data)

    answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert answer.ok
    assert answer.params.get("text") == "This button is no longer valid."
    assert len(sandbox.bot_messages(ann.user_id)) == sent


# ---------------------------------------------------------------------------------------
# Rendering, without a bot
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_section_renders_as_valid_telegram_html(language: str) -> None:
    for guide in knowledge_base().guides(language):
        for section in guide.sections:
            markup = answers.section_html(section.text)
            plain, _ = parse_html(markup)
            where = f"{language}/{guide.name}#{section.anchor}"
            assert plain.strip(), where
            assert "**" not in plain, where
            assert "<" not in re.sub(r"</?(?:b|code)>", "", markup), where


@pytest.mark.parametrize(
    ("text", "ours"),
    [
        ("How do I use 延长收货?", True),
        ("How do I pay safely on 1688?", True),  # the checker approves: nothing to warn about
        ("Is it safe to pay via https://worldfirst.com.pay-now.cn/x ?", False),  # link checker
        ("Can I pay the deposit to your personal bank card?", False),  # payment checker
        ("供应商让我加微信转账可以吗？", False),  # payment checker
        ("thanks, that helped", False),  # not a question
    ],
)
def test_which_texts_the_answers_take(text: str, ours: bool) -> None:
    sent = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # any moment: the filter reads the text
    message = Message(1, sent, Chat(1, ChatType.PRIVATE), text=text)

    assert answers.QUESTION.filter(message) is ours


def test_markdown_becomes_telegram_html() -> None:
    markup = answers.section_html("Use **bold** & `code` <here>\n\n- one\n- two")

    assert markup == ("Use <b>bold</b> &amp; <code>code</code> &lt;here&gt;\n\n• one\n• two")


def test_long_sections_are_trimmed_at_a_sentence() -> None:
    text = "First paragraph stays.\n\n" + "A sentence that goes on. " * 300

    trimmed = answers.trim_text(text, 500)

    assert len(trimmed) <= 500
    assert trimmed.startswith("First paragraph stays.\n\n")
    assert trimmed.endswith("goes on.…")


def test_trimming_without_sentences_cuts_at_a_word() -> None:
    trimmed = answers.trim_text("word " * 200, 101)

    assert len(trimmed) <= 101
    assert trimmed.endswith("word…")
    assert answers.trim_text("short", 100) == "short"


def test_an_answer_fits_in_one_telegram_message() -> None:
    huge = "Sentence number one is here. " * 400

    plain, _ = parse_html(answers.section_html(huge))

    assert len(plain) <= answers.MAX_BODY_CHARS < 4096


def test_every_guide_has_an_action_button() -> None:
    names = {guide.name for guide in knowledge_base().guides("en")}

    assert names == set(answers.GUIDE_ACTIONS)
    assert set(answers.GUIDE_ACTIONS.values()) <= set(answers.ACTION_LABELS)


@pytest.mark.parametrize(
    ("question", "action"),
    [
        ("How do I pay safely on 1688?", "💳 Is this payment safe?"),
        ("How do I register an account on 1688?", "🛡 Safe setup check"),
        ("what evidence do I need for a dispute?", "🧾 Problem with an order"),
        ("How can I tell if a link is a fake lookalike site?", "🏭 Check a supplier"),
        ("How do I write specs for the supplier?", "📝 Spec in Chinese"),
    ],
)
async def test_guide_answers_fit_and_carry_their_action(
    ann: ChatUser, question: str, action: str
) -> None:
    replies = await ann.says(question)

    assert "From my guide" in shown(replies[0])
    assert_fits_one_screen(replies[0])
    assert ann.buttons()[0] == action


@pytest.mark.parametrize(
    ("question", "action"),
    [
        ("Как безопасно оплатить заказ на 1688?", "💳 Безопасен ли платёж?"),
        ("Какие доказательства нужны для спора?", "🧾 Проблема с заказом"),
    ],
)
async def test_russian_guide_answers_fit_and_carry_their_action(
    boris: ChatUser, question: str, action: str
) -> None:
    replies = await boris.says(question)

    assert "Из моего гайда" in shown(replies[0])
    assert_fits_one_screen(replies[0])
    assert boris.buttons()[0] == action
