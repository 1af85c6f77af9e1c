"""The logistics trace reader, its flags and its messages: pure functions, no I/O."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.logistics import (
    Carrier,
    FlagCode,
    SignedBy,
    check_trace,
    looks_like_trace,
    normalize_city,
    read_trace,
    same_city,
    seller_message,
    service_message,
    trace_to_json,
)
from bot.domain.logistics.carriers import carrier_by_number, find_tracking_number
from bot.domain.logistics.places import city_of

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # 12:00 in Beijing

CLEAN = """中通快递 运单号：75123456789012
2026-12-03 13:05:12
【广州市】 快件已在 【广州石井】 签收, 签收人: 本人, 如有疑问请电联:（13912345678）
2026-12-03 09:05:12
【广州市】 【广州石井】 的 李四（13912345678） 正在第1次派件
2026-12-02 23:05:12
【广州市】 快件已经到达 【广州中心】
2026-12-02 11:05:12
【义乌市】 快件离开 【义乌】 已发往 【广州中心】
2026-12-01 17:05:12
【义乌市】 【义乌六部】 的 王师傅（13812345678） 已揽收"""


def codes(text: str, now: datetime = NOW, **kwargs: object) -> set[str]:
    trace = read_trace(text, now)
    return {flag.code.value for flag in check_trace(trace, now, **kwargs)}  # type: ignore[arg-type]


def test_a_clean_delivery_to_the_warehouse_is_read_and_raises_nothing() -> None:
    trace = read_trace(CLEAN, NOW)

    assert trace.carrier is Carrier.ZTO
    assert trace.tracking_no == "75123456789012"
    assert trace.signed
    assert trace.signed_at == datetime(2026, 12, 3, 5, 5, 12, tzinfo=UTC)
    assert trace.signed_city == "广州"
    assert trace.signed_by is SignedBy.RECIPIENT
    assert trace.first_scan_city == "义乌"
    assert trace.newest_first
    assert [event.at for event in trace.events] == sorted(event.at for event in trace.events)
    assert check_trace(trace, NOW, warehouse_city="广州市") == ()


def test_newest_first_and_oldest_first_read_the_same() -> None:
    lines = CLEAN.split("\n")
    pairs = [lines[index : index + 2] for index in range(1, len(lines), 2)]
    oldest_first = "\n".join([lines[0], *[line for pair in reversed(pairs) for line in pair]])

    newest, oldest = read_trace(CLEAN, NOW), read_trace(oldest_first, NOW)

    assert newest.events == oldest.events
    assert not oldest.newest_first


def test_text_above_its_time_is_read_like_time_above_text() -> None:
    text = (
        "物流信息\n【广州市】已签收，签收人：门卫\n2026-12-04 15:31:02\n"
        "【义乌市】已揽收\n2026-12-02 18:01:30"
    )

    trace = read_trace(text, NOW)

    assert [event.text for event in trace.events] == [
        "【义乌市】已揽收",
        "【广州市】已签收,签收人:门卫",
    ]
    assert trace.signed_by is SignedBy.PROXY


def test_date_and_time_on_separate_lines_in_either_order() -> None:
    date_first = "12-04\n15:31\n【广州市】已签收\n12-02\n18:01\n【义乌市】已揽收"
    time_first = "15:31\n12-04\n【广州市】已签收\n18:01\n12-02\n【义乌市】已揽收"

    for text in (date_first, time_first):
        trace = read_trace(text, NOW)
        assert trace.signed_at == datetime(2026, 12, 4, 7, 31, tzinfo=UTC)
        assert trace.first_scan_city == "义乌"


def test_kuaidi100_web_layout_with_weekdays_and_status_tags() -> None:
    text = (
        "快递公司：中通快递 快递单号：73400500600700\n2026.12.04\n周五\n14:22\n签收\n"
        "【广州市】快件已在【广州石井】签收\n2026.12.02\n周三\n18:05\n揽收\n【义乌市】已揽收"
    )

    trace = read_trace(text, NOW)

    assert [event.text for event in trace.events] == [
        "揽收【义乌市】已揽收",
        "签收【广州市】快件已在【广州石井】签收",
    ]
    assert trace.tracking_no == "73400500600700"


def test_a_kuaidi100_answer_pasted_as_json() -> None:
    answer = {
        "message": "ok",
        "nu": "YT5555500001111",
        "com": "yuantong",
        "state": "3",
        "data": [
            {
                "time": "2026-12-04 17:31:57",
                "ftime": "2026-12-04 17:31:57",
                "context": "客户签收人: 已签收，签收人凭取货码签收。 如有疑问请联系：13800001111",
            },
            {"time": "2026-12-04 13:53:38", "context": "快件已由广州石井西门店代收，请及时取件"},
            {"time": "2026-12-02 18:13:56", "context": "【浙江省金华市义乌市公司】 已收件"},
        ],
    }
    wrapped = json.dumps({"returnCode": 1000, "dataInfo": {"queryTrackMapResp": answer}})

    for text in (json.dumps(answer, ensure_ascii=False), wrapped):
        trace = read_trace(text, NOW)
        assert trace.carrier is Carrier.YTO
        assert trace.tracking_no == "YT5555500001111"
        assert trace.signed_at == datetime(2026, 12, 4, 5, 53, 38, tzinfo=UTC)
        assert trace.signed_by is SignedBy.STATION
        assert trace.first_scan_city == "义乌"
        assert looks_like_trace(text)


def test_a_kdniao_answer_pasted_as_json() -> None:
    answer = {
        "LogisticCode": "4312345678901",
        "ShipperCode": "YD",
        "Traces": [
            {"AcceptTime": "2026-12-02 19:19:16", "AcceptStation": "【浙江义乌公司】已揽收"},
            {"AcceptTime": "2026-12-04 11:46:00", "AcceptStation": "【广东广州公司】已签收"},
        ],
    }

    trace = read_trace(json.dumps(answer, ensure_ascii=False), NOW)

    assert trace.carrier is Carrier.YUNDA
    assert trace.signed_city == "广州"
    assert not trace.newest_first


@pytest.mark.parametrize("text", ["{not json", "[1, 2, 3]", '{"data": []}', "{}"])
def test_json_without_a_trace_is_read_as_text(text: str) -> None:
    assert read_trace(text, NOW).events == ()


def test_a_date_header_over_several_times() -> None:
    text = (
        "12月04日\n15:31 【广州市】已签收\n09:00 【广州市】派件中\n"
        "12月02日\n18:01 【义乌市】已揽收"
    )

    trace = read_trace(text, NOW)

    assert [event.at.isoformat() for event in trace.events] == [
        "2026-12-02T10:01:00+00:00",
        "2026-12-04T01:00:00+00:00",
        "2026-12-04T07:31:00+00:00",
    ]


def test_a_date_without_a_year_is_the_latest_one_not_after_now_in_beijing() -> None:
    new_year_morning = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)  # 09:00 on 1 January in Beijing
    text = (
        "01-01 08:30 【广州市】已签收\n12-31 22:40 【广州市】派件中\n12-30 11:00 【义乌市】已揽收"
    )

    trace = read_trace(text, new_year_morning)

    assert [event.at.date().isoformat() for event in trace.events] == [
        "2026-12-30",
        "2026-12-31",
        "2027-01-01",
    ]
    # Still 31 December in UTC, already 1 January in Beijing: 01-01 is this year's.
    late_evening_utc = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert read_trace("01-01 00:10 【广州市】已签收", late_evening_utc).signed_at == datetime(
        2026, 12, 31, 16, 10, tzinfo=UTC
    )
    # A date later in the year than today is last year's.
    assert read_trace("12-20 10:00 【广州市】已签收", NOW).signed_at == datetime(
        2025, 12, 20, 2, 0, tzinfo=UTC
    )


def test_29_february_without_a_year_is_the_latest_leap_day() -> None:
    trace = read_trace("02-29 10:00 【广州市】已签收", NOW)

    assert trace.signed_at is not None
    assert trace.signed_at.date().isoformat() == "2024-02-29"


def test_today_and_yesterday() -> None:
    trace = read_trace(
        "今天 10:15 【广州市】快件已被菜鸟驿站代收\n昨天 18:11 【义乌市】已揽收", NOW
    )

    assert trace.signed_at == datetime(2026, 12, 5, 2, 15, tzinfo=UTC)
    assert trace.events[0].at == datetime(2026, 12, 4, 10, 11, tzinfo=UTC)


def test_full_width_digits_colons_and_letters() -> None:
    text = (
        "顺丰速运　ＳＦ１２３４５６７８９０１２３\n"
        "２０２６－１２－０４　１５：３１：０２　【广州市】已签收"
    )

    trace = read_trace(text, NOW)

    assert trace.tracking_no == "SF1234567890123"
    assert trace.signed_at == datetime(2026, 12, 4, 7, 31, 2, tzinfo=UTC)


def test_ocr_slips_are_mended() -> None:
    text = (
        "2O26-l2-O4 l5: 3l:O2 【广州市】快件已在石井签\n收，签收人：门卫\n"
        "2026-12-0318:01:30 【义乌市】已揽收"
    )

    trace = read_trace(text, NOW)

    assert trace.signed_at == datetime(2026, 12, 4, 7, 31, 2, tzinfo=UTC)
    assert trace.signed_by is SignedBy.PROXY
    assert trace.events[0].at == datetime(2026, 12, 3, 10, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "signed_by"),
    [
        ("已签收，签收人：本人", SignedBy.RECIPIENT),
        ("已签收，签收人：张三", SignedBy.RECIPIENT),
        ("已签收", SignedBy.RECIPIENT),
        ("已妥投，投递结果：他人收 物业", SignedBy.PROXY),
        ("快件已在【石井】签收，签收人：前台", SignedBy.PROXY),
        ("已被 传达室 签收", SignedBy.PROXY),
        ("快件已被【丰巢智能快递柜】代收", SignedBy.LOCKER),
        ("快件已派送至丰巢智能柜，请凭取件码取件", SignedBy.LOCKER),
        ("您的快件已存入快递柜", SignedBy.LOCKER),
        ("快件已被【菜鸟驿站石井店】代收，请及时取件", SignedBy.STATION),
        ("已投递至 快递超市", SignedBy.STATION),
        ("快件已由翡翠雅郡北区西门店代收，请及时取件", SignedBy.STATION),
        ("您的快件已被【兔喜生活】代收", SignedBy.STATION),
        ("快件已被 妈妈驿站(长安店) 代签收", SignedBy.STATION),
        ("已签收, 签收人: 他人代收", SignedBy.PROXY),
        ("您的快件已到达菜鸟驿站【石井店】，请凭取件码取件", SignedBy.STATION),
        ("快件已暂存至【石井兔喜快递超市】，请及时取件", SignedBy.STATION),
    ],
)
def test_how_a_parcel_was_signed(line: str, signed_by: SignedBy) -> None:
    trace = read_trace(f"2026-12-04 15:31 {line}", NOW)

    assert trace.signed
    assert trace.signed_by is signed_by


@pytest.mark.parametrize(
    "line",
    [
        "正在派送途中,请您准备签收(派件人:王九)",
        "快件派送不成功，收件人拒收，退回",
        "派件中 派件人: 刘五",
        "【义乌网点】的【小王】已取件",
        "您的快件已被德邦快递东莞长安营业部收件",
        "【广州市石井揽投部】安排投递",
        "快件已到达【广州转运中心】",
    ],
)
def test_lines_that_are_not_a_signing(line: str) -> None:
    assert not read_trace(f"2026-12-04 15:31 {line}", NOW).signed


def test_the_first_handover_is_the_signing_and_a_later_line_can_tell_how() -> None:
    text = (
        "2026-12-04 17:31 客户签收人: 已签收 感谢使用圆通速递\n"
        "2026-12-04 13:53 【广州市】快件已由石井妈妈驿站代收，请及时取件\n"
        "2026-12-04 09:00 【广州市】派件中"
    )

    trace = read_trace(text, NOW)

    assert trace.signed_at == datetime(2026, 12, 4, 5, 53, tzinfo=UTC)
    assert trace.signed_by is SignedBy.STATION
    assert trace.carrier is Carrier.YTO


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("SF1234567890123", Carrier.SF),
        ("JT3012345678901", Carrier.JT),
        ("YT7512345678901", Carrier.YTO),
        ("JDVA12345678901", Carrier.JD),
        ("DPK301234567890", Carrier.DEPPON),
        ("EA123456789CN", Carrier.EMS),
        ("75123456789012", Carrier.ZTO),
        ("78690123456789", Carrier.ZTO),
        ("773123456789012", Carrier.STO),
        ("4312345678901", Carrier.YUNDA),
        ("3914712788236", Carrier.YUNDA),
        ("9812345678901", Carrier.EMS),
        ("12345", None),
    ],
)
def test_carriers_by_number_shape(number: str, carrier: Carrier | None) -> None:
    assert carrier_by_number(number) is carrier


def test_the_carrier_named_in_the_trace_beats_the_number_shape() -> None:
    trace = read_trace("申通快递 运单号：4312345678901\n2026-12-04 15:31 【广州市】已签收", NOW)

    assert trace.carrier is Carrier.STO
    assert trace.tracking_no == "4312345678901"


def test_tracking_numbers_are_not_phone_numbers_or_times() -> None:
    assert find_tracking_number("派件员 13812345678 2026-12-04 15:31:02") is None
    assert find_tracking_number("快递单号 sf1234567890123") == "SF1234567890123"


@pytest.mark.parametrize(
    ("line", "city"),
    [
        ("【深圳市】已签收", "深圳"),
        ("【浙江省金华市义乌市公司】 已收件", "义乌"),
        ("【金华市】 快件已在 【义乌福田】 签收", "义乌"),
        ("【广州番禺转运中心】，正发往【深圳转运中心】", "广州"),
        ("快件已到达【义乌转运中心】，正发往【广州转运中心】", "义乌"),
        ("【广东广州白云区石井服务部】进行派件扫描", "广州"),
        ("【山东省济南市孙村公司】 已收入", "济南"),
        ("【韶关市】快件已发车", "韶关"),
        ("快件已被快递超市代收", None),
        ("已签收，签收人：本人", None),
    ],
)
def test_the_city_of_a_line(line: str, city: str | None) -> None:
    assert city_of(line) == city


def test_warehouse_cities_as_users_write_them() -> None:
    assert normalize_city("广州市") == "广州"
    assert normalize_city(" Guangzhou ") == "广州"
    assert normalize_city("yi wu") == "义乌"
    assert normalize_city("") is None
    assert same_city("义乌", "金华")
    assert not same_city("义乌", "杭州")


def _trace(*lines: str) -> str:
    return "\n".join(lines)


def test_signed_outside_the_warehouse_city_only_when_a_city_is_given() -> None:
    text = _trace(
        "2026-12-04 15:31 【杭州市】已签收，签收人：本人", "2026-12-02 18:01 【义乌市】已揽收"
    )

    assert codes(text, warehouse_city="广州") == {"signed_outside_warehouse_city"}
    assert codes(text) == set()
    assert codes(text, warehouse_city="Hangzhou") == set()
    assert codes(text, warehouse_city="Somewhere Unknown") == set()


def test_signed_too_fast_is_under_twelve_hours_from_the_first_scan_in_another_city() -> None:
    first = "2026-12-04 03:31 【义乌市】已揽收"
    assert codes(_trace("2026-12-04 15:30 【广州市】已签收", first)) == {"signed_too_fast"}
    assert codes(_trace("2026-12-04 15:31 【广州市】已签收", first)) == set()
    same_city_fast = _trace("2026-12-04 05:00 【义乌市】已签收", first)
    assert codes(same_city_fast) == set()


def test_no_movement_is_more_than_72_hours_without_a_signing() -> None:
    last = NOW - timedelta(hours=72)
    beijing = (last + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    line = f"{beijing} 【广州市】快件到达【广州转运中心】"

    assert codes(line) == set()
    assert codes(line, now=NOW + timedelta(minutes=1)) == {"no_movement"}
    signed = _trace("2026-11-20 10:00 【广州市】已签收", "2026-11-19 10:00 【义乌市】已揽收")
    assert "no_movement" not in codes(signed)


def test_signed_before_the_order_was_shipped_or_paid() -> None:
    text = _trace("2026-11-04 15:31 【广州市】已签收", "2026-11-02 18:01 【义乌市】已揽收")
    shipped = datetime(2026, 12, 1, tzinfo=UTC)

    assert codes(text, shipped_at=shipped) == {"signed_before_shipped"}
    assert codes(text, paid_at=shipped) == {"signed_before_shipped"}
    assert codes(text, shipped_at=datetime(2026, 11, 1, tzinfo=UTC)) == set()


def test_every_flag_quotes_its_line_with_phone_numbers_masked() -> None:
    text = _trace(
        "2026-12-04 15:31 【杭州市】快件已被【菜鸟驿站】代收，电话13912345678",
        "2026-12-04 10:01 【义乌市】已揽收",
    )
    trace = read_trace(text, NOW)

    flags = check_trace(trace, NOW, warehouse_city="广州", paid_at=NOW)

    assert [flag.code for flag in flags] == [
        FlagCode.SIGNED_OUTSIDE_WAREHOUSE_CITY,
        FlagCode.SIGNED_AT_LOCKER_OR_STATION,
        FlagCode.SIGNED_TOO_FAST,
        FlagCode.SIGNED_BEFORE_SHIPPED,
    ]
    for flag in flags:
        assert "菜鸟驿站" in flag.evidence
        assert "13912345678" not in flag.evidence
        assert "••••5678" in flag.evidence


def test_messages_quote_the_evidence_politely_and_mask_phones() -> None:
    text = _trace(
        "中通快递 75123456789012",
        "2026-12-04 15:31 【杭州市】已签收，签收人：门卫，电话13912345678",
        "2026-12-02 10:01 【义乌市】已揽收",
    )
    trace = read_trace(text, NOW)
    flags = check_trace(trace, NOW, warehouse_city="广州")

    seller = seller_message(flags, trace, warehouse_city="广州")
    service = service_message(flags, trace, warehouse_city="广州", order_no="2890123456789012345")

    for message in (seller, service):
        assert message.startswith("您好")
        assert "中通 75123456789012" in message
        assert "杭州" in message
        assert "广州" in message
        assert "门卫" in message
        assert "13912345678" not in message
        assert "谢谢" in message
    assert "订单2890123456789012345" in service
    assert seller_message((), trace) == service_message((), trace) == ""


def test_the_json_reading() -> None:
    trace = read_trace(CLEAN, NOW)

    assert trace_to_json(trace, check_trace(trace, NOW, warehouse_city="广州")) == {
        "carrier": "中通",
        "tracking_no": "75123456789012",
        "signed": True,
        "signed_at": "2026-12-03T05:05:12Z",
        "signed_city": "广州",
        "signed_by": "recipient",
        "first_scan_city": "义乌",
        "flags": [],
    }


@pytest.mark.parametrize(
    ("text", "is_trace"),
    [
        (CLEAN, True),
        ("2026-12-04 15:31 【广州市】已签收，签收人：门卫", True),
        ("12-04 15:31 快件已到达【广州转运中心】\n12-04 09:00 【义乌市】已揽收", True),
        ("你好 14:22 快递发了吗", False),
        ("14:22 我已经签收了", False),
        ("14:22 亲，快递已经到了\n14:25 快递签收了吗？\n14:30 快件发往广州了", False),
        ("请转账到我的私人账户 6222021234567890128", False),
        ("", False),
        ("2026-12-01 10:00 付款成功\n2026-12-02 11:00 卖家已发货", False),
    ],
)
def test_looks_like_trace(text: str, is_trace: bool) -> None:
    assert looks_like_trace(text) is is_trace


def test_text_without_a_trace_gives_an_empty_reading() -> None:
    trace = read_trace("hello", NOW)

    assert trace.events == ()
    assert not trace.signed
    assert trace.signed_by is None
    assert check_trace(trace, NOW, warehouse_city="广州") == ()


def test_now_and_order_times_must_be_aware() -> None:
    trace = read_trace(CLEAN, NOW)

    with pytest.raises(ValueError, match="aware"):
        check_trace(trace, datetime(2026, 12, 5, 12))
    with pytest.raises(ValueError, match="aware"):
        check_trace(trace, NOW, shipped_at=datetime(2026, 12, 1))


def test_a_huge_paste_is_read_quickly() -> None:
    started = time.monotonic()
    read_trace((CLEAN + "\n") * 200 + "x" * 100_000, NOW)
    looks_like_trace("签收 2026-12-04 " * 5000)

    assert time.monotonic() - started < 5


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789:-/ 年月日\n【】已签收代收市OlI丰巢驿站SFJT"),
        max_size=80,
    )
)
def test_any_text_reads_without_raising(text: str) -> None:
    trace = read_trace(text, NOW)
    trace_to_json(trace, check_trace(trace, NOW, warehouse_city="广州"))
    looks_like_trace(text)


def test_the_order_number_is_never_the_tracking_number() -> None:
    trace = read_trace(
        "订单号：3456789012345678901\n中通快递 运单号：75123456789012\n"
        "2026-12-03 13:05:12 【广州市】 快件已签收\n2026-12-01 17:05:12 【义乌市】 已揽收",
        datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
    )

    assert trace.tracking_no == "75123456789012"
