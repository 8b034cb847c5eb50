"""Settings: one object built from ANNEXBOT_* environment variables and an optional .env file."""

from __future__ import annotations

import os
import re
import zoneinfo
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _default_data_dir() -> Path:
    """Where annexbot keeps its SQLite file when nothing else is set (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "annexbot"


class Settings(BaseSettings):
    """Everything annexbot can be told from outside; nothing else reads the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ANNEXBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Directory for the default SQLite database and other local files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL, e.g. postgresql+asyncpg://user@host/db. "
        "Default: an SQLite file annexbot.sqlite3 in the data directory.",
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="IANA timezone for new plans and for dates shown."
    )
    telegram_token: SecretStr | None = Field(
        default=None, description="The bot's token from @BotFather."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Base URL of the Bot API server (a self-hosted or sandbox server).",
    )
    public_base_url: str = Field(
        default="http://localhost:8080",
        description="Public https base URL under which feed links are published.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with each webhook request (letters, digits, _ and -). "
        "Default: derived from the token.",
    )
    http_host: str = Field(
        default="127.0.0.1", description="Address the HTTP app (webhook, feeds, health) listens on."
    )
    http_port: int = Field(
        default=8080, ge=0, le=65535, description="Port the HTTP app listens on (0: any free port)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Accept only timezones the IANA database knows."""
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept only what Telegram allows as a webhook secret token."""
        if value is not None and not TELEGRAM_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 letters, digits, _ or -")
        return value

    def resolved_database_url(self) -> str:
        """The database URL to use, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{self.data_dir / 'annexbot.sqlite3'}"
