"""`python -m bot read-order`: the JSON contract, stdin, a screenshot, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.order_page import render_page
from bot.domain.escrow.order_page import read_order_page
from tests.vision.screenshots import needs_cjk_font, render_chat_screenshot

NOW = "2026-12-07T02:00:00Z"
PAGE = (
    "卖家已发货\n还剩9天23小时52分自动确认收货\n订单编号：3482915567012345678\n"
    "下单时间：2026-12-01 10:21:33\n付款时间：2026-12-01 10:25:02\n发货时间：2026-12-06 16:40:11"
)
EXPECTED = {
    "deadline_at": "2026-12-17T01:52:00Z",
    "order_no": "3482915567012345678",
    "status": "shipped",
    "basis": "countdown",
}


def read_order(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "read-order", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def json_out(result: subprocess.CompletedProcess[bytes]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1
    loaded = json.loads(lines[0])
    assert isinstance(loaded, dict)
    return loaded


def test_text_argument_gives_the_contract_json() -> None:
    assert json_out(read_order("--json", "--now", NOW, PAGE)) == EXPECTED


def test_dash_reads_stdin() -> None:
    assert json_out(read_order("--json", "--now", NOW, "-", stdin=PAGE.encode())) == EXPECTED


def test_now_in_another_zone_is_the_same_moment() -> None:
    result = read_order("--json", "--now", "2026-12-07T10:00:00+08:00", PAGE)

    assert json_out(result)["deadline_at"] == EXPECTED["deadline_at"]


def test_without_now_the_clock_is_used() -> None:
    result = json_out(read_order("--json", "交易关闭\n订单号：2876543210987654321"))

    assert result == {
        "deadline_at": None,
        "order_no": "2876543210987654321",
        "status": "closed",
        "basis": "no_running_clock",
    }


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("-",), b"", b"no text"),
        (("-",), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"not UTF-8"),
        (("-",), b"abc\x00def", b"binary"),
        (("-",), "还剩".encode() * 300_000, b"too long"),
        (("--image", "/nonexistent/order.png"), b"", b"cannot open"),
        (("--now", "2026-12-07 10:00", "x"), b"", b"no zone"),
        (("--now", "yesterday", "x"), b"", b"not an ISO 8601 time"),
        (("--image", "/dev/null", "卖家已发货"), b"", b"not both"),
    ],
)
def test_bad_input_is_refused_without_a_traceback(
    args: tuple[str, ...], stdin: bytes, message: bytes
) -> None:
    result = read_order("--json", *args, stdin=stdin)

    assert result.returncode == 2
    assert message in result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""


def test_a_picture_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "order.png"
    fake.write_bytes(b"not a picture at all")

    result = read_order("--json", "--image", str(fake))

    assert result.returncode == 2
    assert b"not_an_image" in result.stderr


@needs_cjk_font
def test_image_of_an_order_page_is_read(tmp_path: Path) -> None:
    picture = tmp_path / "order.png"
    picture.write_bytes(render_chat_screenshot(PAGE.splitlines()))

    assert json_out(read_order("--json", "--now", NOW, "--image", str(picture))) == EXPECTED


def test_plain_text_output_names_beijing_time() -> None:
    page = read_order_page(PAGE, datetime(2026, 12, 7, 2, tzinfo=UTC))

    assert render_page(page).splitlines() == [
        "status: shipped",
        "order: 3482915567012345678",
        "deadline: 2026-12-17T01:52:00Z (2026-12-17 09:52 Beijing; from countdown)",
    ]


def test_a_huge_file_is_not_read_as_a_screenshot(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as file:
        file.truncate(30_000_000)  # sparse: no disk used

    result = read_order("--json", "--image", str(huge))

    assert result.returncode == 2
    assert b"not a screenshot" in result.stderr
