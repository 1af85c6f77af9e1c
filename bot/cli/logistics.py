"""`read-logistics`: read a logistics trace (text or screenshot) and flag fake-tracking signs.

Prints one JSON object (DESIGN.md's `read-logistics` contract) with `--json`, else a short
summary and the Chinese texts to copy. Bad input (empty, binary, too big, an unreadable
image) gets a one-line message on stderr and exit status 2, never a traceback; a readable
text without a trace in it gets an empty reading (no carrier, not signed, no flags).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.clock import SystemClock
from bot.domain.logistics import (
    check_trace,
    looks_like_trace,
    read_trace,
    seller_message,
    service_message,
    trace_to_json,
)
from bot.domain.logistics.reader import MAX_INPUT_CHARS

MAX_IMAGE_BYTES = 20_000_000
BAD_INPUT = 2


class InputError(Exception):
    """Input we refuse, with the sentence to show."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the reading as JSON")
    parser.add_argument(
        "--now", help="the moment of reading, ISO 8601 with a zone (default: the clock)"
    )
    parser.add_argument("--warehouse", help="your warehouse city, e.g. 广州 or Yiwu")
    parser.add_argument("--shipped", help="when the order was marked shipped, ISO 8601")
    parser.add_argument("--paid", help="when the order was paid, ISO 8601")
    parser.add_argument("--image", help="a screenshot of the trace (PNG, JPEG, WEBP…)")
    parser.add_argument("text", nargs="?", help="the trace, or - for stdin")


def run(args: argparse.Namespace, stdin: BinaryIO, out: TextIO, err: TextIO) -> int:
    try:
        now = _moment(args.now, "--now") or SystemClock().now()
        shipped = _moment(args.shipped, "--shipped")
        paid = _moment(args.paid, "--paid")
        text = _input_text(args, stdin)
    except InputError as problem:
        err.write(f"read-logistics: {problem}\n")
        return BAD_INPUT
    trace = read_trace(text, now)
    flags = check_trace(
        trace, now, warehouse_city=args.warehouse, shipped_at=shipped, paid_at=paid
    )
    if not trace.events:
        err.write("read-logistics: no logistics trace found in the input\n")
    if args.json:
        out.write(json.dumps(trace_to_json(trace, flags), ensure_ascii=False) + "\n")
        return 0
    reading = trace_to_json(trace, flags)
    for key, value in reading.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        out.write(f"{key}: {'-' if shown in (None, '') else shown}\n")
    if not looks_like_trace(text):
        out.write("(this does not look like a logistics trace)\n")
    for title, message in (
        ("To the seller", seller_message(flags, trace, warehouse_city=args.warehouse)),
        ("To 1688 customer service", service_message(flags, trace, warehouse_city=args.warehouse)),
    ):
        if message:
            out.write(f"\n{title}:\n{message}\n")
    return 0


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{option} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InputError(f"{option} needs a zone, e.g. {value}Z or {value}+08:00")
    return moment.astimezone(UTC)


def _input_text(args: argparse.Namespace, stdin: BinaryIO) -> str:
    if args.image is not None:
        if args.text is not None:
            raise InputError("give either --image or a text, not both")
        return _image_text(Path(args.image))
    if args.text is None or args.text == "-":
        data = stdin.read(MAX_INPUT_CHARS * 4 + 1)
        if len(data) > MAX_INPUT_CHARS * 4:
            raise InputError(f"the input is too big (over {MAX_INPUT_CHARS} characters)")
        text = _decoded(data)
    else:
        text = args.text
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"the input is too big (over {MAX_INPUT_CHARS} characters)")
    if "\x00" in text:
        raise InputError("the input is binary, not text")
    if not text.strip():
        raise InputError("the input is empty: paste the trace, or use --image")
    return text


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the input is not UTF-8 text (for a picture use --image)") from None


def _image_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    if size > MAX_IMAGE_BYTES:
        raise InputError(f"{path} is too big for a screenshot ({size} bytes)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    from bot.adapters.ocr import ImageReader

    reading = ImageReader(max_bytes=MAX_IMAGE_BYTES).read(data)
    if not reading.readable:
        raise InputError(f"{path} is not a picture we can read ({reading.problem})")
    if not reading.text.strip():
        raise InputError(f"no text found in {path}")
    return reading.text
