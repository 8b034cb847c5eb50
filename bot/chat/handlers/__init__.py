"""Telegram handlers: each module exposes register(application)."""
