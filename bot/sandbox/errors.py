"""Errors of the sandbox: Bot API answers it refuses with, and misuse by a test."""

from __future__ import annotations


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description and optional retry_after."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, object]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def bad_request(detail: str) -> ApiError:
    """A 400 answer with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


class SandboxError(AssertionError):
    """A test asked for something a real client could not do (e.g. press a missing button)."""
