"""Configuration changed with one UPDATE (or a bulk_create) bypasses the registry's signals; the
services that do it record each row themselves (issue #14). The last test fails when a new such call
on a registered model appears anywhere without going through ``audit.services``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from accounts.models import Team
from audit import registry
from audit.context import acting_as
from audit.models import AuditEntry
from automation import services as automation
from escalation.services import team_default_set
from organisations import services as organisations
from sla.models import Calendar, SlaPolicy
from sla.services import calendar_save, sla_policy_save

pytestmark = pytest.mark.django_db

ADD_TAG = [{"type": "add_tags", "value": ["x"]}]


def _updated(model: str, object_id: object) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(model=model, object_id=str(object_id), action="updated").order_by("id")
    )


def test_switching_the_default_sla_policy_records_the_old_default_losing_it(sam):
    calendar = Calendar.objects.create(name="Office")
    old = SlaPolicy.objects.create(name="Standard", calendar=calendar, is_default=True)
    new = SlaPolicy.objects.create(name="Premium", calendar=calendar)
    # when
    with acting_as(sam):
        sla_policy_save(policy=new, is_default=True)
    # then: both sides, with who and before/after
    (lost,) = _updated("sla.slapolicy", old.pk)
    (gained,) = _updated("sla.slapolicy", new.pk)
    assert (lost.before, lost.after, lost.actor) == ({"is_default": True}, {"is_default": False}, sam)
    assert lost.object_repr == "Standard"
    assert (gained.before, gained.after) == ({"is_default": False}, {"is_default": True})


def test_moving_a_rule_records_each_rule_whose_position_changed(sam):
    with acting_as(sam):
        first = automation.rule_save(user=sam, name="First", trigger="created", actions=ADD_TAG)
        second = automation.rule_save(user=sam, name="Second", trigger="created", actions=ADD_TAG)
        # when
        automation.rule_move(rule=second, up=True)
    # then
    (down,) = _updated("automation.rule", first.pk)
    (up,) = _updated("automation.rule", second.pk)
    assert (down.before, down.after) == ({"position": 1}, {"position": 2})
    assert (up.before, up.after, up.actor) == ({"position": 2}, {"position": 1}, sam)


def test_a_tiers_default_team_change_records_both_teams(sam):
    old = Team.objects.create(name="Desk", tier=1, is_default_for_tier=True)
    new = Team.objects.create(name="Helpers", tier=1)
    with acting_as(sam):
        team_default_set(tier=1, team=new)
    (lost,) = _updated("accounts.team", old.pk)
    (gained,) = _updated("accounts.team", new.pk)
    assert (lost.before, lost.after) == ({"is_default_for_tier": True}, {"is_default_for_tier": False})
    assert (gained.after, gained.actor) == ({"is_default_for_tier": True}, sam)


def test_a_new_primary_organisation_records_the_old_membership_losing_it(sam, alice):
    acme = organisations.organisation_save(name="Acme")
    globex = organisations.organisation_save(name="Globex")
    first = organisations.member_add(organisation=acme, user=alice)
    second = organisations.member_add(organisation=globex, user=alice)
    with acting_as(sam):
        organisations.member_update(membership=second, by=sam, is_primary=True)
    (lost,) = _updated("organisations.membership", first.pk)
    assert (lost.before, lost.after, lost.actor) == ({"is_primary": True}, {"is_primary": False}, sam)
    assert "alice" not in lost.object_repr.lower()


def test_a_calendars_custom_days_are_recorded_as_created(sam):
    with acting_as(sam):
        calendar = calendar_save(
            name="Office", custom_holidays=[{"date": date(2026, 12, 24), "name": "Christmas Eve"}]
        )
    (day,) = AuditEntry.objects.filter(model="sla.customholiday", action="created")
    assert day.after["date"] == "2026-12-24"
    assert day.after["calendar_id"] == calendar.pk
    assert day.actor == sam


# --- the guard ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "bench", "node_modules", ".git", "static"}
CALL = re.compile(r"\b([A-Z]\w+)(?:\.objects|\._base_manager)\b[^\n]*?\.(update|bulk_update|bulk_create)\(")
# (file, model): why this call needs no entry of its own.
ALLOWED = {
    # The erasure is one "erased" entry with its counts; per-row before values would copy the
    # erased person's data into the log.
    ("privacy/services.py", "RecurringTicket"),
    # Single sign-on's group mapping writes its own "updated" entry for the role and the teams together,
    # with the source and the groups that caused it (tests/sso/test_provision.py checks it).
    ("sso/services.py", "User"),
    # An import's new people (up to hundreds of thousands) are covered by the import run's own entry
    # (who started which source from where: importers.services._save_and_enqueue), not one entry each.
    ("importers/engine.py", "User"),
}


def _sources() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.py")
        if not SKIP_DIRS & set(p.relative_to(ROOT).parts) and p.name != "conftest.py"
    ]


def test_no_bulk_write_on_a_registered_model_bypasses_the_audit_log():
    registered = {}
    for label, _name in registry.registered_models():
        app, model_name = label.split(".")
        from django.apps import apps

        model = apps.get_model(app, model_name)
        registered[model.__name__] = registry.registration_for(model)
    offenders = []
    for path in _sources():
        text = path.read_text()
        rel = str(path.relative_to(ROOT))
        for match in CALL.finditer(text):
            name, method = match.groups()
            reg = registered.get(name)
            if reg is None or (rel, name) in ALLOWED:
                continue
            if method == "update":
                # Only untracked fields (a mailbox's last poll): no configuration change.
                args = text[match.end() : match.end() + 300].split(")")[0]
                fields = set(re.findall(r"(\w+)\s*=", args))
                tracked = set(reg.fields) | {f.removesuffix("_id") for f in reg.fields}
                if fields and not fields & tracked:
                    continue
            elif method == "bulk_create" and "audit_bulk_created(" in text[match.end() : match.end() + 400]:
                continue
            line = text[: match.start()].count("\n") + 1
            offenders.append(f"{rel}:{line} {name}.{method}")
    assert offenders == [], "use audit.services.audit_queryset_update / audit_bulk_created"


def test_the_guard_finds_a_plain_update():
    assert CALL.search("        SlaPolicy.objects.filter(is_default=True).update(is_default=False)")
    assert CALL.search("    Rule.objects.filter(pk=r.pk).update(position=position)")


def test_the_log_names_models_in_the_readers_language():
    from django.utils import translation

    with translation.override("de"):
        names = dict(registry.registered_models())
    assert names["sla.slapolicy"] == "SLA-Richtlinie"  # not "Sla-richtlinie"
    assert names["automation.rule"] == "Regel"  # a name Django made from the class, translated
    assert names["mailin.mailbox"] == "Postfach"


def test_rules_calendars_and_people_read_in_words_not_codes(sam, tina, client):
    from audit.models import AuditEntry as Entry

    sam.language = "de"
    sam.save()
    with acting_as(sam):
        calendar_save(name="Office", working_hours={"0": [["08:00", "17:00"]]})
        automation.rule_save(
            user=sam,
            name="Urgent",
            trigger="created",
            conditions=[
                {"field": "priority", "op": "in", "value": ["P1"]},
                {"field": "assignee", "op": "in", "value": [tina.pk]},
            ],
            actions=[{"type": "add_tags", "value": ["urgent"]}],
        )
    assert Entry.objects.filter(model="automation.rule").exists()
    client.force_login(sam)
    html = client.get("/agent/config/audit/").content.decode()
    assert "Mo 08:00–17:00" in html
    assert "Schlagwörter hinzufügen: urgent" in html
    assert "Priorität: P1" in html
    assert "Tina" in html  # the assignee and "created by" by name
    assert "Angelegt von:</span> – → Sam" in html
    for raw in ("{&#x27;", "&#x27;type&#x27;", "business_hours", "Sla-richtlinie"):
        assert raw not in html
