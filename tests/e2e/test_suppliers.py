"""A buyer checks a supplier: sends a link, walks through the questions, gets a scorecard."""

from __future__ import annotations

import pytest

from bot.app import BotApplication
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox, StoredMessage
from tests.conftest import ChatUser, texts
from tests.one_screen import assert_fits_one_screen

OFFER_LINK = "https://detail.1688.com/offer/653487692354.html?spm=a26352.13672862.0.0"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_uscc(first_17: str) -> str:
    """Complete a code with its GB 32100-2015 check character (written here independently of
    the bot's own implementation, so the test can catch a wrong one)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first_17, USCC_WEIGHTS, strict=True))
    return first_17 + USCC_CHARS[(31 - total % 31) % 31]


@pytest.fixture
def flood_limits() -> FloodLimits:
    # A person spends seconds on each question; the test answers at once, so the
    # per-chat flood bucket is widened to keep the walk-through fast.
    return FloodLimits(private_per_second=20, private_burst=20)


async def test_a_real_offer_link_is_recognised_and_offers_the_check(ann: ChatUser) -> None:
    replies = await ann.says(f"看看这个 {OFFER_LINK}，靠谱吗？")

    text = replies[-1].text
    assert "653487692354" in text
    assert "spm=" not in text, "tracking parameters are removed"
    assert any("Check this supplier" in label for label in ann.buttons())


async def test_a_lookalike_link_is_called_out_and_not_checked(ann: ChatUser) -> None:
    replies = await ann.says("login here: https://detail.1688.com.verify-order.top/offer/1.html")

    assert replies[-1].inline_buttons() == [] or not any(
        "Check this supplier" in label for label in ann.buttons()
    )
    assert "1688" in replies[-1].text


# The labels each buyer taps on the way to the card, in their own language.
WALK = {
    "en": (
        "Check this supplier",
        "Done",
        "Everyday",
        "Yes, there is one",
        "refused",
        "Don't know",
    ),
    "ru": ("Проверить по шагам", "Готово", "Ходовые", "Да, есть", "Отказали", "Не знаю"),
}


async def walk_to_the_card(buyer: ChatUser, language: str) -> list[StoredMessage]:
    """The whole guided check with a factory's licence and a person as the beneficiary."""
    begin, done, everyday, video, refused, skip = WALK[language]
    await buyer.says(OFFER_LINK)
    await buyer.taps(begin)
    await buyer.taps("超级工厂")
    await buyer.taps("验厂报告")
    await buyer.taps(done)
    await buyer.says("生产、加工：塑料制品；销售：日用百货")
    await buyer.says(valid_uscc("91330782MA2D" + "12345"))
    await buyer.says("义乌市某某日用品有限公司")
    await buyer.says("义乌市某某日用品有限公司")
    await buyer.says("张伟")
    await buyer.taps(everyday)
    await buyer.says("35%")
    await buyer.taps(video)
    await buyer.taps(refused)
    return await buyer.taps(skip)


async def test_the_whole_guided_check_ends_in_a_saved_scorecard(ann: ChatUser) -> None:
    await ann.says(OFFER_LINK)
    await ann.taps("Check this supplier")
    await ann.taps("超级工厂")
    await ann.taps("验厂报告")
    after_badges = await ann.taps("Done")
    assert "Business scope" in texts(after_badges)

    scope = await ann.says("生产、加工：塑料制品；销售：日用百货")
    assert "Credit code" in texts(scope)
    await ann.says(valid_uscc("91330782MA2D" + "12345"))
    await ann.says("义乌市某某日用品有限公司")
    await ann.says("义乌市某某日用品有限公司")
    beneficiary = await ann.says("张伟")
    assert "looks like a person" in texts(beneficiary)
    await ann.taps("Everyday")
    await ann.says("35%")
    await ann.taps("Yes, there is one")
    await ann.taps("refused")
    card = await ann.taps("Don't know")

    scorecard = texts(card)
    assert "Supplier check" in scorecard
    assert "Overall" in scorecard
    assert "🔴" in scorecard
    listing = await ann.says("/suppliers")
    assert any("🔴" in label for label in ann.buttons())
    assert "Your supplier checks" in texts(listing)
    reopened = await ann.taps("653487692354")
    assert "Supplier check" in texts(reopened)


async def test_the_scorecard_fits_one_screen_with_the_verdict_findings_and_next_step(
    ann: ChatUser,
) -> None:
    (card,) = await walk_to_the_card(ann, "en")

    assert_fits_one_screen(card)
    text = card.text or ""
    assert "Overall: 🔴 risk · a factory" in text
    findings = [line for line in text.splitlines() if line[:1] in ("🔴", "🟠", "🟢")]
    assert findings[:2] == [
        "🔴 The bank beneficiary is a person: 张伟",
        "🔴 Refused the live photo test",
    ]
    assert len(findings) == 3
    assert "Next:" in text
    assert "Don't pay this account" in text
    assert "Check next" not in text, "the full list of steps waits behind Details"


