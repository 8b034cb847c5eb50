"""The outbox: every message the bot sends on its own is first a delivery row with a unique key."""
