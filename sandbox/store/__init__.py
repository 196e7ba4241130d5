"""The store: engine, sessions, table models and schema creation (SQLite or PostgreSQL)."""
