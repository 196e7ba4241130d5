"""The store: engine, sessions, table models and schema creation (SQLite or PostgreSQL)."""

POOL = 15
"""The most connections a PostgreSQL store's requests hold at once, unless told otherwise
(`Settings.database_pool`): five kept open between requests, the rest opened while needed."""
