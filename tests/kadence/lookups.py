"""ULIDs of the demo workplace, found through the API by name or email (never hard-coded), once a
run where the test's store is a demo store (KadenceClient.seeded_id)."""

from tests.conftest import KadenceClient


def user_id(kadence: KadenceClient, email: str) -> str:
    return kadence.seeded_id("/users", email=email)


def space_id(kadence: KadenceClient, name: str) -> str:
    return kadence.seeded_id("/spaces", name=name)


def building_id(kadence: KadenceClient, name: str) -> str:
    return kadence.seeded_id("/buildings", name=name)
