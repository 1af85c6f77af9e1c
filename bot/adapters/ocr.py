"""Reads payment screenshots offline: the text in them (Chinese and English) and any QR codes.

Buyers forward screenshots of a supplier asking to be paid, often with a WeChat or Alipay
personal collection code in them. Everything here runs on this machine: the OCR models
(PP-OCRv6 small, Chinese and English) ship inside the `rapidocr` wheel and run on
onnxruntime, and QR codes are decoded with OpenCV (the headless build).
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import statistics
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Telegram lets bots download files up to 20 MB; anything bigger is not a screenshot.
DEFAULT_MAX_BYTES = 20_000_000
# Formats a phone or desktop screenshot arrives in. Other decoders are refused on purpose:
# every format Pillow can open is attack surface for bytes a stranger sent us.
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")

# Thin strips are padded to at most this long/short side ratio before OCR (see
# _pad_to_aspect_ratio); a scrolling screenshot of a long chat stays below it.
OCR_MAX_ASPECT_RATIO = 8

# Boxes the recogniser is less sure of are dropped. PP-OCRv6 reads a chat's round avatar as
# "0" or "O" with a score of 0.5 to 0.65, where real text scores 0.95 and more; rapidocr's
# default of 0.5 would put a stray "0" before a bubble's first line (and so before a card
# number wrapped over lines).
OCR_MIN_TEXT_SCORE = 0.7

# The second QR attempt enlarges the picture up to this long side (see _upscaled_black_and_white).
QR_RETRY_MAX_SIDE = 2400

BGRImage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class ImageReading:
    text: str  # OCR lines joined with "\n", top to bottom, left to right
    qr_payloads: tuple[str, ...]  # decoded QR contents, deduplicated, in order found
    readable: bool  # False when the bytes are not an image we can decode
    # When not readable: "not_an_image", "too_large", or "ocr_failed" (QR codes may still
    # have been decoded then, and are kept in qr_payloads).
    problem: str | None = None


class OcrEngine(Protocol):
    """What the reader needs from an OCR engine: BGR array in, (boxes with text, timings)
    out, each box as [four (x, y) corners, text, score] (see _RapidOcrEngine)."""

    def __call__(self, image: BGRImage) -> tuple[list[list[Any]] | None, Any]: ...


@dataclass(frozen=True)
class TextBox:
    top: float
    bottom: float
    left: float
    text: str

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


class _UnreadableImageError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class ImageReader:
    """Turns image bytes into an ImageReading. One per process: the OCR engine inside is
    loaded on first use (it takes a moment) and then reused."""

    def __init__(
        self,
        *,
        max_pixels: int = 12_000_000,
        max_side: int = 2000,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._max_pixels = max_pixels
        self._max_side = max_side
        self._max_bytes = max_bytes
        self._engine: OcrEngine | None = None
        self.engine_load_seconds: float | None = None
        # One OCR at a time: the engine already uses every core, so a second one would only
        # make both slower and double the memory.
        self._ocr_lock = threading.Lock()
        # asyncio primitives belong to one event loop; keep one gate per loop so a reader
        # shared across loops (tests, a restarted app) never trips over a foreign loop.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._gates = weakref.WeakKeyDictionary()

    def read(self, data: bytes) -> ImageReading:
        """Reads text and QR codes. CPU-bound and synchronous; never raises on bad input."""
        try:
            image = self._decode(data)
        except _UnreadableImageError as unreadable:
            return ImageReading("", (), readable=False, problem=unreadable.problem)
        qr_payloads = decode_qr_codes(image)
        try:
            text = self._recognise_text(image)
        except Exception:
            logger.exception("OCR failed on a %dx%d image", image.shape[1], image.shape[0])
            return ImageReading("", qr_payloads, readable=False, problem="ocr_failed")
        return ImageReading(text, qr_payloads, readable=True)

    async def read_async(self, data: bytes) -> ImageReading:
        """read() in a worker thread, queued so that photos never pile up in the thread pool."""
        async with self._gate():
            return await asyncio.to_thread(self.read, data)

    def load_engine(self) -> OcrEngine:
        with self._ocr_lock:
            return self._loaded_engine()

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(1)
        return gate

    def _loaded_engine(self) -> OcrEngine:
        """The engine, created on first call; the caller holds the OCR lock."""
        if self._engine is None:
            started = time.perf_counter()
            self._engine = _create_engine()
            self.engine_load_seconds = time.perf_counter() - started
        return self._engine

    def _decode(self, data: bytes) -> BGRImage:
        if not data:
            raise _UnreadableImageError("not_an_image")
        if len(data) > self._max_bytes:
            raise _UnreadableImageError("too_large")
        try:
            return self._decode_checked(data)
        except Image.DecompressionBombError as error:
            raise _UnreadableImageError("too_large") from error
        except _UnreadableImageError:
            raise
        except Exception as error:
            # Pillow's decoders report garbage, truncated and corrupt files through many
            # exception types (OSError, SyntaxError, struct.error, ...): all mean the same.
            logger.debug("cannot decode image", exc_info=True)
            raise _UnreadableImageError("not_an_image") from error

    def _decode_checked(self, data: bytes) -> BGRImage:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as opened:
            # The header alone tells the size; refuse before a single pixel is decoded.
            width, height = opened.size
            if width * height > self._max_pixels:
                raise _UnreadableImageError("too_large")
            opened.draft("RGB", self._target_size(width, height))  # JPEG: decode smaller
            _turn_upright(opened)
            rgb = _flatten_to_rgb(opened)
        rgb = self._shrink(rgb)
        array = np.asarray(rgb, dtype=np.uint8)
        return np.asarray(cv2.cvtColor(array, cv2.COLOR_RGB2BGR), dtype=np.uint8)

    def _target_size(self, width: int, height: int) -> tuple[int, int]:
        scale = min(1.0, self._max_side / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))

    def _shrink(self, image: Image.Image) -> Image.Image:
        target = self._target_size(*image.size)
        if target == image.size:
            return image
        return image.resize(target, Image.Resampling.LANCZOS)

    def _recognise_text(self, image: BGRImage) -> str:
        padded = _pad_to_aspect_ratio(image, OCR_MAX_ASPECT_RATIO)
        with self._ocr_lock:
            boxes, _timings = self._loaded_engine()(padded)
        return join_into_lines(_text_boxes(boxes or []))


def warm_up(reader: ImageReader) -> None:
    """Loads the OCR engine now, so the first photo a user sends is not the slow one."""
    reader.load_engine()


def bench_ocr(reader: ImageReader, images: Sequence[bytes], rounds: int = 3) -> dict[str, float]:
    """Seconds per screenshot for a full read (decode, QR, OCR) and the engine's load time."""
    reader.load_engine()
    timings: list[float] = []
    for _round in range(rounds):
        for image in images:
            started = time.perf_counter()
            reader.read(image)
            timings.append(time.perf_counter() - started)
    return {
        "engine_load_seconds": reader.engine_load_seconds or 0.0,
        "mean_seconds": statistics.fmean(timings) if timings else 0.0,
        "median_seconds": statistics.median(timings) if timings else 0.0,
        "max_seconds": max(timings, default=0.0),
        "screenshots": float(len(images)),
        "rounds": float(rounds),
    }


