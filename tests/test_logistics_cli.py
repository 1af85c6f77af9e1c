"""`python -m bot read-logistics`: the JSON of DESIGN.md from text, stdin or a screenshot,
and a clear refusal of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.logistics_corpus import load_cases, mismatches
from tests.vision.screenshots import needs_cjk_font, render_chat_screenshot

KEYS = {
    "carrier",
    "tracking_no",
    "signed",
    "signed_at",
    "signed_city",
    "signed_by",
    "first_scan_city",
    "flags",
}
TRACE = (
    "中通快递 运单号：75123456789012\n"
    "2026-12-04 15:31:02 【杭州市】 快件已在 【杭州石井】 签收, 签收人: 门卫\n"
    "2026-12-02 18:01:30 【义乌市】 【义乌六部】 的 王师傅 已揽收"
)
NOW = "2026-12-05T04:00:00Z"


@pytest.fixture(autouse=True)
def in_an_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads ./.env: it runs where there is none, not in the checkout."""
    monkeypatch.chdir(tmp_path)


def read_logistics(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "read-logistics", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def answer(result: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1, "one JSON object"
    reading: dict[str, Any] = json.loads(lines[0])
    assert set(reading) == KEYS
    return reading


def test_text_argument_gives_the_documented_json() -> None:
    reading = answer(read_logistics("--json", "--now", NOW, "--warehouse", "广州", TRACE))

    assert reading == {
        "carrier": "中通",
        "tracking_no": "75123456789012",
        "signed": True,
        "signed_at": "2026-12-04T07:31:02Z",
        "signed_city": "杭州",
        "signed_by": "proxy",
        "first_scan_city": "义乌",
        "flags": ["signed_outside_warehouse_city", "signed_by_proxy"],
    }


def test_stdin_with_a_dash_and_order_times() -> None:
    result = read_logistics(
        "--json",
        "--now",
        NOW,
        "--shipped",
        "2026-12-05T01:00:00+08:00",
        "-",
        stdin=TRACE.encode(),
    )

    assert answer(result)["flags"] == ["signed_by_proxy", "signed_before_shipped"]


def test_stdin_without_a_dash() -> None:
    assert answer(read_logistics("--json", "--now", NOW, stdin=TRACE.encode()))["signed"]


def test_the_summary_without_json_carries_the_texts_to_copy() -> None:
    result = read_logistics("--now", NOW, "--warehouse", "Guangzhou", TRACE)

    out = result.stdout.decode()
    assert result.returncode == 0
    assert "signed_by: proxy" in out
    assert "To the seller:" in out
    assert "门卫" in out


def test_text_without_a_trace_gives_an_empty_reading() -> None:
    result = read_logistics("--json", "--now", NOW, "hello, is it shipped?")

    assert answer(result) == {key: None for key in KEYS} | {"signed": False, "flags": []}
    assert b"no logistics trace" in result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["--json", "--now", NOW, "-"], b"", b"empty"),
        (["--json", "--now", NOW, "   "], b"", b"empty"),
        (["--json", "--now", NOW], b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", b"not UTF-8"),
        (["--json", "--now", NOW], b"2026-12-04 \x00 \xe5\xb7\xb2", b"binary"),
        (["--json", "--now", NOW], "签收 ".encode() * 60_000, b"too big"),
        (["--json", "--now", "2026-12-05T04:00", "x"], b"", b"needs a zone"),
        (["--json", "--now", "yesterday", "x"], b"", b"not an ISO 8601"),
        (["--json", "--now", NOW, "--image", "missing.png"], b"", b"cannot read"),
        (["--json", "--now", NOW, "--image", "missing.png", "text"], b"", b"either"),
    ],
)
def test_bad_input_is_refused_on_stderr_without_a_traceback(
    args: list[str], stdin: bytes, says: bytes
) -> None:
    result = read_logistics(*args, stdin=stdin)

    assert result.returncode == 2
    assert result.stdout == b""
    assert says in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_file_that_is_not_a_picture(tmp_path: Path) -> None:
    path = tmp_path / "trace.png"
    path.write_bytes(b"not a picture at all")

    result = read_logistics("--json", "--now", NOW, "--image", str(path))

    assert result.returncode == 2
    assert b"not a picture" in result.stderr
    assert b"Traceback" not in result.stderr


SCREENSHOTS = [case for case in load_cases() if case["render"]]


@needs_cjk_font
@pytest.mark.parametrize("case", SCREENSHOTS, ids=[case["id"] for case in SCREENSHOTS])
def test_a_screenshot_is_read_through_ocr(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "trace.png"
    path.write_bytes(render_chat_screenshot(case["text"].split("\n")))
    args = ["--json", "--now", case["now"], "--image", str(path)]
    if case["warehouse"]:
        args += ["--warehouse", case["warehouse"]]

    reading = answer(read_logistics(*args))
    reading["flags"] = sorted(reading["flags"])

    assert mismatches(case, reading) == {}
