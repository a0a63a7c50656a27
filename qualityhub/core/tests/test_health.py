"""/healthz: database and worker status as JSON, public, and telling no secrets."""

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from qualityhub.core import views
from qualityhub.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _beat(worker_id, seconds_ago):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="worker-1", pid=4242, started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def _health(client=None):
    response = (client or Client()).get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_it_needs_no_login_and_answers_json():
    response, body = _health()
    assert response.status_code == 200
    assert set(body) == {"status", "database", "worker"}
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert isinstance(body["database"]["latency_ms"], (int, float))


def test_without_a_worker_heartbeat_the_worker_is_down_and_the_platform_degraded():
    _response, body = _health()
    assert body["worker"] == {"status": "down", "alive": 0, "pending_tasks": 0}
    assert body["status"] == "degraded"


def test_a_fresh_heartbeat_means_the_worker_is_up():
    _beat("w-fresh", seconds_ago=5)
    response, body = _health()
    assert response.status_code == 200
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["alive"] == 1
    assert body["status"] == "ok"


def test_a_stale_heartbeat_does_not_count_as_a_live_worker():
    _beat("w-stale", seconds_ago=120)
    _response, body = _health()
    assert body["worker"]["status"] == "down"
    assert body["worker"]["alive"] == 0
    assert body["status"] == "degraded"


def test_only_fresh_workers_are_counted():
    _beat("w-1", seconds_ago=1)
    _beat("w-2", seconds_ago=30)
    _beat("w-old", seconds_ago=600)
    _response, body = _health()
    assert body["worker"]["alive"] == 2


def test_pending_tasks_and_the_age_of_the_oldest_are_reported(settings):
    from django_tasks_db.models import DBTaskResult

    from qualityhub.core.tasks import run_import

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    run_import.enqueue(job_id=0)
    run_import.enqueue(job_id=0)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    _beat("w-fresh", seconds_ago=1)
    _response, body = _health()
    assert body["worker"]["pending_tasks"] == 2
    assert 290 <= body["worker"]["oldest_pending_seconds"] <= 400


def test_the_health_check_is_the_same_for_signed_in_users(actors):
    response, body = _health(actors.owner.client())
    assert response.status_code == 200
    assert body["database"]["status"] == "ok"


def test_it_tells_no_secrets():
    _beat("w-fresh", seconds_ago=1)
    response, body = _health()
    text = response.content.decode()
    assert django_settings.SECRET_KEY not in text
    for word in ("password", "secret", "key", "user", "host", "worker-1", "4242", "w-fresh"):
        assert word not in text.lower(), word
    database = django_settings.DATABASES["default"]
    for value in (database.get("PASSWORD"), str(database.get("NAME"))):
        if value:
            assert value not in text
    if database.get("USER"):  # "postgres" is also the start of the vendor "postgresql"
        assert f'"{database["USER"]}"' not in text


class _BrokenConnection:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
            'FATAL: password authentication failed for user "qualityhub"'
        )


def test_an_unreachable_database_answers_503_without_the_drivers_message(monkeypatch):
    monkeypatch.setattr(views, "connection", _BrokenConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["database"] == {"status": "error", "vendor": "postgresql", "error": "OperationalError"}
    text = response.content.decode()
    for leak in ("db.internal", "10.0.0.5", "5432", "qualityhub", "password"):
        assert leak not in text


def test_collected_static_files_are_only_what_runs_offline():
    """collectstatic gathers no asset bundle that loads from an outside host: no Redoc
    (its fonts come from a CDN) and none of Tabler's optional libs/ plugins."""
    from django.apps import apps
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.apps import StaticFilesConfig

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    assert "redoc" in ignore and StaticFilesConfig.ignore_patterns != ignore
    collected = {
        f"{storage.prefix}/{path}" if getattr(storage, "prefix", None) else path
        for finder in finders.get_finders()
        for path, storage in finder.list(ignore)
    }
    assert "vendor/tabler/css/tabler.min.css" in collected and "vendor/echarts/echarts.min.js" in collected
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert not [p for p in collected if p.startswith("vendor/tabler/libs/") or "redoc" in p]
