from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tickets import panels

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "home"), [("tina", "/agent/"), ("sam", "/agent/"), ("alice", "/portal/tickets/")]
)
def test_after_sign_in_agents_go_to_the_queue_and_customers_to_their_requests(client, request, who, home):
    request.getfixturevalue(who)
    response = client.post("/accounts/login/", {"username": who, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == home


def test_a_safe_next_wins_and_an_unsafe_one_is_ignored(client, alice):
    ok = client.post("/accounts/login/?next=/portal/new/", {"username": "alice", "password": PASSWORD})
    assert ok["Location"] == "/portal/new/"
    client.logout()
    evil = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/portal/tickets/"


def test_a_wrong_password_gives_a_generic_error(client, alice):
    wrong = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    unknown = client.post("/accounts/login/", {"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Please enter a correct username and password." in wrong.content.decode()
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_sign_in_is_throttled_per_username(client, alice, settings):
    settings.HELPDESK_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        Client(REMOTE_ADDR=f"10.0.0.{_}").post("/accounts/login/", {"username": "alice", "password": "nope"})
    # even the right password is refused now, from yet another address
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_sign_in_is_throttled_per_address(alice, bob, settings):
    settings.HELPDESK_LOGIN_MAX_FAILURES = 3
    c = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("x1", "x2", "x3"):
        c.post("/accounts/login/", {"username": name, "password": "nope"})
    response = c.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    other = Client(REMOTE_ADDR="10.1.1.2").post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert other.status_code == 302


def test_sign_out_is_a_post(client_as, alice):
    c = client_as(alice)
    assert c.get("/accounts/logout/").status_code == 405
    assert c.post("/accounts/logout/").status_code == 302
    assert c.get("/portal/tickets/").status_code == 302


def test_a_customer_signs_up_and_is_signed_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "carl",
            "first_name": "Carl",
            "last_name": "C",
            "email": "Carl@Example.com",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
            "language": "de",
        },
    )
    assert response.status_code == 302
    carl = User.objects.get(username="carl")
    assert (carl.role, carl.email, carl.language, carl.is_agent) == (
        "customer",
        "carl@example.com",
        "de",
        False,
    )
    assert client.get("/portal/tickets/").status_code == 200


def test_sign_up_errors_are_shown_and_input_kept(client, alice):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ALICE",
            "email": "alice@example.com",
            "password1": "a",
            "password2": "b",
            "language": "en",
            "first_name": "Keep me",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This username is taken." in html
    assert "already exists" in html
    assert "Keep me" in html
    assert User.objects.count() == 1


def test_sign_up_cannot_make_an_agent(client):
    client.post(
        "/accounts/signup/",
        {
            "username": "mallory",
            "email": "m@example.com",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
            "language": "en",
            "role": "supervisor",
        },
    )
    assert User.objects.get(username="mallory").role == "customer"


def test_the_language_switch_sets_the_cookie_and_keeps_next_on_our_host(client):
    response = client.post("/accounts/language/", {"language": "de", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "de"
    assert "Anmelden" in client.get("/accounts/login/").content.decode()
    evil = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert "evil" not in evil["Location"]


def test_the_language_switch_saves_a_signed_in_users_profile(client_as, alice):
    c = client_as(alice)
    c.post("/accounts/language/", {"language": "de", "next": "/portal/tickets/"})
    alice.refresh_from_db()
    assert alice.language == "de"
    assert "Meine Anfragen" in c.get("/portal/tickets/").content.decode()


def test_an_unknown_language_is_refused(client_as, alice):
    assert client_as(alice).post("/accounts/language/", {"language": "xx"}).status_code == 400
    alice.refresh_from_db()
    assert alice.language == "en"


def test_the_browser_language_applies_without_a_profile_language(client, alice):
    alice.language = ""
    alice.save()
    client.force_login(alice)
    html = client.get("/portal/tickets/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert "Meine Anfragen" in html


def test_the_nav_depends_on_the_role_and_skips_unknown_url_names(client_as, alice, tina, sam, monkeypatch):
    monkeypatch.setattr(
        panels,
        "nav_entries",
        [
            panels.NavEntry("Broken link", "nowhere:missing", "anyone"),
            panels.NavEntry("Admin site", "admin:index", "supervisor"),
        ],
    )
    customer = client_as(alice).get("/portal/tickets/").content.decode()
    agent = client_as(tina).get("/agent/").content.decode()
    supervisor = client_as(sam).get("/agent/").content.decode()
    assert "My requests" in customer
    assert "Log a call" not in customer
    assert "Log a call" in agent
    assert "My requests" not in agent
    assert "Admin site" not in agent
    assert "Admin site" in supervisor
    assert "Broken link" not in customer + agent + supervisor
