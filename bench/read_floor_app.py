"""The read floor: about the least a read of one stored item can cost on this stack. A FastAPI
endpoint at Robin's path for a space reads one row by its id, in one statement through Python's
sqlite3 module rather than an ORM, from a SQLite file set up as the sandbox's (WAL, synchronous
NORMAL), and answers it as JSON in Robin's envelope. It is served by the same uvicorn settings as
the floor app.

It has none of what the sandbox does beside the read: no credentials, no request journal or
fault rules, no clock, no kept answers. Every read the report (bench/report.py) gives against
a target is measured against it, in the same run.

    SANDBOX_READ_FLOOR_DB=/tmp/read-floor.db .venv/bin/python -m uvicorn read_floor_app:app --app-dir bench --port 8100
"""

import os
import sqlite3
import threading

from fastapi import FastAPI
from fastapi.responses import JSONResponse

PATH = os.environ.get("SANDBOX_READ_FLOOR_DB", "read-floor.db")
ROWS = 1000
COLUMNS = ("id", "name", "description", "type", "capacity", "is_disabled", "is_reservable", "building_id", "floor_id")
connections = threading.local()


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(connections, "connection", None)
    if connection is None:
        connection = sqlite3.connect(PATH, isolation_level=None, timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connections.connection = connection
    return connection


def _create() -> None:
    connection = _connection()
    connection.execute(
        "CREATE TABLE IF NOT EXISTS space (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT, type TEXT,"
        " capacity INTEGER, is_disabled INTEGER NOT NULL, is_reservable INTEGER NOT NULL, building_id INTEGER NOT NULL,"
        " floor_id INTEGER)"
    )
    if connection.execute("SELECT count(*) FROM space").fetchone()[0] == 0:
        connection.executemany(
            "INSERT INTO space VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(number, f"Room {number}", None, "meeting", 8, 0, 1, 1, 1 + number // 100) for number in range(1, ROWS + 1)],
        )


_create()
app = FastAPI()
STATEMENT = f"SELECT {', '.join(COLUMNS)} FROM space WHERE id = ?"


@app.get("/v1.0/spaces/{space_id}")
def get_space(space_id: int) -> JSONResponse:
    row = _connection().execute(STATEMENT, (space_id,)).fetchone()
    if row is None:
        return JSONResponse({"meta": {"status_code": 404, "message": "Not found"}, "data": {}}, 404)
    data = dict(zip(COLUMNS, row, strict=True))
    data["is_disabled"], data["is_reservable"] = bool(data["is_disabled"]), bool(data["is_reservable"])
    return JSONResponse(
        {"meta": {"status_code": 200, "status": "OK", "message": "", "more_info": {}, "errors": []}, "data": data}
    )


@app.get("/_sandbox/health")
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})
