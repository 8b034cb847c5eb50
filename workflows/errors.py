"""Domain errors: each becomes one clear, polite line for the user."""


class AnnexbotError(Exception):
    """Base class of every error a user may be shown."""


class AnnexFormatError(AnnexbotError):
    """An annex file could not be read; names the line when it can."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class NotFoundError(AnnexbotError):
    """A plan, task or agency that was asked for does not exist."""


class ConfirmationRequiredError(AnnexbotError):
    """A change needs an explicit confirmation (such as --apply) before it is written."""
