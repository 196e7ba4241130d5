"""The store: engine, sessions, table models and schema creation (SQLite or PostgreSQL)."""

POOL = 15
"""The most connections a PostgreSQL store's requests hold at once, unless told otherwise
(`Settings.database_pool`): opened as requests need them and kept open between requests."""

WAIT_S = 30.0
"""How long a request waits for a busy store, unless told otherwise (`Settings.store_wait`): for
a connection of the pool, or for the writes under way (and the locks they hold) to end."""
