"""`python -m bot check-payment`: the JSON contract of DESIGN.md, for scripts and pipelines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.payments.slots import SLOT_NAMES

VERDICTS = {"approved", "conditional", "high_risk", "unclear"}


@pytest.fixture(autouse=True)
def in_an_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands read ./.env: they run where there is none, not in the checkout."""
    monkeypatch.chdir(tmp_path)


def check_payment(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-payment", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_json_for_one_text_follows_the_contract() -> None:
    result = check_payment("--json", "请转账到我的私人账户 6222021234567890128，便宜点")

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "high_risk"
    assert set(answer) >= {"verdict", "signals", "advice"}
    for signal in answer["signals"]:
        assert set(signal) >= {"code", "evidence", "explanation"}
        assert "<" not in signal["explanation"], "explanations are plain text"
    assert all(isinstance(advice, str) and advice for advice in answer["advice"])
    assert "6222021234567890128" not in result.stdout


def test_jsonl_adds_slots_and_ask_without_renaming_anything() -> None:
    """Issue 16: `slots`, `ask` and each signal's `slot` are new; the old fields stay."""
    lines = [
        json.dumps(
            {"id": "role", "text": "Pay the boss's account, the company account has a limit"}
        ),
        json.dumps({"id": "bank", "text": "Please pay by bank transfer to the account below"}),
        json.dumps({"id": "buyer", "text": "can I pay with paypal on 1688?"}),
    ]
    result = check_payment("--jsonl", stdin="\n".join(lines) + "\n")

    answers = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    for row in answers.values():
        assert set(row) >= {"id", "verdict", "signals", "advice", "slots", "ask"}
        assert tuple(row["slots"]) == SLOT_NAMES
        for signal in row["signals"]:
            assert set(signal) >= {"code", "evidence", "explanation", "slot"}
    assert answers["role"]["verdict"] == "high_risk"
    assert answers["role"]["slots"]["payee"] == "role"
    assert "account_limit" in answers["role"]["slots"]["pretext"]
    assert answers["bank"]["ask"] == "payee"
    assert answers["bank"]["slots"]["channel"] == "bank_transfer"
    assert answers["buyer"]["verdict"] == "unclear"
    assert answers["buyer"]["slots"]["speaker"] == "buyer"
    assert answers["buyer"]["signals"] == []


def test_text_from_stdin_with_a_dash() -> None:
    result = check_payment("--json", "-", stdin="请在1688拍下付款，我改价")

    assert json.loads(result.stdout)["verdict"] == "approved"


def test_jsonl_answers_each_line_with_its_id_and_survives_bad_lines() -> None:
    lines = [
        json.dumps({"id": 1, "text": "pay by Western Union to Li Na"}),
        "this is not json",
        json.dumps({"id": "b", "text": "Is it in stock?"}),
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": "走平台担保交易，拍下付款"}),
    ]

    result = check_payment("--jsonl", stdin="\n".join(lines) + "\n")

    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == [1, None, "b", 3, 4]
    assert answers[0]["verdict"] == "high_risk"
    assert "error" in answers[1]
    assert answers[2]["verdict"] == "unclear"
    assert "error" in answers[3]
    assert answers[4]["verdict"] == "approved"
    assert result.returncode == 1, "bad lines make the exit status non-zero"
    assert all(a.get("verdict") in VERDICTS for a in answers if "error" not in a)


def test_human_readable_by_default() -> None:
    result = check_payment("USDT only, TRC20 wallet please")

    assert result.returncode == 0
    assert "High risk" in result.stdout
    assert "<b>" not in result.stdout


def check_link(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-link", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_link_json_follows_the_contract() -> None:
    result = check_link("--json", "ｄｅｔａｉｌ．１６８８．ｃｏｍ/offer/653487692354.html?spm=x。")

    answer = json.loads(result.stdout)
    assert answer["kind"] == "offer"
    assert answer["platform"] == "1688"
    assert answer["offer_id"] == "653487692354"
    assert answer["shop_id"] is None
    assert answer["url"] == "https://detail.1688.com/offer/653487692354.html"
    assert isinstance(answer["reasons"], list)


def test_check_link_jsonl_keeps_ids_and_spots_lookalikes() -> None:
    lines = [
        json.dumps({"id": "a", "text": "https://detail.1688.com.check.top/offer/1.html"}),
        json.dumps({"id": "b", "text": "【1688】好货 https://qr.1688.com/s/7OnLCakq"}),
        json.dumps({"id": "c", "text": "no link here"}),
    ]

    result = check_link("--jsonl", stdin="\n".join(lines))

    answers = {a["id"]: a for a in map(json.loads, result.stdout.splitlines())}
    assert answers["a"]["kind"] == "lookalike"
    assert answers["b"]["kind"] == "share_link"
    assert answers["c"]["kind"] == "none"
    assert result.returncode == 0


def test_check_link_jsonl_unwraps_agent_links_and_adds_fields_renaming_none() -> None:
    lines = [
        json.dumps(
            {"id": "a", "text": "https://cnfans.com/product/?shop_type=ali_1688&id=669590387983"}
        ),
        json.dumps({"id": "b", "text": "https://www.amazon.com/dp/B08N5WRWNW"}),
        json.dumps({"id": "c", "text": "https://detail.1688.com/offer/653487692354.html"}),
    ]

    result = check_link("--jsonl", stdin="\n".join(lines))

    answers = {a["id"]: a for a in map(json.loads, result.stdout.splitlines())}
    contract = {"kind", "platform", "offer_id", "shop_id", "url", "reasons"}
    assert all(contract <= answer.keys() for answer in answers.values())
    assert answers["a"]["kind"] == "offer"
    assert answers["a"]["offer_id"] == "669590387983"
    assert answers["a"]["url"] == "https://detail.1688.com/offer/669590387983.html"
    assert answers["a"]["via_agent"] == "cnfans"
    assert answers["b"]["kind"] == "none"
    assert answers["b"]["url"] == "https://www.amazon.com/dp/B08N5WRWNW"
    assert answers["c"]["via_agent"] is None
