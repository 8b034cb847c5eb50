"""Coordinators' commands: the reading ones and the changing ones."""

from __future__ import annotations

from telegram.ext import Application

from bot.chat.handlers import coordinator_changes, coordinator_tasks


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add every coordinator command and button."""
    coordinator_tasks.register(application)
    coordinator_changes.register(application)
