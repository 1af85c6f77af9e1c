"""Reading screenshots offline: text in Chinese and English, QR codes, and hostile bytes."""

from __future__ import annotations

import asyncio
import io
import socket
import struct
import threading
import zlib
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

import bot.adapters.ocr
from bot.adapters.ocr import (
    ImageReader,
    ImageReading,
    TextBox,
    bench_ocr,
    join_into_lines,
    warm_up,
)
from tests.vision.screenshots import FONT_PATH, needs_cjk_font, render_chat_screenshot

SUPPLIER_LINES = (
    "老板说走私人账户可以便宜5%",
    "请转到支付宝 138 1234 5678",
    "Please pay to my personal account",
)
WECHAT_COLLECTION_CODE = "wxp://f2f0abcdefg"


def squashed(text: str) -> str:
    """OCR spacing is unreliable (it drops the gaps in "138 1234 5678"), so compare without."""
    return "".join(text.split())


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming a huge RGB image over a small stream of zeros: a few KB
    that would need width * height * 3 bytes of memory once decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    zeros = zlib.compress(b"\0" * 1_000_000, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zeros)
        + png_chunk(b"IEND", b"")
    )


class RecordingEngine:
    """Passes images to the real engine, noting each image's shape on the way."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, image: Any) -> Any:
        self.shapes.append(tuple(image.shape))
        return self.real(image)


class BlindEngine:
    """Sees no text at all; notes the shape of what it was shown."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, image: Any) -> tuple[None, None]:
        self.shapes.append(tuple(image.shape))
        return None, None


class BrokenEngine:
    def __call__(self, image: Any) -> Any:
        raise RuntimeError("onnxruntime fell over")


@pytest.fixture
def recording_engine(reader: ImageReader, monkeypatch: pytest.MonkeyPatch) -> RecordingEngine:
    """New readers in this test get the session's engine behind a recorder."""
    engine = RecordingEngine(reader.load_engine())
    monkeypatch.setattr(bot.adapters.ocr, "_create_engine", lambda: engine)
    return engine


# --- Text ---------------------------------------------------------------------------------


def test_reads_chinese_and_english_lines(reader: ImageReader) -> None:
    reading = reader.read(render_chat_screenshot(SUPPLIER_LINES))

    assert reading.readable
    assert reading.problem is None
    text = squashed(reading.text)
    for phrase in ("私人账户", "便宜5%", "支付宝", "13812345678"):
        assert phrase in text
    assert "Please pay to my personal account" in reading.text
    assert reading.qr_payloads == ()


def test_lines_come_in_reading_order(reader: ImageReader) -> None:
    reading = reader.read(render_chat_screenshot(SUPPLIER_LINES))

    lines = [squashed(line) for line in reading.text.splitlines()]
    positions = [
        next(i for i, line in enumerate(lines) if marker in line)
        for marker in ("私人账户", "支付宝", "Pleasepay")
    ]
    assert positions == sorted(positions)
    assert len(set(positions)) == 3


def test_boxes_on_one_row_are_joined_left_to_right() -> None:
    boxes = [
        TextBox(top=100, bottom=130, left=300, text="138 1234 5678"),
        TextBox(top=10, bottom=40, left=20, text="王经理"),
        TextBox(top=104, bottom=132, left=20, text="支付宝:"),
        TextBox(top=200, bottom=230, left=20, text="Please pay"),
    ]

    assert join_into_lines(boxes) == "王经理\n支付宝: 138 1234 5678\nPlease pay"


@needs_cjk_font
def test_text_on_a_transparent_background_is_read(reader: ImageReader) -> None:
    canvas = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    font = ImageFont.truetype(str(FONT_PATH), 36)
    ImageDraw.Draw(canvas).text((30, 120), "请转到支付宝", font=font, fill=(0, 0, 0, 255))

    reading = reader.read(png_bytes(canvas))

    assert "支付宝" in squashed(reading.text)


def test_rotated_phone_photo_is_turned_upright(reader: ImageReader) -> None:
    upright = Image.open(io.BytesIO(render_chat_screenshot(SUPPLIER_LINES)))
    stored_sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display", as phone cameras write it
    buffer = io.BytesIO()
    stored_sideways.save(buffer, format="JPEG", exif=exif, quality=90)

    reading = reader.read(buffer.getvalue())

    # Sideways, the chat lines would stand side by side as columns and merge into one row.
    lines = [squashed(line) for line in reading.text.splitlines()]
    assert any(line.endswith("支付宝13812345678") for line in lines)
    assert any(line.startswith("老板说走私人账户") for line in lines)


# --- QR codes -----------------------------------------------------------------------------


def test_wechat_collection_code_is_decoded_exactly(reader: ImageReader) -> None:
    screenshot = render_chat_screenshot(SUPPLIER_LINES, qr_payload=WECHAT_COLLECTION_CODE)

    reading = reader.read(screenshot)

    assert reading.qr_payloads == (WECHAT_COLLECTION_CODE,)
    assert "支付宝" in squashed(reading.text)