async def test_details_open_the_whole_card_in_place_and_back_returns(ann: ChatUser) -> None:
    (card,) = await walk_to_the_card(ann, "en")
    short = card.text

    (details,) = await ann.taps("Details")

    assert details.message_id == card.message_id, "edited in place, not a new message"
    full = details.text or ""
    for every_answer in ("Company names", "Credit code", "Business scope", "Repeat-purchase"):
        assert every_answer in full
    assert "Still open" in full
    assert "诚信通 (TrustPass) years" in full
    assert "Check next" in full
    assert "www.gsxt.gov.cn" in full
    assert "Saved. /suppliers lists your checks" in full
    (back,) = await ann.taps("Back")
    assert back.message_id == card.message_id
    assert back.text == short
    assert any("Details" in label for label in ann.buttons())


@pytest.mark.parametrize(
    ("language", "badges"),
    [
        ("en", ("诚信通 (TrustPass)", "源头工厂 (source factory)")),
        ("ru", ("诚信通 («Честный партнёр»)", "源头工厂 («фабрика-источник»)")),
    ],
)
async def test_badges_are_named_in_the_buyers_language_with_the_chinese_term(
    language: str, badges: tuple[str, ...], ann: ChatUser, boris: ChatUser
) -> None:
    buyer = {"en": ann, "ru": boris}[language]
    begin, done, *_, skip = WALK[language]
    await buyer.says("/check " + OFFER_LINK)
    await buyer.taps(begin)
    await buyer.taps("诚信通")
    await buyer.taps("源头工厂")
    replies = await buyer.taps(done)
    while not any(m.reply_markup and "supcard" in str(m.reply_markup) for m in replies):
        replies = await buyer.taps(skip)
    short = texts(replies)

    details = texts(await buyer.taps("ℹ️"))

    for shown in (short, details):
        assert "chengxintong" not in shown
        assert "source_factory" not in shown
        for badge in badges:
            assert badge in shown


async def test_a_russian_card_is_russian_down_to_its_title(boris: ChatUser) -> None:
    (card,) = await walk_to_the_card(boris, "ru")

    assert_fits_one_screen(card)
    text = card.text or ""
    assert "Товар 1688 №653487692354" in text
    assert "offer" not in text
    assert "shop" not in text
    assert "Итог: 🔴 риск · фабрика" in text


async def test_a_saved_card_reopens_short_with_its_details_one_tap_away(ann: ChatUser) -> None:
    await walk_to_the_card(ann, "en")
    await ann.says("/suppliers")

    (reopened,) = await ann.taps("653487692354")

    assert_fits_one_screen(reopened)
    assert "Overall: 🔴 risk" in (reopened.text or "")
    (details,) = await ann.taps("Details")
    assert details.message_id == reopened.message_id
    assert "Still open" in (details.text or "")


async def test_every_question_can_be_skipped(ann: ChatUser) -> None:
    await ann.says("/check " + OFFER_LINK)
    replies = await skip_to_the_scorecard(ann, await ann.taps("Check this supplier"))

    assert "Overall" in texts(replies)
    details = await ann.taps("Details")
    assert "Check next" in texts(details)


async def skip_to_the_scorecard(
    ann: ChatUser, replies: list[StoredMessage]
) -> list[StoredMessage]:
    """Answer "Don't know" to every question left; the replies that end with the card."""
    for _ in range(20):
        if "Overall" in texts(replies):
            break
        replies = await ann.taps("Don't know")
    return replies


async def test_a_pasted_profile_fills_the_answers_it_contains(ann: ChatUser) -> None:
    profile = (
        "公司名称：义乌市某某日用品有限公司\n"
        f"统一社会信用代码：{valid_uscc('91330782MA2D12345')}\n"
        "经营范围：塑料制品制造、加工；日用百货销售\n"
        "诚信通第6年 回头率 32%"
    )

    replies = await ann.says(profile)

    text = texts(replies)
    assert "From your paste I filled in" in text
    assert "Credit code" not in text, "known facts are not asked again"


async def test_an_answered_questions_button_cannot_be_pressed_again(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    await ann.says(OFFER_LINK)
    await ann.taps("Check this supplier")
    await ann.taps("Done")

    await ann.taps_forged("sup|badges|done")

    answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert "already answered" in answer.params.get("text", "")


async def test_another_users_saved_check_cannot_be_opened(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says("/check " + OFFER_LINK)
    replies = await ann.taps("Check this supplier")
    while "Overall" not in texts(replies):
        replies = await ann.taps("Don't know")
    await carl.says("/suppliers")

    await carl.taps_forged("supl|1")

    answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert "can't find that check" in answer.params.get("text", "")


async def test_cancel_midway_saves_nothing(ann: ChatUser) -> None:
    await ann.says(OFFER_LINK)
    await ann.taps("Check this supplier")
    stopped = await ann.says("/cancel")
    saved = await ann.says("/suppliers")

    assert "Stopped" in texts(stopped)
    assert "no saved supplier checks" in texts(saved)


async def test_an_agent_link_is_unwrapped_to_the_1688_offer_it_carries(ann: ChatUser) -> None:
    replies = await ann.says("https://cnfans.com/product/?shop_type=ali_1688&id=669590387983")

    text = replies[-1].text
    assert "669590387983" in text
    assert "cnfans" in text
    assert "detail.1688.com/offer/669590387983.html" in text
    assert any("Check this supplier" in label for label in ann.buttons())


async def test_an_unrelated_site_gets_its_warning_not_no_link(ann: ChatUser) -> None:
    replies = await ann.says("/check https://www.amazon.com/dp/B08N5WRWNW")

    text = replies[-1].text
    assert "not on 1688" in text
    assert not any("Check this supplier" in label for label in ann.buttons())
