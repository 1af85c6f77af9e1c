"""The checks a model's reading of a pasted text must pass before the bot uses any of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.extraction_checks import (
    ProposedProfile,
    check_order_reading,
    check_profile_reading,
    checked_countdown,
    checked_deadline,
    checked_order_number,
    is_quoted,
    looks_like_order_page,
    looks_like_profile,
    searchable,
)
from bot.domain.suppliers.scorecard import SupplierFacts, parse_profile

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
PAGE = """订单详情
订单号：3456789012345678901
下单时间：2026-11-18 10:24:51
发货时间：2026-11-20 16:02:11
交易状态：卖家已发货，等待买家确认收货
还剩６天２３小时５９分自动确认收货
陶瓷马克杯 定制logo 350ml x 200
卖家备注：the deadline is in 30 days"""

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_uscc(first_17: str) -> str:
    """Completed with its GB 32100-2015 check character, computed here independently."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first_17, USCC_WEIGHTS, strict=True))
    return first_17 + USCC_CHARS[(31 - total % 31) % 31]


# -- finding a quote -----------------------------------------------------------------------


def test_quotes_are_compared_without_width_case_spacing_or_invisible_characters() -> None:
    assert searchable("还剩 ６天 ２３:５９ Left\u200b") == "还剩6天23:59left"
    assert is_quoted("6 天 23 小时", "还剩6天23小时")
    assert is_quoted("６天", "还剩 6 天")


def test_spaces_between_digits_still_separate_numbers() -> None:
    assert searchable("1 2天") == "1 2天"
    assert not is_quoted("12天", "还剩1 2天")


def test_a_quote_is_not_the_tail_or_head_of_a_longer_number() -> None:
    assert not is_quoted("23小时", "还剩123小时")
    assert not is_quoted("12345678", "订单号：123456789")
    assert not is_quoted("", "anything")


# -- the countdown, the deadline, the order number -------------------------------------------


def test_a_countdown_on_the_page_is_read_by_our_parser() -> None:
    deadline = checked_countdown("6天23小时59分", PAGE, NOW)

    assert deadline == NOW + timedelta(days=6, hours=23, minutes=59)


@pytest.mark.parametrize(
    ("quote", "why"),
    [
        ("5天", "not on the page"),
        ("30 days", "on the page, but not where the page shows the time left"),
        ("2026-11-20 16:02:11", "a date, not a countdown"),
        ("自动确认收货", "words our parser reads no time from"),
        ("还剩６天２３小时５９分自动确认收货" * 4, "too long to be a countdown"),
        (None, "nothing read"),
    ],
)
def test_a_countdown_that_fails_a_check_is_no_countdown(quote: str | None, why: str) -> None:
    assert checked_countdown(quote, PAGE, NOW) is None, why


def test_a_countdown_longer_than_any_1688_clock_is_refused() -> None:
    page = "订单号：3456789012345678901\n还剩120天自动确认收货"

    assert checked_countdown("120天", page, NOW) is None


def test_a_stated_deadline_is_beijing_time_in_a_sane_window() -> None:
    page = "订单号：34567890123\n自动确认收货时间：2026-12-01 14:00\n下单时间：2026-11-18 10:24"

    deadline = checked_deadline("2026-12-01 14:00", page, NOW)

    assert deadline == datetime(2026, 12, 1, 6, 0, tzinfo=UTC), "14:00 in Beijing"
    assert checked_deadline("2026-11-18 10:24", page, NOW) is None, "in the past, and unlabelled"


def test_a_deadline_too_far_ahead_is_refused() -> None:
    page = "自动确认收货时间：2027-06-01 14:00"

    assert checked_deadline("2027-06-01 14:00", page, NOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3456789012345678901", "3456789012345678901"),
        (" 3456789012345678901 ", "3456789012345678901"),
        ("345678901234567890", None),  # the number minus its last digit
        ("订单3456789012345678901", None),  # not digits only
        ("12345", None),  # too short to be an order number
        ("9999999999999999999", None),  # not on the page
    ],
)
def test_an_order_number_is_digits_found_whole_on_the_page(
    value: str, expected: str | None
) -> None:
    assert checked_order_number(value, PAGE) == expected


def test_the_countdown_wins_over_a_stated_deadline_and_a_bad_number_is_dropped() -> None:
    page = PAGE + "\n自动确认收货时间：2026-12-09 14:00"

    reading = check_order_reading(
        countdown="6天23小时59分",
        deadline="2026-12-09 14:00",
        order_number="not a number",
        text=page,
        now=NOW,
    )

    assert reading is not None
    assert reading.from_countdown
    assert reading.deadline == NOW + timedelta(days=6, hours=23, minutes=59)
    assert reading.order_number is None


def test_an_order_number_alone_is_nothing_to_offer() -> None:
    reading = check_order_reading(
        countdown=None, deadline=None, order_number="3456789012345678901", text=PAGE, now=NOW
    )

    assert reading is None


# -- what counts as an order page -----------------------------------------------------------


def test_an_order_page_is_recognised() -> None:
    assert looks_like_order_page(PAGE)


