"""Kadence's routes, grouped as its API reference groups them."""

from sandbox.kadence.routes import availability, bookings, directory, users, visits

API_ROUTES = (availability, bookings, directory, users, visits)
"""The route modules served under PREFIX."""
