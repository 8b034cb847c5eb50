"""Beijing wall-clock time for tests, as aware UTC moments."""

from __future__ import annotations

import datetime as dt
import zoneinfo

TZ = "Asia/Shanghai"
BEIJING = zoneinfo.ZoneInfo(TZ)


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)
