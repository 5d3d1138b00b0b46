"""Issue #14: "every change of configuration, roles, teams, SLA, rules, webhooks, sign-in settings and
every export/erasure is recorded". One walk through the list: each step must add an entry naming who
did it; no entry ever holds a token, a recovery code or an authenticator secret."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import Team, User
from apitokens.models import ApiToken
from apitokens.services import api_token_create
from audit.context import acting_as
from audit.models import AuditEntry
from automation import services as automation
from escalation.services import team_default_set
from mailin.models import Mailbox
from organisations import services as organisations
from privacy.export import person_export
from privacy.services import erasure_token_issue, person_erase
from sla.services import calendar_save, sla_policy_save
from tests.twofactor.conftest import code_for, enable
from tickets.models import Category
from twofactor import services as twofactor
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db

ADD_TAG = [{"type": "add_tags", "value": ["x"]}]
BY_REQUEST = {"retention rule", "token revoked", "2fa reset"}


def test_the_list_of_issue_14_is_recorded(sam, tina, alice, bob, service_desk, api_as):
    secrets: list[str] = []
    state: dict[str, Any] = {}
    supervisor = Client()
    supervisor.force_login(sam)

    def calendar() -> None:
        state["calendar"] = calendar_save(name="Office")

    def token_created() -> None:
        token, raw = api_token_create(user=tina, name="Laptop script", scope=ApiToken.Scope.WRITE)
        state["token"] = token
        secrets.append(raw)

    def two_factor_on() -> None:
        device, codes = enable(tina)
        state["device"] = device
        secrets.extend([device.key, *codes])

    def recovery_codes() -> None:
        with acting_as(tina):
            secrets.extend(
                twofactor.recovery_codes_regenerate(user=tina, code=code_for(state["device"], time.time()))
            )

    def two_factor_off() -> None:
        device, _codes = enable(alice)
        secrets.append(device.key)
        twofactor.two_factor_disable(user=alice, code=code_for(device, time.time()))

    def export() -> None:
        out, _counts = person_export(person=bob, by=sam)
        out.close()

    def erase() -> None:
        token, _row = erasure_token_issue(person=bob, by=sam)
        secrets.append(token)
        person_erase(person=bob, token=token, by=sam)

    steps: list[tuple[str, Callable[[], object], str, str, User]] = [
        # configuration
        ("category", lambda: Category.objects.create(name="Printers"), "created", "tickets.category", sam),
        ("calendar", calendar, "created", "sla.calendar", sam),
        (
            "custom days",
            lambda: calendar_save(
                calendar=state["calendar"], custom_holidays=[{"date": date(2026, 12, 24), "name": "Eve"}]
            ),
            "created",
            "sla.customholiday",
            sam,
        ),
        (
            "mailbox",
            lambda: Mailbox.objects.create(name="Support", host="imap.example", username="support"),
            "created",
            "mailin.mailbox",
            sam,
        ),
        # SLA
        (
            "sla policy",
            lambda: state.setdefault(
                "policy", sla_policy_save(name="Standard", calendar=state["calendar"], is_default=True)
            ),
            "created",
            "sla.slapolicy",
            sam,
        ),
        (
            "sla default switch",
            lambda: sla_policy_save(name="Premium", calendar=state["calendar"], is_default=True),
            "updated",
            "sla.slapolicy",
            sam,
        ),
        # roles and teams
        (
            "role",
            lambda: (setattr(tina, "role", User.Role.SUPERVISOR), tina.save()),
            "updated",
            "accounts.user",
            sam,
        ),
        (
            "team",
            lambda: state.setdefault("team", Team.objects.create(name="Helpers", tier=1)),
            "created",
            "accounts.team",
            sam,
        ),
        ("team member", lambda: state["team"].members.add(tina), "updated", "accounts.user", sam),
        (
            "tier default team",
            lambda: team_default_set(tier=1, team=state["team"]),
            "updated",
            "accounts.team",
            sam,
        ),
        # rules, macros, webhooks
        (
            "rule",
            lambda: state.setdefault(
                "rule", automation.rule_save(user=sam, name="Tag", trigger="created", actions=ADD_TAG)
            ),
            "created",
            "automation.rule",
            sam,
        ),
        (
            "rule order",
            lambda: (
                automation.rule_save(user=sam, name="Tag 2", trigger="created", actions=ADD_TAG),
                automation.rule_move(rule=state["rule"], up=False),
            ),
            "updated",
            "automation.rule",
            sam,
        ),
        (
            "macro",
            lambda: automation.macro_save(user=sam, name="Close", actions=ADD_TAG, shared=True),
            "created",
            "automation.macro",
            sam,
        ),
        (
            "webhook",
            lambda: Webhook.objects.create(url="https://crm.example/hook", secret="s3cret-hook"),
            "created",
            "webhooks.webhook",
            sam,
        ),
        # organisations and retention
        (
            "organisation",
            lambda: organisations.organisation_save(name="Acme"),
            "created",
            "organisations.organisation",
            sam,
        ),
        (
            "retention rule",
            lambda: api_as(sam).post("/api/v1/privacy/retention-rules/", {"months": 24}, format="json"),
            "created",
            "privacy.retentionrule",
            sam,
        ),
        # sign-in settings of a person
        ("token created", token_created, "token_new", "accounts.user", tina),
        (
            "token revoked",
            lambda: api_as(tina).delete(f"/api/v1/tokens/{state['token'].pk}/"),
            "token_revoke",
            "accounts.user",
            tina,
        ),
        ("2fa on", two_factor_on, "2fa_on", "accounts.user", tina),
        ("recovery codes", recovery_codes, "2fa_codes", "accounts.user", tina),
        ("2fa off", two_factor_off, "2fa_off", "accounts.user", alice),
        (
            "2fa reset",
            lambda: supervisor.post(f"/accounts/two-factor/people/{tina.pk}/reset/"),
            "2fa_reset",
            "accounts.user",
            sam,
        ),
        # privacy
        ("export", export, "exported", "privacy", sam),
        ("erasure", erase, "erased", "privacy", sam),
    ]
    missing = []
    for label, step, action, model, actor in steps:
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # Service calls name their actor (as a view would); HTTP steps get it from the request.
        with acting_as(sam) if label not in BY_REQUEST and actor == sam else nullcontext():
            step()
        new = list(AuditEntry.objects.filter(id__gt=last))
        if not any(e.action == action and e.model == model and e.actor_id == actor.pk for e in new):
            missing.append((label, [(e.action, e.model, e.actor_id) for e in new]))
    assert missing == []
    # never a secret
    dump = json.dumps(
        list(AuditEntry.objects.values("object_repr", "before", "after", "details")), default=str
    )
    for secret in secrets:
        assert secret not in dump
    assert "s3cret-hook" not in dump
