"""Analytics export jobs of every organization, as the dashboard shows them: their state, and
the CSV of a ready one."""

from fastapi import APIRouter

router = APIRouter(tags=["Sandbox control plane"])
