def test_health_answers_ok_once_the_store_is_ready(client):
    response = client.get("/_sandbox/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_answers_503_when_the_store_is_gone(client, store):
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE store_meta")
    response = client.get("/_sandbox/health")
    assert response.status_code == 503
    assert response.json() == {"status": "starting"}
