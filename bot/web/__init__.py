"""The HTTP app: webhook, calendar feeds, health and metrics."""
