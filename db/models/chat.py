"""Which bot message is about which task, so a reply to it can be attached to the task."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ChatMessage(Base):
    """A message the bot sent about a task."""

    __tablename__ = "chat_message"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]
