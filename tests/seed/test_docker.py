"""The Docker files, checked by reading them (there is no Docker on the CI machine to start them)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks_and_volumes():
    compose = _compose()
    services = compose["services"]
    # chat: the live chat's ASGI server (issue #12, docs/chat.md)
    assert set(services) == {"postgres", "redis", "web", "chat", "worker", "beat"}
    assert "uvicorn" in services["chat"]["command"]
    assert "helpdesk.asgi:application" in services["chat"]["command"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "web", "chat", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_compose_web_migrates_before_gunicorn_and_runs_without_debug():
    services = _compose()["services"]
    command = " ".join(services["web"]["command"])
    assert command.index("migrate") < command.index("gunicorn")
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # required from .env, no default
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "deploy" not in services["beat"]  # exactly one beat


def test_dockerfile_builds_a_slim_non_root_gunicorn_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "collectstatic" in dockerfile
    assert "\nUSER helpdesk" in dockerfile
    assert '"gunicorn"' in dockerfile