@pytest.mark.parametrize(
    "text",
    [
        "还剩6天23小时59分",  # a countdown on its own: the rules' job
        "亲，已发货了\n请确认收货\n谢谢",  # seller chat: no order number
        "订单号：3456789012345678901 还剩6天",  # one short line
        "Here is my order number 12345678\nIt left the warehouse\nThanks",
    ],
)
def test_other_texts_are_not_order_pages(text: str) -> None:
    assert not looks_like_order_page(text)


def test_after_asking_for_the_time_one_page_word_is_enough() -> None:
    text = "确认收货\n还剩\n6天 23:59:59\n（页面复制）"

    assert not looks_like_order_page(text)
    assert looks_like_order_page(text, asked_for_time=True)


# -- shop profiles ------------------------------------------------------------------------


PROFILE = """宁波海曙美杯贸易有限公司
本店由义乌市美杯日用品有限公司供货，主要做日用百货批发和零售。
诚信通会员已满 2 年，回头率约为3%。"""


def test_a_profile_worth_reading() -> None:
    assert looks_like_profile(PROFILE)
    assert not looks_like_profile("hello")
    assert not looks_like_profile("what do you think of this one?")


def test_only_fields_the_rules_left_empty_are_filled() -> None:
    known = parse_profile(PROFILE)
    assert known.shop_company == "宁波海曙美杯贸易有限公司"

    facts, added = check_profile_reading(
        ProposedProfile(
            company_name="义乌市美杯日用品有限公司",
            business_scope="日用百货批发和零售",
            repeat_rate=3.0,
            chengxintong_years=2,
        ),
        PROFILE,
        known,
    )

    assert facts.shop_company == "宁波海曙美杯贸易有限公司"
    assert facts.licence_name is None, "one paste never fills both names"
    assert facts.licence_scope == "日用百货批发和零售"
    assert facts.repeat_rate == 3.0
    assert set(added) == {"licence_scope", "repeat_rate"} | (
        set() if known.chengxintong_years else {"chengxintong_years"}
    )


@pytest.mark.parametrize(
    "proposed",
    [
        ProposedProfile(company_name="宁波海曙美杯贸易"),  # no legal form: not a company name
        ProposedProfile(company_name="杭州某某有限公司"),  # not in the paste
        ProposedProfile(business_scope="日用百货生产"),  # not in the paste
        ProposedProfile(repeat_rate=30.0),  # not in the paste
        ProposedProfile(chengxintong_years=7),  # not in the paste
        ProposedProfile(uscc="91330782MA2EC6R8XE"),  # fails the check character
    ],
)
def test_a_value_not_in_the_paste_or_not_valid_is_left_empty(proposed: ProposedProfile) -> None:
    facts, added = check_profile_reading(proposed, PROFILE, SupplierFacts())

    assert added == ()
    assert facts == SupplierFacts()


def test_a_number_must_stand_where_the_profile_says_what_it_is() -> None:
    text = "本店由义乌市美杯日用品有限公司经营，满3%的订单可开票。回头率很高。"

    _, added = check_profile_reading(ProposedProfile(repeat_rate=3.0), text, SupplierFacts())

    assert added == ()


def test_a_company_name_in_registry_data_is_the_licence_name() -> None:
    text = "工商信息\n本公司全称为义乌市美杯日用品有限公司，成立于2015年"

    facts, added = check_profile_reading(
        ProposedProfile(company_name="义乌市美杯日用品有限公司"), text, SupplierFacts()
    )

    assert added == ("licence_name",)
    assert facts.licence_name == "义乌市美杯日用品有限公司"


@pytest.mark.parametrize(
    ("proposed", "text"),
    [
        # A manufacturing scope would make it a factory: the user confirms that themselves.
        (ProposedProfile(business_scope="陶瓷杯生产、销售"), "我们是工厂：陶瓷杯生产、销售。"),
        # 3 years of 诚信通 reads "established".
        (ProposedProfile(chengxintong_years=5), "诚信通会员已满 5 年，欢迎选购，公司直供"),
        # 25% is green for general goods (and would be for some category the user picks).
        (ProposedProfile(repeat_rate=25.0), "本公司回头率为25%"),
        # A valid enterprise code is green.
        (
            ProposedProfile(uscc="91330782MA2EC6R8XW"),
            "公司代码 9133 0782 MA2E C6R8 XW 请核对",
        ),
    ],
    ids=["manufacturing-scope", "established-years", "good-repeat-rate", "enterprise-code"],
)
def test_nothing_the_model_reads_can_count_in_the_suppliers_favour(
    proposed: ProposedProfile, text: str
) -> None:
    facts, added = check_profile_reading(proposed, text, SupplierFacts())

    assert added == ()
    assert facts == SupplierFacts()


def test_a_value_that_is_only_a_warning_is_kept() -> None:
    individual = valid_uscc("92330782MA2D1234X")
    text = f"个体户 统一社会信用代码 {individual}（公司尚未注册）\n回头率:1.5%"

    facts, added = check_profile_reading(
        ProposedProfile(uscc=individual, repeat_rate=1.5), text, SupplierFacts()
    )

    assert set(added) == {"uscc", "repeat_rate"}
    assert facts.uscc == individual
    assert facts.repeat_rate == 1.5
