"""Three short flows through the sandbox: /register (setup risk check), /spec (a spec in
Chinese for 旺旺) and /ip (copy and brand wording), in English and in Russian."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.counterfeits import check_listing
from bot.domain.registration import QUESTIONS, assess
from bot.domain.spec.builder import FIELDS, build_spec
from bot.render.phone_screen import COLLAPSED_QUOTE_LINES, ONE_SCREEN, text_lines
from bot.sandbox.flood import FloodLimits
from bot.sandbox.html_parser import parse_html
from bot.sandbox.server import Sandbox
from handlers import ip, registration, spec
from tests.conftest import ChatUser, texts
from tests.e2e.test_privacy import folded
from tests.one_screen import assert_fits_one_screen

FAKE_LOGIN = "http://login.1688.com.secure-verify.top/member/signin.htm"
HOSTILE = [
    "x" * 4000,
    "😀🔥🙏" * 300,
    "ｈｅｌｌｏ　全角テキスト！",
    "<b>not markup</b> & <script>",
]


@pytest.fixture
def flood_limits() -> FloodLimits:
    # The tests answer at once where a person takes seconds, so the per-chat flood bucket
    # is widened (as in test_suppliers) to keep the walk-throughs fast.
    return FloodLimits(private_per_second=20, private_burst=20)


# -- /register -----------------------------------------------------------------------------


async def test_register_rates_each_answer_and_lists_the_safe_setup(ann: ChatUser) -> None:
    first = await ann.says("/register")
    assert "Safe setup check" in texts(first)
    assert "Question 1 of 4" in texts(first)

    await ann.taps("I bought it")
    await ann.taps("virtual number")
    await ann.taps("Someone else's Alipay")
    answer = await ann.taps("Transfers straight")

    shown, report = folded(answer[0])
    assert "Your setup: 🔴 high risk" in shown
    assert "Payments: straight transfers. No escrow" in shown, "the money at stake comes first"
    assert "Account: bought or rented" in shown
    assert "Alipay account: someone else's" in shown
    assert "Phone number" not in shown, "three findings at most on the first screen"
    assert "1 more in the full report" in shown
    assert "First step: pay only on the 1688 order page" in shown
    assert_fits_one_screen(answer[0])
    # One tap on the collapsed quote: every answer's why and every step.
    assert "taken back by the seller" in report, "why a bought account is risky"
    assert "fail SMS verification" in report
    assert "refunds go back to them" in report
    assert "skip 1688's escrow" in report
    assert "Safe setup, step by step" in report
    assert "Register your own account" in report
    assert "实名认证" in report
    assert "跨境宝" in report


async def test_register_with_a_safe_setup_is_low_risk(ann: ChatUser) -> None:
    await ann.says("/register")
    await ann.taps("I registered it myself")
    await ann.taps("My own Chinese SIM")
    await ann.taps("verified with my passport")
    answer = await ann.taps("At 1688 checkout")

    shown, report = folded(answer[0])
    assert "Your setup: 🟢 low risk" in shown
    assert "All four answers keep the account and the money in your hands" in shown
    assert "First step: sign in only from the 1688 or Alipay app" in shown
    assert "more in the full report" not in shown
    assert "Register your own account" not in texts(answer), "no advice that does not apply"
    assert "Sign in only by opening the 1688 or Alipay app" in report


async def test_register_every_question_can_be_skipped(ann: ChatUser) -> None:
    replies = await ann.says("/register")
    for _ in QUESTIONS:
        replies = await ann.taps("Not sure")

    shown, report = folded(replies[-1])
    assert "Your setup: ⚪ not known" in shown
    assert shown.count("not known.") == 3, "three findings, then a pointer to the rest"
    assert "1 more in the full report" in shown
    assert report.count("not answered") == len(QUESTIONS)
    assert "Open your own Alipay" in report


async def test_a_fake_login_link_is_flagged_loudly_mid_check(ann: ChatUser) -> None:
    await ann.says("/register")
    await ann.taps("An agent or a friend")

    warned = await ann.says(f"the agent says log in here to confirm: {FAKE_LOGIN}")

    warning = texts(warned)
    assert "STOP: THIS LINK IS FAKE" in warning
    assert "secure-verify.top" not in warning, "the fake address is not repeated"
    assert "Question 2 of 4" in texts(warned[-1:]), "the check carries on below the warning"
    await ann.taps("My own foreign number")
    await ann.taps("I have no Alipay")
    answer = await ann.taps("Through an agent")
    shown, report = folded(answer[0])
    assert "Your setup: 🔴 high risk" in shown, "a fake link makes the whole setup high risk"
    assert shown.index("Link you pasted: a fake") < shown.index("Payments"), "the fake link first"
    assert "First step: if you typed your password on that fake page" in shown
    assert "fake Alibaba or Alipay address" in report
    assert "change it now" in report


async def test_a_link_given_with_the_command_is_checked_first(ann: ChatUser) -> None:
    replies = await ann.says(f"/register {FAKE_LOGIN}")

    assert "STOP: THIS LINK IS FAKE" in texts(replies[:1])
    assert "Question 1 of 4" in texts(replies[-1:])


async def test_a_real_sign_in_page_is_called_real(ann: ChatUser) -> None:
    await ann.says("/register")

    replies = await ann.says("https://login.1688.com/member/signin.htm")

    assert "This address is real" in texts(replies)
    assert "FAKE" not in texts(replies)


async def test_an_answered_question_cannot_be_answered_again(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    await ann.says("/register")
    await ann.taps("I registered it myself")

    await ann.taps_forged("reg|account|bought")
    await ann.taps_forged("reg|phone|stolen")

    answers = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-2:]
    assert all("already answered" in a.params.get("text", "") for a in answers)


@pytest.mark.parametrize(
    "message", [*HOSTILE, "ｈｔｔｐｓ：／／ｌｏｇｉｎ．１６８８．ｃｏｍ．ｖｅｒｉｆｙ．ｔｏｐ"]
)
async def test_register_survives_odd_text(ann: ChatUser, message: str) -> None:
    await ann.says("/register")

    replies = await ann.says(message)

    text = texts(replies)
    assert "Question 1 of 4" in text
    if "１６８８" in message:
        assert "FAKE" in text, "a full-width lookalike is still a lookalike"
    else:
        assert "answer with the buttons" in text


async def test_register_warns_about_an_enormous_link_without_breaking(ann: ChatUser) -> None:
    # Found by the fuzzer: a 4,000-character address echoed whole made the warning too long
    # for Telegram, and the user got an apology instead.
    link = "https://shop1234.1688.com/page/" + "a" * 4000
    await ann.says("/register")

    replies = await ann.says(link)

    text = texts(replies)
    assert "https://shop1234.1688.com/page/aaa" in text
    assert "Question 1 of 4" in text
    assert all(len(message.text or "") <= 4096 for message in replies)


async def test_register_in_russian(boris: ChatUser) -> None:
    first = await boris.says("/register")
    assert "Проверка настройки аккаунта" in texts(first)

    await boris.taps("Купил")
    warned = await boris.says(FAKE_LOGIN)
    assert "ПОДДЕЛЬНАЯ ССЫЛКА" in texts(warned)
    await boris.taps("Чужой номер")
    await boris.taps("Не знаю")
    answer = await boris.taps("Переводы напрямую")

    shown, report = folded(answer[0])
    assert "Ваша настройка: 🔴 высокий риск" in shown
    assert "Присланная ссылка: поддельная страница" in shown
    assert "Первый шаг: если вы ввели пароль" in shown
    assert_fits_one_screen(answer[0])
    assert "Безопасная настройка по шагам" in report
    assert "Почему:" in report


# -- /spec ---------------------------------------------------------------------------------


async def answer_spec(user: ChatUser, answers: dict[str, str]) -> str:
    """Walk /spec, typing the given answers and skipping the rest; the final messages."""
    replies = await user.says("/spec")
    for field in FIELDS:
        if field in answers:
            replies = await user.says(answers[field])
        else:
            replies = await user.taps("⏭")
    return texts(replies)


async def test_spec_builds_a_chinese_summary_with_its_back_translation(ann: ChatUser) -> None:
    summary = await answer_spec(
        ann,
        {
            "product": "304 stainless steel vacuum flask",
            "material": "SS304, food grade silicone",
            "weight": "350 g per piece",
            "dimensions": "diameter 7 cm, height 25 cm",
            "colour": "black, Pantone 186 C",
            "quantity": "1,000 pcs",
            "packaging": "colour box, 50 pcs per carton",
            "labelling": "hang tag, custom logo",
            "deadline": "30 days",
        },
    )

    for chinese in (
        "产品：304不锈钢保温杯",
        "材质：304不锈钢，食品级硅胶",
        "重量：单个重量350克",
        "尺寸：直径 7厘米，高度 25厘米",
        "颜色：黑色，潘通色号 186 C",
        "数量：1000件",
        "包装：彩盒，每箱50件",
        "标签和印刷：吊牌，定制logo",
        "交期：下单后30天内发货",
        "请回复“确认”",
    ):
        assert chinese in summary, chinese
    for meaning in (
        "304 stainless steel vacuum flask",
        "Pantone colour 186 C",
        "1000 pieces",
        "printed colour box, 50 pieces per carton",
        "shipped within 30 days of the order",
        "please reply “确认” (confirmed)",
    ):
        assert meaning in summary, meaning
    assert "Every line comes from the glossary" in summary
    assert "⚠️" not in summary


async def test_spec_echoes_each_answer_and_flags_words_it_does_not_know(ann: ChatUser) -> None:
    await ann.says("/spec")

    echoed = texts(await ann.says("insulated tumbler, mug"))

    assert "产品：insulated tumbler，马克杯" in echoed, "unknown words stay as typed"
    assert "Not in my glossary" in echoed
    assert "“insulated tumbler”" in echoed
    assert "Question 2 of 9" in echoed


async def test_a_short_spec_gets_a_copy_button_with_the_chinese(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    await ann.says("/spec")
    await ann.says("mug")
    final = await ann.taps("Finish now")

    copy = [b for m in final for b in m.inline_buttons() if "copy_text" in b]
    assert len(copy) == 1
    expected = build_spec({"product": "mug"}).zh_message
    assert copy[0]["copy_text"]["text"] == expected
    assert expected.endswith("谢谢！")


async def test_spec_every_question_can_be_skipped(ann: ChatUser) -> None:
    summary = await answer_spec(ann, {})

    assert "nothing to send yet" in summary


async def test_spec_vague_and_unitless_answers_are_flagged(ann: ChatUser) -> None:
    summary = await answer_spec(
        ann, {"dimensions": "30x20x10", "colour": "like the picture", "material": "stainless"}
    )

    assert "No unit" in summary
    assert "Vague" in summary
    assert "without a grade" in summary
    assert "Some wording is marked" in summary


async def test_an_old_question_button_is_refused(ann: ChatUser, sandbox: Sandbox) -> None:
    await ann.says("/spec")

    await ann.taps_forged("spec|colour|skip")

    answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert "already answered" in answer.params.get("text", "")


@pytest.mark.parametrize("message", HOSTILE)
async def test_spec_survives_odd_answers(ann: ChatUser, message: str) -> None:
    summary = await answer_spec(ann, {field: message for field in FIELDS})

    assert "请回复“确认”" in summary
    if len(message) > 200:
        assert "too long" in summary


async def test_spec_reads_full_width_numbers(ann: ChatUser) -> None:
    summary = await answer_spec(ann, {"weight": "２８０ＧＳＭ ±５％"})

    assert "克重：280克/平方米（误差±5%）" in summary
    assert "Fabric weight (克重, GSM): 280 g/m² (GSM) (tolerance ±5%)" in summary


async def test_spec_in_russian(boris: ChatUser) -> None:
    summary = await answer_spec(
        boris,
        {
            "product": "кружка с крышкой",
            "material": "95% хлопок 5% эластан",
            "quantity": "500 шт",
            "deadline": "до 15.03.2030",
        },
    )

    assert "产品：马克杯带盖子" in summary
    assert "材质：95%棉 5%氨纶" in summary
    assert "数量：500件" in summary
    assert "交期：2030年3月15日前发货" in summary
    assert "Товар (产品): кружка с крышка" in summary
    assert "хлопок 95%" in summary
    assert "500 шт." in summary
    assert "отгрузка до 2030-03-15" in summary
    assert "ответьте “确认” (подтверждаю)" in summary


# -- /ip -----------------------------------------------------------------------------------


async def test_ip_inline_flags_a_replica_listing(ann: ChatUser) -> None:
    replies = await ann.says("/ip 耐克 AJ1 莆田纯原 真标 男鞋")

    shown, details = folded(replies[0])
    assert "🔴 high" in shown
    assert "Brands named: Nike" in shown
    assert "Replica wording: “纯原”" in shown, "outright replica wording first, quoted"
    assert "1 more in the details" in shown, "three findings at most on the first screen"
    assert "First: Don't buy this for export" in shown
    assert "请发一下品牌方盖章的品牌授权书" in shown, "the request to copy, in Chinese"
    code = [e for e in replies[0].entities if e["type"] == "code"]
    assert len(code) == 1, "the Chinese is one tap to copy"
    assert_fits_one_screen(replies[0])
    # One tap on the collapsed quote: every finding with its quote, every step.
    assert "“莆田”" in details, "the evidence is quoted"
    assert "授权书" in details
    assert "brand owner's stamped brand authorisation letter" in details, "what the Chinese says"
    assert "reverse image search" in details
    assert "Ask in writing on 旺旺 (AliWangWang) for plain goods" in details


async def test_ip_waits_for_the_listing_when_asked_alone(ann: ChatUser) -> None:
    prompt = await ann.says("/ip")
    assert "Paste the listing's title" in texts(prompt)

    answer = await ann.says("纯棉T恤 白色 批发 男女同款")

    shown, details = folded(answer[0])
    assert "🟢 low" in shown
    assert "First: Run a reverse image search" in shown
    assert "Ask on 旺旺" not in shown, "nothing to ask the seller about a plain listing"
    assert "No replica, brand or patent wording found" in details
    after = await ann.says("纯棉T恤")
    assert "Listing check" not in texts(after), "the conversation has ended"


async def test_ip_asks_for_words_when_sent_a_picture(ann: ChatUser, sandbox: Sandbox) -> None:
    await ann.says("/ip")

    sent = await sandbox.send_photo(ann.user_id, b"\xff\xd8 not really a jpeg")
    replies = await ann.replies(sent)

    assert "I read words, not pictures" in texts(replies)


@pytest.mark.parametrize("message", [*HOSTILE, "ＮＩＫＥ　高仿　运动鞋"])
async def test_ip_survives_odd_text(ann: ChatUser, message: str) -> None:
    await ann.says("/ip")

    replies = await ann.says(message)

    text = texts(replies)
    assert "Listing check" in text
    if "ＮＩＫＥ" in message:
        assert "🔴 high" in text


async def test_ip_in_russian(boris: ChatUser) -> None:
    replies = await boris.says("/ip LV 老花 女包 原单")

    shown, details = folded(replies[0])
    assert "Упомянутые бренды: Louis Vuitton" in shown
    assert "Назван бренд: «LV»" in shown
    assert "Напишите в 旺旺" in shown
    assert "授权书" in shown
    assert_fits_one_screen(replies[0])
    assert "Проверка объявления" in details
    assert "Что делать" in details
    assert "авторизационное письмо бренда с печатью" in details


# -- limits ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), st.text(min_size=1, max_size=400)))
@pytest.mark.parametrize("language", ["en", "ru"])
def test_any_spec_renders_as_valid_telegram_messages(
    language: str, answers: dict[str, str]
) -> None:
    built = build_spec(answers)

    messages = [*spec.render_chinese(built, language)]
    messages += spec.render_back_translation(built, language)
    for message in messages:
        plain, _ = parse_html(message)
        assert 0 < len(plain) <= 4096


@pytest.mark.parametrize(
    "answer",
    [
        "1d " * 66,
        "1x1mm " * 33,
        "pp," * 66,
        "±1% " * 50,
        "insulated, " * 20,
        "Pantone 186 C, " * 14,
    ],
)
def test_worst_case_answers_fit_in_telegram_messages(answer: str) -> None:
    built = build_spec({field: answer for field in FIELDS})

    for language in ("en", "ru"):
        messages = [*spec.render_chinese(built, language)]
        messages += spec.render_back_translation(built, language)
        assert all(len(parse_html(message)[0]) <= 4096 for message in messages)
        assert len(spec.render_chinese(built, language)) <= 2


def _screen_lines(html: str) -> int:
    """Phone lines of a report that ends in its collapsed details, with the Menu row."""
    shown, quote, details = html.partition("<blockquote expandable>")
    assert quote, "the details are collapsed"
    assert details.endswith("</blockquote>"), "nothing after the details"
    return text_lines(parse_html(shown)[0]) + COLLAPSED_QUOTE_LINES + 1


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_setup_report_fits_one_phone_screen(language: str) -> None:
    codes = [question.code for question in QUESTIONS]
    choices = [[*question.answers, None] for question in QUESTIONS]
    longest = 0
    for answers in itertools.product(*choices):
        for lookalike_seen in (False, True):
            report = assess(dict(zip(codes, answers, strict=True)), lookalike_seen=lookalike_seen)
            html = registration.render_report(report, language)
            assert _screen_lines(html) <= ONE_SCREEN, (answers, lookalike_seen)
            longest = max(longest, len(html))
    assert longest <= 4096, "the markup is longer than the text, so the text fits a message"


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "listing",
    [
        "耐克 AJ1 莆田纯原 真标 代购级 男鞋 过验 1:1 原单 大牌同款 外观专利",
        "LV Gucci Chanel Dior Prada 原单 女包",
        "适用于苹果 手机壳 专利号ZL2019",
        "不锈钢保温杯 500ml 厂家直销",
        "高仿" + "耐克" * 200,
    ],
)
def test_every_listing_check_fits_one_phone_screen(language: str, listing: str) -> None:
    html = ip.render_check(check_listing(listing), language)

    assert _screen_lines(html) <= ONE_SCREEN
    assert len(parse_html(html)[0]) <= 4096
