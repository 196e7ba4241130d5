import pytest


def test_health_answers_ok_once_the_store_is_ready(client):
    response = client.get("/_sandbox/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.damages_store
def test_health_answers_503_when_the_store_is_gone(client, store):
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE store_meta")
    response = client.get("/_sandbox/health")
    assert response.status_code == 503
    assert response.json() == {"status": "starting"}


def test_ready_names_what_the_store_was_seeded_with(client):
    response = client.get("/_sandbox/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "seeded": "demo.json"}


@pytest.mark.damages_store
def test_ready_answers_503_until_the_store_is_seeded(client, store):
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM store_meta WHERE key = 'seeded_fixture'")

    response = client.get("/_sandbox/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "starting", "seeded": None}
