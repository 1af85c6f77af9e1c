"""`check-payment` and `check-link` on the command line: one text, or JSON lines in and
out, in the JSON documented in DESIGN.md."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.domain.links.classify import classify_link, link_to_json
from bot.domain.payments.checker import check_to_json, classify_payment
from bot.render.i18n import DEFAULT_LANGUAGE, translate
from bot.render.payments import render_check
from bot.render.suppliers import render_link
from bot.sandbox.html_parser import parse_html

Classifier = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Checker:
    as_json: Classifier
    as_text: Callable[[str], str]


def _explain(key: str) -> str:
    """Catalogue text as plain text, for JSON consumers that do not render HTML."""
    plain, _ = parse_html(translate(DEFAULT_LANGUAGE, key))
    return plain


def payment_as_json(text: str) -> dict[str, Any]:
    return check_to_json(classify_payment(text), _explain)


def payment_as_text(text: str) -> str:
    plain, _ = parse_html(render_check(classify_payment(text), DEFAULT_LANGUAGE))
    return plain


def link_as_json(text: str) -> dict[str, Any]:
    return link_to_json(classify_link(text), _explain)


def link_as_text(text: str) -> str:
    plain, _ = parse_html(render_link(classify_link(text), DEFAULT_LANGUAGE))
    return plain


CHECKERS = {
    "check-payment": Checker(payment_as_json, payment_as_text),
    "check-link": Checker(link_as_json, link_as_text),
}


def run_checker(checker: Checker, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    if args.jsonl:
        return run_jsonl(checker.as_json, stdin, out)
    text = stdin.read() if args.text == "-" else args.text
    if args.json:
        out.write(json.dumps(checker.as_json(text), ensure_ascii=False) + "\n")
    else:
        out.write(checker.as_text(text) + "\n")
    return 0


_NEEDS_TEXT = 'each line must be a JSON object with a string "text"'


def _parse_line(line: str) -> dict[str, Any] | str:
    """The line's object, or why it is not one."""
    try:
        item = json.loads(line)
    except ValueError as error:
        return f"not JSON: {error}"
    return item if isinstance(item, dict) else _NEEDS_TEXT


def run_jsonl(classify: Classifier, stdin: TextIO, out: TextIO) -> int:
    """One result per input line, each carrying the input's id. A bad line gets an error
    object in its place instead of stopping the batch; the exit status is then 1."""
    status = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        item = _parse_line(line)
        if isinstance(item, str):
            status = 1
            result: dict[str, Any] = {"id": None, "line": number, "error": item}
        elif not isinstance(item.get("text"), str):
            status = 1
            result = {"id": item.get("id"), "line": number, "error": _NEEDS_TEXT}
        else:
            result = {"id": item.get("id"), **classify(item["text"])}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return status
