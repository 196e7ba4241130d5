"""The workplace as the dashboard shows it: organizations, buildings and floors, and a building's
day, each space with its bookings from both APIs."""

from fastapi import APIRouter

router = APIRouter(tags=["Sandbox control plane"])
