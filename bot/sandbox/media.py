"""Small builders for what users send: command and URL entities, photo sizes."""

from __future__ import annotations

import re
import struct

from bot.sandbox.state import JsonDict, StoredFile, utf16_length

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEFAULT_PHOTO_SIZE = (1280, 960)


def user_text_entities(text: str) -> list[JsonDict]:
    """Entities a Telegram client adds to typed text: a leading /command and URLs."""
    entities: list[JsonDict] = []
    command = _COMMAND.match(text)
    if command:
        entities.append(_entity("bot_command", text, command.start(), command.end()))
    for url in _URL.finditer(text):
        end = len(url.group(0).rstrip(".,;:!?)")) + url.start()
        entities.append(_entity("url", text, url.start(), end))
    return entities


def _entity(kind: str, text: str, start: int, end: int) -> JsonDict:
    return {
        "type": kind,
        "offset": utf16_length(text[:start]),
        "length": utf16_length(text[start:end]),
    }


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; a plausible default for anything else."""
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return _jpeg_size(data) or DEFAULT_PHOTO_SIZE


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        (segment_length,) = struct.unpack(">H", data[position + 2 : position + 4])
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + segment_length
    return None


def photo_sizes(stored: StoredFile) -> list[JsonDict]:
    """The PhotoSize list of a photo message; the sandbox keeps a single size."""
    width, height = image_size(stored.data or b"")
    size: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
    }
    if stored.size is not None:
        size["file_size"] = stored.size
    return [size]


def document_info(stored: StoredFile) -> JsonDict:
    document: JsonDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    if stored.size is not None:
        document["file_size"] = stored.size
    return document
