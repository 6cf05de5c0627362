"""Alerts: who subscribes to what, the outbox written with each change, delivery, reviews and signed links to
a diff."""
