"""Every end-to-end test also checks that Telegram would have accepted every reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox.server import Sandbox

# 400s the bot handles on purpose: editing a message into what it already says, an error
# note to an admin who has not started the bot yet, answering a press handled too late,
# and a send to a group that has become a supergroup.
_EXPECTED_400 = (
    "message is not modified",
    "chat not found",
    "query is too old",
    "group chat was upgraded to a supergroup chat",  # followed to the new chat id
)


@pytest.fixture(autouse=True)
def every_reply_is_valid_telegram(request: pytest.FixtureRequest) -> Iterator[None]:
    if "sandbox" not in request.fixturenames:
        yield
        return
    # Asked for before the test runs, so the sandbox is torn down after this check.
    sandbox: Sandbox = request.getfixturevalue("sandbox")
    yield
    rejected = [
        (call.method, call.description)
        for call in sandbox.calls
        if call.error_code == 400
        and not any(expected in (call.description or "") for expected in _EXPECTED_400)
    ]
    assert rejected == [], f"the sandbox rejected replies as Telegram would: {rejected}"
