"""The write floor: about the least a booking write can cost on this stack. A FastAPI endpoint at
Robin's path for booking a space takes an event body (validated by a pydantic model), checks in
one statement that nothing overlaps it in that space (reading the room's events from a day before
it on: it takes none longer, see LONGEST), inserts it and answers 201, through Python's sqlite3
module rather than an ORM. The store is a SQLite file set up as the sandbox's
(WAL, synchronous NORMAL, BEGIN IMMEDIATE, the writers of the process taking turns on a lock),
and the app is served by the same uvicorn settings as the floor app.

It has none of what the sandbox does beside the write: no credentials, no request journal or
fault rules, no recurrence, no building hours or booking policies, no occurrence index, no
vendor envelope. bench/writes.py reports every write against it as well as against the floor.

    SANDBOX_WRITE_FLOOR_DB=/tmp/floor.db .venv/bin/python -m uvicorn write_floor_app:app --app-dir bench --port 8100
"""

import os
import sqlite3
import threading
from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

PATH = os.environ.get("SANDBOX_WRITE_FLOOR_DB", "write-floor.db")
writers = threading.Lock()
connections = threading.local()


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(connections, "connection", None)
    if connection is None:
        connection = sqlite3.connect(PATH, isolation_level=None, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connections.connection = connection
    return connection


_connection().execute(
    "CREATE TABLE IF NOT EXISTS event (id INTEGER PRIMARY KEY, space_id INTEGER NOT NULL, title TEXT NOT NULL,"
    ' start TEXT NOT NULL, "end" TEXT NOT NULL)'
)
_connection().execute('CREATE INDEX IF NOT EXISTS event_space_start ON event (space_id, start, "end")')
LONGEST = timedelta(days=1)
"""The longest event the floor takes: its overlap check reads only the room's events that start
within this of the new one, from an index that holds their ends, as the sandbox's reads only from
its longest booking before the new one, however many the room holds."""


class When(BaseModel):
    date_time: datetime
    time_zone: str


class EventBody(BaseModel):
    title: str
    start: When
    end: When


app = FastAPI()


@app.post("/v1.0/spaces/{space_id}/events", status_code=201)
def create_event(space_id: int, body: EventBody) -> JSONResponse:
    if not body.start.date_time < body.end.date_time <= body.start.date_time + LONGEST:
        return JSONResponse({"meta": {"status_code": 422, "message": "an event lasts at most a day"}, "data": {}}, 422)
    start, end = body.start.date_time.isoformat(), body.end.date_time.isoformat()
    earliest = (body.start.date_time - LONGEST).isoformat()
    connection = _connection()
    with writers:
        connection.execute("BEGIN IMMEDIATE")
        try:
            taken = connection.execute(
                'SELECT 1 FROM event WHERE space_id = ? AND start > ? AND start < ? AND "end" > ? LIMIT 1',
                (space_id, earliest, end, start),
            ).fetchone()
            if taken:
                connection.execute("ROLLBACK")
                return JSONResponse({"meta": {"status_code": 409, "message": "taken"}, "data": {}}, 409)
            created = connection.execute(
                'INSERT INTO event (space_id, title, start, "end") VALUES (?, ?, ?, ?)', (space_id, body.title, start, end)
            ).lastrowid
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return JSONResponse(
        {
            "meta": {"status_code": 201, "status": "CREATED", "message": "", "more_info": {}, "errors": []},
            "data": {
                "id": created,
                "space_id": space_id,
                "title": body.title,
                "start": body.start.model_dump(mode="json"),
                "end": body.end.model_dump(mode="json"),
            },
        },
        201,
    )


@app.get("/_sandbox/health")
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})
