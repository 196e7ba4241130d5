"""The stack floor: the floor app with the store's libraries imported and a store opened, about
the least a start can cost for an app on this stack that keeps state. SQLModel (and SQLAlchemy
under it) is imported, one table is declared, and a SQLite file is opened as the sandbox opens
its store (WAL) and its schema created; health answers after reading from it.

bench/cold_start.py reports the sandbox's start against it as well as against the floor.

    SANDBOX_STACK_FLOOR_DB=/tmp/stack.db .venv/bin/python -m uvicorn stack_floor_app:app --app-dir bench --port 8100
"""

import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import event, text
from sqlmodel import Field, Session, SQLModel, create_engine, select


class Space(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


engine = create_engine(f"sqlite:///{os.environ.get('SANDBOX_STACK_FLOOR_DB', 'stack-floor.db')}")


@event.listens_for(engine, "connect")
def _wal(connection: object, _record: object) -> None:
    connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[attr-defined]  # a sqlite3 connection


SQLModel.metadata.create_all(engine)
app = FastAPI()


@app.get("/_sandbox/health")
def health() -> JSONResponse:
    with Session(engine) as session:
        session.exec(select(Space).limit(1)).all()
        session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
