"""Addresses of the servers tests start, so that tests running side by side never meet.

A server that can say which port it bound listens on port 0: the in-process sandbox, the
fake model server, and `python -m bot sandbox --port 0`, whose banner names its URL
(`sandbox_url_in`). Only a server whose URL must be known before it starts needs a port
chosen in advance: the bot's webhook, whose URL goes to setWebhook and to the command
line. `free_port` chooses it.

Why not bind port 0, close, and pass that number on: such a port comes from the kernel's
ephemeral range, the range every outgoing connection (to PostgreSQL, to a sandbox) also
takes its local port from, so between the probe and the server's bind another socket of
this or a neighbouring test run may take it. `free_port` picks from below that range,
where the kernel hands out nothing by itself, from a slice of its own per xdist worker,
at random within the slice (other test runs on the machine pick from the same range), and
only a port that binds right now.
"""

from __future__ import annotations

import os
import random
import re
import socket
from pathlib import Path

# Below the usual ephemeral range (32768-60999) and above most well-known services.
_LOWEST_PORT = 20000
_DEFAULT_EPHEMERAL_START = 32768
_SANDBOX_BANNER = re.compile(r"listening on (http://\S+)")
_handed_out: set[int] = set()


def _first_ephemeral_port() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_START


def _worker_slice() -> range:
    """This test process's share of the ports below the ephemeral range."""
    top = max(_first_ephemeral_port(), _LOWEST_PORT + 1000)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    size = (top - _LOWEST_PORT) // workers
    start = _LOWEST_PORT + (index % workers) * size
    return range(start, start + size)


def _binds(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 nothing uses now and no other test of this run will be given."""
    ports = _worker_slice()
    for _ in range(200):
        port = random.choice(ports)
        if port not in _handed_out and _binds(port):
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port in {ports}")


def sandbox_url_in(banner_line: str) -> str | None:
    """The base URL that `python -m bot sandbox` prints once it listens, if this is the line."""
    found = _SANDBOX_BANNER.search(banner_line)
    return found.group(1) if found else None
