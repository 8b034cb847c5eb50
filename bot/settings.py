"""Settings: one object built from ANNEXBOT_* environment variables and an optional .env file."""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


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
        description="SQLAlchemy async URL; PostgreSQL: `postgresql+asyncpg://user:password@host/db`.",
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
    telegram_proxy: SecretStr | None = Field(
        default=None,
        description="Proxy for every request to the Bot API: `http://`, `https://` or "
        "`socks5://host:port`, with `user:password@` when it needs them.",
    )
    public_base_url: str = Field(
        default="http://localhost:8080",
        description="Public https base URL under which feed links are published.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with each webhook request (letters, digits, _ and -).",
    )
    http_host: str = Field(
        default="127.0.0.1", description="Address the HTTP app (webhook, feeds, health) listens on."
    )
    http_port: int = Field(
        default=8080, ge=0, le=65535, description="Port the HTTP app listens on (0: any free port)."
    )
    reminder_offsets: list[int] = Field(
        default=[30, 7, 1, 0],
        description="Days before each milestone when its deadline reminder goes (JSON list).",
    )
    checkin_days: int = Field(
        default=14,
        ge=1,
        le=366,
        description="Every this many days each agency of an open task is asked for its status.",
    )
    checkin_follow_up_working_days: int = Field(
        default=2,
        ge=1,
        le=30,
        description="Working days after a check-in prompt when a silent agency is asked again.",
    )
    quiet_start: dt.time = Field(
        default=dt.time(20, 0),
        description="Evening hour (plan's timezone) from which messages wait for the morning.",
    )
    quiet_end: dt.time = Field(
        default=dt.time(8, 30),
        description="Morning hour (plan's timezone) when held messages and reminders go.",
    )
    daily_message_cap: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Messages the sweeps (deadline reminders, check-ins, overdue and unsigned-task "
        "escalations) send one member a day; the rest wait for the next working morning (0: none).",
    )
    escalate_after_working_days: int = Field(
        default=3,
        ge=1,
        le=60,
        description="Working days a milestone may be overdue before the deputy, then the "
        "coordinators, are told.",
    )
    ack_reminder_working_days: int = Field(
        default=2,
        ge=1,
        le=60,
        description="Working days after an assignment (or a liaison's registration) before an "
        "unacknowledged task is reminded.",
    )
    ack_escalation_working_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Working days after an assignment (or the agency's first registration) before "
        "an unacknowledged task goes to the coordinators.",
    )
    digest_weekday: int = Field(
        default=0,
        ge=0,
        le=6,
        description="Day of the week the weekly digest goes (0 Monday … 6 Sunday).",
    )
    digest_time: dt.time = Field(
        default=dt.time(9, 0),
        description="Time (plan's timezone) the weekly digest goes on its day.",
    )
    feed_alarm_days: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Days before each milestone when calendar feeds ask the calendar app to "
        "alert (none: no alarm).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text, or as one JSON object each (with update, task and "
        "delivery ids).",
    )

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        """Accept only days from 0 to 366, each once."""
        if any(not 0 <= days <= 366 for days in value) or len(set(value)) != len(value):
            raise ValueError("use distinct whole days from 0 to 366")
        return sorted(value, reverse=True)

    @model_validator(mode="after")
    def _quiet_hours(self) -> Settings:
        """Quiet hours start in the evening and end in the morning."""
        if self.quiet_end >= self.quiet_start:
            raise ValueError("ANNEXBOT_QUIET_END must be earlier than ANNEXBOT_QUIET_START")
        return self

    @field_validator("telegram_api_url")
    @classmethod
    def _api_root(cls, value: str) -> str:
        """Accept the server root or its base URL ending in /bot; annexbot adds /bot<token>."""
        return value.rstrip("/").removesuffix("/bot").rstrip("/")

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

    @field_validator("telegram_proxy")
    @classmethod
    def _proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept only proxy URLs httpx can use: http, https, socks5 or socks5h, with a host."""
        if value is None or not value.get_secret_value():
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            raise ValueError("use http://, https:// or socks5://[user:password@]host:port")
        try:
            parts.port  # noqa: B018  (raises on a port that is not a number)
        except ValueError as error:
            raise ValueError("the proxy's port is not a number") from error
        return value

    def proxy_label(self) -> str | None:
        """The proxy's URL as it may be shown: its password (and any path) left out."""
        if self.telegram_proxy is None:
            return None
        parts = urlsplit(self.telegram_proxy.get_secret_value())
        user = f"{unquote(parts.username)}:***@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{user}{parts.hostname}{port}"

    def resolved_database_url(self) -> str:
        """The database URL to use, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{self.data_dir / 'annexbot.sqlite3'}"
