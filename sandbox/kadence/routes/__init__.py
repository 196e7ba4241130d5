"""Kadence's routes, grouped as its API reference groups them."""
