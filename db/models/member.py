"""People: Telegram users who coordinate or speak for an agency, and the invites that bring them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import MemberRole, enum_column


class Member(Base):
    """A registered Telegram user: a coordinator, or a liaison (or deputy) of an agency."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    reachable: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    left_at: Mapped[dt.datetime | None]


class PlanGrant(Base):
    """A plan a coordinator supervises; a coordinator with none supervises every plan."""

    __tablename__ = "plan_grant"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    # RESTRICT: a plan deleted under a limited coordinator must not quietly widen their reach.
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime]


class Invite(Base):
    """A single-use registration code; only its hash is kept."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None]
