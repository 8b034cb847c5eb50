"""Settings: one object built from ANNEXBOT_* environment variables and an optional .env file."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Accept only timezones the IANA database knows."""
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    def resolved_database_url(self) -> str:
        """The database URL to use, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{self.data_dir / 'annexbot.sqlite3'}"