def decode_qr_codes(image: BGRImage) -> tuple[str, ...]:
    """Every QR payload OpenCV can find, first as the picture is, then on a cleaned-up copy."""
    gray = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    for candidate in (gray, _upscaled_black_and_white(gray)):
        payloads = _detect_qr(candidate)
        if payloads:
            return payloads
    return ()


def _upscaled_black_and_white(gray: BGRImage) -> BGRImage:
    """Small or blurry codes (a photo of a phone, a thumbnail) decode better bigger and
    with the grey taken out. Upscaling stops at QR_RETRY_MAX_SIDE: past that the search
    costs more than the OCR itself and small codes are no longer the problem."""
    scale = min(2.0, QR_RETRY_MAX_SIDE / max(gray.shape[:2]))
    bigger = gray
    if scale > 1.0:
        resized = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        bigger = np.asarray(resized, dtype=np.uint8)
    _threshold, black_and_white = cv2.threshold(
        bigger, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    return np.asarray(black_and_white, dtype=np.uint8)


def _detect_qr(image: BGRImage) -> tuple[str, ...]:
    detector = cv2.QRCodeDetector()
    found: list[str] = []
    try:
        ok, decoded, *_geometry = detector.detectAndDecodeMulti(image)
        if ok:
            found.extend(decoded)
        if not any(found):
            found.append(detector.detectAndDecode(image)[0])
    except cv2.error:
        # OpenCV asserts on odd geometry; an unreadable code is just no code.
        logger.debug("QR detection failed", exc_info=True)
    return tuple(dict.fromkeys(payload for payload in found if payload))


def join_into_lines(boxes: Sequence[TextBox]) -> str:
    """Reading order: rows top to bottom; boxes whose vertical middle falls inside a row's
    first box belong to that row, and are read left to right, separated by a space."""
    rows: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.middle, b.left)):
        row = rows[-1] if rows else None
        if row is not None and row[0].top <= box.middle <= row[0].bottom:
            row.append(box)
        else:
            rows.append([box])
    return "\n".join(" ".join(b.text for b in sorted(row, key=lambda b: b.left)) for row in rows)


