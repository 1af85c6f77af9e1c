"""`python -m bot read-order`: read a 1688 order page (text, stdin or a screenshot) and print
its status, order number and auto-confirm deadline, as JSON with `--json`.

The JSON is DESIGN.md's: `{"deadline_at": "2026-12-15T10:00:00Z" | null, "order_no",
"status", "basis"}`; `deadline_at` is UTC, whole seconds, always ending in `Z`. Bad input
(nothing, binary, too long, an unreadable picture) is refused on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.clock import Clock, SystemClock
from bot.domain.escrow.order_page import OrderPage, page_to_json, read_order_page
from bot.domain.timezones import BEIJING

MAX_TEXT_CHARS = 100_000  # an order page is a few thousand characters at most
USAGE_ERROR = 2


class InputError(ValueError):
    """The input cannot be read as an order page; the message says why, for stderr."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--now",
        type=parse_now,
        help="the moment the page was read, ISO 8601 with a zone (default: the clock's now)",
    )
    parser.add_argument("--image", type=Path, help="a screenshot of the order page (OCR)")
    parser.add_argument("text", nargs="?", default="-", help="the page text, or - for stdin")


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} has no zone: add one, e.g. 2026-12-07T10:00:00Z or …+08:00"
        )
    return moment


def run_read_order(
    args: argparse.Namespace,
    stdin: BinaryIO,
    out: TextIO,
    err: TextIO,
    clock: Clock | None = None,
) -> int:
    now: datetime = args.now or (clock or SystemClock()).now()
    try:
        if args.image is not None and args.text != "-":
            raise InputError("give the page as text or as --image PATH, not both")
        text = _image_text(args.image) if args.image is not None else _text(args.text, stdin)
    except InputError as problem:
        err.write(f"read-order: {problem}\n")
        return USAGE_ERROR
    page = read_order_page(text, now)
    if args.json:
        out.write(json.dumps(page_to_json(page), ensure_ascii=False) + "\n")
    else:
        out.write(render_page(page) + "\n")
    return 0


def render_page(page: OrderPage) -> str:
    lines = [f"status: {page.status.value}", f"order: {page.order_no or 'not found'}"]
    if page.deadline_at is None:
        lines.append(f"deadline: none ({page.basis})")
    else:
        beijing = page.deadline_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        guess = ", an estimate" if page.estimated else ""
        lines.append(
            f"deadline: {page_to_json(page)['deadline_at']} "
            f"({beijing} Beijing; from {page.basis}{guess})"
        )
    if page.product:
        lines.append(f"product: {page.product}")
    return "\n".join(lines)


def _text(argument: str, stdin: BinaryIO) -> str:
    data = stdin.read(MAX_TEXT_CHARS * 4 + 1) if argument == "-" else argument.encode()
    if len(data) > MAX_TEXT_CHARS * 4:
        raise InputError(f"the text is too long for an order page (over {MAX_TEXT_CHARS} chars)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the input is not UTF-8 text (for a screenshot use --image)") from None
    return _checked(text)


def _checked(text: str) -> str:
    if "\x00" in text:
        raise InputError("the input is binary, not text (for a screenshot use --image)")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"the text is too long for an order page (over {MAX_TEXT_CHARS} chars)")
    if not text.strip():
        raise InputError(
            "no text: pass the order page as an argument, on stdin with -, or --image"
        )
    return text


def _image_text(path: Path) -> str:
    from bot.adapters.ocr import DEFAULT_MAX_BYTES, ImageReader

    try:
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            raise InputError(
                f"{path} is over {DEFAULT_MAX_BYTES // 1_000_000} MB: not a screenshot"
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot open {path}: {error.strerror}") from None

    reading = ImageReader().read(data)
    if not reading.readable:
        raise InputError(f"cannot read {path} as a screenshot ({reading.problem})")
    if not reading.text.strip():
        raise InputError(f"no text found in {path}")
    return reading.text
