"""SIGTERM and SIGINT for the long-running modes (polling, webhook).

During start-up, which can wait long on a database or on Telegram, a stop request cancels
the start-up (the exit stack still runs the shutdown steps) instead of being ignored. Once
running, it asks for a clean stop; a second request calls `on_second`, when given.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    def __init__(self, mode: str) -> None:
        self._mode = mode
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self.stop = asyncio.Event()
        self._running = False
        self._interrupted = False
        self._on_second: Callable[[], None] | None = None

    def running(self, on_second: Callable[[], None] | None = None) -> None:
        """Start-up is over: from now on a signal asks for a clean stop."""
        self._running = True
        self._on_second = on_second

    def start_up_interrupted(self) -> None:
        """Call in `except asyncio.CancelledError`: re-raises a cancel we did not cause."""
        if not self._interrupted:
            raise asyncio.CancelledError
        self._task.uncancel()
        log.info("%s: stop requested during start-up", self._mode)

    def _on_signal(self) -> None:
        if not self._running:
            self._interrupted = True
            self._task.cancel()
        elif self.stop.is_set() and self._on_second is not None:
            log.warning("%s: second stop request, stopping at once", self._mode)
            self._on_second()
        else:
            self.stop.set()

    def __enter__(self) -> StopSignals:
        for number in _SIGNALS:
            self._loop.add_signal_handler(number, self._on_signal)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for number in _SIGNALS:
            self._loop.remove_signal_handler(number)
