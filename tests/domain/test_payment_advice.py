"""Advice that only fits some messages is only given to those (issue 17): "ask for 改价" when
a discount was mentioned, "report the seller" when there is a seller on 1688 to report.
And a check shown again for its details keeps the verdict it was given."""

from __future__ import annotations

import pytest

from bot.domain.payments.checker import Verdict, classify_payment, restored, with_answer
from bot.render.payments import render_short

CARD = "直接打我私人卡 6222 0212 3456 7890 128"
OFFER = "https://detail.1688.com/offer/123456789.html"


@pytest.mark.parametrize(
    "discount",
    [
        "可以便宜5%",
        "给你优惠",
        "打9折",
        "折扣多一点",
        "I can give a discount",
        "10% off",
        "cheaper",
    ],
)
def test_a_mentioned_discount_brings_the_modified_price_advice(discount: str) -> None:
    check = classify_payment(f"{CARD}，{discount}")

    assert check.verdict is Verdict.HIGH_RISK
    assert "ask_for_modified_price" in check.advice


@pytest.mark.parametrize("text", [CARD, "Please send USDT TRC20 to our wallet", "加微信扫码付款"])
def test_no_discount_no_modified_price_advice(text: str) -> None:
    check = classify_payment(text)

    assert check.verdict is Verdict.HIGH_RISK
    assert "ask_for_modified_price" not in check.advice


def test_a_deposit_percentage_is_not_a_discount() -> None:
    check = classify_payment(f"{CARD}，先付30%定金")

    assert "ask_for_modified_price" not in check.advice


def test_a_discount_story_is_a_discount_even_without_the_word() -> None:
    check = classify_payment("不开票走私账，省税")

    assert "ask_for_modified_price" in check.advice


def test_the_seller_is_reported_only_when_a_1688_shop_is_named() -> None:
    without = classify_payment(CARD)
    with_link = classify_payment(f"{CARD} {OFFER}")

    assert without.verdict is with_link.verdict is Verdict.HIGH_RISK
    assert "report_to_1688" not in without.advice
    assert "report_to_1688" in with_link.advice


def test_a_lookalike_link_names_no_seller_to_report() -> None:
    check = classify_payment(f"{CARD} https://detail.1688.com.verify-order.top/offer/1.html")

    assert "report_to_1688" not in check.advice


def test_the_buyers_answer_keeps_what_the_message_mentioned() -> None:
    first = classify_payment("请通过银行转账付款，可以便宜一点")

    after = with_answer({}, "payee", "person", mentions=first.mentions)
    plain = with_answer({}, "payee", "person")

    assert after.verdict is plain.verdict is Verdict.HIGH_RISK
    assert "ask_for_modified_price" in after.advice
    assert "ask_for_modified_price" not in plain.advice


def test_details_keep_the_recorded_verdict_and_quote_the_message() -> None:
    text = "请在1688拍下付款，平台担保交易"  # approved by the rules alone
    check = restored(Verdict.HIGH_RISK, ["platform_checkout", "ai_flagged"], text)

    assert check.verdict is Verdict.HIGH_RISK, "a raised verdict is never lowered again"
    assert [s.code for s in check.signals] == ["platform_checkout", "ai_flagged"]
    assert check.signals[0].evidence
    assert check.decline_reply_zh is not None


def test_details_without_the_message_still_name_every_finding() -> None:
    check = restored(Verdict.HIGH_RISK, ["bank_card_number", "personal_account"])

    assert [s.code for s in check.signals] == ["bank_card_number", "personal_account"]
    assert all(s.evidence == "" for s in check.signals)


def test_the_short_form_never_quotes_the_same_words_twice() -> None:
    check = classify_payment(
        "亲，走公司账户要交税，直接打我私人卡 6222 0212 3456 7890 128 可以便宜5%，"
        "或者加微信 wx_1688boss 扫码付款，今天付款明天发货"
    )
    quotes = [s.evidence for s in check.signals]
    assert len(quotes) > len(set(quotes)), "the message quotes some words for two findings"

    short = render_short(check, "en")

    bullets = [line for line in short.split("\n") if line.startswith("•")]
    assert 0 < len(bullets) <= 3
    shown = [line.split("“")[1].split("”")[0] for line in bullets]
    assert len(shown) == len(set(shown))
    assert "a bank card number, a person's own account" in short
