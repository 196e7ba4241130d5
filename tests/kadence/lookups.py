"""ULIDs of the demo workplace, found through the API by name or email (never hard-coded)."""

from tests.conftest import KadenceClient


def user_id(kadence: KadenceClient, email: str) -> str:
    return str(kadence.find("/users", email=email)["id"])


def space_id(kadence: KadenceClient, name: str) -> str:
    return str(kadence.find("/spaces", name=name)["id"])


def building_id(kadence: KadenceClient, name: str) -> str:
    return str(kadence.find("/buildings", name=name)["id"])
