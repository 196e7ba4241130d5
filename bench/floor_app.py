"""The framework floor: a minimal FastAPI app answering a fixed JSON body, served by the same
uvicorn settings as the sandbox. Every figure of the benchmark suite is a ratio against it.

    .venv/bin/python -m uvicorn floor_app:app --app-dir bench --port 8100 --log-level warning
"""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
BODY = {"meta": {"status_code": 200, "status": "OK", "message": "", "more_info": {}, "errors": []}, "data": {"id": 48}}


@app.get("/floor")
def floor() -> JSONResponse:
    return JSONResponse(BODY)


@app.get("/_sandbox/health")
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})
