"""Local passwords off for staff: the sign-in page, the token API and the admin refuse staff passwords
with a clear message; customers keep theirs; the supervisors' page turns it on (audited)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

from audit.models import AuditEntry
from sso.models import SsoSettings
from sso.services import STAFF_PASSWORDS_OFF

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"  # tests/factories.py


@pytest.fixture(autouse=True)
def _passwords_off(settings):  # noqa: ANN001, ANN202
    settings.HELPDESK_SSO_OIDC_ENABLED = True
    cache.clear()
    SsoSettings.objects.update_or_create(pk=1, defaults={"staff_passwords_off": True})


def test_the_sign_in_page_refuses_a_staff_password_with_a_clear_message(client, tina):
    response = client.post("/accounts/login/", {"username": "tina", "password": PASSWORD})
    assert response.status_code == 200
    assert str(STAFF_PASSWORDS_OFF) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_staff_password_says_only_wrong_password(client, tina):
    response = client.post("/accounts/login/", {"username": "tina", "password": "nope"})
    assert str(STAFF_PASSWORDS_OFF) not in response.content.decode()


def test_customers_keep_their_passwords(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_token_api_refuses_staff_passwords(api, tina, alice):
    response = api.post("/api/v1/auth/token/", {"username": "tina", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == str(STAFF_PASSWORDS_OFF)
    assert api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}).status_code == 200


def test_the_admin_refuses_staff_passwords(client, sam):
    sam.is_staff = True
    sam.save()
    client.post("/admin/login/?next=/admin/", {"username": "sam", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_supervisor_page_turns_it_off_and_on_audited(client, sam, tina):
    SsoSettings.objects.filter(pk=1).update(staff_passwords_off=False)
    client.force_login(sam)
    response = client.post(
        "/agent/config/sso/settings/", {"staff_passwords_off": "on", "unmapped": "customer"}
    )
    assert response.status_code == 302
    assert SsoSettings.objects.get(pk=1).staff_passwords_off
    entry = AuditEntry.objects.filter(model="sso.ssosettings").latest("id")
    assert (entry.actor, entry.after) == (sam, {"staff_passwords_off": True})


def test_the_break_glass_command_turns_passwords_back_on(client, tina):
    call_command("sso_staff_passwords", "on")
    assert not SsoSettings.objects.get(pk=1).staff_passwords_off
    response = client.post("/accounts/login/", {"username": "tina", "password": PASSWORD})
    assert response.status_code == 302


def test_agents_cannot_open_the_page(client, tina):
    SsoSettings.objects.filter(pk=1).update(staff_passwords_off=False)
    client.force_login(tina)
    assert client.get("/agent/config/sso/").status_code == 403
    assert client.post("/agent/config/sso/settings/", {"unmapped": "refuse"}).status_code == 403


def test_a_supervisor_adds_edits_and_deletes_a_mapping(client, sam, service_desk):
    SsoSettings.objects.filter(pk=1).update(staff_passwords_off=False)
    client.force_login(sam)
    data = {"source": "oidc", "group": "helpdesk-agents", "role": "agent", "teams": [service_desk.pk]}
    assert client.post("/agent/config/sso/", data).status_code == 302
    # the same group again (another case) is refused
    again = client.post("/agent/config/sso/", {**data, "group": "HELPDESK-agents"})
    assert again.status_code == 400
    from sso.models import GroupMapping

    mapping = GroupMapping.objects.get()
    page = client.get("/agent/config/sso/").content.decode()
    assert "helpdesk-agents" in page
    assert str(service_desk) in page
    edited = client.post(f"/agent/config/sso/mappings/{mapping.pk}/", {**data, "role": "supervisor"})
    assert edited.status_code == 302
    mapping.refresh_from_db()
    assert mapping.role == "supervisor"
    assert client.post(f"/agent/config/sso/mappings/{mapping.pk}/delete/").status_code == 302
    assert not GroupMapping.objects.exists()


def test_the_page_costs_few_queries(client, sam, service_desk, network_team, django_assert_max_num_queries):
    from sso.services import group_mapping_save

    SsoSettings.objects.filter(pk=1).update(staff_passwords_off=False)
    for n in range(5):
        group_mapping_save(source="oidc", group=f"g{n}", role="agent", teams=[service_desk, network_team])
    client.force_login(sam)
    with django_assert_max_num_queries(15):
        assert client.get("/agent/config/sso/").status_code == 200


def test_the_audit_log_shows_mapping_changes_by_name(client, sam, service_desk):
    from django.urls import reverse

    from sso.services import group_mapping_save, provision

    SsoSettings.objects.filter(pk=1).update(staff_passwords_off=False)
    group_mapping_save(source="oidc", group="helpdesk-agents", role="agent", teams=[service_desk])
    provision(source="oidc", external_id="s-1", email="ada@example.com", full_name="Ada Lovelace",
              groups=["helpdesk-agents"])  # fmt: skip
    sam.language = "de"
    sam.save()
    client.force_login(sam)
    page = client.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Gruppenzuordnung" in page
    assert "Kunde → Agent" in page  # the role the mapping gave, by its label
    assert "– → Service Desk" in page  # the team it made her join (named as when it was recorded)
    assert "Ada Lovelace" in page  # the person by name, not by id
