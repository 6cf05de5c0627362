"""Persistence: SQLModel tables, the compressed blob store and Alembic migrations (SQLite or PostgreSQL)."""
