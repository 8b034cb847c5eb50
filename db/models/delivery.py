"""The outbox: every message the bot sends on its own initiative, written before it is sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
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