def test_tiny_qr_code_is_found_on_the_enlarged_copy(reader: ImageReader) -> None:
    screenshot = Image.open(
        io.BytesIO(render_chat_screenshot(["扫码付款"], qr_payload=WECHAT_COLLECTION_CODE))
    )
    thumbnail = screenshot.resize((screenshot.width // 5, screenshot.height // 5))

    reading = reader.read(png_bytes(thumbnail))

    assert reading.qr_payloads == (WECHAT_COLLECTION_CODE,)


# --- Size limits --------------------------------------------------------------------------


def test_big_screenshot_is_downscaled_and_still_read(recording_engine: RecordingEngine) -> None:
    small = Image.open(
        io.BytesIO(render_chat_screenshot(SUPPLIER_LINES, qr_payload=WECHAT_COLLECTION_CODE))
    )
    scale = 3000 / small.height
    enlarged = small.resize((round(small.width * scale), 3000), Image.Resampling.LANCZOS)
    big = Image.new("RGB", (4000, 3000), (237, 237, 237))
    big.paste(enlarged, (0, 0))

    reading = ImageReader().read(png_bytes(big))

    assert reading.readable
    assert recording_engine.shapes == [(1500, 2000, 3)]
    assert "私人账户" in squashed(reading.text)
    assert "Please pay to my personal account" in reading.text
    assert reading.qr_payloads == (WECHAT_COLLECTION_CODE,)


@pytest.mark.parametrize("size", [(1, 2000), (3000, 2)])
def test_thin_strip_is_padded_before_ocr(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unpadded, the text detector would blow a 1x2000 strip up to 736x1.5M pixels.
    engine = BlindEngine()
    monkeypatch.setattr(bot.adapters.ocr, "_create_engine", lambda: engine)

    reading = ImageReader().read(png_bytes(Image.new("RGB", size, "white")))

    assert reading == ImageReading("", (), readable=True)
    [(height, width, _channels)] = engine.shapes
    assert max(height, width) / min(height, width) <= 8


def test_picture_over_the_pixel_limit_is_refused_before_decoding() -> None:
    picture = png_bytes(Image.new("RGB", (400, 300), "white"))

    reading = ImageReader(max_pixels=100_000).read(picture)

    assert reading == ImageReading("", (), readable=False, problem="too_large")


def test_file_over_the_byte_limit_is_refused() -> None:
    picture = png_bytes(Image.new("RGB", (40, 30), "white"))

    reading = ImageReader(max_bytes=len(picture) - 1).read(picture)

    assert reading.problem == "too_large"
    assert not reading.readable


# --- Hostile and broken input ---------------------------------------------------------------


def truncated_png() -> bytes:
    picture = png_bytes(Image.effect_noise((300, 300), 64).convert("RGB"))
    return picture[: len(picture) // 2]


def tiff_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="TIFF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(b"", "not_an_image", id="empty"),
        pytest.param(b"\x00\xffnot a picture at all" * 50, "not_an_image", id="garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n", "not_an_image", id="png-signature-only"),
        pytest.param(truncated_png(), "not_an_image", id="truncated-png"),
        pytest.param(tiff_bytes(), "not_an_image", id="format-we-do-not-accept"),
        pytest.param(png_bomb(5000, 5000), "too_large", id="bomb-over-our-limit"),
        pytest.param(png_bomb(60000, 60000), "too_large", id="bomb-over-pillows-limit"),
    ],
)
def test_bad_bytes_are_reported_not_raised(data: bytes, problem: str) -> None:
    reader = ImageReader()

    reading = reader.read(data)

    assert reading == ImageReading("", (), readable=False, problem=problem)
    assert reader.engine_load_seconds is None  # bad input never pays for loading OCR


def test_ocr_failure_keeps_the_qr_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.adapters.ocr, "_create_engine", BrokenEngine)
    screenshot = render_chat_screenshot(["扫码付款"], qr_payload=WECHAT_COLLECTION_CODE)

    reading = ImageReader().read(screenshot)

    assert reading == ImageReading(
        "", (WECHAT_COLLECTION_CODE,), readable=False, problem="ocr_failed"
    )


# --- Engine life cycle and concurrency -----------------------------------------------------


def test_engine_loads_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the OCR engine tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    reader = ImageReader()
    assert reader.engine_load_seconds is None

    warm_up(reader)

    assert reader.engine_load_seconds is not None


async def test_async_reads_run_one_at_a_time(recording_engine: RecordingEngine) -> None:
    class CountingReader(ImageReader):
        running = 0
        most_at_once = 0
        guard = threading.Lock()

        def read(self, data: bytes) -> ImageReading:
            with self.guard:
                CountingReader.running += 1
                CountingReader.most_at_once = max(self.most_at_once, self.running)
            try:
                return super().read(data)
            finally:
                with self.guard:
                    CountingReader.running -= 1

    reader = CountingReader()
    screenshot = render_chat_screenshot(["请转到支付宝"], qr_payload=WECHAT_COLLECTION_CODE)

    readings = await asyncio.gather(*(reader.read_async(screenshot) for _ in range(3)))

    assert CountingReader.most_at_once == 1
    assert len(recording_engine.shapes) == 3
    assert all(r.qr_payloads == (WECHAT_COLLECTION_CODE,) for r in readings)
    assert all("支付宝" in squashed(r.text) for r in readings)


def test_bench_reports_seconds_per_screenshot(reader: ImageReader) -> None:
    screenshot = render_chat_screenshot(SUPPLIER_LINES, qr_payload=WECHAT_COLLECTION_CODE)

    figures = bench_ocr(reader, [screenshot], rounds=2)

    assert figures["engine_load_seconds"] > 0
    assert 0 < figures["median_seconds"] <= figures["max_seconds"]
    assert 0 < figures["mean_seconds"] <= figures["max_seconds"]
    assert figures["screenshots"] == 1
