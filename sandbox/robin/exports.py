"""Robin's analytics exports as CSV: the title of each column, in the export guide's order, and
the field of the core's row it shows. Some fields show under two titles, as the guide lists them.
An occurrence shows as Robin names it (`ids.occurrence_id`), worked out from the row's reservation
and original start."""

from sandbox.core.export_rows import Layout, Row
from sandbox.robin import ids


def occurrence_id(row: Row) -> str:
    """The id of the row's occurrence: its reservation's, or its instance's in a series."""
    return ids.occurrence_id(row.reservation_id, row.original_start)


EVENT_COLUMNS = (
    ("Organization", "organization"),
    ("Building", "building"),
    ("Floor", "floor"),
    ("Space", "resource"),
    ("Space ID", "resource_id"),
    ("Event ID", occurrence_id),
    ("Event Status", "status"),
    ("Created At (UTC)", "created_at"),
    ("Updated At (UTC)", "updated_at"),
    ("All Day Event", "all_day"),
    ("Title", "title"),
    ("Is Recurring", "recurring"),
    ("Capacity", "capacity"),
    ("Invited People", "invited"),
    ("Attendees", "accepted"),
    ("Location", "resource"),
    ("Started At (UTC)", "start"),
    ("Ended At (UTC)", "end"),
    ("Minute Duration", "minutes"),
    ("Checked In At (UTC)", "checked_in_at"),
    ("Minutes Delayed", "minutes_late"),
    ("Automatically Unbooked At (UTC)", "released_at"),
    ("Creator Robin ID", "creator_id"),
    ("Creator Robin Name", "creator_name"),
    ("Creator Department", "creator_department"),
    ("Creator Groups", "creator_groups"),
    ("Creator Robin Email", "creator_email"),
    ("Created By Email", "recorded_creator_email"),
    ("Host Robin ID", "organizer_id"),
    ("Host Robin Name", "organizer_name"),
    ("Host Department", "organizer_department"),
    ("Host Groups", "organizer_groups"),
    ("Host Robin Email", "organizer_email"),
    ("Hosting Calendar Email", "recorded_organizer_email"),
    ("Local Creator ID", "creator_id"),
    ("Local Creator Email", "recorded_creator_email"),
    ("Cancellation Type", "cancellation"),
)
DESK_COLUMNS = (
    ("Organization", "organization"),
    ("Building", "building"),
    ("Floor", "floor"),
    ("Desk Group", "area"),
    ("Desk ID", "resource_id"),
    ("Desk Name", "resource"),
    ("Reservation ID", occurrence_id),
    ("Series ID", "series_id"),
    ("Type", "reservation_type"),
    ("Start (UTC)", "start"),
    ("End (UTC)", "end"),
    ("Hour Duration", "hours"),
    ("Checked In At (UTC)", "checked_in_at"),
    ("Canceled At (UTC)", "cancelled_at"),
    ("Cancellation Type", "cancellation"),
    ("Creator Name", "creator_name"),
    ("Creator Department", "creator_department"),
    ("Creator Groups", "creator_groups"),
    ("Creator Email", "creator_email"),
    ("Assignee Name", "reservee_name"),
    ("Assignee Department", "reservee_department"),
    ("Assignee Groups", "reservee_groups"),
    ("Assignee Email", "reservee_email"),
    ("Desk Type", "desk_type"),
    ("Bookable On Unassigned Days", "bookable_unassigned"),
)
LAYOUT = Layout(events=EVENT_COLUMNS, desk_reservations=DESK_COLUMNS)
"""How the worker lays out every export: exports are Robin's alone."""
