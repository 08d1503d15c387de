"""/healthz: database, shared cache and worker heartbeat; 503 with machine-readable reasons."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from grappe.core import scheduler

pytestmark = pytest.mark.django_db


def test_healthy_when_a_worker_beat_recently(client):
    scheduler.beat("w1", timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok" and body["worker"] == "ok"
    assert "reasons" not in body
    assert response["Cache-Control"] == "no-store"


def test_no_worker_is_a_503_with_a_reason(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["worker_missing"]


def test_a_stale_heartbeat_is_a_503_with_a_reason(client, settings):
    settings.GRAPPE_WORKER_STALE_SECONDS = 120
    scheduler.beat("w1", timezone.now(), now=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["reasons"] == ["worker_stale"] and body["worker_seen_at"]


def test_the_web_check_leaves_the_worker_out(client):
    assert client.get("/healthz?check=web").status_code == 200


def test_a_broken_cache_is_a_503(client, monkeypatch):
    scheduler.beat("w1", timezone.now())

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["cache_unavailable"]


def test_a_broken_database_is_a_503_not_a_500(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz?check=web")
    assert response.status_code == 503
    assert response.json()["reasons"][0] == "database_unavailable"  # the database cache fails with it


@pytest.mark.parametrize("persona", ["staff_user", "member_a", "observer_user"])
def test_every_role_reads_the_same_health(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    scheduler.beat("w1", timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"


def test_the_default_cache_is_the_shared_database_cache(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    cache.set("k", "v")
    assert cache.get("k") == "v"
