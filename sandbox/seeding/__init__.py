"""Seeding the store: the hand-written fixture format and its loader."""
