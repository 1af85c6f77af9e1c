"""What keeps the webhook server standing when nothing stands in front of it.

A reverse proxy normally times out slow clients, caps connections and drops junk before the
bot sees it (README, "nginx in front"). Without one, the probe found that a few hundred
clients sending half a request line held their sockets for an hour, a thousand exhausted the
file descriptors (and with them SQLite, the log and /healthz), and every refused request
wrote a WARNING line. This module is the server's own, coarser version of those limits:

- a cap on open connections: one over it is answered 503 and closed at once, so its
  descriptor is back before it can pile up (`CappedSite`);
- refused requests logged once per interval with counts by reason (`RefusalLog`);
- the shape of an update's JSON checked before anything reads it (`update_json`): nesting
  depth, integers in signed 64-bit, a real integer `update_id`.

The header deadline is aiohttp's own keep-alive timer (see `_listen` in webhook.py): it
closes a connection that has not delivered a complete request head within that time of
opening or of its previous answer. The body deadline is in the webhook's middleware.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web

# Reasons a request is refused, as the summary line names them.
BAD_SECRET = "bad secret"
WRONG_PATH = "wrong path or method"
MALFORMED = "malformed"
TOO_LARGE = "too large"
SLOW_BODY = "slow body"
TOO_MANY_CONNECTIONS = "over the connection cap"

# How often refusals are summed up in one log line.
REFUSAL_LOG_INTERVAL = 60.0
# Real updates nest about eight levels (update → message → reply → entities → user); the
# parser recurses per level, so a hostile body must be stopped long before Python's limit.
MAX_JSON_DEPTH = 32
# Telegram's numbers fit a signed 64-bit integer (its identifiers have at most 52 bits), as
# does the database's BIGINT update_id; anything beyond is not from Telegram.
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_OVER_CAP = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class MalformedUpdateError(ValueError):
    """A body refused with 400: Telegram never sends one, and re-sending it cannot help."""


# -- the shape of an update ------------------------------------------------------------------


def update_json(body: bytes) -> dict[str, Any]:
    """The update's JSON object, or MalformedUpdateError saying what is wrong with it."""
    try:
        data = json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        raise MalformedUpdateError("nested too deeply") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise MalformedUpdateError("not JSON") from None
    if not isinstance(data, dict):
        raise MalformedUpdateError("not a JSON object")
    update_id = data.get("update_id")
    # `type(...) is int`: JSON's true is a Python int too, and no update_id.
    if type(update_id) is not int or not 0 <= update_id <= _INT64_MAX:
        raise MalformedUpdateError("no valid update_id")
    _check_shape(data)
    return data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_shape(data: dict[str, Any]) -> None:
    # A loop, not recursion: the walk must not be what a hostile body overflows.
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise MalformedUpdateError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if isinstance(item, dict | list):
                pending.append((item, depth + 1))
            elif type(item) is int and not _INT64_MIN <= item <= _INT64_MAX:
                raise MalformedUpdateError("an integer outside signed 64-bit")


# -- refusals in the log -----------------------------------------------------------------------


class RefusalLog:
    """Refused requests as a few log lines, however many there are.

    The first refusal after a quiet interval is logged at once, with its reason and address,
    so the start of a problem shows; the ones after it are counted and reported in one line
    at the end of the interval (and at stop). An interval without refusals ends the summing.
    """

    def __init__(self, logger: logging.Logger, interval: float = REFUSAL_LOG_INTERVAL) -> None:
        self._log = logger
        self._interval = interval
        self._counts: Counter[str] = Counter()
        self._timer: asyncio.TimerHandle | None = None
        self._since = 0.0

    def refused(self, reason: str, remote: str | None, detail: str = "") -> None:
        if self._timer is not None:
            self._counts[reason] += 1
            return
        self._log.warning(
            "webhook: refused a request from %s (%s%s); refusals in the next %.0f s are "
            "counted and reported together",
            remote or "an unknown address",
            reason,
            f": {detail}" if detail else "",
            self._interval,
        )
        self._start_interval()

    def close(self) -> None:
        """At stop: report what was counted since the last line."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._report()

    def _start_interval(self) -> None:
        loop = asyncio.get_running_loop()
        self._since = loop.time()
        self._timer = loop.call_later(self._interval, self._end_interval)

    def _end_interval(self) -> None:
        self._timer = None
        if self._report():
            # Still being refused: keep summing rather than log the next one on its own.
            self._start_interval()

    def _report(self) -> bool:
        total = self._counts.total()
        if not total:
            return False
        elapsed = asyncio.get_running_loop().time() - self._since
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in self._counts.most_common())
        self._log.warning(
            "webhook: refused %s more %s in the last %.0f s (%s)",
            f"{total:,}",
            "request" if total == 1 else "requests",
            elapsed,
            reasons,
        )
        self._counts.clear()
        return True


# -- the connection cap ------------------------------------------------------------------------


class CappedSite(web.BaseSite):
    """aiohttp's TCP site with at most `max_connections` open at once.

    One over the cap is answered 503 and closed before anything is read from it: holding it
    would spend the descriptor the cap is there to keep.
    """

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        max_connections: int,
        refusals: RefusalLog,
    ) -> None:
        super().__init__(runner)
        self._host = host
        self._port = port
        self._max_connections = max_connections
        self._refusals = refusals
        self.open_connections = 0

    @property
    def name(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: self._connection(server), self._host, self._port
        )

    def _connection(self, server: web.Server) -> asyncio.Protocol:
        if self.open_connections >= self._max_connections:
            return _OverCap(self._refusals)
        self.open_connections += 1
        return _Counted(server(), self._closed)

    def _closed(self) -> None:
        self.open_connections -= 1


class _OverCap(asyncio.Protocol):
    def __init__(self, refusals: RefusalLog) -> None:
        self._refusals = refusals

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self._refusals.refused(TOO_MANY_CONNECTIONS, str(peer[0]) if peer else None)
        stream = cast(asyncio.Transport, transport)
        stream.write(_OVER_CAP)
        stream.close()


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, telling the site when the connection is gone."""

    def __init__(self, inner: asyncio.Protocol, on_lost: Callable[[], None]) -> None:
        self._inner = inner
        self._on_lost = on_lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_lost()
        self._inner.connection_lost(exc)
