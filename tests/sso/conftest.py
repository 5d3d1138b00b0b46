"""A real OpenID Connect provider for the tests: django-oauth-toolkit in its own process
(tests/sso/idp_oidc, own settings and SQLite, RSA key made at start) on a free port, with the
helpdesk's live server registered as its client. Skipped, saying why, when the package is missing
outside CI; in CI (CI=true) a missing package fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

from tests.conftest import IN_CI, ROOT, wait_for

IDP_PROJECT = Path(__file__).resolve().parent / "idp_oidc"
CLIENT_ID = "helpdesk-test"
CLIENT_SECRET = "helpdesk-test-secret-0123456789"  # noqa: S105 - a test client's
IDP_PASSWORD = "idp-Secret-123"  # noqa: S105


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Idp:
    url: str
    issuer: str
    env: dict[str, str]
    log: Path

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our interpreter, our arguments
            [sys.executable, "-m", "django", *args],
            env=self.env,
            cwd=IDP_PROJECT,
            check=True,
            capture_output=True,
        )

    def user(
        self, username: str, *, email: str, name: str, groups: list[str] = (), active: bool = True
    ) -> None:
        """Creates or changes a person at the provider (password IDP_PASSWORD)."""
        args = ["idp_user", username, "--password", IDP_PASSWORD, "--email", email, "--name", name]
        args += ["--groups", ",".join(groups)]
        if not active:
            args.append("--inactive")
        self.manage(*args)


@pytest.fixture(scope="session")
def oidc_idp(live_server, tmp_path_factory):  # noqa: ANN001, ANN201
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("needs django-oauth-toolkit (pip install '.[dev]') for the test OpenID Connect provider")
    port = _free_port()
    idp_dir = tmp_path_factory.mktemp("idp_oidc")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "IDP_DIR": str(idp_dir),
        "IDP_PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "idp.settings",
        "PYTHONPATH": str(IDP_PROJECT),
    }
    idp = Idp(
        url=f"http://127.0.0.1:{port}", issuer=f"http://127.0.0.1:{port}/o", env=env, log=idp_dir / "idp.log"
    )
    live = live_server.url.rstrip("/")
    redirects = {f"{live}/oidc/callback/", f"{live.replace('localhost', '127.0.0.1')}/oidc/callback/"}
    idp.manage("idp_setup", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
               *[a for r in sorted(redirects) for a in ("--redirect-uri", r)])  # fmt: skip
    with idp.log.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=IDP_PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def up() -> bool:
        try:
            return requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        assert wait_for(up, 30), idp.log.read_text()[-3000:]
        yield idp
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def oidc(oidc_idp, settings):  # noqa: ANN001, ANN201
    """The helpdesk configured for the test provider (what OIDC_ISSUER / _CLIENT_ID / _SECRET set)."""
    settings.OIDC_ISSUER = oidc_idp.issuer
    settings.HELPDESK_SSO_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.AUTHENTICATION_BACKENDS = ["sso.backends.LocalPasswordBackend", "sso.oidc.OIDCBackend"]
    cache.clear()
    yield oidc_idp
    cache.clear()


__all__ = ["ROOT"]
