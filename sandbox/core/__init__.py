"""The domain core: workplace rules, reservations, recurrence, conflicts, the clock.

Nothing here knows about HTTP or about either vendor's wire format.
"""
