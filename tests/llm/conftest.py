"""A guarded client pointed at the local model server, without retries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.llm import LanguageModel
from bot.config import Settings
from tests.llm_server import FakeModelServer


@pytest.fixture
async def model(model_server: FakeModelServer) -> AsyncIterator[LanguageModel]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        openai_api_key="sk-test-key-for-the-local-server",
        openai_base_url=model_server.base_url,
        openai_timeout_seconds=5.0,
        openai_max_retries=0,
    )
    client = LanguageModel(settings, sessions=None)
    yield client
    await client.close()
