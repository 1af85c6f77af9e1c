"""The link classifier against labelled links, share texts and lookalike hosts."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.links import hosts as link_hosts
from bot.domain.links.classify import (
    MAX_TEXT,
    REASON_CODES,
    LinkCheck,
    LinkKind,
    classify_link,
    classify_links,
    find_links,
    kind_key,
    link_to_json,
    reason_key,
)
from bot.domain.links.hosts import is_platform_host, new_suffix_extractor, registrable_domain
from bot.domain.payments.links import LinkKind as PaymentLinkKind
from bot.domain.payments.links import classify_host
from tests.domain.link_cases import ALL_CASES, RESEARCH_EXAMPLES, LinkCase

CATALOGUE = Path(__file__).parents[2] / "bot" / "render" / "locales" / "en" / "links.json"


def case_id(case: LinkCase) -> str:
    return case.text[:50] or "<empty>"


def test_the_case_table_is_big_and_covers_every_kind() -> None:
    kinds = Counter(case.kind for case in ALL_CASES)

    assert len(ALL_CASES) >= 80
    assert len(RESEARCH_EXAMPLES) == 37  # §9.1: 34 forms, the last one four lookalikes
    assert set(kinds) == set(LinkKind)
    assert kinds[LinkKind.LOOKALIKE] >= 25


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_each_case_is_classified_as_labelled(case: LinkCase) -> None:
    check = classify_link(case.text)

    assert (check.kind, check.platform) == (case.kind, case.platform)
    assert (check.offer_id, check.shop_id) == (case.offer_id, case.shop_id)
    assert check.url == case.url
    assert check.needs_app == case.needs_app
    assert check.title == case.title
    assert check.via_agent == case.via_agent
    assert set(case.reasons) <= set(check.reasons), check.reasons


# ---------------------------------------------------------------------------------------
# Finding links


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("detail.1688.com/offer/1.html", ["detail.1688.com/offer/1.html"]),
        ("ｄｅｔａｉｌ．１６８８．ｃｏｍ", ["detail.1688.com"]),
        ("pay-1688。com/order。好的", ["pay-1688.com/order"]),
        ("链接：https://qr.1688.com/s/7OnLCakq）谢谢", ["https://qr.1688.com/s/7OnLCakq"]),
        ("「https://m.tb.cn/h.4CEhFr0」】", ["https://m.tb.cn/h.4CEhFr0"]),
        ("a https://x.top/a,https://y.top/b", ["https://x.top/a", "https://y.top/b"]),
        ("first 1688.com then https://taobao.com", ["1688.com", "https://taobao.com"]),
        ("li@163.com, sales.wang@alibaba.com", []),
        ("No.5, 3.5kg, Mr.Wang, e.g. logo.ai, v1.2.3", []),
        ("wxp://f2f0abc", []),
    ],
)
def test_links_are_found_as_people_paste_them(text: str, links: list[str]) -> None:
    assert find_links(text) == links


def test_tracking_parameters_and_fragments_are_dropped_but_others_kept() -> None:
    check = classify_link(
        "https://s.1688.com/selloffer/offer_search.htm?spm=a1&keywords=cup&utm_source=x"
        "&aff_fcid=9&tracelog=t&empty=#top"
    )

    assert check.url == "https://s.1688.com/selloffer/offer_search.htm?keywords=cup"


def test_every_link_in_a_text_is_classified_in_order() -> None:
    checks = classify_links(
        "real: detail.1688.com/offer/876240928352.html fake: 1688-pay.top/p "
        "taobao: item.taobao.com/item.htm?id=726477321880"
    )

    assert [check.kind for check in checks] == [
        LinkKind.OFFER,
        LinkKind.LOOKALIKE,
        LinkKind.OTHER_PLATFORM,
    ]


def test_a_lookalike_wins_even_after_a_genuine_link() -> None:
    text = "https://detail.1688.com/offer/876240928352.html 付款：https://1688.com.pay.top/"

    assert classify_link(text).kind is LinkKind.LOOKALIKE


# ---------------------------------------------------------------------------------------
# Hosts and the shared allowlist


@pytest.mark.parametrize(
    ("host", "genuine"),
    [
        ("detail.1688.com", True),
        ("1688.com", True),
        ("WWW.ALIBABA.COM.", True),
        ("m.tb.cn", True),
        ("cbu01.alicdn.com", True),
        ("detail.tmall.hk", True),
        ("1688.com.check.top", False),
        ("not1688.com", False),
        ("1688.com.cn", False),
        ("alibaba-inc.com.cn", False),
        ("", False),
    ],
)
def test_platform_hosts_are_matched_on_the_registrable_domain(host: str, genuine: bool) -> None:
    assert is_platform_host(host) is genuine


@pytest.mark.parametrize(
    "host",
    ["detail.1688.com", "evil-1688.com.example.com", "m.tb.cn", "1688.com.cn", "aiibaba.com"],
)
def test_the_payment_checker_uses_the_same_allowlist(host: str) -> None:
    is_platform = classify_host(host) is PaymentLinkKind.PLATFORM

    assert is_platform is is_platform_host(host)


# ---------------------------------------------------------------------------------------
# Robustness

CHINESE = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
    | st.sampled_from(list("，。！？、；：“”‘’【】「」（）《》…—￥　 \n")),
    max_size=12,
)
GENUINE = st.sampled_from(
    [
        "https://detail.1688.com/offer/876240928352.html",
        "detail.1688.com/offer/876240928352.html?spm=a1",
        "http://tsgjmy.1688.com/",
        "https://qr.1688.com/s/7OnLCakq",
        "winport.m.1688.com/page/index.html?memberId=b2b-2207146052740e484c",
        "www.1688.com",
        "ｄｅｔａｉｌ．１６８８．ｃｏｍ／ｏｆｆｅｒ／１２３４５６.html",
    ]
)


@given(before=CHINESE, link=GENUINE, after=CHINESE)
def test_a_genuine_1688_link_in_chinese_text_is_never_a_lookalike(
    before: str, link: str, after: str
) -> None:
    checks = classify_links(before + link + after)

    assert checks
    assert all(check.kind is not LinkKind.LOOKALIKE for check in checks)
    assert classify_link(before + link + after).platform == "1688"


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_any_text_is_classified_without_raising(text: str) -> None:
    check = classify_link(text)

    assert isinstance(check, LinkCheck)
    assert set(check.reasons) <= REASON_CODES
    json.dumps(link_to_json(check, str))


AGENT_HOSTS = st.sampled_from(["https://www.cssbuy.com", "https://cnfans.com", "pandabuy.com"])
AGENT_TOKENS = ["/", "?", "#", "&", "=", "%", "2F", "3A", "url", "id", "1688", "product"]
AGENT_TOKENS += ["item-", "shop", "t", "o", "b2b-", "123456", "detail.1688.com", "https://"]
AGENT_NOISE = st.lists(st.sampled_from(AGENT_TOKENS), max_size=20).map("".join)


@given(host=AGENT_HOSTS, rest=AGENT_NOISE)
def test_agent_link_noise_never_raises_and_is_never_a_genuine_page_but_1688s(
    host: str, rest: str
) -> None:
    check = classify_link(host + "/" + rest)

    assert set(check.reasons) <= REASON_CODES
    if check.kind in {LinkKind.OFFER, LinkKind.SHOP, LinkKind.SHARE_LINK, LinkKind.PAGE}:
        assert check.url is not None
        assert registrable_domain(check.url.split("/")[2]) == "1688.com"


@given(st.text(alphabet=st.sampled_from(list("abc1688.-@/:?=&#%[]。．ｃ看 ￥")), max_size=80))
def test_link_like_noise_is_classified_without_raising(text: str) -> None:
    for check in classify_links(text):
        assert set(check.reasons) <= REASON_CODES


def test_huge_input_is_cut_and_still_fast() -> None:
    text = "看 detail.1688.com/offer/876240928352.html 1688-pay.top " * 5_000
    started = time.perf_counter()

    checks = classify_links(text)

    assert time.perf_counter() - started < 1.0
    assert 0 < len(checks) <= 2  # duplicates collapse; the text past MAX_TEXT is ignored
    assert len(text) > MAX_TEXT
    late_link = "x" * (MAX_TEXT + 10) + " detail.1688.com/offer/876240928352.html"
    assert classify_link(late_link).kind is LinkKind.NONE


# ---------------------------------------------------------------------------------------
# Offline: the suffix list is the bundled one


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(requests.Session, "send", refuse)
    # Start from nothing loaded, so the suffix list is read again under the block.
    link_hosts._extractor.cache_clear()
    link_hosts._split.cache_clear()
    yield
    link_hosts._extractor.cache_clear()
    link_hosts._split.cache_clear()


def test_the_network_block_itself_works(no_network: None) -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("publicsuffix.org", 443))


def test_the_suffix_list_loads_and_links_classify_with_no_network(no_network: None) -> None:
    extractor = new_suffix_extractor()

    assert extractor("a.b.example.com.cn").suffix == "com.cn"
    assert registrable_domain("detail.1688.com.check.top") == "check.top"
    assert classify_link("detail.1688.com/offer/876240928352.html").kind is LinkKind.OFFER
    assert classify_link("1688.com.cn").kind is LinkKind.LOOKALIKE


# ---------------------------------------------------------------------------------------
# The JSON contract and the catalogue


def test_json_matches_the_design_contract() -> None:
    check = classify_link("【保温杯】复制￥oDuI8ZZ00nSaf￥ https://qr.1688.com/s/7OnLCakq")

    result = link_to_json(check, lambda key: f"text of {key}")

    assert result == {
        "kind": "share_link",
        "platform": "1688",
        "offer_id": None,
        "shop_id": None,
        "url": "https://qr.1688.com/s/7OnLCakq",
        "reasons": [
            "text of link_reason_genuine_1688",
            "text of link_reason_short_link_offline",
            "text of link_reason_share_text_token",
        ],
        "reason_codes": ["genuine_1688", "short_link_offline", "share_text_token"],
        "title": "保温杯",
        "needs_app": True,
        "via_agent": None,
    }
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result


def test_no_link_gives_kind_none_with_nulls() -> None:
    result = link_to_json(classify_link("hello"), str)

    assert result["kind"] == "none"
    assert [result[key] for key in ("platform", "offer_id", "shop_id", "url")] == [None] * 4


def catalogue() -> dict[str, str]:
    texts: dict[str, str] = json.loads(CATALOGUE.read_text("utf-8"))
    return texts


def test_every_reason_code_and_kind_has_catalogue_text() -> None:
    texts = catalogue()
    wanted = {reason_key(code) for code in REASON_CODES} | {kind_key(kind) for kind in LinkKind}

    assert wanted <= texts.keys()
    assert texts.keys() <= wanted  # and nothing stale
    assert all(texts[key].strip() for key in wanted)


def test_catalogue_texts_are_plain_enough_for_telegram_html() -> None:
    for key, text in catalogue().items():
        assert not set(text) & set("<>&"), key


def test_every_reason_the_cases_produce_is_a_known_code() -> None:
    produced = {code for case in ALL_CASES for code in classify_link(case.text).reasons}

    assert produced <= REASON_CODES
    assert len(produced) >= len(REASON_CODES) - 1  # nearly every code is exercised
