"""The domain this installation's calendar UIDs end in, chosen once and kept in the database.

UIDs must not repeat across installations: two databases' feeds in one calendar would replace
each other's events. The domain is the public base URL's host when that names this
installation alone, else a random name; it is stored at first need and never changes after,
so a later change of the URL does not change any subscriber's UIDs. A database that held
plans before this existed keeps `annexbot` (migration 0008), as its subscribers know it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Installation

ROW = 1


def domain_from(public_base_url: str | None) -> str | None:
    """The host of a public base URL when it can name one installation, else None."""
    if not public_base_url:
        return None
    parts = urlsplit(public_base_url)
    host = (parts.hostname or "").lower().rstrip(".")
    if "." not in host or host.endswith(".localhost") or parts.path.strip("/"):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


def generated_domain() -> str:
    """A random name for an installation without a public host of its own."""
    return f"{secrets.token_hex(6)}.annexbot"


async def uid_domain(
    session: AsyncSession, *, public_base_url: str | None, now: dt.datetime
) -> str:
    """The installation's UID domain; the first call stores it (call it first in a session)."""
    row = await session.get(Installation, ROW)
    if row is not None:
        return row.uid_domain
    domain = domain_from(public_base_url) or generated_domain()
    session.add(Installation(id=ROW, uid_domain=domain, created_at=now))
    try:
        await session.commit()
    except IntegrityError:  # another process chose first
        await session.rollback()
        row = await session.get(Installation, ROW)
        assert row is not None
        return row.uid_domain
    return domain
