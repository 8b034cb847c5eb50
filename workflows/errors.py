"""Domain errors: each becomes one clear, polite line for the user.

An error carries an English template and its parameters, so the command line can print it
as it is and the bot can translate the template before filling it in.
"""

from __future__ import annotations

from typing import Any


class AnnexbotError(Exception):
    """Base class of every error a user may be shown."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)


class AnnexFormatError(AnnexbotError):
    """An annex file could not be read; names the line when it can."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class NotFoundError(AnnexbotError):
    """A plan, task, agency or member that was asked for does not exist."""


class NotRegisteredError(AnnexbotError):
    """The user is not a member yet."""


class ForbiddenError(AnnexbotError):
    """The member may not do this: a coordinator's command, another agency's task."""


class InvalidInputError(AnnexbotError):
    """A value the user gave cannot be used (a malformed date, a percent over 100)."""


class ConflictError(AnnexbotError):
    """The action no longer fits the state (an invite already used, a request already decided)."""


class NoticeFormatError(AnnexbotError):
    """A State Council holiday notice could not be read; names the paragraph when it can."""
