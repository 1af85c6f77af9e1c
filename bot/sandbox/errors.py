"""Errors of the sandbox Bot API, shaped exactly like the real server's answers.

The real server builds the description from a fixed prefix per status code (`Bad Request: `,
`Forbidden: `, ...) and the underlying message; the HTTP status equals `error_code`, and
`parameters` is present only when there is something in it (retry_after, migrate_to_chat_id).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call; `envelope()` is the JSON body the server answers with."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body

    def __repr__(self) -> str:
        return f"ApiError({self.error_code}, {self.description!r}, {self.parameters!r})"


def bad_request(msg: str) -> ApiError:
    """400. `msg` is used verbatim: pass it lower-cased the way Telegram words it."""
    return ApiError(400, f"Bad Request: {msg}")


def forbidden(msg: str) -> ApiError:
    return ApiError(403, f"Forbidden: {msg}")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def conflict(msg: str) -> ApiError:
    return ApiError(409, f"Conflict: {msg}")
