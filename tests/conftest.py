"""Fixtures shared by all tests: named personas, the organisation, and gating of real parts.

Personas (STYLE.md §7): ``alice`` and ``bob`` are customers (bob must never see alice's
things); ``tina`` is a tier-1 agent of the Service Desk; ``nick`` a tier-2 Network
specialist; ``erin`` a tier-3 engineer; ``sam`` a supervisor.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Team, User
from tests.factories import CategoryFactory, EscalationPathFactory, TeamFactory, UserFactory

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_configure(config: pytest.Config) -> None:
    if not IN_CI:
        return
    problems = []
    if not _is_postgres():
        problems.append("CI=true but DATABASE_URL is not PostgreSQL")
    elif not _reachable(os.environ["DATABASE_URL"], 5432):
        problems.append(f"PostgreSQL unreachable at {os.environ['DATABASE_URL']}")
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        problems.append(f"Redis unreachable at {settings.REDIS_URL or '(REDIS_URL unset)'}")
    if not shutil.which(CHROMIUM):
        problems.append(f"{CHROMIUM} missing (apt-get install chromium)")
    if problems:
        raise pytest.UsageError("; ".join(problems))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    skip_browser = pytest.mark.skip(reason=f"needs {CHROMIUM} (apt-get install chromium)")
    has_redis = bool(settings.REDIS_URL) and _reachable(settings.REDIS_URL, 6379)
    for item in items:
        if "postgres" in item.keywords and not _is_postgres():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)
        if "browser" in item.keywords and not shutil.which(CHROMIUM):
            item.add_marker(skip_browser)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        reasons: dict[str, int] = {}
        for rep in skipped:
            reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
            reasons[reason] = reasons.get(reason, 0) + 1
        terminalreporter.section("what was skipped, and why")
        for reason, count in sorted(reasons.items()):
            terminalreporter.write_line(f"{count:4d} × {reason}")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # noqa: ANN001
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language():  # noqa: ANN202
    """A request by a German user leaves German active in the thread: the next test starts in the default."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def service_desk(db) -> Team:  # noqa: ANN001
    return TeamFactory(name="Service Desk", tier=1, is_default_for_tier=True)


@pytest.fixture
def network_team(db) -> Team:  # noqa: ANN001
    return TeamFactory(name="Network", tier=2, specialty="LAN, WLAN, VPN", is_default_for_tier=True)


@pytest.fixture
def engineering(db) -> Team:  # noqa: ANN001
    return TeamFactory(name="Engineering", tier=3, is_default_for_tier=True)


@pytest.fixture
def network_category(service_desk, network_team, engineering):  # noqa: ANN001
    cat = CategoryFactory(name="Network")
    EscalationPathFactory(category=cat, tier=1, team=service_desk)
    EscalationPathFactory(category=cat, tier=2, team=network_team)
    EscalationPathFactory(category=cat, tier=3, team=engineering)
    return cat


@pytest.fixture
def alice(db) -> User:  # noqa: ANN001
    return UserFactory(username="alice", role=User.Role.CUSTOMER, first_name="Alice")


@pytest.fixture
def bob(db) -> User:  # noqa: ANN001
    return UserFactory(username="bob", role=User.Role.CUSTOMER, first_name="Bob")


@pytest.fixture
def tina(service_desk) -> User:  # noqa: ANN001
    return UserFactory(username="tina", role=User.Role.AGENT, first_name="Tina", teams=[service_desk])


@pytest.fixture
def nick(network_team) -> User:  # noqa: ANN001
    return UserFactory(username="nick", role=User.Role.AGENT, first_name="Nick", teams=[network_team])


@pytest.fixture
def erin(engineering) -> User:  # noqa: ANN001
    return UserFactory(username="erin", role=User.Role.AGENT, first_name="Erin", teams=[engineering])


@pytest.fixture
def sam(db) -> User:  # noqa: ANN001
    return UserFactory(username="sam", role=User.Role.SUPERVISOR, first_name="Sam")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as():  # noqa: ANN201
    """``api_as(user)`` → an APIClient signed in as ``user`` (or anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    """One Debian Chromium (never a downloaded browser) for every browser test of the session.

    Playwright's sync API runs an event loop in this thread, and a second one per package would
    fail; Django refuses ORM calls from a thread with a running loop, but the tests' own ORM
    calls are plain synchronous code, so that check is lifted while the browser runs.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- a real Celery worker with beat -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, timeout: float, interval: float = 0.5) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def worker(tmp_path):  # noqa: ANN001, ANN201
    """``celery -A helpdesk worker -B`` with a one-second SLA sweep and metrics refresh, on our
    Redis db and the test database (tests using it need ``django_db(transaction=True)``)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own db number: no stale sweeps from earlier runs
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SLA_SWEEP_SECONDS": "1",
        "REPORTING_ROLLUP_SECONDS": "1",
        "HELPDESK_VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
    }
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "-B",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-s",
                str(tmp_path / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert wait_for(lambda: "ready." in log_path.read_text(), 30), log_path.read_text()[-3000:]
        yield proc, log_path
    finally:
        proc.send_signal(signal.SIGTERM)  # warm shutdown: finishes the running sweep
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


SIGN_IN = {"en": "Sign in", "de": "Anmelden"}


def signed_in_page(browser, live_server, user, lang: str, password: str = "pw-Secret-123"):  # noqa: ANN001, ANN201
    """A new browser context in ``lang`` with ``user`` (profile language set to it) signed in through
    the login form; the password is UserFactory's."""
    user.language = lang
    user.save(update_fields=["language"])
    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    page.wait_for_load_state()
    return page
