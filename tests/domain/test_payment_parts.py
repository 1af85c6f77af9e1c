"""The payment checker's parts: numbers, links, payees, text preparation, anchors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.payments.anchors import AnchorIndex, anchors
from bot.domain.payments.links import LinkKind, classify_host, classify_payload, find_links
from bot.domain.payments.numbers import (
    find_card_number,
    find_crypto_address,
    find_phone_as_wallet,
    is_card_number,
    luhn_valid,
)
from bot.domain.payments.payees import Payee, find_payee
from bot.domain.payments.rules import ALTERNATIVES
from bot.domain.payments.text import (
    MAX_CHARACTERS,
    is_disclaimed,
    is_negated,
    lower_in_place,
    normalise,
)
from tests.domain.payment_cases import ALL_CASES

# Numbers


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("digits", "card"),
    [
        ("6222021234567890123", True),  # UnionPay, taken at its word
        ("4532015112830366", True),  # Visa, Luhn-valid
        ("4532015112830367", False),  # Visa, bad check digit
        ("3100012345678901234", False),  # not a card issuer
        ("622202123456789", False),  # 15 digits
    ],
)
def test_card_numbers(digits: str, card: bool) -> None:
    assert is_card_number(digits) is card


def test_cards_are_found_with_spaces_or_dashes_but_order_numbers_are_not() -> None:
    assert find_card_number("卡号 6222 0212 3456 7890 123")
    assert find_card_number("card 6214-8312-3456-7890")
    assert find_card_number("订单号：6226789012345678901") is None
    assert find_card_number("order no. 6226789012345678901") is None


def test_a_phone_is_a_wallet_only_next_to_wallet_words() -> None:
    assert find_phone_as_wallet("支付宝 138 1234 5678")
    assert find_phone_as_wallet("alipay: +86 139-8765-4321")
    assert find_phone_as_wallet("有问题打我电话 13812345678") is None


def test_crypto_addresses() -> None:
    assert find_crypto_address("TRC20: TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9")
    assert find_crypto_address("0x52908400098527886E0F7030069857D2E4169EE7")
    assert find_crypto_address("order 31234567890123456789012345678") is None


# Links


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("detail.1688.com", LinkKind.PLATFORM),
        ("1688.com", LinkKind.PLATFORM),
        ("WWW.ALIBABA.COM", LinkKind.PLATFORM),
        ("m.tb.cn", LinkKind.PLATFORM),
        ("1688.com.pay-check.top", LinkKind.OTHER),
        ("evil-1688.com.example.com", LinkKind.OTHER),
        ("not1688.com", LinkKind.OTHER),
        ("aiibaba.com", LinkKind.OTHER),
        ("alibaba-inc.com.cn", LinkKind.OTHER),
        ("qr.alipay.com", LinkKind.PAYMENT_CODE),
        ("www.alipay.com", LinkKind.PLATFORM),
        ("wa.me", LinkKind.CHAT_APP),
        ("www.worldfirst.com", LinkKind.WORLDFIRST),
    ],
)
def test_hosts_match_on_whole_labels(host: str, kind: LinkKind) -> None:
    assert classify_host(host) is kind


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("付款链接：http://1688.com.pay-check.top/order", [LinkKind.OTHER]),
        ("go to detail.1688.com.verify-order.cn/pay now", [LinkKind.OTHER]),
        ("pay at trade.1688.com please", [LinkKind.PLATFORM]),
        ("请付款到 alibaba．com．secure-pay．top/order", [LinkKind.OTHER]),
        ("地址：pay-1688。com/order", [LinkKind.OTHER]),
        ("mail me at li@163.com, No.5 is 3.5kg", []),
        ("login: https://1688.com@evil.top/pay", [LinkKind.OTHER]),
        (
            "wxp://f2f0abc and https://qr.1688.com/s/7OnLCakq",
            [LinkKind.PAYMENT_CODE, LinkKind.PLATFORM],
        ),
    ],
)
def test_links_are_found_with_or_without_a_scheme(text: str, kinds: list[LinkKind]) -> None:
    assert [link.kind for link in find_links(normalise(text))] == kinds


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("wxp://f2f0Xy1234567890", LinkKind.PAYMENT_CODE),
        ("HTTPS://QR.ALIPAY.COM/FKX09876ZZ", LinkKind.PAYMENT_CODE),
        ("https://payapp.weixin.qq.com/qr/AbC", LinkKind.PAYMENT_CODE),
        ("https://qr.1688.com/s/PCQWhRIr", LinkKind.PLATFORM),
        ("https://detail.1688.com/offer/876240928352.html", LinkKind.PLATFORM),
        ("http://1688.com.pay-check.top/p/1", LinkKind.OTHER),
        ("https://detail.1688.com@pay-check.top/p/1", LinkKind.OTHER),
        ("https://u.wechat.com/abc", LinkKind.CHAT_APP),
        ("WIFI:S:factory;T:WPA;P:secret;;", None),
        ("just some words", None),
        ("http://[broken", None),
    ],
)
def test_qr_payloads(payload: str, kind: LinkKind | None) -> None:
    assert classify_payload(payload) is kind


# Payees


@pytest.mark.parametrize(
    ("text", "payee"),
    [
        ("户名：张伟 开户行：工商银行", Payee.PERSON),
        ("收款人: Li Na\n银行: Bank of China", Payee.PERSON),
        ("Beneficiary: Wang Xiaoming, Bank: ICBC", Payee.PERSON),
        ("户名：义乌市佳美饰品有限公司", Payee.COMPANY),
        ("Beneficiary: Shenzhen Xinda Electronics Co., Ltd.", Payee.COMPANY),
        ("户名：待定", None),
        ("用户名：张伟", None),
        ("account name: see below", None),
        ("New account at HSBC, beneficiary Wang Fang, account 123", Payee.PERSON),
        ("the beneficiary name is the same as on our licence", None),
    ],
)
def test_payees(text: str, payee: Payee | None) -> None:
    found = find_payee(normalise(text))
    assert (found[0] if found else None) is payee


# Text preparation


def test_normalise_simplifies_widens_and_repairs_ocr_spacing() -> None:
    assert normalise("請轉帳到老闆的私人帳戶") == "请转账到老板的私人账户"
    assert normalise("ＵＳＤＴ，ｔｒｃ２０") == "USDT,trc20"
    assert normalise("支 付 宝 转\n账") == "支付宝转账"
    assert normalise("pay to my\u200b personal  account") == "pay to my personal account"
    assert len(normalise("x" * (MAX_CHARACTERS + 500))) == MAX_CHARACTERS


def test_lower_case_keeps_positions() -> None:
    text = "İstanbul PAY"
    lowered = lower_in_place(text)

    assert len(lowered) == len(text)
    assert lowered.endswith("pay")


@pytest.mark.parametrize(
    ("text", "phrase", "negated"),
    [
        ("不要私下转账", "私下转账", True),
        ("we never accept private accounts", "private accounts", True),
        ("不要票的话直接打我卡上", "我卡", False),
        ("不用担心，转到我个人账户", "个人账户", False),
        ("I can't use the platform so pay to my personal account", "personal account", False),
        ("转到别人的账户", "账户", False),
    ],
)
def test_negation_reaches_only_what_it_negates(text: str, phrase: str, negated: bool) -> None:
    normal = normalise(text).lower()

    assert is_negated(normal, normal.index(phrase)) is negated


@pytest.mark.parametrize(
    ("text", "phrase", "warned"),
    [
        ("payment outside the platform is not covered by buyer protection", "platform", True),
        ("任何人让您转到私人账户都是骗子", "私人账户", True),
        ("转到私人账户不受平台保护", "私人账户", True),
        ("pay to my personal account, it is not covered by fees", "account", False),
        ("转到私人账户，便宜5%", "私人账户", False),
    ],
)
def test_a_warning_after_the_phrase_counts_as_a_negation(
    text: str, phrase: str, warned: bool
) -> None:
    normal = normalise(text).lower()

    assert is_disclaimed(normal, normal.index(phrase) + len(phrase)) is warned


# Anchors: a shortcut that must never change a result


def test_anchor_extraction() -> None:
    assert anchors("私人|私") == frozenset({"私"})
    assert anchors(r"(?:pay|send)\s*to\s*me") == frozenset({"pay", "send"})
    assert anchors("western\\s*union") == frozenset({"west"})
    assert anchors(r"\d+") is None
    assert anchors("(unbalanced") is None


_INDEX = AnchorIndex([alternative.anchors for alternative in ALTERNATIVES])


def test_the_index_wakes_only_patterns_whose_anchors_occur() -> None:
    index = AnchorIndex([frozenset({"私"}), frozenset({"pay", "card"}), None])

    assert index.candidates("转到私人账户") == 0b101
    assert index.candidates("my card") == 0b110
    assert index.candidates("hello") == 0b100


def _missed_by_anchors(text: str) -> list[str]:
    """Alternatives that match the text although the anchors said they could not."""
    lowered = lower_in_place(normalise(text))
    awake = _INDEX.candidates(lowered)
    return [
        alternative.pattern.pattern
        for number, alternative in enumerate(ALTERNATIVES)
        if not awake >> number & 1 and alternative.pattern.search(lowered)
    ]


def test_anchors_never_hide_a_match_in_the_labelled_set() -> None:
    missed = {text: m for case in ALL_CASES if (m := _missed_by_anchors(text := case.text))}

    assert not missed


_WORDS = sorted(
    {word for case in ALL_CASES for word in re.findall(r"[a-z]+|[\u4e00-\u9fff]{1,3}", case.text)}
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_anchors_never_hide_a_match_in_shuffled_words(words: list[str]) -> None:
    assert not _missed_by_anchors(" ".join(words))
    assert not _missed_by_anchors("".join(words))
