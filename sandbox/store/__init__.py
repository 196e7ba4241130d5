"""The store: engine, sessions, table models and schema creation (SQLite or PostgreSQL)."""

POOL = 15
"""The most connections a PostgreSQL store's requests hold at once, unless told otherwise
(`Settings.database_pool`): opened as requests need them and kept open between requests."""
