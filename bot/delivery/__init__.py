"""Delivery: the outbox sender, pacing, the sweeps' guard and scheduler leadership."""