def _text_boxes(raw: list[list[Any]]) -> list[TextBox]:
    """rapidocr gives [[four (x, y) corners], text, score] per detected box."""
    boxes: list[TextBox] = []
    for corners, text, *_score in raw:
        text = str(text).strip()
        if not text:
            continue
        ys = [float(point[1]) for point in corners]
        xs = [float(point[0]) for point in corners]
        boxes.append(TextBox(top=min(ys), bottom=max(ys), left=min(xs), text=text))
    return boxes


def _pad_to_aspect_ratio(image: BGRImage, max_ratio: float) -> BGRImage:
    """Widens a thin strip with white. The text detector enlarges every picture until its
    short side is 736 px, so a 1x2000 strip would become 736x1.5M pixels and exhaust memory;
    padding bounds the detector's input at 736 x (736 * max_ratio) pixels."""
    height, width = image.shape[:2]
    pad_width = max(0, math.ceil(height / max_ratio) - width)
    pad_height = max(0, math.ceil(width / max_ratio) - height)
    if not pad_width and not pad_height:
        return image
    white = (255, 255, 255)
    padded = cv2.copyMakeBorder(
        image, 0, pad_height, 0, pad_width, cv2.BORDER_CONSTANT, value=white
    )
    return np.asarray(padded, dtype=np.uint8)


def _turn_upright(image: Image.Image) -> None:
    """Phone photos of a screen are often stored sideways with an EXIF note to rotate them.
    A broken EXIF block is no reason to refuse the picture: it is then read as stored."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        logger.debug("ignoring unusable EXIF orientation", exc_info=True)


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB without transparency: transparent areas become white, not black, so dark text
    drawn on a transparent background stays readable."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


class _RapidOcrEngine:
    """rapidocr 3's RapidOCR behind the OcrEngine shape: its result object (boxes, texts
    and scores side by side) becomes [corners, text, score] per box."""

    def __init__(self, rapid_ocr: Any) -> None:
        self._rapid_ocr = rapid_ocr

    def __call__(self, image: BGRImage) -> tuple[list[list[Any]] | None, Any]:
        result = self._rapid_ocr(image)
        if result.boxes is None or result.txts is None:
            return None, result.elapse_list
        scores = result.scores or (1.0,) * len(result.txts)
        boxes = [
            [corners.tolist(), text, score]
            for corners, text, score in zip(result.boxes, result.txts, scores, strict=True)
        ]
        return boxes, result.elapse_list


def _create_engine() -> OcrEngine:
    # Imported here: loading onnxruntime and the models takes time and memory that a bot
    # which never receives a photo should not pay. The default models are the ones inside
    # the wheel, so nothing is downloaded.
    from rapidocr import RapidOCR

    params = {"Global.log_level": "warning", "Global.text_score": OCR_MIN_TEXT_SCORE}
    engine = _RapidOcrEngine(RapidOCR(params=params))
    _route_rapidocr_logs_through_root()
    return engine


def _route_rapidocr_logs_through_root() -> None:
    """rapidocr attaches its own DEBUG stream handlers, which would bypass our redacting
    root handler and print twice; let its records propagate to the root handler instead."""
    for name in ("RapidOCR", "OrtInferSession"):
        library_logger = logging.getLogger(name)
        for handler in list(library_logger.handlers):
            library_logger.removeHandler(handler)
        library_logger.setLevel(logging.WARNING)
        library_logger.propagate = True
