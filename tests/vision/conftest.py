"""One OCR engine for the whole session: loading it is the slow part of these tests."""

from __future__ import annotations

import pytest

from bot.adapters.ocr import ImageReader, warm_up


@pytest.fixture(scope="session")
def reader() -> ImageReader:
    shared = ImageReader()
    warm_up(shared)
    return shared
