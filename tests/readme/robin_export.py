import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

api, headers = "http://127.0.0.1:8000/v1.0", {"Authorization": "Access-Token demo-robin-token"}


def call(method, path, body=None):
    """Any HTTP client will do; this one comes with Python. A 404 is an answer too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api + path, data, {**headers, "Content-Type": "application/json"}, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


now = datetime.now(UTC)
week = timedelta(days=7)
fortnight = {"from": (now - week).isoformat(timespec="seconds"), "to": (now + week).isoformat(timespec="seconds")}
status, body = call("POST", "/insights/exports/organizations/1/spaces", fortnight)
export_id = json.loads(body)["data"]["export_id"]
while (answer := call("GET", f"/insights/exports/{export_id}"))[0] == 404:
    time.sleep(10)
print(answer[1])  # CSV: one row per event occurrence of the week before and after now, the guide's columns in its order
