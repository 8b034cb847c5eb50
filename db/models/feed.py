"""Calendar feed tokens (scoped, revocable, kept only as hashes) and the UIDs' domain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import FeedScope, enum_column


class FeedToken(Base):
    """A link to a calendar feed of a plan, an agency, a task or a member's own tasks."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[FeedScope] = mapped_column(enum_column(FeedScope))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Installation(Base):
    """This installation's identity, chosen once: the domain its calendar UIDs end in."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid_domain: Mapped[str] = mapped_column(String(253))
    created_at: Mapped[dt.datetime]


class FeedDataVersion(Base):
    """A counter the database raises on every write to what feeds show (triggers, migration 0008).

    One row (id 1). Feeds compare it before loading anything: an unchanged counter means an
    unchanged feed, so a 304 costs one indexed read.
    """

    __tablename__ = "feed_data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(BigInteger, default=0)
