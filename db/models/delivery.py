"""The outbox: every message the bot sends on its own initiative, written before it is sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import DeliveryState, enum_column


class Delivery(Base):
    """One outgoing message; its idempotency key makes deciding to send it happen once."""

    __tablename__ = "delivery"
    # (kind, created_at): a sweep reads its kind's recent decisions, not the whole history.
    __table_args__ = (Index(None, "state", "next_attempt_at"), Index(None, "kind", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    late: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class SendSlot(Base):
    """One message admitted by the shared send budget (PostgreSQL): it counts until ended + window.

    Times are the database's clock in epoch seconds, so that every process reads one clock.
    A row without ended_at is in flight; `hold` rows stop a chat until ended_at (a 429).
    `owner` names the process (it holds an advisory lock on that number while it lives).
    """

    __tablename__ = "send_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    hold: Mapped[bool] = mapped_column(default=False)
    owner: Mapped[int | None] = mapped_column(Integer)
